"""A slow, plain valuation of one path: the oracle the vectorised engine is tested against.

Everything here is written out month by month with Python loops and floats,
independently of the engine's structured flows (:mod:`.flows`), its
waterfall interpolation, its runway scan and its IRR solver. It shares with
the engine only the inputs and a few definitions: the scenario schema, the
monthly grid (:mod:`.timeline`), the success-path event positions
(:meth:`ProgramModel.schedule`), the cited defaults (:mod:`finmodel.benchmarks`),
the opening balance and burn schedule of :mod:`.company` and the RCU tier terms.

Conventions (month ``k`` = 0 .. T-1 ends ``k + 1`` months after the valuation date):

- an approved program first sells in month ``a = ceil(launch - 1/2)``; launch
  year ``y = (k - a) // 12`` sells ``ramp[y]`` of peak annual sales, 100%
  after; after exclusivity ends sales are multiplied by
  ``1 - erosion * clip((k + 1/2 - loe) / EROSION_MONTHS, 0, 1)``;
- royalties run for months ``a <= k < a + round(12 * years)``, flat or with
  marginal tiers on annual sales;
- a dated event at position ``p`` (months) is booked in month
  ``clip(ceil(p) - 1, 0, T)``, ``T`` meaning beyond the horizon (dropped);
- a sales milestone pays in the first month whose sales share reaches
  ``threshold / peak``;
- the RCU holders take ``share_j`` of each fed amount while the cumulative
  feed is inside tier ``j``, nothing past the last tier.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.optimize import brentq

from .. import benchmarks as bm
from ..scenario import Scenario
from .company import burn_schedule, opening_cash
from .programs import APPROVED, NDA, RESULT_EVENTS, STAGE_INDEX, START_EVENTS, ProgramModel
from .timeline import Timeline, add_months, months_between
from .waterfall import Waterfall

__all__ = ["Reference", "reference_path"]


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a nested dict/list tree by dotted path."""
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(node, list):
        out[prefix] = node
        for i, value in enumerate(node):
            out.update(_flatten(value, f"{prefix}.{i}"))
    else:
        out[prefix] = node
    return out


def _event_month(position: float, months: int) -> int:
    """Month holding a position; due now -> 0; beyond the horizon (or never) -> ``months``."""
    if not math.isfinite(position):
        return months
    return min(max(math.ceil(position) - 1, 0), months)


def _spread(first: float, last: float, months: int) -> list[float]:
    """Share of the window ``[first, last]`` (months) in each month; parts off the grid dropped.

    An empty window puts everything in the month holding it.
    """
    out = [0.0] * months
    if last <= first:
        k = max(math.ceil(first) - 1, 0)
        if 0 <= first <= months and k < months:
            out[k] = 1.0
        return out
    for k in range(months):
        overlap = min(k + 1.0, last) - max(float(k), first)
        if overlap > 0:
            out[k] = overlap / (last - first)
    return out


def _needed_stage(event: str) -> int:
    """Stage index a program must reach for a milestone on ``event`` to be paid."""
    if event in START_EVENTS:
        return STAGE_INDEX[START_EVENTS[event]]
    if event in RESULT_EVENTS:
        return STAGE_INDEX[RESULT_EVENTS[event]] + 1   # a positive read-out
    if event == "nda_acceptance":
        return NDA
    return APPROVED                                     # launch, sales


def _irr(price: float, amounts: list[float], years: list[float]) -> float:
    """Annual IRR of ``-price`` at 0 and ``amounts`` (>= 0) at ``years``; -1 if nothing comes.

    Solved by Brent's bracketing method on ``g = log(1 + irr)``, where the net
    present value ``sum(a * exp(-g * t)) - price`` is strictly decreasing.
    """
    flows = [(a, t) for a, t in zip(amounts, years) if a != 0.0]
    if not flows:
        return -1.0

    def npv(g: float) -> float:
        return math.fsum(a * math.exp(-g * t) for a, t in flows) - price

    lo, hi = -1.0, 1.0
    for _ in range(64):                       # widen until the root is bracketed
        if npv(lo) >= 0.0 and npv(hi) <= 0.0:
            break
        lo, hi = (lo * 2.0 if npv(lo) < 0.0 else lo), (hi * 2.0 if npv(hi) > 0.0 else hi)
    g = brentq(npv, lo, hi, xtol=1e-16, rtol=4 * np.finfo(float).eps, maxiter=500)
    return math.expm1(g)


class Reference:
    """The fixed part of a scenario for :meth:`path` (dates, models, tier terms).

    Parameters
    ----------
    scenario : Scenario
    """

    def __init__(self, scenario: Scenario):
        s = scenario
        self.scenario = s
        self.months = months = 12 * s.horizon_years
        self.timeline = Timeline(s.valuation_date, months)
        self.ends = [add_months(s.valuation_date, k + 1) for k in range(months)]
        self.flat = _flatten(s.to_dict())
        self.models = {pid: ProgramModel.build(pid, p) for pid, p in s.programs.items()}
        # Funding draws and raises: (currency, month, amount in that currency).
        self.funding: list[tuple[str, int, float]] = []
        self.financing: list[tuple[str, int, float]] = []
        for draw in s.company.funding:
            code = draw.currency or s.company.currency
            lo = months_between(s.valuation_date, draw.start)
            hi = months_between(s.valuation_date, draw.end)
            for k, part in enumerate(_spread(lo, hi, months)):
                if part:
                    self.funding.append((code, k, draw.amount * part))
        for raise_ in s.company.financings:
            code = raise_.currency or s.company.currency
            k = _event_month(months_between(s.valuation_date, raise_.date), months)
            if k < months:
                self.financing.append((code, k, raise_.amount * (1.0 - raise_.fees)))
        self.rcu = s.rcu
        if s.rcu is not None:
            waterfall = Waterfall(units=s.rcu.units,
                                  tiers=[(t.amount, t.share) for t in s.rcu.tiers])
            # Tier j takes fed amounts from edges[j] to edges[j + 1] (cumulative feed).
            self.tiers = list(waterfall.tiers)
            self.edges = [0.0]
            for amount, share in self.tiers:
                self.edges.append(self.edges[-1] + waterfall.units * amount / share)
            self.received = float(waterfall.royalties_to_reach(s.rcu.paid_to_date))
            self.units = float(waterfall.units)

    def value(self, sampled: Mapping[str, float], path: str) -> float:
        """A numeric input: this path's draw if sampled, else the scenario's value."""
        if path in sampled:
            return float(sampled[path])
        return float(self.flat[path])

    def fx(self, sampled: Mapping[str, float], code: str) -> float:
        """Reporting-currency units per unit of ``code``."""
        if code == self.scenario.company.currency:
            return 1.0
        return self.value(sampled, f"fx.{code}")

    # ------------------------------------------------------------------ programs

    def program_flows(self, pid: str, sampled: Mapping[str, float], outcome: int,
                      event_at: Mapping[str, float]) -> dict[str, list[float]]:
        """Monthly company flows of one program (costs positive) and its net sales.

        Returns
        -------
        dict of kind -> list of T floats
            ``milestones``, ``royalties``, ``sales_margin``, ``costs``, ``sales``
            (net sales in the reporting currency; not a company flow).
        """
        T = self.months
        model = self.models[pid]
        program = model.program
        base = f"programs.{pid}"
        flows = {kind: [0.0] * T for kind in ("milestones", "royalties", "sales_margin",
                                               "costs", "sales")}
        events = {e: float(x) for e, x in model.schedule(dict(event_at)).items()}

        share = None                         # share of peak annual sales per month
        if program.sales is not None:
            sales = program.sales
            ramp = list(sales.ramp) if sales.ramp else list(bm.LAUNCH_CURVE.value)
            erosion = sales.erosion if sales.erosion is not None else float(bm.EROSION.value)
            loe = (None if sales.exclusivity_end is None
                   else months_between(self.scenario.valuation_date, sales.exclusivity_end))
            launch = events["launch"]
            first = math.ceil(launch - 0.5) if math.isfinite(launch) else T
            share = [0.0] * T
            for k in range(T):
                since = k - first
                if since < 0:
                    continue
                year = since // 12
                level = ramp[year] if year < len(ramp) else 1.0
                if loe is not None:
                    after = min(max((k + 0.5 - loe) / bm.EROSION_MONTHS, 0.0), 1.0)
                    level = level * (1.0 - erosion * after)
                share[k] = level
            peak = self.value(sampled, f"{base}.sales.peak")
            sales_fx = self.fx(sampled, sales.currency)
            approved = outcome == APPROVED
            if approved:
                for k in range(T):
                    flows["sales"][k] = peak * share[k] * sales_fx / 12.0
            if approved and program.royalty is not None:
                royalty = program.royalty
                term = round(12 * royalty.years)
                rates = [self.value(sampled, f"{base}.royalty.tiers.{i}.rate")
                         for i in range(len(royalty.tiers))]
                for k in range(T):
                    if not first <= k < first + term:
                        continue
                    if len(rates) == 1:
                        flows["royalties"][k] = rates[0] * peak * share[k] / 12.0 * sales_fx
                        continue
                    annual = peak * share[k]             # sales currency, a year
                    due, lower = 0.0, 0.0
                    for rate, tier in zip(rates, royalty.tiers):
                        upper = math.inf if tier.up_to is None else tier.up_to
                        due += rate * min(max(annual - lower, 0.0), upper - lower)
                        lower = upper
                    flows["royalties"][k] = due / 12.0 * sales_fx
            elif approved and program.partner is None:
                for k in range(T):
                    flows["sales_margin"][k] = (peak * share[k] * sales_fx / 12.0
                                                * (1.0 - sales.cogs))
                if sales.launch_cost:
                    k = _event_month(launch, T)
                    if k < T:
                        flows["costs"][k] += sales.launch_cost * sales_fx

        if program.milestones is not None:
            m = program.milestones
            m_fx = self.fx(sampled, m.currency)
            for i, milestone in enumerate(m.schedule):
                if outcome < max(_needed_stage(milestone.event), model.current):
                    continue
                amount = self.value(sampled, f"{base}.milestones.schedule.{i}.amount") * m_fx
                if milestone.event == "sales":
                    if share is None:
                        continue
                    peak = self.value(sampled, f"{base}.sales.peak")
                    level = milestone.sales_threshold / peak if peak > 0 else math.inf
                    k = next((j for j in range(T) if share[j] >= level), T)
                else:
                    k = _event_month(events.get(milestone.event, math.inf), T)
                if k < T:
                    flows["milestones"][k] += amount

        for i, stage in enumerate(model.stages):
            given = program.stages.get(stage)
            if given is None or not given.cost:
                continue
            if outcome < STAGE_INDEX[stage]:
                continue
            cost = self.value(sampled, f"{base}.stages.{stage}.cost")
            lo = events[f"start:{stage}"] if i else 0.0
            hi = events[f"readout:{stage}"]
            for k, part in enumerate(_spread(lo, hi, T)):
                flows["costs"][k] += cost * part
        return flows

    # ------------------------------------------------------------------ the RCU

    def holders(self, feed: list[float]) -> list[float]:
        """Paid to RCU holders each month, filling the tiers one after the other."""
        out = [0.0] * len(feed)
        cumulative = self.received
        for k, amount in enumerate(feed):
            left, paid = amount, 0.0
            for j, (_, share) in enumerate(self.tiers):
                if left <= 0.0:
                    break
                room = self.edges[j + 1] - cumulative
                if room <= 0.0:
                    continue
                take = min(left, room)
                paid += share * take
                cumulative += take
                left -= take
            cumulative += left                  # past the cap: all to the company
            out[k] = paid
        return out

    def holder_irr(self, holders: list[float]) -> float:
        """Holders' IRR per unit: price at issue, paid to date now, then quarterly payments."""
        rcu = self.rcu
        T = self.months
        issued = rcu.issued
        dates = [self.scenario.valuation_date]
        amounts = [rcu.paid_to_date / self.units]
        for q in range(0, T, 3):
            end = min(q + 2, T - 1)             # the quarter's last month
            dates.append(self.ends[end])
            amounts.append(sum(holders[q:end + 1]) / self.units)
        years = [(d - issued).days / 365.0 for d in dates]
        return _irr(rcu.price, amounts, years)

    # ------------------------------------------------------------------ one path

    def path(self, sampled: Mapping[str, float], outcomes: Mapping[str, int],
             event_at: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
        """Value one path; see :func:`reference_path`."""
        s = self.scenario
        T = self.months
        rate = self.value(sampled, "discounting.rate")
        convention = s.discounting.convention
        discount = []
        for k in range(T):
            if convention == "end_of_period":
                t = k + 1.0
            elif convention == "mid_period":
                t = k + 0.5
            else:  # annual_mid_year
                t = 12.0 * (k // 12 + 0.5)
            discount.append((1.0 + rate) ** (-t / 12.0))

        def pv(flow: list[float]) -> float:
            return math.fsum(f * d for f, d in zip(flow, discount))

        programs = {pid: self.program_flows(pid, sampled, int(outcomes[pid]),
                                            event_at.get(pid, {}))
                    for pid in self.models}

        feed = [0.0] * T
        holders = [0.0] * T
        holder_irr = math.nan
        if self.rcu is not None:
            kinds = ["royalties"] + (["milestones"] if self.rcu.milestones_feed else [])
            for pid in self.rcu.feeds:
                for kind in kinds:
                    for k in range(T):
                        feed[k] += programs[pid][kind][k]
            holders = self.holders(feed)
            holder_irr = self.holder_irr(holders)
        holder_npv = pv(holders)

        inflow = [0.0] * T                     # program flows before the RCU, costs netted
        for flows in programs.values():
            for k in range(T):
                inflow[k] += (flows["milestones"][k] + flows["royalties"][k]
                              + flows["sales_margin"][k] - flows["costs"][k])
        by_program = {pid: pv([f["milestones"][k] + f["royalties"][k] + f["sales_margin"][k]
                               - f["costs"][k] for k in range(T)])
                      for pid, f in programs.items()}
        company_npv = math.fsum(by_program.values()) - holder_npv

        # Runway.
        opening = float(opening_cash(s, self.value(sampled, "company.cash.amount")))
        annual = [self.value(sampled, f"company.burn.{i}.annual")
                  for i in range(len(s.company.burn))]
        burn = [float(x) for x in burn_schedule(s, self.timeline, annual)]
        floor = s.company.min_cash
        funding, financing = [0.0] * T, [0.0] * T      # at this path's FX
        for code, k, amount in self.funding:
            funding[k] += amount * self.fx(sampled, code)
        for code, k, amount in self.financing:
            financing[k] += amount * self.fx(sampled, code)
        balance = opening
        cash = []
        runway, out_index = math.inf, T
        if opening < floor:
            runway, out_index = 0.0, -1
        for k in range(T):
            before = balance
            balance = before + funding[k] + financing[k] + inflow[k] - holders[k] - burn[k]
            cash.append(balance)
            if out_index == T and balance < floor:
                runway, out_index = k + (before - floor) / (before - balance), k

        # Capital.
        overhead = min(round(12 * s.capital.overhead_years), T)
        equity = (opening + company_npv + pv(funding)
                  - math.fsum(burn[k] * discount[k] for k in range(overhead)))
        shares = float(s.capital.shares_outstanding)
        live = [w for w in s.capital.warrants if w.expires > s.valuation_date]
        warrant_shares = float(sum(w.count for w in live))
        proceeds = float(sum(w.count * w.strike for w in live))
        per_share = equity / shares
        if warrant_shares > 0 and per_share > proceeds / warrant_shares:
            per_share = (equity + proceeds) / (shares + warrant_shares)

        key = s.key_event
        readout = math.nan
        if key is not None:
            readout = float(self.models[key.program].schedule(
                dict(event_at.get(key.program, {})))[key.event])
        return {
            "company_npv": company_npv,
            "holder_npv": holder_npv,
            "holder_irr": holder_irr,
            "runway_months": runway,
            "per_share": per_share,
            "out_index": out_index,
            "opening": opening,
            "equity": equity,
            "readout_months": readout,
            "by_program": by_program,
            "flows": programs,
            "funding": funding,
            "financing": financing,
            "feed": feed,
            "holders": holders,
            "cash": cash,
            "discount": discount,
        }


_CACHE: dict[int, Reference] = {}


def reference_path(scenario: Scenario, sampled: Mapping[str, float], outcomes: Mapping[str, int],
                   event_at: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Value one Monte Carlo path the slow, plain way.

    Parameters
    ----------
    scenario : Scenario
    sampled : dotted input path -> this path's value
        Inputs not listed take the scenario's value.
    outcomes : program id -> stage index where the program stops (5 = approved)
    event_at : program id -> guided event -> position in months from the valuation date

    Returns
    -------
    dict
        ``company_npv``, ``holder_npv``, ``holder_irr`` (-1: never paid; NaN:
        no RCU), ``runway_months`` (0: already below the floor; inf: never),
        ``per_share``, and for debugging ``out_index``, ``opening``,
        ``equity``, ``readout_months``, ``by_program`` (PV before the RCU),
        the monthly ``flows`` of each program, ``feed``, ``holders``, ``cash``
        and ``discount``.
    """
    ref = _CACHE.get(id(scenario))
    if ref is None or ref.scenario is not scenario:
        _CACHE.clear()
        ref = _CACHE[id(scenario)] = Reference(scenario)
    return ref.path(sampled, outcomes, event_at)
