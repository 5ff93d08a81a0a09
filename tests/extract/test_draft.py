"""``write_draft``: a scenario from extracted terms that loads, cites its facts, notes its gaps."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

import finmodel as fm
from finmodel.errors import InputError
from finmodel.extract import (
    draft_scenario,
    dump_terms,
    extract_file,
    extract_many,
    read_terms,
    write_draft,
)
from finmodel.periods import Period

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
SEEDS = HERE.parents[2] / "shared" / "seeds"
seeds_only = pytest.mark.skipif(not (SEEDS / "truth").is_dir(), reason="seed releases absent")


# --------------------------------------------------------------------------- helpers


def _number_pattern(value: float) -> re.Pattern[str]:
    """How a release may write ``value``: 27e6 as "27 million"/"27MM", 29465 as "29,465"."""
    forms = [f"{value:,.0f}", f"{value:.0f}"] if float(value).is_integer() else []
    forms.append(re.escape(f"{value:g}") + "0*")
    if value >= 1e6:
        forms.append(re.escape(f"{value / 1e6:g}") + r"0*\s?(?:million|MM|mm|M)\b")
    return re.compile(r"(?<![\d.,])(?:" + "|".join(forms) + r")(?![\d,]\d)")


def _lines(ref: str, release_dir: Path) -> str:
    name, _, where = ref.rpartition(":")
    first, _, last = where.partition("-")
    path = release_dir / name
    assert path.is_file(), ref
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[int(first) - 1:int(last or first)])


def _assert_cited(scenario: fm.Scenario, path: str, value, release_dir: Path) -> None:
    """``path`` has a source whose line(s) in the release state ``value``."""
    source = scenario.sources[path]
    text = _lines(source.ref, release_dir)
    if isinstance(value, date):
        assert str(value.year) in text, (path, source.ref)
    else:
        assert _number_pattern(value).search(text), (path, value, source.ref, text[:200])
    assert source.note


# --------------------------------------------------------------------------- the five seeds


@pytest.fixture(scope="module")
def seed_draft(tmp_path_factory):
    if not (SEEDS / "truth").is_dir():
        pytest.skip("seed releases absent")
    tmp = tmp_path_factory.mktemp("seeds")
    dump_terms(extract_many(sorted(SEEDS.glob("*.txt"))), tmp / "terms.yaml")
    out = write_draft(tmp / "terms.yaml", tmp / "scenario.yaml")
    return fm.load_scenario(out), out


@seeds_only
def test_seed_draft_loads_and_runs(seed_draft):
    scenario, out = seed_draft
    assert scenario.valuation_date == date(2008, 7, 8)
    assert scenario.company.currency == "CAD"
    valuation = fm.run(scenario)
    assert valuation.runway.months > 0
    assert set(valuation.rnpv.by_program.index) == set(scenario.programs)
    assert out.read_text(encoding="utf-8").startswith("# Scenario drafted by")


@seeds_only
def test_seed_draft_carries_deal_terms_with_sources(seed_draft):
    s, _ = seed_draft
    for pid, total in (("omigard", 27e6), ("cls001", 21e6), ("sb9000", 3.5e6)):
        m = s.programs[pid].milestones
        assert (m.total, m.currency) == (total, "USD")
        assert sum(x.amount for x in m.schedule) == pytest.approx(total)
        _assert_cited(s, f"programs.{pid}.milestones.total", total, SEEDS)
    assert s.programs["omigard"].partner.startswith("Cadence")
    assert s.programs["omigard"].royalty.descriptor == "double-digit"
    assert s.uncertainty["programs.omigard.royalty.tiers.0.rate"].low == 0.10
    assert s.programs["omigard"].sales.peak == 250e6


@seeds_only
def test_seed_draft_carries_rcu_warrants_and_shares(seed_draft):
    s, _ = seed_draft
    rcu = s.rcu
    assert (rcu.units, rcu.price, rcu.issued) == (29465, 300.0, date(2006, 5, 4))
    assert [(t.amount, t.share) for t in rcu.tiers] == [(300, 0.75), (300, 0.5), (400, 0.25)]
    assert set(rcu.feeds) == {"omigard", "cls001"}
    assert (rcu.conversion.shares_per_unit, rcu.conversion.price) == (600, 0.5)
    for path, value in (("rcu.units", 29465), ("rcu.price", 300), ("rcu.conversion.price", 0.5),
                        ("rcu.conversion.shares_per_unit", 600)):
        _assert_cited(s, path, value, SEEDS)
    tiers_line = _lines(s.sources["rcu.tiers"].ref, SEEDS)
    assert all(f"{share:.0%}" in tiers_line for share in (0.75, 0.5, 0.25))
    (w,) = s.capital.warrants
    assert (w.count, w.strike, w.expires) == (883950, 0.5, date(2009, 5, 2))
    for field, value in (("count", 883950), ("strike", 0.5), ("expires", w.expires)):
        _assert_cited(s, f"capital.warrants.0.{field}", value, SEEDS)
    assert s.capital.shares_outstanding == pytest.approx(14_042_400 / 0.15)
    line = _lines(s.sources["capital.shares_outstanding"].ref, SEEDS)
    assert "14,042,400" in line and "15%" in line


@seeds_only
def test_seed_draft_guided_events_take_the_latest_guidance(seed_draft):
    s, _ = seed_draft
    expected = {
        ("omigard", "phase3_results"): Period(date(2008, 7, 1), date(2008, 12, 31)),
        ("omigard", "nda_submission"): Period(date(2009, 1, 1), date(2009, 6, 30)),
        ("cls001", "phase3_start"): Period(date(2008, 7, 8), date(2008, 12, 31)),
        ("mx2401", "ind_filing"): Period(date(2009, 9, 1), date(2009, 12, 31)),
        ("sb9000", "clinic_start"): Period(date(2010, 1, 1), date(2010, 3, 31)),
    }
    for (pid, event), period in expected.items():
        assert s.event_period(pid, event) == period, (pid, event)
        assert s.programs[pid].events[event].said == date(2008, 7, 8)
        _assert_cited(s, f"programs.{pid}.events.{event}", period.end, SEEDS)
    # the older clinic-start guidance of MX-2401 marks the same stage start: dropped, noted
    assert "clinic_start" not in s.programs["mx2401"].events
    assert "dropped" in s.notes["programs.mx2401.events.ind_filing"]
    assert s.key_event.program == "omigard" and s.key_event.event == "phase3_results"
    assert "first guided 2006-05-04" in s.sources["programs.omigard.events.phase3_results"].note


@seeds_only
def test_seed_draft_cash_and_burn(seed_draft):
    s, _ = seed_draft
    burn = s.company.burn
    assert [b.annual for b in burn] == [9.5e6, 8e6]
    assert burn[1].start == date(2008, 5, 27)
    _assert_cited(s, "company.burn.1.annual", 8e6, SEEDS)
    # no balance after 2006: the May 2008 runway guidance (through H2/08) at 8 million a year
    cash = s.company.cash
    assert cash.as_of == date(2008, 5, 27)
    assert cash.amount == pytest.approx(8e6 * (date(2008, 12, 31) - cash.as_of).days / 365.25,
                                        rel=1e-6)
    assert "runway guidance" in s.notes["company.cash.amount"]
    assert s.company.funding == []  # the guidance already counts the expected draws
    assert "left out" in s.notes["company.funding"]


@seeds_only
def test_seed_draft_every_assumption_has_a_note(seed_draft):
    s, _ = seed_draft
    # names, labels and aliases describe; uncertainty entries explain themselves
    unexplained = [path for path, row in s.assumptions().iterrows()
                   if not row["note"] and not path.startswith(("uncertainty.", "correlation"))
                   and not re.search(r"(^|\.)(name|label|aliases)(\.\d+)?$", path)]
    assert not unexplained, unexplained
    placeholders = [k for k, v in s.notes.items() if v.startswith("PLACEHOLDER")]
    assert "discounting.rate" in placeholders and "fx.USD" in placeholders
    assert any(k.endswith("milestones.schedule") for k in placeholders)


@seeds_only
def test_every_source_points_at_an_existing_seed_line(seed_draft):
    s, _ = seed_draft
    for path, source in s.sources.items():
        assert _lines(source.ref, SEEDS).strip(), path


@seeds_only
def test_per_file_terms_file_rereads_dates_and_aliases(tmp_path):
    terms = [t for f in sorted(SEEDS.glob("*.txt")) for t in extract_file(f)]
    dump_terms(terms, tmp_path / "terms.json")
    out = write_draft(tmp_path / "terms.json", tmp_path / "s.yaml")
    s = fm.load_scenario(out)
    assert s.valuation_date == date(2008, 7, 8)
    assert s.programs["omigard"].milestones.total == 27e6
    assert "read again" in out.read_text(encoding="utf-8")


@seeds_only
def test_terms_file_round_trips(tmp_path):
    ex = extract_many(sorted(SEEDS.glob("*.txt")))
    dump_terms(ex, tmp_path / "t.yaml")
    read = read_terms(tmp_path / "t.yaml")
    assert read.terms == ex.all_terms
    assert read.documents == ex.documents
    assert read.aliases == ex.aliases


# --------------------------------------------------------------------------- own fixtures


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_fixture_drafts_load_and_run(path, tmp_path):
    dump_terms(extract_many([path]), tmp_path / "terms.yaml")
    out = write_draft(tmp_path / "terms.yaml", tmp_path / "scenario.yaml")
    s = fm.load_scenario(out)
    fm.run(s)
    for key, source in s.sources.items():
        assert _lines(source.ref, FIXTURES).strip(), key


def test_eur_licensing_draft(tmp_path):
    dump_terms(extract_many([FIXTURES / "licensing_eur.txt"]), tmp_path / "terms.yaml")
    s = fm.load_scenario(write_draft(tmp_path / "terms.yaml", tmp_path / "s.yaml"))
    assert s.company.currency == "EUR" and s.fx == {}
    assert (s.company.cash.amount, s.company.cash.as_of) == (42.6e6, date(2013, 12, 31))
    assert s.company.burn[0].annual == 20e6
    assert s.uncertainty["company.burn.0.annual"].low == 18e6
    p = s.programs["vrd610"]
    assert (p.stage, p.milestones.total, p.milestones.currency) == ("phase2", 310e6, "EUR")
    assert [(t.rate, t.up_to) for t in p.royalty.tiers] == [(0.08, 500e6), (0.11, None)]
    assert s.event_period("vrd610", "phase2_results") == Period(date(2014, 7, 1),
                                                                date(2014, 9, 30))
    (w,) = s.capital.warrants
    assert (w.count, w.strike, w.expires) == (1_000_000, 6.5, date(2017, 2, 14))
    assert s.capital.shares_outstanding == 52_400_000
    # upfront fee and the share subscription arrive after the 31 December balance
    assert sorted(f.amount for f in s.company.financings) == [20e6, 20e6]
    for path, value in (("programs.vrd610.milestones.total", 310e6),
                        ("company.cash.amount", 42.6e6), ("capital.shares_outstanding", 52.4e6),
                        ("capital.warrants.0.count", 1e6)):
        _assert_cited(s, path, value, FIXTURES)


def test_royalty_monetisation_becomes_a_capped_waterfall(tmp_path):
    ex = extract_many([FIXTURES / "royalty_monetization_cad.txt"])
    data = draft_scenario(ex.all_terms, ex.documents, ex.aliases)
    rcu = data["rcu"]
    assert (rcu["units"], rcu["price"]) == (1, 10_050_000)
    # 80% to 12 million, then 40% to a running total of 20 million, cut at 1.8 x the price
    assert [(t["amount"], t["share"]) for t in rcu["tiers"]] == [(12e6, 0.8), (6.09e6, 0.4)]
    assert rcu["feeds"] == ["velcora"]
    assert data["programs"]["velcora"]["stage"] == "approved"
    assert [t["rate"] for t in data["programs"]["velcora"]["royalty"]["tiers"]] == [0.03, 0.02,
                                                                                     0.01]


def test_draft_without_any_release_date_uses_a_labelled_fallback(tmp_path):
    terms = {"terms": [{"kind": "cash", "value": 5e6, "currency": "USD",
                        "source": {"file": "gone.txt", "line": 3}}]}
    (tmp_path / "t.json").write_text(json.dumps(terms), encoding="utf-8")
    s = fm.load_scenario(write_draft(tmp_path / "t.json", tmp_path / "s.yaml"))
    assert s.valuation_date == date.today()
    assert s.notes["valuation_date"].startswith("PLACEHOLDER")
    assert s.company.cash.amount == 5e6
    with pytest.raises(InputError, match="documents"):
        draft_scenario(read_terms(tmp_path / "t.json").terms)


# --------------------------------------------------------------------------- bad input


_GOOD = {"kind": "cash", "value": 1e6, "source": {"file": "r.txt", "line": 2}}


@pytest.mark.parametrize("content,field", [
    ("terms: [ {kind: cash, value: 1", None),                               # malformed YAML
    (json.dumps({"terms": [{**_GOOD, "kind": "cashflow"}]}), "terms.0.kind"),  # unknown kind
    (json.dumps({"terms": [{k: v for k, v in _GOOD.items() if k != "kind"}]}), "terms.0.kind"),
    (json.dumps({"terms": [{k: v for k, v in _GOOD.items() if k != "source"}]}),
     "terms.0.source"),
    (json.dumps({"terms": [{**_GOOD, "source": {"file": "r.txt"}}]}), "terms.0.source.line"),
    (json.dumps({"terms": [{k: v for k, v in _GOOD.items() if k != "value"}]}), "terms.0.value"),
    (json.dumps({"terms": [{**_GOOD, "value": "ten"}]}), "terms.0.value"),
    (json.dumps({"terms": [{**_GOOD, "period": ["2008-13-01", "2008-12-31"]}]}),
     "terms.0.period.0"),
    (json.dumps({"terms": [_GOOD, {**_GOOD, "currency": "dollars"}]}), "terms.1.currency"),
    (json.dumps({"terms": [{**_GOOD, "colour": "red"}]}), "terms.0.colour"),
    (json.dumps({"documents": [{"file": "r.txt", "published": "May 2008"}], "terms": [_GOOD]}),
     "documents.0.published"),
    (json.dumps({"terms": "none"}), "terms"),
    (json.dumps({"rows": []}), "rows"),
    (json.dumps(["not a term"]), "terms.0"),
])
def test_bad_terms_file_names_file_and_field_and_writes_nothing(tmp_path, content, field):
    terms = tmp_path / "terms.yaml"
    terms.write_text(content, encoding="utf-8")
    out = tmp_path / "out" / "scenario.yaml"
    with pytest.raises(InputError) as info:
        write_draft(terms, out)
    assert info.value.file == str(terms)
    assert info.value.field == field
    assert str(terms) in str(info.value)
    assert not out.parent.exists()  # not even the directory


def test_failed_draft_leaves_an_existing_scenario_alone(tmp_path):
    out = tmp_path / "scenario.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("terms: [{kind: nope}]\n", encoding="utf-8")
    with pytest.raises(InputError):
        write_draft(tmp_path / "bad.yaml", out)
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_missing_terms_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        write_draft(tmp_path / "nope.yaml", tmp_path / "s.yaml")


def _loads(data: dict, tmp_path: Path) -> fm.Scenario:
    from finmodel._yaml import dump_yaml

    path = tmp_path / "s.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return fm.load_scenario(path)


@pytest.mark.parametrize("kind", ["cash", "burn_rate", "runway_guidance", "program_phase",
                                  "expected_event", "milestone_total", "royalty_rate",
                                  "royalty_tier", "financing", "warrant", "shares",
                                  "conversion", "license_deal"])
def test_draft_loads_whatever_kind_is_missing(kind, tmp_path):
    groups = [[p] for p in sorted(FIXTURES.glob("*.txt"))]
    if (SEEDS / "truth").is_dir():
        groups.append(sorted(SEEDS.glob("*.txt")))
    for group in groups:
        ex = extract_many(group)
        terms = [t for t in ex.all_terms if t.kind != kind]
        s = _loads(draft_scenario(terms, ex.documents, ex.aliases), tmp_path)
        fm.run(s)


def test_ill_typed_attribute_is_named(tmp_path):
    bad = {"terms": [{**_GOOD, "kind": "warrant", "value": 0.5, "attrs": {"count": "many"}}]}
    (tmp_path / "t.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(InputError) as info:
        write_draft(tmp_path / "t.json", tmp_path / "s.yaml")
    assert info.value.field == "terms.0.attrs.count"
