"""Cited defaults: stage success rates, stage durations, launch curve, generic erosion.

A program takes these unless its scenario overrides them; the report names the
source of every default it used. Where no verified table exists the entry says
so instead of inventing one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Default",
    "SUCCESS",
    "DURATION_MONTHS",
    "LAUNCH_CURVE",
    "EROSION",
    "EROSION_MONTHS",
    "NDA_ACCEPTANCE_MONTHS",
    "LAUNCH_LAG_MONTHS",
    "success_rate",
    "duration_months",
]

BIO_2016 = ("BIO, Biomedtracker and Amplion, Clinical Development Success Rates 2006-2015 "
            "(2016), all indications")
DIMASI_2010 = ("DiMasi et al., Trends in risks associated with new drug development, "
               "Clin Pharmacol Ther 87:272 (2010), systemic anti-infectives")
PAUL_2010 = ("Paul et al., How to improve R&D productivity, Nat Rev Drug Discov 9:203 (2010), "
             "preclinical to Phase I")
BIO_2021 = ("BIO, Informa Pharma Intelligence and QLS, Clinical Development Success Rates "
            "and Contributing Factors 2011-2020 (2021), infectious disease phase durations")
SERTKAYA_2024 = ("Sertkaya et al., Costs of drug development and research and development "
                 "intensity, JAMA Netw Open (2024), dermatology phase durations")
NO_DERM_TABLE = ("no verified dermatology success-rate table exists; the all-indication row of "
                 + BIO_2016 + " is used")
NO_ALL_DURATIONS = ("no verified all-indication duration table in this project; the infectious "
                    "disease row of " + BIO_2021 + " is used")


@dataclass(frozen=True)
class Default:
    """A default value and where it comes from."""

    value: float | tuple[float, ...]
    source: str


def _row(values: tuple[float, ...], source: str) -> dict[str, Default]:
    stages = ("phase1", "phase2", "phase3", "nda")
    return {stage: Default(v, source) for stage, v in zip(stages, values)}


_PRECLINICAL = {"preclinical": Default(0.69, PAUL_2010)}

SUCCESS: dict[str, dict[str, Default]] = {
    # Probability of passing each stage (Phase I -> II, II -> III, III -> NDA, NDA -> approval).
    "all_indications": {**_PRECLINICAL, **_row((0.632, 0.307, 0.581, 0.853), BIO_2016)},
    "anti_infective": {**_PRECLINICAL, **_row((0.582, 0.522, 0.786, 1.0), DIMASI_2010)},
    "dermatology": {**_PRECLINICAL, **_row((0.632, 0.307, 0.581, 0.853), NO_DERM_TABLE)},
}

_PRECLINICAL_MONTHS = {"preclinical": Default(
    12.0, "assumption: one year from candidate selection to first-in-human; no verified table")}

DURATION_MONTHS: dict[str, dict[str, Default]] = {
    "anti_infective": {**_PRECLINICAL_MONTHS,
                       **_row((24.0, 42.0, 37.2, 14.4), BIO_2021)},   # 2.0/3.5/3.1/1.2 years
    "dermatology": {**_PRECLINICAL_MONTHS,
                    **_row((27.8, 34.0, 38.0, 12.2), SERTKAYA_2024)},
    "all_indications": {**_PRECLINICAL_MONTHS,
                        **_row((24.0, 42.0, 37.2, 14.4), NO_ALL_DURATIONS)},
}

LAUNCH_CURVE = Default(
    (0.11, 0.31, 0.58, 0.76, 0.89, 1.00),
    "median launch curve of new drugs, share of peak sales in years 1-6 (100% after), "
    "Nat Rev Drug Discov (2017)",
)

EROSION = Default(0.72, "fall in US sales within 6 months of generic entry, Datamonitor (2011)")
EROSION_MONTHS = 6.0

NDA_ACCEPTANCE_MONTHS = Default(
    2.0, "FDA decides whether to file an NDA within 60 days of submission (21 CFR 314.101)")
LAUNCH_LAG_MONTHS = Default(6.0, "assumption: six months from approval to launch")


def success_rate(area: str, stage: str) -> Default:
    """Benchmark probability of passing ``stage`` for a therapeutic area."""
    return SUCCESS[area][stage]


def duration_months(area: str, stage: str) -> Default:
    """Benchmark duration of ``stage`` in months for a therapeutic area."""
    return DURATION_MONTHS[area][stage]
