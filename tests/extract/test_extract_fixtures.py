"""Releases written for the project in other companies' styles, with expected terms."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from finmodel.extract import analyse

HERE = Path(__file__).resolve().parent
FIXTURES = sorted((HERE / "fixtures").glob("*.txt"))


def _matches():
    spec = importlib.util.spec_from_file_location("extract_score", HERE / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module.matches


MATCHES = _matches()


def test_there_are_at_least_six_fixtures():
    assert len(FIXTURES) >= 6


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_terms_found_and_none_invented(path):
    text = path.read_text(encoding="utf-8")
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    result = analyse(text, source=path.name)
    assert result.dateline.date == date.fromisoformat(expected["published"])
    terms = result.terms
    for want in expected["terms"]:
        assert any(MATCHES(t, want, text) for t in terms), want
    body = [t for t in terms if not t.boilerplate]
    invented = [t for t in body if not any(MATCHES(t, w, text) for w in expected["terms"])]
    assert len(invented) <= 0.1 * len(body), [t.quote for t in invented]


def test_bare_dollar_follows_the_listing():
    by_name = {p.stem: analyse(p.read_text(encoding="utf-8")).terms for p in FIXTURES}
    cash = {name: [t.currency for t in terms if t.kind == "cash"] for name, terms in by_name.items()}
    assert cash["newswire_noyear_cad"] == ["CAD"]
    assert cash["restructuring_usd"] == ["USD"]
    assert cash["euro_financing_eur"] == ["EUR"]


def test_program_aliases_learned_from_brackets():
    text = (HERE / "fixtures" / "royalty_monetization_cad.txt").read_text(encoding="utf-8")
    aliases = analyse(text).aliases
    assert aliases["Velcora"] == {"Velcora", "BRK-2210"}
