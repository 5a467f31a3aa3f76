"""Wiring: settings -> engine -> core -> adapters -> scheduler, in one aiohttp application."""
