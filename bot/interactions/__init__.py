"""Interactions: what people click, submit and type, routed to the capability that answers it."""
