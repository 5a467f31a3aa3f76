"""The privacy threshold, including protection against working out a hidden group by subtraction."""

from __future__ import annotations

from collections.abc import Mapping

NOT_ENOUGH = "not enough responses yet"


def publishable(counts: Mapping[str, int], threshold: int) -> set[str]:
    """Groups whose figures may be shown.

    A group under the threshold is hidden. If the hidden groups together hold fewer than the
    threshold (but more than none), the whole minus the shown groups would reveal them, so the
    smallest shown groups are hidden too until the hidden total reaches the threshold
    (complementary suppression). When the whole is under the threshold nothing is shown.
    """
    total = sum(counts.values())
    if total < threshold:
        return set()
    shown = {g for g, n in counts.items() if n >= threshold}
    hidden = total - sum(counts[g] for g in shown)
    while 0 < hidden < threshold and shown:
        smallest = min(shown, key=lambda g: (counts[g], g))
        shown.discard(smallest)
        hidden += counts[smallest]
    return shown
