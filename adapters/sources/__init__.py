"""Interview sources: the webhook any ATS or script can call, and connectors for specific ATSs."""
