"""YAML 1.2 in safe mode: the one place finmodel reads and writes YAML.

ruamel.yaml's safe loader follows YAML 1.2, so ``1e-3`` is a number and ``NO``
is a string (PyYAML, a YAML 1.1 reader, gets both wrong).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import InputError

__all__ = ["read_yaml", "dump_yaml", "write_atomic", "write_text_atomic"]


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    yaml.allow_unicode = True
    yaml.width = 100
    return yaml


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file; any failure becomes an InputError naming the file.

    Raises
    ------
    InputError
        Missing or unreadable file, undecodable bytes, malformed YAML,
        duplicate keys, impossible dates.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=name) from None
    except IsADirectoryError:
        raise InputError("expected a file, found a directory", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=name) from None
    if b"\x00" in raw:
        raise InputError("expected YAML text, found binary data", file=name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"expected UTF-8 text, found an undecodable byte at {exc.start}",
                         file=name) from None
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        raise InputError(f"malformed YAML{where}: {problem}", file=name) from None
    except (YAMLError, ValueError) as exc:
        # ValueError: a date that matches the YAML pattern but does not exist (2008-02-30).
        message = " ".join(str(exc).split())
        raise InputError(f"malformed YAML: {message}", file=name) from None


def dump_yaml(data: Any) -> str:
    """Serialise plain data (dicts, lists, numbers, strings, dates) to YAML text."""
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue()


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary sibling, then rename: no half-written file survives."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_atomic(path: str | Path, write) -> None:
    """Call ``write(tmp)`` on a temporary sibling of ``path``, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{target.suffix}")
    try:
        write(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
