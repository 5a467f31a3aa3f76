"""fairloop's platform-neutral core: events, messages, commands, check-ins, stats, privacy."""
