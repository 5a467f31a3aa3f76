"""Record ids that arrive as text in button values and form contexts (clients can send anything)."""

from __future__ import annotations

MAX_DIGITS = 18  # fits a 64-bit integer column on every database


def parse_id(value: object) -> int | None:
    """'42' -> 42; anything else ('²', '-1', '1e3', twenty digits) -> None."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)
