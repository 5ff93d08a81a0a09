"""The scenario: validated, immutable inputs addressed by dotted paths.

A scenario is read from YAML (1.2, safe mode), validated by pydantic models
that forbid unknown keys, and frozen. Every field can be reached by a dotted
path (``company.burn.0.annual``, ``programs.omigard.milestones.total``), which
is how overrides, uncertainty and sources refer to inputs.

Every input leaf is either *sourced* (listed under ``sources:`` with the
release file and line it came from) or an *assumption*; see
:meth:`Scenario.register` and :meth:`Scenario.assumptions`.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from ._yaml import dump_yaml, read_yaml, write_text_atomic
from .errors import InputError
from .periods import Period, resolve_period

__all__ = [
    "Scenario",
    "load_scenario",
    "save_scenario",
    "STAGES",
    "MILESTONE_EVENTS",
    "Stage",
]

# ---------------------------------------------------------------- value types

Amount = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
"""Money in full units of its currency, never negative."""
Fraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
"""A probability or a share, in [0, 1]."""
PositiveFloat = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Rate = Annotated[float, Strict(), Field(gt=-1, lt=10, allow_inf_nan=False)]
Count = Annotated[int, Strict(), Field(ge=0)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

STAGES: tuple[str, ...] = ("preclinical", "phase1", "phase2", "phase3", "nda", "approved")
"""Development stages in order; a program's ``stage`` is the one it is in now."""
Stage = Literal["preclinical", "phase1", "phase2", "phase3", "nda", "approved"]
Area = Literal["anti_infective", "dermatology", "all_indications"]
"""Therapeutic area: picks the benchmark table of default success rates and durations."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# ---------------------------------------------------------------- company


class Cash(_Model):
    amount: Amount
    as_of: dt.date


class BurnStep(_Model):
    """Annual operating burn from a date on (a step function of time)."""

    start: dt.date = Field(alias="from")
    annual: Amount


class FundingDraw(_Model):
    """Non-dilutive funding (a government contribution) drawn evenly over a window."""

    label: str
    amount: Amount
    currency: Currency | None = None
    start: dt.date
    end: dt.date
    program: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> FundingDraw:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Financing(_Model):
    """A planned raise: gross amount on a date, less fees."""

    label: str
    date: dt.date
    amount: Amount
    currency: Currency | None = None
    fees: Annotated[float, Strict(), Field(ge=0, lt=1)] = 0.0
    """Fees as a fraction of the gross amount."""


class Company(_Model):
    name: str
    currency: Currency
    """Reporting currency: every result is in it."""
    cash: Cash
    burn: list[BurnStep] = Field(min_length=1)
    min_cash: Amount = 0.0
    """Buffer: the company is out of cash when the balance goes below this."""
    fiscal_year_end: Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")] = "12-31"
    """Month and day the fiscal year ends ("MM-DD"); fiscal year N ends in calendar year N."""
    funding: list[FundingDraw] = []
    financings: list[Financing] = []

    @field_validator("burn")
    @classmethod
    def _burn_in_order(cls, steps: list[BurnStep]) -> list[BurnStep]:
        for i in range(1, len(steps)):
            if steps[i].start <= steps[i - 1].start:
                raise ValueError(
                    f"burn steps must be in date order: step {i} starts {steps[i].start}, "
                    f"not after step {i - 1} ({steps[i - 1].start})"
                )
        return steps

    @property
    def fiscal_year_end_tuple(self) -> tuple[int, int]:
        month, day = self.fiscal_year_end.split("-")
        return int(month), int(day)


# ---------------------------------------------------------------- programs


class GuidedEvent(_Model):
    """An event as the company guided it: the phrase as written and when it was said.

    In YAML a bare phrase is accepted: ``phase3_results: H2/08``.
    """

    when: str
    said: dt.date | None = None
    """Date of the statement; relative phrases ("later this year") resolve against it.
    Defaults to the scenario's valuation date."""

    @model_validator(mode="before")
    @classmethod
    def _from_phrase(cls, data: Any) -> Any:
        return {"when": data} if isinstance(data, str) else data


class StageInputs(_Model):
    """Per-stage overrides of the benchmark defaults."""

    probability: Fraction | None = None
    """Probability of passing this stage to the next."""
    months: PositiveFloat | None = None
    """Duration of the stage in months."""
    cost: Amount | None = None
    """Development cost of the stage (owned programs), paid only if the stage is reached."""
    cost_timing: Literal["spread", "start"] = "spread"
    """``spread``: the cost is paid evenly over the stage; ``start``: all of it when it starts."""


MILESTONE_EVENTS: tuple[str, ...] = (
    "phase1_start", "clinic_start", "ind_filing", "phase2_start", "phase3_start",
    "phase1_results", "phase2_results", "phase3_results",
    "nda_submission", "nda_acceptance", "approval", "launch", "sales",
)
"""Events a milestone can be paid on; ``*_results`` means a positive read-out."""


class Milestone(_Model):
    event: str
    amount: Amount
    sales_threshold: Amount | None = None
    """For sales milestones: annual net sales that trigger the payment."""

    @model_validator(mode="after")
    def _known_event(self) -> Milestone:
        if self.event not in MILESTONE_EVENTS:
            raise ValueError(f"unknown milestone event '{self.event}'"
                             + _did_you_mean(self.event, MILESTONE_EVENTS)
                             + f"; expected one of {', '.join(MILESTONE_EVENTS)}")
        if (self.event == "sales") != (self.sales_threshold is not None):
            raise ValueError("a sales milestone needs a sales_threshold, and only it has one")
        return self


class Milestones(_Model):
    currency: Currency
    total: Amount | None = None
    """The stated total ("up to US$27 million")."""
    schedule: list[Milestone] = []
    """How the total splits into events: an assumption unless a release states it."""

    @model_validator(mode="after")
    def _within_total(self) -> Milestones:
        scheduled = sum(m.amount for m in self.schedule)
        if self.total is not None and scheduled > self.total * (1 + 1e-9):
            raise ValueError(f"schedule sums to {scheduled:,.0f}, above the total {self.total:,.0f}")
        return self


class RoyaltyTier(_Model):
    rate: Fraction
    up_to: Amount | None = None
    """Upper bound of annual net sales for this tier; None for the last tier."""


class Royalty(_Model):
    descriptor: str | None = None
    """Qualitative wording from a release ("double-digit"), kept for the record."""
    tiers: list[RoyaltyTier] = Field(min_length=1)
    years: PositiveFloat = 12.0
    """Royalty term in years from launch."""

    @field_validator("tiers")
    @classmethod
    def _tiers_ordered(cls, tiers: list[RoyaltyTier]) -> list[RoyaltyTier]:
        bounds = [t.up_to for t in tiers]
        if any(b is None for b in bounds[:-1]):
            raise ValueError("only the last royalty tier may be open-ended (no up_to)")
        finite = [b for b in bounds if b is not None]
        if finite != sorted(finite) or len(set(finite)) != len(finite):
            raise ValueError(f"royalty tiers must have increasing up_to bounds, found {finite}")
        return tiers


class Sales(_Model):
    peak: Amount
    """Peak annual net sales."""
    currency: Currency
    ramp: list[Fraction] | None = None
    """Share of peak in launch years 1, 2, ...; None takes the benchmark launch curve."""
    exclusivity_end: dt.date | None = None
    erosion: Fraction | None = None
    """Fall in sales after exclusivity ends; None takes the benchmark."""
    cogs: Fraction = 0.0
    """Cost of goods as a share of net sales (owned programs)."""
    launch_cost: Amount = 0.0
    """One-off cost at launch in the sales currency (owned programs)."""


class Program(_Model):
    name: str
    aliases: list[str] = []
    indication: str = ""
    area: Area = "all_indications"
    partner: str | None = None
    """Licensee; None when the company owns the program."""
    stage: Stage
    events: dict[str, GuidedEvent] = {}
    stages: dict[Stage, StageInputs] = {}
    milestones: Milestones | None = None
    royalty: Royalty | None = None
    sales: Sales | None = None


# ---------------------------------------------------------------- RCU and capital


class RcuTier(_Model):
    amount: PositiveFloat
    """Amount paid per unit within this tier."""
    share: Annotated[float, Strict(), Field(gt=0, le=1)]
    """Holders' share of the royalties received while in this tier."""


class Conversion(_Model):
    shares_per_unit: PositiveFloat
    price: PositiveFloat
    """Conversion price per share."""
    rule: Literal["proportional", "none"] = "proportional"
    """How conversion shares shrink as royalties are paid: ``proportional`` reads
    shares = shares_per_unit x (1 - paid_per_unit / unit price), floored at 0."""


class Rcu(_Model):
    """Royalty Conversion Units: a capped, tiered share of royalties, convertible into shares."""

    units: Annotated[int, Strict(), Field(gt=0)]
    price: PositiveFloat
    issued: dt.date
    tiers: list[RcuTier] = Field(min_length=1)
    feeds: list[str] = Field(min_length=1)
    """Program ids whose royalties flow into the waterfall."""
    milestones_feed: bool = False
    """Whether milestone payments also flow into the waterfall."""
    paid_to_date: Amount = 0.0
    """Total paid to holders before the valuation date."""
    conversion: Conversion | None = None

    @property
    def cap_per_unit(self) -> float:
        return sum(t.amount for t in self.tiers)


class Warrant(_Model):
    label: str
    count: Count
    strike: PositiveFloat
    expires: dt.date
    issued: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Warrant:
        if self.issued is not None and self.expires < self.issued:
            raise ValueError(f"expires {self.expires} is before issued {self.issued}")
        return self


class Capital(_Model):
    shares_outstanding: Annotated[int, Strict(), Field(gt=0)]
    share_price: PositiveFloat | None = None
    """Market price per share (for conversion comparisons)."""
    warrants: list[Warrant] = []
    overhead_years: Annotated[float, Strict(), Field(ge=0, le=50)] = 3.0
    """Years of corporate burn charged against the sum of the parts."""


# ---------------------------------------------------------------- valuation settings


class Discounting(_Model):
    rate: Rate
    """Annual effective discount rate: factor (1 + rate) ** -(months / 12)."""
    convention: Literal["end_of_period", "mid_period", "annual_mid_year"] = "end_of_period"


class KeyEvent(_Model):
    """The readout the runway questions refer to (cash-out before it, raise to pass it)."""

    program: str
    event: str
    margin_months: Annotated[int, Strict(), Field(ge=0)] = 12
    """Months past the readout the company should be funded for."""


# ---------------------------------------------------------------- uncertainty


class _Dist(_Model):
    pass


class Pert(_Dist):
    dist: Literal["pert"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Pert:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(f"need low <= mode <= high and low < high, found {self.low}, "
                             f"{self.mode}, {self.high}")
        return self


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    _ordered = Pert._ordered


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"need low < high, found {self.low}, {self.high}")
        return self


class Normal(_Dist):
    dist: Literal["normal"]
    mean: float
    sd: PositiveFloat


class LogNormal(_Dist):
    dist: Literal["lognormal"]
    median: PositiveFloat
    sigma: PositiveFloat
    """Standard deviation of the log."""


class Beta(_Dist):
    dist: Literal["beta"]
    a: PositiveFloat
    b: PositiveFloat
    low: float = 0.0
    high: float = 1.0

    _ordered = Uniform._ordered


class Discrete(_Dist):
    dist: Literal["discrete"]
    values: list[float] = Field(min_length=1)
    probs: list[Fraction] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> Discrete:
        if len(self.values) != len(self.probs):
            raise ValueError(f"{len(self.values)} values but {len(self.probs)} probs")
        if not math.isclose(sum(self.probs), 1.0, abs_tol=1e-9):
            raise ValueError(f"probs must sum to 1, found {sum(self.probs)}")
        return self


Distribution = Annotated[
    Union[Pert, Triangular, Uniform, Normal, LogNormal, Beta, Discrete],
    Field(discriminator="dist"),
]


class Timing(_Model):
    """How Monte Carlo dates guided events (the exact valuation uses period midpoints).

    ``within``: ``uniform`` draws each guided event uniformly inside its
    period, ``midpoint`` keeps the midpoint. ``slip``: months added to every
    guided event of a program, one draw per program and path (the same
    company tends to slip all of a program's milestones together).
    """

    within: Literal["uniform", "midpoint"] = "uniform"
    slip: Distribution | None = None


class Correlation(_Model):
    """Rank (Spearman) correlation between two uncertain inputs, imposed by a Gaussian copula."""

    between: Annotated[list[str], Field(min_length=2, max_length=2)]
    rank: Annotated[float, Strict(), Field(ge=-1, le=1, allow_inf_nan=False)]


def correlation_matrix(scenario: Scenario) -> tuple[list[str], "object"]:
    """Inputs named in ``correlation`` and their normal-copula correlation matrix.

    A rank correlation ``rho_s`` becomes ``2 sin(pi rho_s / 6)`` between the
    normal scores, which gives exactly ``rho_s`` between the inputs' ranks.
    """
    import numpy as np

    names = list(dict.fromkeys(p for pair in scenario.correlation for p in pair.between))
    matrix = np.eye(len(names))
    for pair in scenario.correlation:
        i, j = (names.index(p) for p in pair.between)
        matrix[i, j] = matrix[j, i] = 2.0 * math.sin(math.pi * pair.rank / 6.0)
    return names, matrix


def _check_correlation(scenario: Scenario) -> None:
    import numpy as np

    _, matrix = correlation_matrix(scenario)
    if np.linalg.eigvalsh(matrix).min() <= 1e-10:
        raise _located("correlation", "the correlations are not consistent with each other "
                                      "(the matrix is not positive definite)")


# ---------------------------------------------------------------- sources


class Source(_Model):
    """Where a fact was stated: ``ref`` is ``release-file:line``."""

    ref: Annotated[str, Field(pattern=r"^[^:\s]+:\d+(-\d+)?$")]
    note: str = ""


# ---------------------------------------------------------------- the scenario


class Scenario(_Model):
    """Validated, immutable inputs of one valuation.

    Build one with :func:`load_scenario`; derive variants with
    :meth:`with_overrides`. ``file`` records where it was read from (not part of
    the inputs: two scenarios with equal inputs compare equal).
    """

    name: str
    valuation_date: dt.date
    company: Company
    fx: dict[Currency, PositiveFloat] = {}
    """Units of reporting currency per unit of each foreign currency."""
    discounting: Discounting
    horizon_years: Annotated[int, Strict(), Field(ge=1, le=60)] = 25
    key_event: KeyEvent | None = None
    programs: dict[str, Program] = {}
    rcu: Rcu | None = None
    capital: Capital
    uncertainty: dict[str, Distribution] = {}
    """Dotted input path -> distribution (Monte Carlo); may be empty."""
    timing: Timing | None = None
    """Monte Carlo event dates; None keeps guided midpoints (only stage outcomes random)."""
    correlation: list[Correlation] = []
    """Rank correlations among uncertain inputs."""
    sources: dict[str, Source] = {}
    """Dotted input path -> where a release states it. Unlisted leaves are assumptions."""
    notes: dict[str, str] = {}
    """Dotted input path -> why an assumption has its value."""

    # -- whole-scenario checks ---------------------------------------------

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        c = self.company
        if c.cash.as_of > self.valuation_date:
            raise _located("company.cash.as_of",
                           f"cash is dated {c.cash.as_of}, after the valuation date "
                           f"{self.valuation_date}")
        if c.burn[0].start > min(c.cash.as_of, self.valuation_date):
            raise _located("company.burn.0.from",
                           f"the first burn step starts {c.burn[0].start}, after the cash date "
                           f"{c.cash.as_of}; the burn before it would be unknown")
        for path, currency in self._currencies():
            if currency != c.currency and currency not in self.fx:
                raise _located(path, f"no FX rate for {currency}: add fx.{currency} "
                                     f"({c.currency} per {currency})")
        if self.rcu is not None:
            for i, program in enumerate(self.rcu.feeds):
                if program not in self.programs:
                    raise _located(f"rcu.feeds.{i}", _unknown("program", program, self.programs))
        if self.key_event is not None:
            ke = self.key_event
            if ke.program not in self.programs:
                raise _located("key_event.program", _unknown("program", ke.program, self.programs))
            if ke.event not in self.programs[ke.program].events:
                raise _located("key_event.event",
                               _unknown("event", ke.event, self.programs[ke.program].events))
        for pid, program in self.programs.items():
            for event in program.events:
                self.event_period(pid, event)  # raises on an unknown phrase
        tree = self.to_dict()
        for key in (*self.uncertainty, *self.sources, *self.notes):
            if key not in type(self).model_fields and not _path_exists(tree, key):
                section = next(s for s in ("uncertainty", "sources", "notes")
                               if key in getattr(self, s))
                raise _located(f"{section}.{key}", f"no input at path '{key}'"
                               + _did_you_mean(key, _all_paths(tree)))
        for i, pair in enumerate(self.correlation):
            for j, path in enumerate(pair.between):
                if path not in self.uncertainty:
                    raise _located(f"correlation.{i}.between.{j}",
                                   f"'{path}' has no distribution under uncertainty"
                                   + _did_you_mean(path, list(self.uncertainty)))
            if pair.between[0] == pair.between[1]:
                raise _located(f"correlation.{i}.between", "an input cannot be correlated with "
                                                           "itself")
        if self.correlation:
            _check_correlation(self)
        return self

    def _currencies(self) -> Iterator[tuple[str, str]]:
        for i, draw in enumerate(self.company.funding):
            if draw.currency:
                yield f"company.funding.{i}.currency", draw.currency
        for i, raise_ in enumerate(self.company.financings):
            if raise_.currency:
                yield f"company.financings.{i}.currency", raise_.currency
        for pid, program in self.programs.items():
            if program.milestones:
                yield f"programs.{pid}.milestones.currency", program.milestones.currency
            if program.sales:
                yield f"programs.{pid}.sales.currency", program.sales.currency

    # -- derived views -----------------------------------------------------

    def fx_rate(self, currency: str | None) -> float:
        """Reporting-currency units per unit of ``currency`` (1 for the reporting currency)."""
        if currency is None or currency == self.company.currency:
            return 1.0
        return self.fx[currency]

    def event_period(self, program: str, event: str) -> Period:
        """The guided period of a program event, resolved against the date it was said."""
        guided = self.programs[program].events[event]
        return resolve_period(
            guided.when,
            guided.said or self.valuation_date,
            fiscal_year_end=self.company.fiscal_year_end_tuple,
            field=f"programs.{program}.events.{event}",
        )

    def key_event_period(self) -> Period | None:
        if self.key_event is None:
            return None
        return self.event_period(self.key_event.program, self.key_event.event)

    def to_dict(self) -> dict[str, Any]:
        """Plain data as in the YAML file (``from`` keys, dates as dates)."""
        return self.model_dump(mode="python", by_alias=True, exclude_none=True)

    def get(self, path: str) -> Any:
        """The value at a dotted path (``company.burn.0.annual``)."""
        node: Any = self.to_dict()
        for i, key in enumerate(parts := path.split(".")):
            node = _step(node, key, ".".join(parts[: i + 1]), path)
        return node

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new, re-validated scenario with the values at the given dotted paths replaced.

        Paths must exist, except a new key in a free-form mapping (``fx.EUR``).
        List items are addressed by index (``company.burn.0.annual``).

        Raises
        ------
        InputError
            The path does not exist (with a suggestion) or the new value is invalid.
        """
        tree = copy.deepcopy(self.to_dict())
        for path, value in overrides.items():
            _set_path(self, tree, path, value)
        return _validate(tree, file=None)

    def register(self) -> pd.DataFrame:
        """Every input leaf with its value and whether a release states it.

        Returns
        -------
        DataFrame
            Indexed by dotted ``path``; columns ``value``, ``status``
            ("sourced" or "assumption"), ``ref`` (release-file:line) and ``note``.
        """
        rows = []
        for path, value in _leaves(self.to_dict()):
            if path.split(".")[0] in ("sources", "notes", "name"):
                continue
            source = self._source_for(path)
            rows.append({
                "path": path,
                "value": value,
                "status": "sourced" if source else "assumption",
                "ref": source.ref if source else "",
                "note": source.note if source else self._note_for(path),
            })
        return pd.DataFrame(rows).set_index("path")

    def assumptions(self) -> pd.DataFrame:
        """The input leaves no release states (see :meth:`register`)."""
        reg = self.register()
        return reg[reg["status"] == "assumption"]

    def _source_for(self, path: str) -> Source | None:
        # A source on a subtree (``rcu.tiers``) covers every leaf below it.
        for prefix in _prefixes(path):
            if prefix in self.sources:
                return self.sources[prefix]
        return None

    def _note_for(self, path: str) -> str:
        for prefix in _prefixes(path):
            if prefix in self.notes:
                return self.notes[prefix]
        return ""

    def to_yaml(self) -> str:
        return dump_yaml(self.to_dict())


# ---------------------------------------------------------------- loading and saving


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Raises
    ------
    InputError
        Naming the file and the dotted path of the first bad field.
    """
    data = read_yaml(path)
    if data is None:
        raise InputError("the file is empty; expected a scenario mapping", file=str(path))
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping of scenario fields, found {_kind(data)}",
                         file=str(path))
    return _validate(data, file=str(path))


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as YAML (atomically); loading it back gives an equal scenario."""
    write_text_atomic(path, scenario.to_yaml())
    return Path(path)


def _validate(data: dict[str, Any], *, file: str | None) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _to_input_error(exc, data, file) from None
    except InputError as exc:
        raise exc.located(file=file) from None


# ---------------------------------------------------------------- errors


def _located(field: str, message: str) -> InputError:
    return InputError(message, field=field)


def _to_input_error(exc: ValidationError, data: Any, file: str | None) -> InputError:
    errors = exc.errors(include_url=False)
    # A misspelt key also makes the real one "missing": report the misspelling.
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [str(p) for p in err["loc"]]
    if len(loc) > 2 and loc[0] == "uncertainty":
        del loc[2]  # the discriminator tag pydantic inserts ("pert", "normal", ...)
    field = ".".join(loc)
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, InputError):
        return ctx_error.located(file=file)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        message = f"unknown key '{loc[-1]}'" + _did_you_mean(loc[-1], allowed)
    elif kind == "missing":
        message = "required field is missing"
    else:
        found = _value_at(data, loc)
        message = _describe(err["msg"])
        if found is not _MISSING and kind not in ("value_error", "assertion_error"):
            message += f", found {found!r}"
    return InputError(message, file=file, field=field or None)


def _describe(msg: str) -> str:
    msg = msg.removeprefix("Value error, ")
    return re.sub(r"^Input should be", "expected", msg)


def _allowed_keys(loc: list[str]) -> list[str]:
    """Field names of the model at ``loc`` in the schema (for 'did you mean')."""
    model: Any = Scenario
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        info = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        if info is None:
            # a key inside a mapping or an index inside a list: step into the item type
            continue
        model = _inner_model(info.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _inner_model(annotation: Any) -> Any:
    """The BaseModel class inside ``X | None``, ``list[X]`` or ``dict[str, X]``."""
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unknown(what: str, name: str, known: Any) -> str:
    return f"unknown {what} '{name}'" + (_did_you_mean(name, known) or
                                         f"; known: {', '.join(map(str, known)) or 'none'}")


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


# ---------------------------------------------------------------- dotted paths

_MISSING = object()


def _step(node: Any, key: str, so_far: str, full: str) -> Any:
    if isinstance(node, dict):
        if key in node:
            return node[key]
        raise InputError(f"no input at path '{full}'" + _did_you_mean(key, node), field=so_far)
    if isinstance(node, list):
        if key.isdigit() and int(key) < len(node):
            return node[int(key)]
        raise InputError(f"no item {key} in a list of {len(node)}", field=so_far)
    raise InputError(f"'{so_far.rsplit('.', 1)[0]}' is a value, not a section", field=so_far)


def _value_at(tree: Any, loc: list[str]) -> Any:
    node = tree
    for key in loc:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _MISSING
    return node


def _path_exists(tree: Any, path: str) -> bool:
    return _value_at(tree, path.split(".")) is not _MISSING


def _free_mapping(scenario: Scenario, parts: list[str]) -> bool:
    """Whether the node at ``parts`` is a free-form mapping (new keys allowed)."""
    node: Any = scenario
    for key in parts:
        if isinstance(node, BaseModel):
            name = next((n for n, f in type(node).model_fields.items()
                         if key in (n, f.alias)), None)
            if name is None:
                return False
            node = getattr(node, name)
        elif isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return isinstance(node, dict)


def _set_path(scenario: Scenario, tree: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    if not path or any(p == "" for p in parts):
        raise InputError(f"malformed override path '{path}'", field=path)
    node: Any = tree
    for i, key in enumerate(parts[:-1]):
        node = _step(node, key, ".".join(parts[: i + 1]), path)
    last = parts[-1]
    if isinstance(node, list):
        if not (last.isdigit() and int(last) < len(node)):
            raise InputError(f"no item {last} in a list of {len(node)}", field=path)
        node[int(last)] = value
    elif isinstance(node, dict):
        if last not in node and not _free_mapping(scenario, parts[:-1]):
            # Optional sections left out of the YAML are settable; unknown names are not.
            if last not in _allowed_keys(parts[:-1]):
                raise InputError(f"no input at path '{path}'"
                                 + _did_you_mean(last, list(node) + _allowed_keys(parts[:-1])),
                                 field=path)
        node[last] = value
    else:
        raise InputError(f"'{'.'.join(parts[:-1])}' is a value, not a section", field=path)


def _leaves(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list) and node and isinstance(node[0], (dict, list)):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{prefix}.{i}")
    else:
        yield prefix, node


def _all_paths(tree: Any) -> list[str]:
    return [path for path, _ in _leaves(tree)]


def _prefixes(path: str) -> Iterator[str]:
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        yield ".".join(parts[:n])
