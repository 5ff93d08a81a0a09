"""The `finmodel` command: output on the default scenario, exit 2 and one line on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import finmodel as fm
from finmodel.cli import main

ROOT = Path(__file__).resolve().parents[1]


def finmodel(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the installed command in a subprocess, as a user would."""
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "finmodel.cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def test_run_default_scenario_prints_the_runway():
    done = finmodel("run")
    assert done.returncode == 0, done.stderr
    for label in ("Cash-out month", "Months of runway", "P(cash-out before readout)", "rNPV", "IRR",
                  "fully diluted share", "outcome combinations",
                  "Raise needed now"):
        assert label in done.stdout
    assert done.stderr == ""


def test_run_json_matches_the_api():
    import finmodel as fm

    done = finmodel("run", "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    v = fm.run(fm.load_scenario(ROOT / "inputs" / "migenix.yaml"))
    assert figures["cash_out"] == v.runway.cash_out.isoformat()
    assert figures["runway_months"] == pytest.approx(v.runway.months)
    assert figures["funding_gap"] == pytest.approx(v.funding_gap())


@pytest.mark.parametrize("content,needle", [
    (None, "file not found"),
    ("", "empty"),
    ("name: [unclosed\n", "malformed YAML"),
    ("\x00\xff\x00", "binary"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, content, needle):
    path = tmp_path / "scenario.yaml"
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    done = finmodel("run", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0] and needle in lines[0]
    assert "Traceback" not in done.stderr


def test_bad_field_names_file_and_path(tmp_path):
    text = (ROOT / "inputs" / "migenix.yaml").read_text().replace("min_cash: 1.0e+6",
                                                                  "min_cash: -1.0e+6")
    path = tmp_path / "neg.yaml"
    path.write_text(text)
    done = finmodel("run", str(path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert f"{path}: company.min_cash:" in done.stderr


def test_usage_errors_exit_2(capsys):
    assert main(["frobnicate"]) == 2
    assert main(["run", "--no-such-flag"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


SEEDS = ROOT.parent / "shared" / "seeds"


def test_extract_writes_terms_with_sources(tmp_path):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    out = tmp_path / "terms.json"
    done = finmodel("extract", *map(str, sorted(SEEDS.glob("*.txt"))), "-o", str(out))
    assert done.returncode == 0, done.stderr
    records = json.loads(out.read_text())
    terms = records["terms"] if isinstance(records, dict) else records
    assert any(t["kind"] == "royalty_tier" for t in terms)
    assert all(t["source"]["line"] >= 1 for t in terms)


def test_extract_bad_file_exits_2_and_writes_nothing(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Acme Inc. raised $5 million in a private placement.")
    out = tmp_path / "terms.yaml"
    done = finmodel("extract", str(good), str(tmp_path / "missing.txt"), "-o", str(out))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "missing.txt" in done.stderr
    assert not out.exists()


def test_extract_then_draft_gives_a_scenario_that_loads(tmp_path):
    seeds = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seed releases not beside the project")
    terms, scenario = tmp_path / "terms.yaml", tmp_path / "scenario.yaml"
    assert main(["extract", *map(str, seeds), "-o", str(terms)]) == 0
    assert main(["draft", str(terms), "-o", str(scenario)]) == 0
    drafted = fm.load_scenario(scenario)
    assert drafted.rcu is not None and drafted.rcu.units == 29_465
    assert main(["draft", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "x.yaml")]) == 2
    assert not (tmp_path / "x.yaml").exists()


def test_simulate_writes_samples_and_refuses_unknown_formats(tmp_path, capsys):
    out = tmp_path / "paths.csv"
    assert main(["simulate", "--paths", "3000", "--seed", "4", "--out", str(out)]) == 0
    assert "3,000 paths written" in capsys.readouterr().out
    import pandas as pd

    frame = pd.read_csv(out)
    assert len(frame) == 3_000 and {"company_npv", "holder_irr", "per_share"} <= set(frame)
    assert main(["simulate", "--paths", "10", "--out", str(tmp_path / "x.txt")]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["simulate", "--paths", "0"]) == 2


def test_sensitivity_prints_tornado_and_sobol(capsys):
    assert main(["sensitivity", "--n", "256"]) == 0
    out = capsys.readouterr().out
    assert "Tornado" in out and "Sobol indices" in out
