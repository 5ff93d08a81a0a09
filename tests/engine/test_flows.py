"""Launch-month tables: the vectorised searches against plain per-row loops."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel.engine.flows import SalesTable
from finmodel.engine.timeline import Timeline


def _table(ramp, erosion, exclusivity_month) -> SalesTable:
    timeline = Timeline(dt.date(2008, 7, 8), 120)
    return SalesTable.build(timeline, tuple(ramp), exclusivity_month, erosion, 96)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=1, max_size=5), st.floats(0.0, 1.0),
       st.one_of(st.none(), st.floats(10.0, 110.0)),
       st.lists(st.tuples(st.integers(0, 10_000), st.floats(0.0, 1.2)), min_size=1,
                max_size=40))
def test_first_reach_is_a_per_row_searchsorted(ramp, erosion, exclusivity, rows):
    table = _table(ramp, erosion, exclusivity)
    index = np.array([r % table.reach.shape[0] for r, _ in rows])
    level = np.array([x for _, x in rows])
    expected = [np.searchsorted(table.reach[a], x, side="left") for a, x in zip(index, level)]
    assert table.first_reach(index, level).tolist() == expected


def test_first_reach_never_and_at_once():
    table = _table((0.2, 0.6), 0.5, 60.0)
    a = 5 - table.earliest                      # first selling month: 5
    got = table.first_reach(np.full(3, a), np.array([np.inf, 0.0, 0.6]))
    assert got[0] == table.months and got[1] == 0
    assert got[2] > 5 and table.reach[a, got[2]] >= 0.6 > table.reach[a, got[2] - 1]
