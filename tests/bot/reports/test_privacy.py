"""The privacy threshold: no shown group under it, and no hidden group recoverable by subtraction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.reports.privacy import publishable


def test_small_groups_are_hidden() -> None:
    assert publishable({"Platform": 12, "Data": 9, "Sales": 7}, 5) == {"Platform", "Data", "Sales"}
    assert publishable({"Platform": 12, "Sales": 4, "Data": 6}, 5) == {"Platform"}  # Sales alone would leak via Data


def test_one_hidden_group_takes_the_next_smallest_with_it() -> None:
    # total 20 with Sales hidden: 20 - 10 - 7 = 3 would reveal Sales, so Data (the smallest shown) hides too
    assert publishable({"Platform": 10, "Data": 7, "Sales": 3}, 5) == {"Platform"}


def test_nothing_is_shown_when_the_whole_is_under_the_threshold() -> None:
    assert publishable({"Platform": 3, "Data": 1}, 5) == set()


def test_hidden_groups_that_together_reach_the_threshold_protect_each_other() -> None:
    assert publishable({"Platform": 10, "Data": 3, "Sales": 2}, 5) == {"Platform"}


@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(min_value=0, max_value=40), max_size=8),
    st.integers(min_value=1, max_value=10),
)
def test_no_shown_group_is_small_and_the_hidden_remainder_is_never_small(counts: dict[str, int], k: int) -> None:
    shown = publishable(counts, k)
    assert all(counts[g] >= k for g in shown)
    hidden = sum(counts.values()) - sum(counts[g] for g in shown)
    if shown:
        assert hidden == 0 or hidden >= k  # total minus the shown groups never reveals a small group
    # the same group set is shown however the groups are ordered
    assert publishable(dict(reversed(list(counts.items()))), k) == shown
