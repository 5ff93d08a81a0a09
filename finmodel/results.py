"""Result objects of the valuation: risk-adjusted NPV, RCU holders' view, capital.

They only read the per-row arrays of :class:`~finmodel.engine.model.Paths` and
reduce them with the row weights; nothing here models anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyxirr

from .engine.model import FLOW_KINDS, Paths, waterfall_for
from .engine.programs import ProgramModel
from .engine.runway import weighted_quantile
from .scenario import Scenario

__all__ = ["RNPV", "RcuResult", "CapitalResult", "rnpv_result", "rcu_result", "capital_result"]


def _frame_index(paths: Paths) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(paths.timeline.index, name="month_end")


def _expected_discount(paths: Paths) -> np.ndarray:
    """Discount curve (T,): the rows' own when they share one, else their weighted mean."""
    d = paths.discount
    return d[0] if d.shape[0] == 1 else paths.weights @ d


# ---------------------------------------------------------------- rNPV


@dataclass(frozen=True, eq=False)
class RNPV:
    """Risk-adjusted NPV in the reporting currency.

    Attributes
    ----------
    total : float
        Sum of the programs' rNPV net of the RCU holders' claim.
    by_program : DataFrame
        Indexed by program id: ``rnpv`` (net), ``pos`` (probability of
        approval), ``peak_sales`` (reporting currency), ``pv_milestones``,
        ``pv_royalties`` (gross), ``pv_sales_margin``, ``pv_costs``,
        ``pv_rcu`` (holders' part, a deduction).
    currency : str
    """

    total: float
    by_program: pd.DataFrame
    currency: str

    def summary(self) -> pd.DataFrame:
        return self.by_program[["stage", "pos", "pv_milestones", "pv_royalties", "pv_rcu", "rnpv"]]

    def __repr__(self) -> str:
        return f"RNPV(total={self.total:,.0f} {self.currency}, programs={len(self.by_program)})"

    def _repr_html_(self) -> str:
        return f"<p>rNPV total: {self.total:,.0f} {self.currency}</p>" + self.summary().to_html()


def rnpv_result(scenario: Scenario, models: dict[str, ProgramModel], paths: Paths,
                values) -> RNPV:
    w = paths.weights
    rows = []
    for pid, model in models.items():
        flows = paths.flows[pid]
        pv = {kind: float(w @ paths.pv(flows[kind])) for kind in FLOW_KINDS}
        pv_rcu = float(w @ paths.pv(paths.rcu_share[pid])) if pid in paths.rcu_share else 0.0
        probs = model.outcome_probabilities(values)
        sales = model.program.sales
        rows.append({
            "program": pid,
            "name": model.program.name,
            "stage": model.program.stage,
            "partner": model.program.partner or "",
            "pos": float(np.mean(probs[-1])),
            "peak_sales": (sales.peak * scenario.fx_rate(sales.currency)) if sales else 0.0,
            "pv_milestones": pv["milestones"],
            "pv_royalties": pv["royalties"],
            "pv_sales_margin": pv["sales_margin"],
            "pv_costs": pv["costs"],
            "pv_rcu": pv_rcu,
            "rnpv": pv["milestones"] + pv["royalties"] + pv["sales_margin"] - pv["costs"] - pv_rcu,
        })
    columns = ["program", "name", "stage", "partner", "pos", "peak_sales", "pv_milestones",
               "pv_royalties", "pv_sales_margin", "pv_costs", "pv_rcu", "rnpv"]
    frame = pd.DataFrame(rows, columns=columns).set_index("program")
    return RNPV(float(frame["rnpv"].sum()), frame, scenario.company.currency)


# ---------------------------------------------------------------- RCU


@dataclass(frozen=True, eq=False)
class RcuResult:
    """The Royalty Conversion Units from the holders' and the company's side.

    All amounts in the reporting currency; ``per_unit`` figures divide by the
    number of units. IRRs are annual, on the unit price paid at issue.
    """

    scenario: Scenario
    paths: Paths = field(repr=False)

    @property
    def _rcu(self):
        return self.scenario.rcu

    @cached_property
    def _per_unit_paid(self) -> np.ndarray:
        """Cumulative paid per unit at each month end, per row (R, T), including paid to date."""
        return self._rcu.paid_to_date / self._rcu.units + np.cumsum(
            self.paths.holders, axis=-1) / self._rcu.units

    @property
    def holder_value(self) -> float:
        """Expected PV at the valuation date of all future payments to holders."""
        return float(self.paths.weights @ self.paths.pv(self.paths.holders))

    @property
    def holder_value_per_unit(self) -> float:
        return self.holder_value / self._rcu.units

    @cached_property
    def irr_by_row(self) -> np.ndarray:
        """Holders' IRR of each row (``-1``: nothing ever paid)."""
        return np.array([self._irr(row) for row in self.paths.holders / self._rcu.units])

    def _irr(self, per_unit: np.ndarray) -> float:
        paid_before = self._rcu.paid_to_date / self._rcu.units
        if per_unit.sum() + paid_before <= 0:
            return -1.0
        dates = [self._rcu.issued, self.scenario.valuation_date, *self.paths.timeline.ends]
        amounts = [-self._rcu.price, paid_before, *per_unit]
        result = pyxirr.xirr(dates, amounts)
        return -1.0 if result is None else float(result)

    @property
    def irr_expected(self) -> float:
        """IRR of the expected payments per unit (the holders' expected-cash-flow return)."""
        return self._irr(self.paths.weights @ self.paths.holders / self._rcu.units)

    @property
    def irr_median(self) -> float:
        return weighted_quantile(self.irr_by_row, self.paths.weights, 0.5)

    @property
    def company_cost(self) -> float:
        """Company's cost of the financing as an effective annual rate: the rate equating the
        proceeds at issue with the expected payments (fees not modelled)."""
        return self.irr_expected

    @property
    def p_recover(self) -> float:
        """Probability that holders get back at least the unit price."""
        return float(self.paths.weights @ (self._per_unit_paid[:, -1] >= self._rcu.price - 1e-9))

    @property
    def p_cap(self) -> float:
        """Probability that holders reach the cap per unit within the horizon."""
        cap = self._rcu.cap_per_unit
        return float(self.paths.weights @ (self._per_unit_paid[:, -1] >= cap * (1 - 1e-9)))

    @property
    def time_to_cap(self) -> float:
        """Weighted median months to the cap among rows that reach it (``inf`` if none do)."""
        cap = self._rcu.cap_per_unit * (1 - 1e-9)
        reached = self._per_unit_paid >= cap
        hit = reached.any(axis=-1)
        if not hit.any():
            return math.inf
        months = reached.argmax(axis=-1) + 1.0
        return weighted_quantile(months[hit], self.paths.weights[hit], 0.5)

    def by_tier(self) -> pd.DataFrame:
        """Expected payments to holders by tier and month (columns ``tier_1``...)."""
        expected = np.einsum("r,rnt->nt", self.paths.weights, self.paths.holders_by_tier)
        return pd.DataFrame(expected.T, index=_frame_index(self.paths),
                            columns=[f"tier_{i + 1}" for i in range(expected.shape[0])])

    @cached_property
    def shortcut_value(self) -> float:
        """Holders' PV by the common shortcut: the waterfall applied to expected royalties."""
        waterfall = waterfall_for(self.scenario)
        expected_feed = self.paths.weights @ self.paths.feed
        received = float(waterfall.royalties_to_reach(self._rcu.paid_to_date))
        holders, _ = waterfall.split(expected_feed, received=received)
        return float(holders @ _expected_discount(self.paths))

    @property
    def shortcut_error(self) -> float:
        """Shortcut minus exact holders' value (positive: the shortcut overstates the claim)."""
        return self.shortcut_value - self.holder_value

    # -- conversion ------------------------------------------------------

    def shares_per_unit(self, paid_per_unit: np.ndarray | float) -> np.ndarray:
        """Conversion shares per unit after ``paid_per_unit`` has been received."""
        conv = self._rcu.conversion
        if conv is None:
            return np.zeros_like(np.asarray(paid_per_unit, dtype=float))
        if conv.rule == "none":
            return np.full_like(np.asarray(paid_per_unit, dtype=float), conv.shares_per_unit)
        return conv.shares_per_unit * np.clip(1.0 - np.asarray(paid_per_unit) / self._rcu.price,
                                              0.0, None)

    @property
    def shares_per_unit_now(self) -> float:
        return float(self.shares_per_unit(self._rcu.paid_to_date / self._rcu.units))

    @property
    def break_even_price(self) -> float:
        """Share price above which converting now beats keeping the royalty claim."""
        shares = self.shares_per_unit_now
        return math.inf if shares <= 0 else self.holder_value_per_unit / shares

    def converts_at(self, share_price: float) -> bool:
        """Whether converting now is worth more than the claim at ``share_price``."""
        return share_price * self.shares_per_unit_now > self.holder_value_per_unit

    def conversion_frame(self) -> pd.DataFrame:
        """Month by month, on expected payments: paid per unit so far, conversion shares per
        unit, value of the remaining claim per unit (discounted to that month), and the share
        price at which converting then breaks even."""
        w = self.paths.weights
        per_unit = w @ self.paths.holders / self._rcu.units
        paid = self._rcu.paid_to_date / self._rcu.units + np.cumsum(per_unit)
        discount = _expected_discount(self.paths)
        remaining = np.cumsum((per_unit * discount)[::-1])[::-1] - per_unit * discount
        remaining = remaining / discount
        shares = self.shares_per_unit(paid)
        with np.errstate(divide="ignore", invalid="ignore"):
            break_even = np.where(shares > 0, remaining / shares, np.inf)
        return pd.DataFrame({"paid_per_unit": paid, "shares_per_unit": shares,
                             "claim_per_unit": remaining, "break_even_price": break_even},
                            index=_frame_index(self.paths))

    def summary(self) -> dict[str, float]:
        return {
            "holder_value": self.holder_value,
            "holder_value_per_unit": self.holder_value_per_unit,
            "irr_expected": self.irr_expected,
            "irr_median": self.irr_median,
            "p_recover": self.p_recover,
            "p_cap": self.p_cap,
            "time_to_cap_months": self.time_to_cap,
            "company_cost": self.company_cost,
            "shortcut_value": self.shortcut_value,
            "shortcut_error": self.shortcut_error,
            "break_even_price": self.break_even_price,
        }

    def __repr__(self) -> str:
        return (f"RcuResult(value={self.holder_value:,.0f}, irr={self.irr_expected:.1%}, "
                f"p_recover={self.p_recover:.1%}, p_cap={self.p_cap:.1%})")


def rcu_result(scenario: Scenario, paths: Paths) -> RcuResult | None:
    return None if scenario.rcu is None else RcuResult(scenario, paths)


# ---------------------------------------------------------------- capital


@dataclass(frozen=True)
class CapitalResult:
    """Sum of the parts and value per share.

    ``equity = cash + rNPV (net of the RCU claim) + PV of committed funding
    - PV of corporate burn over the overhead horizon``. Warrants in the money
    at the resulting value are exercised (treasury-stock method at fair value:
    proceeds added, shares issued).
    """

    cash: float
    rnpv: float
    pv_funding: float
    pv_overhead: float
    shares_outstanding: int
    warrant_shares: int
    warrant_proceeds: float
    conversion_shares: float
    rcu_claim: float

    @property
    def equity(self) -> float:
        return self.cash + self.rnpv + self.pv_funding - self.pv_overhead

    @property
    def per_share_basic(self) -> float:
        return self.equity / self.shares_outstanding

    @property
    def per_share(self) -> float:
        """Value per fully diluted share (warrants exercised only if in the money)."""
        basic = self.per_share_basic
        diluted = (self.equity + self.warrant_proceeds) / (self.shares_outstanding
                                                           + self.warrant_shares)
        strike = self.warrant_proceeds / self.warrant_shares if self.warrant_shares else math.inf
        return diluted if basic > strike else basic

    @property
    def per_share_if_converted(self) -> float:
        """Value per share if every RCU converted now (claim cancelled, shares issued)."""
        return (self.equity + self.rcu_claim) / (self.shares_outstanding + self.conversion_shares)

    def summary(self) -> dict[str, float]:
        return {"cash": self.cash, "rnpv": self.rnpv, "pv_funding": self.pv_funding,
                "pv_overhead": self.pv_overhead, "equity": self.equity,
                "per_share_basic": self.per_share_basic, "per_share": self.per_share,
                "per_share_if_converted": self.per_share_if_converted}


def capital_result(scenario: Scenario, paths: Paths, rnpv: RNPV, rcu: RcuResult | None,
                   corporate_burn: np.ndarray, funding: np.ndarray) -> CapitalResult:
    w = paths.weights
    months = int(round(12 * scenario.capital.overhead_years))
    overhead = corporate_burn.copy()
    overhead[months:] = 0.0
    discount = _expected_discount(paths)
    live = [x for x in scenario.capital.warrants if x.expires > scenario.valuation_date]
    return CapitalResult(
        cash=float(w @ paths.runway.opening),
        rnpv=rnpv.total,
        pv_funding=float(funding @ discount),
        pv_overhead=float(overhead @ discount),
        shares_outstanding=scenario.capital.shares_outstanding,
        warrant_shares=sum(x.count for x in live),
        warrant_proceeds=sum(x.count * x.strike for x in live),
        conversion_shares=0.0 if rcu is None else rcu.shares_per_unit_now * scenario.rcu.units,
        rcu_claim=0.0 if rcu is None else rcu.holder_value,
    )

