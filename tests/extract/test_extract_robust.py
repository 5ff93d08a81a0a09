"""Any text: no exception, spans valid, time linear in the length (no regex blow-up)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmodel.errors import ExtractionError
from finmodel.extract import extract, extract_file, extract_many

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "royalty_monetization_cad.txt"

# Pieces that sit at the edge of the grammars: currency marks, digits, separators, cue words.
ATOMS = ["$", "\\$", "US$", "C$", "€", "EUR ", "1", "0", ",", ".", "%", " ", "\n", "\n\n",
         "-", "–", "(", ")", ";", ":", "™", "million", " to ", " and ", "between ", "Phase ",
         "III", "IIb", "royalt", "milestone", "warrants ", "shares", "H2/08", "Q3 ", "2008",
         "May 4", "double-digit", "Inc.", "A", "Z-123", "- ", "About ", "forward-looking"]


def _check(text: str) -> None:
    for t in extract(text):
        assert text[t.span[0]:t.span[1]] == t.quote
        assert t.line >= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text(text):
    _check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ATOMS), max_size=120).map("".join))
def test_adversarial_text(text):
    _check(text)


@pytest.mark.parametrize("text", ["", " ", "\n" * 1000, "\x00\x01\xff" * 100,
                                  "\ufeff$" * 500, "%" * 2000])
def test_degenerate_text(text):
    _check(text)


def _seconds(text: str) -> float:
    started = time.perf_counter()
    extract(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("unit", [
    "$1,000,000,000 " * 4, "Phase " * 8, "Aaaa Bbbb " * 8, "1" * 40 + " ", "(" * 30,
    "royalties of 5% until $1 " * 3, "- \n" * 10, "A. " * 10, "double digit " * 5,
])
def test_pathological_repeats_scale_linearly(unit):
    small, large = unit * 100, unit * 800
    _seconds(small)  # warm caches
    t_small, t_large = _seconds(small), _seconds(large)
    assert t_large < max(16 * t_small, 0.5), (t_small, t_large)


def test_large_release_is_bounded():
    text = FIXTURE.read_text(encoding="utf-8")
    big = text * (1_000_000 // len(text))
    t_one = _seconds(text * 20)
    t_big = _seconds(big)
    assert t_big < max(40 * t_one * len(big) / (20 * len(text)) / 10, 60)


def test_five_megabytes_of_prose(tmp_path):
    text = ("The company said the weather was fine. " * 130_000)[:5_000_000]
    assert _seconds(text) < 120


def test_unreadable_files_raise_one_line_errors(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(ExtractionError, match="missing.txt: file not found"):
        extract_file(missing)
    with pytest.raises(ExtractionError, match="directory"):
        extract_file(tmp_path)
    binary = tmp_path / "junk.bin"
    binary.write_bytes(b"\x00\xff\xfe" * 10)
    with pytest.raises(ExtractionError, match="junk.bin"):
        extract_file(binary)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9 $5 million".encode("latin-1"))
    with pytest.raises(ExtractionError, match="latin.txt.*undecodable") as info:
        extract_many([latin])
    assert "\n" not in str(info.value)


def test_extract_many_accepts_texts_and_paths():
    ex = extract_many([FIXTURE, "ACME raised $5 million in a private placement."])
    assert {d.source for d in ex.documents} == {str(FIXTURE), "#2"}
    assert any(t.source == "#2" and t.kind == "financing" for t in ex.terms)
