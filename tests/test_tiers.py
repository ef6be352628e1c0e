"""The quick tier's sample (tests/conftest.py): what it keeps of a parametrized test."""

from __future__ import annotations

from tests.conftest import QUICK_CASES, quick_sample


class _Item:
    def __init__(self, n: int, quick: bool = False) -> None:
        self.n, self.quick = n, quick

    def get_closest_marker(self, name: str):
        return name if name == "quick" and self.quick else None


def test_an_even_spread_keeps_the_first_and_the_last_case():
    items = [_Item(n) for n in range(10)]
    assert [item.n for item in quick_sample(items, 1)] == [0]
    assert [item.n for item in quick_sample(items, 2)] == [0, 9]
    assert [item.n for item in quick_sample(items, 3)] == [0, 4, 9]
    assert len(quick_sample(items)) == QUICK_CASES


def test_a_test_that_marks_its_cases_gets_exactly_those():
    items = [_Item(n, quick=n in (3, 4, 7)) for n in range(10)]
    assert [item.n for item in quick_sample(items)] == [3, 4, 7]


def test_a_test_with_few_cases_runs_them_all():
    items = [_Item(n) for n in range(QUICK_CASES)]
    assert quick_sample(items) == items
