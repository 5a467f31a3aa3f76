"""Reports: stats, digests, goals, trend, export and home, every figure through the disclosure rules."""
