"""What bounds each figure, as profiled on today's code; the lead updates these as the code changes."""

BOUNDS: dict[str, str] = {}
