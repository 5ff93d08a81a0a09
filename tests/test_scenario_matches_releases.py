"""The shipped scenario agrees with what extraction finds in the seed releases."""

from __future__ import annotations

from pathlib import Path

import pytest

import finmodel as fm
from finmodel.engine.programs import START_EVENTS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def found():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    return fm.extract_many(sorted(SEEDS.glob("*.txt"))).terms


@pytest.fixture(scope="module")
def scenario():
    return fm.load_scenario(ROOT / "inputs" / "migenix.yaml")


def names(program) -> set[str]:
    return {program.name.lower(), *(a.lower() for a in program.aliases)}


def of(found, kind, program=None):
    return [t for t in found if t.kind == kind and not t.boilerplate
            and (program is None or (t.program or "").lower() in names(program))]


def test_milestone_totals(found, scenario):
    for pid in ("omigard", "cls001", "sb9000"):
        program = scenario.programs[pid]
        values = {t.value for t in of(found, "milestone_total", program)}
        assert program.milestones.total in values, (pid, values)
        assert program.milestones.currency == "USD"


def test_rcu_terms(found, scenario):
    tiers = [(t.value, t.attrs["share"]) for t in of(found, "royalty_tier")]
    assert tiers == [(t.amount, t.share) for t in scenario.rcu.tiers]
    assert {t.value for t in of(found, "royalty_cap")} == {scenario.rcu.cap_per_unit}
    units = [t for t in of(found, "financing") if t.attrs.get("count")]
    assert (units[0].attrs["count"], units[0].value) == (scenario.rcu.units, scenario.rcu.price)
    conversion = of(found, "conversion")[0]
    assert (conversion.attrs["count"], conversion.value) == (
        scenario.rcu.conversion.shares_per_unit, scenario.rcu.conversion.price)


def test_warrants_shares_and_burn(found, scenario):
    warrant = of(found, "warrant")[0]
    expected = scenario.capital.warrants[0]
    assert (warrant.attrs["count"], warrant.value, warrant.period.end) == (
        expected.count, expected.strike, expected.expires)
    shares = of(found, "shares")[0]
    assert shares.value / shares.attrs["percent"] == pytest.approx(
        scenario.capital.shares_outstanding, rel=1e-6)
    burns = of(found, "burn_rate")
    assert scenario.company.burn[1].annual in {t.value for t in burns}
    before = next(t for t in burns if t.value_high)
    assert before.value <= scenario.company.burn[0].annual <= before.value_high


@pytest.mark.parametrize("pid,event", [
    ("omigard", "phase3_results"), ("omigard", "nda_submission"), ("cls001", "phase3_start"),
    ("mx2401", "ind_filing"), ("sb9000", "phase1_start"),
])
def test_guided_periods(found, scenario, pid, event):
    program = scenario.programs[pid]
    same = {event} | ({e for e, s in START_EVENTS.items() if s == START_EVENTS[event]}
                      if event in START_EVENTS else set())
    periods = {t.period for t in of(found, "expected_event", program) if t.attrs["event"] in same}
    assert scenario.event_period(pid, event) in periods, (pid, event, periods)
