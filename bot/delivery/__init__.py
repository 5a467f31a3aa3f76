"""Delivery: prompts, reminders, digests and alerts out through the outboxes, each claimed under a lease."""
