"""Terms as records, YAML / JSON files and a rich table."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from rich.console import Console

from finmodel._yaml import read_yaml
from finmodel.extract import Term, dump_terms, extract_file, render_table, terms_to_records

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "offering_warrants_usd.txt"


def test_term_is_frozen_and_hashable():
    t = Term("cash", 5e6, currency="USD", attrs={"qualifier": "approximately"})
    assert hash(t) == hash(Term("cash", 5e6, currency="USD"))
    assert t.replace(attrs={"x": 1}).attrs == {"qualifier": "approximately", "x": 1}


def test_records_carry_file_line_and_span():
    terms = extract_file(FIXTURE)
    records = terms_to_records(terms)
    text = FIXTURE.read_text(encoding="utf-8")
    for r in records:
        s, e = r["source"]["span"]
        assert text[s:e] == r["source"]["quote"]
        assert r["source"]["file"] == str(FIXTURE)
        assert r["source"]["line"] == text.count("\n", 0, s) + 1


def test_yaml_and_json_round_trip(tmp_path):
    terms = extract_file(FIXTURE, published=date(2012, 10, 4))
    dump_terms(terms, tmp_path / "t.yaml")
    dump_terms(terms, tmp_path / "t.json")
    from_yaml = read_yaml(tmp_path / "t.yaml")["terms"]
    from_json = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["terms"]
    assert from_yaml == from_json == terms_to_records(terms)
    warrant = next(r for r in from_yaml if r["kind"] == "warrant")
    assert warrant["attrs"]["count"] == 1_600_000 and warrant["value"] == 3.1


def test_render_table_lists_every_term():
    terms = extract_file(FIXTURE)
    table = render_table(terms, title="terms")
    assert table.row_count == len(terms)
    console = Console(record=True, width=160)
    console.print(table)
    assert "warrant" in console.export_text()
