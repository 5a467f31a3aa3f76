"""APScheduler wiring: thin jobs that call the core."""
