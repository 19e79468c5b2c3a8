"""Small-number suppression (siree_metrics.metrics.suppress): primary marks, rounding, and the attacks."""

from __future__ import annotations

import dataclasses
import itertools

import pandas as pd
import pytest

from siree_metrics.metrics import suppress
from siree_metrics.metrics.suppress import Policy

P = Policy(threshold=5, base=5)


@pytest.mark.parametrize(("value", "safe"), [
    (0, 0), (1, None), (4, None), (5, 5), (7, 5), (7.4, 5), (7.5, 10), (8, 10), (12, 10), (13, 15), (472, 470),
    (473, 475), (None, None),
])
def test_counts_of_one_to_four_are_hidden_and_the_rest_rounded_to_five(value, safe) -> None:  # noqa: ANN001
    assert suppress.count(value, P) == safe


def test_without_a_policy_nothing_changes() -> None:
    assert suppress.count(3, None) == 3 and suppress.shown(3, None) == "3"


def test_text_for_a_viewer() -> None:
    assert [suppress.shown(v, P) for v in (0, 3, 472, None)] == ["0", "<5", "470", "—"]
    assert suppress.shown(3, Policy(threshold=10, base=10)) == "<10"  # the threshold is a setting


def test_a_rate_on_fewer_than_five_people_is_hidden() -> None:
    assert suppress.rate_visible([120, 5], P) and not suppress.rate_visible([120, 4], P)
    assert not suppress.rate_visible([None], P) and suppress.rate_visible([1], None)


def test_a_frame_gets_rounded_counts_and_the_text_to_show() -> None:
    df = pd.DataFrame({"country": ["BE", "FR", "NL"], "teachers": [3, 17, 0], "communities": [2, 2, 2]})
    safe = suppress.frame(df, ["teachers"], P)
    assert safe["teachers_shown"].tolist() == ["<5", "15", "0"]
    assert safe["teachers"].isna().tolist() == [True, False, False] and safe["teachers"][1] == 15
    assert safe["communities"].tolist() == [2, 2, 2]  # not people: unchanged
    assert df["teachers"].tolist() == [3, 17, 0]  # the input is not changed


def consistent(shown: int | None, true: int) -> bool:
    """Whether a true count could be behind what a viewer sees."""
    return suppress.count(true, P) == shown


def candidates(cells_shown: list[int | None], total_shown: int, hidden: int) -> set[int]:
    """The values of cell ``hidden`` an attacker cannot rule out, knowing every shown cell and the shown total
    (brute force over every true table of cells 0..40 that shows the same)."""
    found = set()
    for values in itertools.product(range(41), repeat=len(cells_shown)):
        if all(consistent(s, v) for s, v in zip(cells_shown, values, strict=True)) and consistent(total_shown, sum(values)):
            found.add(values[hidden])
    return found


def test_total_minus_the_visible_cells_does_not_give_the_hidden_one_back() -> None:
    # Three countries: 3 (hidden), 17, 9; the programme total 29. Shown: <5, 15, 10 and 30. Total minus the
    # visible cells is 30 - 15 - 10 = 5, yet every value 1..4 fits what is shown.
    true = [3, 17, 9]
    shown = [suppress.count(v, P) for v in true]
    assert shown == [None, 15, 10] and suppress.count(sum(true), P) == 30
    assert candidates(shown, 30, hidden=0) == {1, 2, 3, 4}


def test_a_country_minus_its_regions_does_not_give_a_region_back() -> None:
    # Belgium = 12 in BE212 + 2 in BE251: shown 10 and <5, Belgium 14 -> 15; Belgium minus BE212 reads 5.
    shown = [suppress.count(12, P), suppress.count(2, P)]
    assert shown == [10, None] and suppress.count(14, P) == 15
    assert candidates(shown, 15, hidden=1) == {1, 2, 3, 4}


def test_as_of_t_minus_as_of_t_minus_one_does_not_give_the_month_back() -> None:
    # Cumulative teachers: 40 at the end of May, 43 at the end of June (3 trained in June): shown 40 and 45.
    # The step 45 - 40 = 5 does not say 3: June's count may be anything from 1 to 7.
    may, june = suppress.count(40, P), suppress.count(43, P)
    assert (may, june) == (40, 45)
    steps = {j - m for m in range(30, 50) for j in range(30, 60) if consistent(may, m) and consistent(june, j) and j > m}
    assert {1, 2, 3, 4} <= steps


@pytest.mark.parametrize(("target", "status"), [
    # final (as-of at the project end), a hidden count stands for 1..4: its status is the one all of them share
    (40, "not_achieved"),  # 1/40 and 4/40 both below 1
    (1, "achieved"),  # 1/1 and 4/1 both at least 1
    (4, "hidden"),  # 1/4 not achieved, 4/4 achieved: which one would tell the count
    (2, "hidden"),  # 1/2 not achieved, 4/2 achieved
])
def test_a_hidden_count_says_no_status_it_cannot_stand_behind(target: int, status: str) -> None:
    from siree_metrics.metrics.summary import IndicatorResult
    from siree_metrics.reference import load_reference

    ind = load_reference().indicator("new_entrepreneurs")
    exact = IndicatorResult(id=ind.id, label="", kind="count", unit="", value=2.0, target=float(target), baseline=None,
                            current=None, attainment=2 / target, expected=1.0,
                            status="achieved" if 2 >= target else "not_achieved", forecast=None, n=2)
    shown = suppress._result(exact, ind, P, on_track=0.9, at_risk=0.6, final=True)
    assert (shown.value, shown.attainment, shown.status) == (None, None, status)
    # the same for every count the mark stands for: the status cannot give the count back
    assert {suppress._result(dataclasses.replace(exact, value=float(v)), ind, P, on_track=0.9, at_risk=0.6,
                             final=True).status for v in range(1, 5)} == {status}
