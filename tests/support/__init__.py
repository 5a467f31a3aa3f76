"""Test support: fakes of the outside world, harnesses and shared helpers. Test modules import from here, never from each other."""
