"""One look for every chart and page: colours, fonts, number formats, input labels.

Nothing here imports matplotlib at module level; :func:`context` does, when a
chart is drawn.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator

__all__ = [
    "ACCENT",
    "CHART_SIZE",
    "FAN",
    "GRID",
    "INK",
    "MUTED",
    "NEGATIVE",
    "PAGE_SIZE",
    "PDF_METADATA",
    "PNG_DPI",
    "PNG_METADATA",
    "POSITIVE",
    "PRIMARY",
    "RC",
    "SERIES",
    "TIERS",
    "TOTAL",
    "colour_for",
    "context",
    "event_label",
    "input_label",
    "input_value",
    "money",
    "output_label",
    "percent",
]

# ---------------------------------------------------------------- colours

INK = "#1f2933"
"""Text and axes."""
MUTED = "#6b7785"
"""Secondary text, reference lines."""
GRID = "#dde3ea"
PRIMARY = "#1f4e79"
"""The main series: expected values, the company."""
FAN = "#8fb8de"
"""Monte Carlo bands."""
ACCENT = "#d9822b"
"""Highlights: markers, thresholds, the key readout."""
POSITIVE = "#2a7f8f"
NEGATIVE = "#b8433a"
TOTAL = "#3d4a57"
SERIES = ("#1f4e79", "#d9822b", "#2a9d8f", "#8e5f8c", "#c4a23a", "#5c7080", "#b8433a",
          "#4f9dd6", "#7a9a3a", "#a0522d")
"""Categorical colours, in order: programs, inputs, guided events."""
TIERS = ("#1f4e79", "#4f86c6", "#9cc3e6", "#cfe1f2")
"""RCU tiers, darkest first."""

# ---------------------------------------------------------------- geometry and files

PAGE_SIZE = (11.69, 8.27)
"""A4 landscape, inches."""
CHART_SIZE = (10.0, 5.6)
"""A chart on its own (PNG), inches."""
PNG_DPI = 150

PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": "finmodel",
                "Creator": "finmodel"}
"""No dates, fixed producer: the same inputs give the same bytes."""
PNG_METADATA = {"Software": None}

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 8.0,
    "axes.labelsize": 9.5,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.prop_cycle": None,  # set in context(): a cycler needs matplotlib
    "grid.color": GRID,
    "grid.linewidth": 0.7,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "text.color": INK,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "pdf.fonttype": 42,
    "pdf.compression": 6,
    "svg.hashsalt": "finmodel",
    "path.simplify": True,
    "date.converter": "concise",
}
"""rcParams of every chart and page."""


@contextlib.contextmanager
def context() -> Iterator[None]:
    """Apply :data:`RC` for the duration of a drawing (imports matplotlib)."""
    import matplotlib
    from cycler import cycler

    params = {**RC, "axes.prop_cycle": cycler(color=list(SERIES))}
    with matplotlib.rc_context(params):
        yield


def colour_for(index: int) -> str:
    """The ``index``-th categorical colour (wraps around)."""
    return SERIES[index % len(SERIES)]


# ---------------------------------------------------------------- numbers


def money(value: float | None, currency: str = "", digits: int = 2) -> str:
    """``4.82e6 -> 'CAD 4.82M'``; None is 'n/a', infinity 'not reachable'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "not reachable"
    prefix = f"{currency} " if currency else ""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{prefix}{value / scale:,.{digits}f}{suffix}"
    return f"{prefix}{value:,.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:.{digits}%}"


# ---------------------------------------------------------------- input and output names

_OUTPUT_LABELS = {
    "company_npv": "Company rNPV",
    "holder_npv": "Holders' NPV",
    "holder_irr": "Holders' IRR",
    "runway_months": "Runway",
    "per_share": "Value per share",
}
_OUTPUT_UNITS = {"runway_months": "months", "holder_irr": "%"}

_ORDINAL_FIELDS = {"burn": "burn step", "tiers": "tier", "schedule": "milestone",
                   "funding": "funding", "financings": "raise", "warrants": "warrants"}

_LEAF_WORDS = {
    "amount": "amount", "annual": "annual burn", "peak": "peak sales", "rate": "rate",
    "probability": "probability", "months": "duration", "cost": "cost",
}


def output_label(output: str, currency: str = "") -> str:
    """Readable name of a model output with its unit: ``'Company rNPV (CAD millions)'``."""
    name = _OUTPUT_LABELS.get(output, output.replace("_", " "))
    unit = _OUTPUT_UNITS.get(output, f"{currency} millions".strip() if currency else "millions")
    return f"{name} ({unit})"


def input_label(path: str, names: dict[str, str] | None = None) -> str:
    """Short readable name of a dotted input path or a sensitivity factor.

    ``programs.omigard.royalty.tiers.0.rate`` -> ``Omigard royalty rate``,
    ``company.burn.1.annual`` -> ``Annual burn (step 2)``, ``outcome.cls001`` ->
    ``CLS001 outcome``, ``timing.omigard.nda_submission`` -> ``Omigard NDA submission
    date``, ``slip.omigard`` -> ``Omigard slip``. ``names`` maps program ids to display
    names.
    """
    names = names or {}
    parts = path.split(".")
    if parts[0] == "outcome" and len(parts) == 2:
        return f"{names.get(parts[1], parts[1])} outcome"
    if parts[0] == "slip" and len(parts) == 2:
        return f"{names.get(parts[1], parts[1])} slip"
    if parts[0] == "timing" and len(parts) == 3:
        return f"{names.get(parts[1], parts[1])} {event_label(parts[2])} date"
    if parts[0] == "fx" and len(parts) == 2:
        return f"FX rate {parts[1]}"
    if path == "discounting.rate":
        return "Discount rate"
    if path == "company.cash.amount":
        return "Opening cash"
    if parts[:2] == ["company", "burn"] and len(parts) == 4:
        return f"Annual burn (step {int(parts[2]) + 1})" if parts[3] == "annual" else path
    if parts[0] == "programs" and len(parts) >= 3:
        program = names.get(parts[1], parts[1])
        rest = parts[2:]
        if rest[:2] == ["royalty", "tiers"]:
            tier = f" (tier {int(rest[2]) + 1})" if len(rest) > 3 and rest[2] != "0" else ""
            return f"{program} royalty rate{tier}"
        if rest[0] == "sales" and len(rest) == 2:
            return f"{program} {_LEAF_WORDS.get(rest[1], rest[1].replace('_', ' '))}"
        if rest[0] == "stages" and len(rest) == 3:
            return f"{program} {rest[1]} {_LEAF_WORDS.get(rest[2], rest[2])}"
        if rest[:2] == ["milestones", "schedule"] and len(rest) == 4:
            return f"{program} milestone {int(rest[2]) + 1}"
        return f"{program} " + " ".join(rest)
    words = [(_ORDINAL_FIELDS[p] if p in _ORDINAL_FIELDS else
              str(int(p) + 1) if p.isdigit() else p.replace("_", " ")) for p in parts]
    return " ".join(words).capitalize()


def event_label(event: str) -> str:
    """``phase3_results`` -> ``Phase III results``; ``nda_submission`` -> ``NDA submission``."""
    roman = {"1": "I", "2": "II", "3": "III", "4": "IV"}
    words = []
    for word in event.split("_"):
        match = re.fullmatch(r"phase(\d)", word)
        if match:
            words.append(f"Phase {roman.get(match.group(1), match.group(1))}")
        elif word in ("nda", "ind", "cta", "bla", "maa"):
            words.append(word.upper())
        else:
            words.append(word)
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_MONEY_LEAF = re.compile(r"(amount|annual|peak|cost|min_cash|total)$")
_FRACTION_LEAF = re.compile(r"(rate|probability|share|cogs|erosion)$")


def input_value(path: str, value: float) -> str:
    """An input's value formatted by what it is: money in millions, rates as percentages."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    if path.startswith("fx."):
        return f"{value:.3f}"
    if _FRACTION_LEAF.search(path) and abs(value) <= 1:
        return f"{value:.1%}"
    if _MONEY_LEAF.search(path):
        return money(value, digits=1)
    return f"{value:,.3g}"
