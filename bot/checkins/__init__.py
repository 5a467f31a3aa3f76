"""Check-ins: the one-click prompt, its cards and forms, and recording answers."""
