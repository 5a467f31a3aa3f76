"""Adapters: translate platform payloads to core events and render core messages per platform."""
