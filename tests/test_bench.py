"""``python -m finmodel.bench`` with tiny numbers: one JSON line with every figure, then a table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

KEYS = {
    "scenario", "paths", "workers", "seed", "cpus", "load_avg_1m",
    "pool_wall_s", "pool_paths_per_s", "pool_peak_rss_mib", "pool_warm_up_s",
    "inprocess_wall_s", "inprocess_paths_per_s", "inprocess_peak_rss_mib",
    "inprocess_maxrss_mib", "memory_method",
    "reference_paths", "reference_s", "reference_paths_per_s",
    "speedup_per_path", "speedup_per_path_pool",
    "max_rel_diff", "max_rel_diff_output", "max_rel_diff_path",
    "sobol_n", "sobol_s", "run_s",
}


def test_bench_prints_one_json_line_then_a_table():
    done = subprocess.run(
        [sys.executable, "-m", "finmodel.bench", "--paths", "20000", "--reference-paths", "20",
         "--workers", "1", "--sobol-n", "256"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    first, *table = done.stdout.splitlines()
    result = json.loads(first)
    assert KEYS <= set(result), KEYS - set(result)
    assert result["paths"] == 20_000 and result["workers"] == 1
    assert result["reference_paths"] == 20
    for key in ("pool_paths_per_s", "inprocess_paths_per_s", "reference_paths_per_s",
                "pool_peak_rss_mib", "inprocess_peak_rss_mib", "speedup_per_path",
                "sobol_s", "run_s"):
        assert result[key] > 0, key
    assert result["max_rel_diff"] <= 1e-12
    assert result["memory_method"] in ("psutil", "ru_maxrss")
    assert any("paths/s" in line for line in table)
