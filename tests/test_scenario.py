"""Scenario schema: loading, overrides, sources and assumptions, round trip, bad input."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import finmodel as fm
from finmodel.scenario import STAGES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "inputs" / "migenix.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def scenario() -> fm.Scenario:
    return fm.load_scenario(DEFAULT)


def test_default_scenario_pinned_paths(scenario):
    assert scenario.get("company.currency") == "CAD"
    assert scenario.get("valuation_date") == dt.date(2008, 7, 8)
    assert scenario.get("company.cash.as_of") <= scenario.valuation_date
    assert isinstance(scenario.get("company.cash.amount"), float)
    burn = scenario.get("company.burn")
    assert [set(step) for step in burn] == [{"from", "annual"}] * len(burn)
    assert scenario.get("company.burn.0.annual") == 9.5e6   # 9 to 10 million before the cuts
    assert scenario.get("company.burn.1.annual") == 8.0e6   # about 8 million after
    assert scenario.get("company.min_cash") >= 0
    assert set(scenario.programs) == {"omigard", "cls001", "celgosivir", "mx2401", "sb9000"}
    assert scenario.get("rcu.units") == 29_465
    assert isinstance(scenario.uncertainty, dict)
    assert scenario.sources


def test_default_scenario_facts(scenario):
    assert scenario.programs["omigard"].milestones.total == 27e6
    assert scenario.programs["omigard"].milestones.currency == "USD"
    assert scenario.programs["cls001"].milestones.total == 21e6
    assert scenario.programs["sb9000"].milestones.total == 3.5e6
    assert [(t.amount, t.share) for t in scenario.rcu.tiers] == [(300, .75), (300, .5), (400, .25)]
    assert scenario.rcu.cap_per_unit == 1000
    assert scenario.capital.warrants[0].count == 883_950
    assert scenario.capital.shares_outstanding == pytest.approx(14_042_400 / 0.15, rel=1e-6)
    assert scenario.event_period("omigard", "phase3_results") == fm.Period(
        dt.date(2008, 7, 1), dt.date(2008, 12, 31))
    assert scenario.event_period("cls001", "phase3_start") == fm.Period(
        dt.date(2008, 7, 8), dt.date(2008, 12, 31))
    assert all(p.stage in STAGES for p in scenario.programs.values())


def test_sources_point_at_real_release_lines(scenario):
    """Every source names a seed release and a line that exists in it."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    for path, source in scenario.sources.items():
        name, line = source.ref.split(":")
        release = SEEDS / name
        assert release.is_file(), f"{path}: {name} is not a seed release"
        lines = release.read_text(encoding="utf-8").splitlines()
        assert 1 <= int(line.split("-")[0]) <= len(lines), f"{path}: no line {line} in {name}"
        assert lines[int(line.split("-")[0]) - 1].strip(), f"{path}: line {line} is blank"


def test_sourced_numbers_appear_on_their_lines(scenario):
    """A sourced amount must be written on the line it cites (in some notation)."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    checks = {
        "programs.omigard.milestones.total": "27",
        "programs.cls001.milestones.total": "21",
        "programs.sb9000.milestones.total": "3.5",
        "rcu.units": "29,465",
        "capital.warrants.0.count": "883,950",
        "capital.warrants.0.expires": "May 2, 2009",
        "company.burn.1.annual": "8 million",
    }
    for path, text in checks.items():
        name, line = scenario.sources[path].ref.split(":")
        content = (SEEDS / name).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        assert text in content, f"{path}: '{text}' not on {name}:{line}"


def test_register_splits_sourced_and_assumed(scenario):
    register = scenario.register()
    assert set(register["status"]) == {"sourced", "assumption"}
    assert register.loc["company.cash.amount", "status"] == "assumption"
    assert register.loc["company.cash.amount", "note"]  # the reason is given
    assert register.loc["rcu.tiers.1.share", "status"] == "sourced"  # covered by rcu.tiers
    assert register.loc["rcu.units", "ref"] == "003_116892377ecec8d4.txt:9"
    assumed = scenario.assumptions()
    assert (assumed["status"] == "assumption").all()
    assert "programs.omigard.milestones.schedule.0.amount" in assumed.index
    assert "programs.omigard.milestones.total" not in assumed.index


def test_with_overrides_returns_new_validated_scenario(scenario):
    s2 = scenario.with_overrides({"company.cash.amount": 5e6, "company.burn.0.annual": 1e7})
    assert s2.company.cash.amount == 5e6 and s2.company.burn[0].annual == 1e7
    assert scenario.company.cash.amount == 5.0e6   # the original is untouched
    assert s2 != scenario
    assert scenario.with_overrides({}) == scenario
    s3 = scenario.with_overrides({"fx.EUR": 1.5})  # new key in a free-form mapping
    assert s3.fx["EUR"] == 1.5


def test_scenario_is_frozen(scenario):
    with pytest.raises(Exception):
        scenario.company.cash.amount = 1.0  # type: ignore[misc]


def test_yaml_round_trip(scenario, tmp_path):
    saved = fm.save_scenario(scenario, tmp_path / "copy.yaml")
    again = fm.load_scenario(saved)
    assert again == scenario
    assert fm.save_scenario(again, tmp_path / "copy2.yaml").read_text() == saved.read_text()


def test_yaml12_numbers_and_strings(tmp_path, scenario):
    # YAML 1.2: 1e-3 is a number and NO is a string (a program named NO stays a name).
    text = DEFAULT.read_text().replace("rate: 0.12\n", "rate: 1e-1\n", 1)
    text = text.replace("    name: CLS001\n", "    name: NO\n", 1)
    path = tmp_path / "yaml12.yaml"
    path.write_text(text)
    s = fm.load_scenario(path)
    assert s.discounting.rate == 0.1
    assert s.programs["cls001"].name == "NO"


# ------------------------------------------------------------------ bad input


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text, old
    return write(tmp_path, text.replace(old, new, 1))


BAD_EDITS = [
    # (old, new, field, message pattern)
    ("    amount: 5.0e+6\n    as_of", "    amoutn: 5.0e+6\n    as_of",
     "company.cash.amoutn", r"unknown key 'amoutn'; did you mean 'amount'"),
    ("    amount: 5.0e+6\n", "    amount: -5.0e+6\n", "company.cash.amount", r"greater than or equal to 0"),
    ("      annual: 8.0e+6", "      annual: -8.0e+6", "company.burn.1.annual", r"greater than or equal"),
    ("      annual: 8.0e+6", "      annual: lots", "company.burn.1.annual", r"number.*found 'lots'"),
    ("{amount: 300.0, share: 0.75}", "{amount: 300.0, share: 1.75}", "rcu.tiers.0.share",
     r"less than or equal to 1"),
    ("    - from: 2008-06-01", "    - from: 2007-06-01", "company.burn", r"date order"),
    ("    as_of: 2008-06-30", "    as_of: 2008-07-30", "company.cash.as_of", r"after the valuation"),
    ("    as_of: 2008-06-30", "    as_of: 2008-02-30", None, r"malformed YAML"),
    ("  USD: 1.02", "  EUR: 1.5", "programs.omigard.milestones.currency", r"no FX rate for USD"),
    ("      currency: USD\n      total: 27.0e+6", "      currency: usd\n      total: 27.0e+6",
     "programs.omigard.milestones.currency", r"pattern"),
    ("phase3_results: {when: H2/08", "phase3_results: {when: sometime soonish",
     "programs.omigard.events.phase3_results", r"unknown time phrase"),
    ("  feeds: [omigard, cls001]", "  feeds: [omigard, cls01]", "rcu.feeds.1",
     r"unknown program 'cls01'; did you mean 'cls001'"),
    ("  company.cash.amount: {dist: pert", "  company.cash.amont: {dist: pert",
     "uncertainty.company.cash.amont", r"no input at path.*did you mean"),
    ("{dist: uniform, low: 0.10, high: 0.19}", "{dist: uniform, low: 0.19, high: 0.10}",
     "uncertainty.programs.omigard.royalty.tiers.0.rate", r"low < high"),
    ("    stage: phase3\n    events:\n      phase3_results", "    stage: phase9\n    events:\n"
     "      phase3_results", "programs.omigard.stage", r"expected 'preclinical'"),
    ("      count: 883950", "      count: 883950.5", "capital.warrants.0.count", r"integer"),
    ("      expires: 2009-05-02", "      expires: 2005-05-02", "capital.warrants.0", r"before issued"),
]


@pytest.mark.parametrize("old,new,field,pattern", BAD_EDITS, ids=[b[2] or b[3] for b in BAD_EDITS])
def test_bad_scenario_names_file_and_field(tmp_path, old, new, field, pattern):
    path = edited(tmp_path, old, new)
    with pytest.raises(fm.InputError) as info:
        fm.load_scenario(path)
    err = info.value
    assert err.file == str(path)
    if field is not None:
        assert err.field == field
    assert re.search(pattern, err.message), err.message
    assert "\n" not in str(err)
    assert str(err).startswith(str(path))


@pytest.mark.parametrize("content,pattern", [
    ("", r"empty"),
    ("company: [1, 2\n", r"malformed YAML \(line"),
    ("a: 1\na: 2\n", r"malformed YAML"),
    ("- just\n- a list\n", r"expected a mapping"),
    ("\x00\x01\x02binary", r"binary"),
])
def test_unusable_files(tmp_path, content, pattern):
    path = write(tmp_path, content)
    with pytest.raises(fm.InputError, match=pattern) as info:
        fm.load_scenario(path)
    assert info.value.file == str(path)


def test_undecodable_and_missing_files(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(fm.InputError, match="UTF-8"):
        fm.load_scenario(path)
    with pytest.raises(fm.InputError, match="file not found") as info:
        fm.load_scenario(tmp_path / "nope.yaml")
    assert info.value.file.endswith("nope.yaml")
    with pytest.raises(fm.InputError, match="directory"):
        fm.load_scenario(tmp_path)


def test_missing_required_field(tmp_path):
    path = edited(tmp_path, "valuation_date: 2008-07-08\n", "")
    with pytest.raises(fm.InputError, match="required") as info:
        fm.load_scenario(path)
    assert info.value.field == "valuation_date"


@pytest.mark.parametrize("overrides,field,pattern", [
    ({"company.cash.amont": 1.0}, "company.cash.amont", r"did you mean 'amount'"),
    ({"company.burn.7.annual": 1.0}, "company.burn.7", r"no item 7"),
    ({"company.cash.amount.x": 1.0}, "company.cash.amount.x", r"is a value"),
    ({"programs.omigardd.stage": "phase3"}, "programs.omigardd", r"did you mean 'omigard'"),
    ({"company.cash.amount": -1.0}, "company.cash.amount", r"greater than or equal to 0"),
    ({"programs.omigard.stages.phase3": {"probability": 1.2}},
     "programs.omigard.stages.phase3.probability", r"less than or equal to 1"),
    ({"": 1}, "", r"malformed"),
])
def test_bad_overrides(scenario, overrides, field, pattern):
    with pytest.raises(fm.InputError, match=pattern) as info:
        scenario.with_overrides(overrides)
    assert (info.value.field or "") == field
