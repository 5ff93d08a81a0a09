"""The engine never imports matplotlib; the report package imports it only to draw."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=300)
    return set(done.stdout.split())


def test_the_engine_never_imports_matplotlib():
    modules = _modules_after(
        "import finmodel as fm\n"
        "s = fm.load_scenario('inputs/migenix.yaml')\n"
        "v = fm.run(s)\n"
        "v.summary(); v.cashflows; v.rcu.by_tier()\n"
        "m = fm.simulate(s, paths=500, seed=1)\n"
        "m.summary()\n")
    assert "finmodel.valuation" in modules and "finmodel.simulate" in modules
    assert not {m for m in modules if m == "matplotlib" or m.startswith("matplotlib.")}


def test_importing_the_report_package_does_not_import_matplotlib():
    modules = _modules_after(
        "import finmodel.report\n"
        "from finmodel.report import charts, pdf, xlsx, build, style, figures, sheets\n")
    assert "finmodel.report.charts" in modules
    assert "matplotlib" not in modules


def test_drawing_uses_no_pyplot():
    modules = _modules_after(
        "import finmodel as fm\n"
        "from finmodel.report import charts\n"
        "ax = charts.rnpv_bridge(fm.run(fm.load_scenario('inputs/migenix.yaml')))\n"
        "import io; ax.figure.savefig(io.BytesIO(), format='png')\n")
    assert "matplotlib" in modules
    assert "matplotlib.pyplot" not in modules
