"""Company flows on the grid: blended burn steps, cash roll-forward, funding draws, raises."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from finmodel.engine.company import (
    burn_schedule,
    financing_inflows,
    funding_draws,
    opening_cash,
    timeline_for,
)
from finmodel.scenario import Scenario


def scenario(**company) -> Scenario:
    base = {
        "name": "c", "currency": "CAD",
        "cash": {"amount": 10e6, "as_of": dt.date(2008, 7, 8)},
        "burn": [{"from": dt.date(2008, 1, 1), "annual": 12e6}],
    }
    return Scenario.model_validate({
        "name": "company flows", "valuation_date": dt.date(2008, 7, 8),
        "company": {**base, **company}, "fx": {"USD": 1.25},
        "discounting": {"rate": 0.1}, "horizon_years": 2,
        "capital": {"shares_outstanding": 1},
    })


def test_burn_step_blends_inside_the_month():
    # Month 0 runs 2008-07-08 -> 2008-08-08 (31 days). A cut to 6M a year from 2008-07-23
    # leaves 15 days at 1M a month and 16 days at 0.5M a month.
    s = scenario(burn=[{"from": dt.date(2008, 1, 1), "annual": 12e6},
                       {"from": dt.date(2008, 7, 23), "annual": 6e6}])
    burn = burn_schedule(s, timeline_for(s))
    assert burn[0] == pytest.approx(1e6 * 15 / 31 + 0.5e6 * 16 / 31)
    assert np.all(burn[1:] == 0.5e6)


def test_opening_cash_rolls_forward_by_days():
    s = scenario(cash={"amount": 10e6, "as_of": dt.date(2008, 6, 30)})
    assert opening_cash(s) == pytest.approx(10e6 - 12e6 * 8 / 365.25)


def test_funding_draw_spreads_evenly_and_drops_the_past():
    # 2.4M drawn over 2008-01-08 .. 2009-01-08 (12 months); half is before the valuation date.
    s = scenario(funding=[{"label": "grant", "amount": 2.4e6, "start": dt.date(2008, 1, 8),
                           "end": dt.date(2009, 1, 8)}])
    draws = funding_draws(s, timeline_for(s))
    assert draws.sum() == pytest.approx(1.2e6)
    assert draws[:6] == pytest.approx(np.full(6, 0.2e6))


def test_financing_net_of_fees_in_its_month_and_currency():
    s = scenario(financings=[{"label": "PIPE", "date": dt.date(2008, 10, 1), "amount": 4e6,
                              "currency": "USD", "fees": 0.06}])
    raised = financing_inflows(s, timeline_for(s))
    assert raised[2] == pytest.approx(4e6 * 0.94 * 1.25)   # 2008-09-08 .. 2008-10-08
    assert raised.sum() == raised[2]
