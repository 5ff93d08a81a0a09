"""The written report: pages that exist and are not blank, sheets, identical bytes, atomicity."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import finmodel as fm
from finmodel.report import build, pdf, xlsx

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "inputs" / "migenix.yaml"

EXPECTED_SHEETS = {"Summary", "Runway", "Cash flows", "Cash flows by year", "rNPV", "Waterfall",
                   "Waterfall by year", "Simulation", "Percentiles", "Tornado", "Spider",
                   "Sobol", "Guidance", "Assumptions"}


def _pages(path: Path, scale: float = 0.5) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return [np.asarray(document[i].render(scale=scale).to_pil().convert("L"), dtype=float)
                for i in range(len(document))]
    finally:
        document.close()


# ---------------------------------------------------------------- what is written


def test_files_and_progress(small_report):
    files, lines = small_report
    assert files.pdf.name == "migenix.pdf" and files.xlsx.name == "migenix.xlsx"
    assert len(files.png) >= 12
    assert all(p.name.startswith("migenix-") and p.suffix == ".png" for p in files.png)
    assert all(p.is_file() and p.stat().st_size > 0 for p in files)
    assert len(files) == 2 + len(files.png)
    assert lines and any("Monte Carlo" in line for line in lines)
    assert not list(files.pdf.parent.glob(".*.tmp"))


def test_every_pdf_page_renders_and_none_is_blank(small_report):
    files, _ = small_report
    pages = _pages(files.pdf)
    # Summary, runway, rNPV, distribution, tornado, spider, Sobol, RCU, guidance, register.
    assert len(pages) >= 10
    for number, page in enumerate(pages, start=1):
        assert page.shape[1] > page.shape[0], f"page {number} is not landscape"
        assert page.std() > 8, f"page {number} is blank"
        body = page[int(page.shape[0] * 0.15):int(page.shape[0] * 0.9)]
        assert (body < 200).mean() > 0.01, f"page {number} has an empty body"


def test_page_count_matches_the_plan(small_report, scenario, releases):
    files, _ = small_report
    data = build.gather(scenario, paths=200, seed=3, releases=releases)
    assert len(_pages(files.pdf, scale=0.1)) == pdf.page_count(data, pdf.chart_specs(data))


def test_every_png_is_a_chart(small_report):
    from PIL import Image

    files, _ = small_report
    for path in files.png:
        image = Image.open(path)
        assert image.size == (1500, 840), path.name
        assert "Software" not in image.info
        assert np.asarray(image.convert("L"), dtype=float).std() > 8, path.name


def test_pdf_metadata_has_no_dates(small_report):
    files, _ = small_report
    data = files.pdf.read_bytes()
    assert b"/CreationDate" not in data and b"/ModDate" not in data
    assert b"finmodel" in data


def test_workbook_sheets(small_report, valuation, small_settings):
    import openpyxl

    files, _ = small_report
    book = openpyxl.load_workbook(files.xlsx, read_only=True)
    assert EXPECTED_SHEETS <= set(book.sheetnames)

    def rows(name):
        return list(book[name].iter_rows(values_only=True))

    summary = {r[1]: r[2] for r in rows("Summary")[3:]}
    assert summary["Total, net of the RCU claim"] == pytest.approx(valuation.rnpv.total)
    assert summary["Months of runway"] == pytest.approx(valuation.runway.months)
    assert summary["Monte Carlo paths"] == small_settings["paths"]
    runway = rows("Runway")
    assert runway[2][:2] == ("month_end", "cash")
    assert len(runway) - 3 == len(valuation.runway.frame)
    register = rows("Assumptions")
    assert register[2][:3] == ("path", "value", "status")
    assert {r[2] for r in register[3:]} == {"sourced", "assumption"}
    assert len(register) - 3 == len(valuation.scenario.register())
    guidance = rows("Guidance")
    assert "quote" not in guidance[2]   # release text stays out of the report
    book.close()


def test_workbook_zip_members_carry_a_fixed_time(small_report):
    files, _ = small_report
    with zipfile.ZipFile(files.xlsx) as archive:
        stamps = {info.date_time for info in archive.infolist()}
    assert stamps == {(1980, 1, 1, 0, 0, 0)}


def test_workbook_writes_blanks_for_nan_and_names_infinity():
    import datetime as dt

    import openpyxl
    import pandas as pd

    frame = pd.DataFrame({"a": [1.0, np.nan, np.inf], "b": ["x", None, "z"]})
    data = xlsx.workbook_bytes([xlsx.Sheet("T", frame)], created=dt.datetime(2008, 7, 8))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["T"]
    assert [c.value for c in sheet["A"]] == ["a", 1, None, "inf"]


# ---------------------------------------------------------------- determinism


def test_same_inputs_and_seed_give_identical_bytes(small_report, tmp_path, releases,
                                                  make_report):
    files, _ = small_report
    again = make_report(tmp_path, releases)
    assert [p.name for p in again] == [p.name for p in files]
    for first, second in zip(files, again):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_identical_bytes_in_a_fresh_process(small_report, tmp_path, releases,
                                            small_settings):
    """Hash seeds, font caches and import order differ between processes; the bytes must not."""
    files, _ = small_report
    settings = small_settings
    code = (
        "import sys\n"
        "from finmodel.report import build\n"
        f"build.SOBOL_N = {settings['sobol']}\n"
        f"build.report({str(SCENARIO)!r}, out=sys.argv[1], paths={settings['paths']}, "
        f"seed={settings['seed']}, releases={[str(p) for p in releases]!r})\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, cwd=ROOT,
                   env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin",
                        "MPLCONFIGDIR": str(tmp_path / "mpl")}, timeout=300)
    for path in files:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


# ---------------------------------------------------------------- atomicity and bad input


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture
def existing(tmp_path, small_report) -> Path:
    """A copy of the small report: the 'earlier report' a failed run must leave alone."""
    files, _ = small_report
    for path in files:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


def _fake_render(monkeypatch, names):
    """Skip the drawing: the write step gets new bytes under the same file names."""
    monkeypatch.setattr(build, "render",
                        lambda data, name, progress=None: {n: b"new " + n.encode() for n in names})


def test_a_failure_while_writing_leaves_the_earlier_report(existing, monkeypatch):
    before = _snapshot(existing)
    _fake_render(monkeypatch, list(before))
    real = build._write_temporary
    calls = []

    def fail_on_third(out, name, payload):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(out, name, payload)

    monkeypatch.setattr(build, "_write_temporary", fail_on_third)
    with pytest.raises(OSError, match="disk full"):
        build.report(SCENARIO, out=existing, paths=50)
    assert len(calls) == 3
    assert _snapshot(existing) == before
    assert not [p for p in existing.iterdir() if p.name.endswith(".tmp")]


def test_a_failure_while_renaming_is_impossible_before_all_are_written(existing, monkeypatch):
    """Every file is complete on disk before the first rename; then all are replaced."""
    before = _snapshot(existing)
    _fake_render(monkeypatch, list(before))
    seen = []
    real_replace = build.os.replace

    def replace(source, target):
        # When the first rename happens, every temporary file is already there.
        seen.append(len([p for p in existing.iterdir() if p.name.endswith(".tmp")]))
        real_replace(source, target)

    monkeypatch.setattr(build.os, "replace", replace)
    files = build.report(SCENARIO, out=existing, paths=50)
    assert seen[0] == len(before)
    assert {p.name: p.read_bytes() for p in files} == {n: b"new " + n.encode() for n in before}
    assert not [p for p in existing.iterdir() if p.name.endswith(".tmp")]


def test_a_failure_while_rendering_writes_nothing(existing, monkeypatch):
    before = _snapshot(existing)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    # The PDF renders (quickly, here), then the workbook fails.
    monkeypatch.setattr(pdf, "pdf_bytes", lambda data, specs: b"%PDF")
    monkeypatch.setattr(xlsx, "workbook_bytes", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        build.report(SCENARIO, out=existing, paths=50)
    assert _snapshot(existing) == before


def test_without_releases_the_guidance_page_says_so(scenario):
    import pypdfium2 as pdfium

    data = build.gather(scenario, paths=200, seed=3, releases=())
    specs = pdf.chart_specs(data)
    assert "guidance-history" not in {s.key for s in specs}
    document = pdfium.PdfDocument(pdf.pdf_bytes(data, specs))
    try:
        texts = [" ".join(document[i].get_textpage().get_text_range().split())
                 for i in range(len(document))]
    finally:
        document.close()
    assert any("no press releases were given" in t.lower() for t in texts)


@pytest.mark.parametrize("arguments, field", [
    ({"scenario": "inputs/missing.yaml"}, None),
    ({"paths": 0}, "paths"),
    ({"paths": 2.5}, "paths"),
    ({"seed": -1}, "seed"),
    ({"releases": "no/such/dir"}, None),
])
def test_bad_input_raises_before_anything_is_written(tmp_path, arguments, field):
    out = tmp_path / "out"
    options = {"scenario": SCENARIO, "out": out, "paths": 10, **arguments}
    with pytest.raises(fm.InputError) as caught:
        build.report(**options)
    if field:
        assert caught.value.field == field
    assert not out.exists()


def test_an_invalid_scenario_file_names_it(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.read_text().replace("amount: 5.0e+6", "amount: -5.0e+6", 1))
    with pytest.raises(fm.InputError, match="bad.yaml: company.cash.amount"):
        build.report(bad, out=tmp_path / "out", paths=10)
    assert not (tmp_path / "out").exists()


def test_out_must_be_a_directory(tmp_path):
    file = tmp_path / "taken"
    file.write_text("x")
    with pytest.raises(fm.InputError, match="not a directory"):
        build.report(SCENARIO, out=file, paths=10)


def test_report_name():
    s = fm.load_scenario(SCENARIO)
    assert build.report_name(s, "inputs/migenix.yaml") == "migenix"
    assert build.report_name(s) == "migenix-inc-july-2008"


# ---------------------------------------------------------------- the default report


def test_default_report(tmp_path, releases):
    """The shipped scenario with the default paths and seed, as the CLI will run it."""
    started = time.perf_counter()
    files = build.report(SCENARIO, out=tmp_path, releases=releases)
    seconds = time.perf_counter() - started
    assert files.pdf.stat().st_size > 50_000
    assert len(_pages(files.pdf, scale=0.2)) >= 10
    assert seconds < 60, f"the default report took {seconds:.0f} s"
