"""The README cannot drift: its Python blocks run, and CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_exactly_two_setup_commands():
    commands = blocks("bash")
    assert len(commands) == 2
    main, tests = (c.strip() for c in commands)
    assert main.endswith("finmodel run") or main.endswith("finmodel report")
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    test_command = blocks("bash")[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_blocks_run(index, monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(blocks("python")[index], f"README.md python block {index}", "exec"), {})
