"""Draft a scenario from extracted terms: facts with their sources, gaps as labelled assumptions.

>>> from finmodel.extract import extract_many, draft_scenario
>>> ex = extract_many(["a.txt", "b.txt"])                        # doctest: +SKIP
>>> data = draft_scenario(ex.all_terms, ex.documents, ex.aliases)  # doctest: +SKIP

The draft is a starting point for an analyst, never a finished model.  Every
value it writes is either

* a **fact**: stated in a release, listed under ``sources:`` with the release
  file and line (``file:line``) and a short note; or
* an **assumption**: a cited benchmark default (:mod:`finmodel.benchmarks`) or
  an explicit placeholder, explained under ``notes:``.  Placeholders the
  analyst must replace start with ``PLACEHOLDER``.

How the facts are read (body mentions only, except guided events, which may
come from the forward-looking statements when the body is silent):

* valuation date: the latest release date;
* programs: one per canonical program name with a body term; id = the name in
  lower case without punctuation (``MX-2401`` -> ``mx2401``);
* stage: the latest release's ``program_phase`` ("end of Phase II" counts as
  Phase III next; Phase I/II as Phase I; Phase IV as approved); without one,
  the stage implied by the guided events, else preclinical (placeholder);
* guided events: per (program, event) the latest release's guidance, the
  mention :func:`~finmodel.extract.history.preferred_guidance` picks, with its
  ``said`` date; start events that mean the same stage start (IND/CTA filing,
  clinic start, Phase I start) keep only the latest;
* milestones: the latest stated total and currency; its split by event is a
  placeholder (over the development and regulatory events still ahead, each
  twice the one before);
* royalties: tiers on sales when stated, else a stated rate, else a
  qualitative descriptor ("double-digit") read as its range (see
  :mod:`finmodel.extract.numbers`), the midpoint as value and the range as a
  uniform distribution under ``uncertainty:``;
* a royalty financing (Royalty Conversion Units, a royalty monetisation):
  units and price, the waterfall tiers (cumulative thresholds turned into tier
  sizes; a cap truncates them), conversion terms, the programs whose
  royalties feed it;
* warrants, shares outstanding (a holding and its percentage imply the total);
* cash: the latest stated balance with its as-of date; when a later release
  guides the runway instead, the balance that guidance implies at the latest
  burn (dated at that release);
* burn: the latest release's level from its date, the level it replaced
  before it; ranges become uniform distributions; quarterly and monthly
  figures are annualised.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from finmodel import benchmarks as bm
from finmodel._yaml import dump_yaml, write_text_atomic
from finmodel.errors import FinmodelError, InputError
from finmodel.periods import Period, parse_period
from finmodel.scenario import STAGES, load_scenario

from .history import Document, extract_many, preferred_guidance
from .io import read_terms
from .terms import Term

__all__ = ["draft_scenario", "draft_yaml", "write_draft"]

DISCOUNT_RATE = 0.12
"""Placeholder annual discount rate (no cited table in the project)."""
FUNDING_YEARS = 3
"""Years a funding commitment is assumed to be drawn over, evenly."""
DEFAULT_WARRANT_YEARS = 5
"""Term assumed for warrants whose expiry no release states."""

_PROGRAM_KINDS = frozenset({
    "program_phase", "expected_event", "milestone_total", "royalty_rate", "royalty_tier",
    "license_deal", "sales_forecast", "funding_commitment", "enrollment", "equity_stake",
})
_ECONOMIC_KINDS = ("milestone_total", "royalty_rate", "royalty_tier", "license_deal")
_PER_YEAR = {"annual": 1.0, None: 1.0, "quarterly": 4.0, "monthly": 12.0}
# Guided events that start the same stage (as the engine reads them): keep the latest only.
_SAME_START = {"ind_filing": "phase1", "clinic_start": "phase1", "phase1_start": "phase1",
               "phase2_start": "phase2", "phase3_start": "phase3", "nda_submission": "nda",
               "approval": "approved"}
_EVENT_STAGE = {  # a guided event and the stage a program is in while it is ahead
    "ind_filing": "preclinical", "clinic_start": "preclinical", "phase1_start": "preclinical",
    "phase1_results": "phase1", "phase2_start": "phase1", "phase2_results": "phase2",
    "phase3_start": "phase2", "phase3_results": "phase3", "nda_submission": "phase3",
    "approval": "nda", "launch": "nda",
}
_MILESTONE_EVENTS = (("phase1", "phase1_start"), ("phase2", "phase2_start"),
                     ("phase3", "phase3_start"), ("nda", "nda_acceptance"),
                     ("approved", "approval"))
_AREA_WORDS = (
    ("dermatology", re.compile(r"dermat|rosacea|\bacne|psoria|eczema|atopic|\bskin\b",
                               re.IGNORECASE)),
    ("anti_infective", re.compile(r"infect|bacteri|antibiot|antivir|\bviral|virus|hepatitis|"
                                  r"\bHCV\b|\bHBV\b|\bHIV\b|herpes|fung|catheter|sepsis",
                                  re.IGNORECASE)),
)
_WATERFALL_RE = re.compile(r"\bof\s(?:the\s)?(?:net\s)?royalt", re.IGNORECASE)
_CUMULATIVE_RE = re.compile(r"\b(?:a\s)?total\sof\b|\bcumulative|\baggregate", re.IGNORECASE)
_RUNWAY_LEAD_RE = re.compile(r"\b(into|through|throughout|until|till|beyond|past)\b",
                             re.IGNORECASE)
_CODE_RE = re.compile(r"^[a-z]{1,6}-?\d{2,6}[a-z]{0,3}$")


# --------------------------------------------------------------------------- helpers


def _pid(name: str) -> str:
    """Program id of a canonical name: lower case, letters and digits only."""
    pid = re.sub(r"[^0-9a-z]+", "", name.lower()) or "program"
    return pid if pid[0].isalpha() else f"p{pid}"


def _ref_name(source: str | None) -> str:
    """A release file's name as a source reference allows it (no colon, no space)."""
    return re.sub(r"[:\s]", "_", Path(source).name if source else "") or "release"


def _round(value: float, digits: int = 6) -> float:
    return float(round(value, digits))


def _money(value: float, currency: str | None = None) -> str:
    if value >= 1e6:
        text = f"{value / 1e6:,.3f}".rstrip("0").rstrip(".") + " million"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{currency} {text}" if currency else text


def _phrase(period: Period) -> str | None:
    """An absolute time phrase the period grammar reads back as ``period``, if there is one."""
    s, e = period.start, period.end
    if s == e:
        return s.isoformat()
    if s.day == 1 and e == s + relativedelta(months=1) - timedelta(days=1):
        return s.strftime("%B %Y")
    last = s + relativedelta(months=3) - timedelta(days=1)
    if s.day == 1 and s.month in (1, 4, 7, 10) and e == last:
        return f"Q{(s.month - 1) // 3 + 1} {s.year}"
    last = s + relativedelta(months=6) - timedelta(days=1)
    if s.day == 1 and s.month in (1, 7) and e == last:
        return f"H{1 if s.month == 1 else 2} {s.year}"
    if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31) and s.year == e.year:
        return f"calendar {s.year}"
    for word, (m0, m1) in (("early", (1, 4)), ("mid", (5, 8)), ("late", (9, 12))):
        if s == date(s.year, m0, 1) and e == date(s.year, m1, 1) + relativedelta(
                months=1) - timedelta(days=1):
            return f"{word} {s.year}"
    return None


def _guided_when(term: Term, said: date | None) -> str | None:
    """The phrase to write for a guided event: the release's own words when they read back
    to the extracted period against ``said``, else an absolute phrase for that period."""
    words = " ".join(str(term.attrs.get("period_text") or "").split())
    if words and parse_period(words, said) == term.period:
        return words
    return _phrase(term.period)


class _Draft:
    """Mutable state while drafting: the scenario tree, its sources, notes, uncertainty."""

    def __init__(self, terms: Sequence[Term], documents: Sequence[Document],
                 aliases: Mapping[str, str]):
        self.aliases = {k.lower(): v for k, v in aliases.items()}
        self.published: dict[str | None, date | None] = {d.source: d.published
                                                         for d in documents}
        self.documents = list(documents)
        self.all = [t.replace(program=self.canonical(t.program)) if t.program else t
                    for t in terms]
        self.body = [t for t in self.all if not t.boilerplate]
        self.sources: dict[str, dict[str, str]] = {}
        self.notes: dict[str, str] = {}
        self.uncertainty: dict[str, dict[str, Any]] = {}
        self.same_day = False  # whether money announced on the balance date is outside it

    # -- lookups ------------------------------------------------------------

    def canonical(self, name: str | None) -> str | None:
        return None if name is None else self.aliases.get(name.lower(), name)

    def date_of(self, term: Term) -> date | None:
        return self.published.get(term.source)

    def order(self, term: Term) -> tuple:
        """Sort key: release date (unknown first), then position in the release."""
        day = self.date_of(term)
        return (day or date.min, term.source or "", term.span)

    def of(self, kind: str, program: str | None = ..., *, body: bool = True) -> list[Term]:
        pool = self.body if body else self.all
        return sorted((t for t in pool if t.kind == kind
                       and (program is ... or t.program == program)), key=self.order)

    def latest(self, kind: str, program: str | None = ...) -> Term | None:
        found = self.of(kind, program)
        return found[-1] if found else None

    # -- recording ----------------------------------------------------------

    def cite(self, path: str, term: Term, note: str) -> None:
        """Record that the value at ``path`` is stated at ``term``'s location."""
        name = _ref_name(term.source)
        last = term.line + term.quote.count("\n")
        ref = f"{name}:{term.line}" + (f"-{last}" if last > term.line else "")
        day = self.date_of(term)
        when = f" (release of {day.isoformat()})" if day else ""
        self.sources[path] = {"ref": ref, "note": note + when}

    def note(self, path: str, text: str) -> None:
        self.notes[path] = f"{self.notes[path]} {text}" if path in self.notes else text


# --------------------------------------------------------------------------- company


def _burn_levels(d: _Draft) -> tuple[list[tuple[float, float | None, Term]], list[Term]]:
    """Current and previous annual burn levels of the latest release that states one.

    Returns ``([(annual, annual_high, term) ...current], [previous terms])``.
    """
    burns = d.of("burn_rate")
    if not burns:
        return [], []
    release = burns[-1].source
    same = [t for t in burns if t.source == release]
    current = [t for t in same if t.attrs.get("level") != "previous"]
    previous = [t for t in same if t.attrs.get("level") == "previous"]
    return [(t.value, t.value_high, t) for t in current], previous


def _annual(term: Term) -> tuple[float, float | None, float]:
    factor = _PER_YEAR.get(term.unit, 1.0)
    low = term.value * factor
    high = term.value_high * factor if term.value_high is not None else None
    return low, high, (low + high) / 2 if high is not None else low


def _runway(d: _Draft) -> tuple[Term, date] | None:
    """The latest release's most cautious runway guidance and the day it points to."""
    guided = [t for t in d.of("runway_guidance") if t.period is not None and d.date_of(t)]
    if not guided:
        return None
    release = guided[-1].source
    best = None
    for t in (t for t in guided if t.source == release):
        # the link word: the time phrase's own lead ("into 2009"), else the first in the quote
        lead = (_RUNWAY_LEAD_RE.match(str(t.attrs.get("period_text") or ""))
                or _RUNWAY_LEAD_RE.search(t.quote))
        word = lead[1].lower() if lead else "into"
        # "into X": cash runs out during X (its middle); "through X": it lasts to X's end
        day = t.period.midpoint if word in ("into", "beyond", "past") else t.period.end
        if best is None or day < best[1]:
            best = (t, day)
    return best


_BEFORE_PROCEEDS_RE = re.compile(r"\b(?:existing|current|prior\sto|before)\b", re.IGNORECASE)


def _received_after(d: _Draft, as_of: date, same_day: bool) -> list[Term]:
    """Gross financings and upfront payments announced after the balance date (or on it,
    when ``same_day``), in date order: money the stated balance does not hold."""
    found = []
    gross_in = {t.source for t in d.of("financing") if t.unit not in ("per_share", "per_unit")}
    for t in d.of("financing") + d.of("license_deal"):
        day = d.date_of(t)
        if t.value is None or day is None:
            continue
        if t.unit in ("per_share", "per_unit"):
            if t.kind != "financing" or not t.attrs.get("count") or t.source in gross_in:
                continue  # a price, or a sale whose gross amount the release also states
            t = t.replace(value=t.value * t.attrs["count"], unit=None,
                          attrs={"gross_from": "count x price"})
        if t.kind == "license_deal" and t.attrs.get("component") != "upfront":
            continue
        if day > as_of or (same_day and day == as_of):
            found.append(t)
    return sorted(found, key=d.order)


def _company(d: _Draft, valuation: date, issuer: str | None) -> tuple[dict, str, bool]:
    """The company section, its reporting currency, and whether the cash is inferred."""
    cash_terms = [t for t in d.of("cash") if t.value is not None]
    currency_term = (cash_terms[-1] if cash_terms else None) or d.latest("burn_rate")
    if currency_term is None:
        counted: dict[str, list[Term]] = {}
        for t in d.body:
            if t.currency and t.kind in ("financing", "cost_reduction", "warrant", "conversion",
                                         "funding_commitment"):
                counted.setdefault(t.currency, []).append(t)
        currency_term = max(counted.values(), key=len)[-1] if counted else None
    currency = currency_term.currency if currency_term and currency_term.currency else "USD"
    if currency_term is not None and currency_term.currency:
        d.cite("company.currency", currency_term,
               f"company figures ({currency_term.kind.replace('_', ' ')}) are stated in "
               f"{currency}")
    else:
        d.note("company.currency", "PLACEHOLDER: no company amount in the terms; US dollars "
                                   "assumed.")
    company: dict[str, Any] = {"name": issuer or "Company (name not extracted)",
                               "currency": currency}
    if not issuer:
        d.note("company.name", "PLACEHOLDER: the issuer's name was not read from a dateline.")

    # cash: the latest stated balance, or what later runway guidance implies
    current, previous = _burn_levels(d)
    runway = _runway(d)
    stated = None
    if cash_terms:
        stated = max(cash_terms, key=lambda t: ((t.period.end if t.period else d.date_of(t))
                                                or date.min, d.order(t)))
    stated_as_of = None
    if stated is not None:
        stated_as_of = stated.period.end if stated.period else d.date_of(stated) or valuation
    burn_now = _annual(current[0][2])[2] if current else None
    runway_release = d.date_of(runway[0]) if runway else None
    # a balance called "existing" (or none at all) leaves out money raised the same day
    d.same_day = stated is None or (stated.period is None and (
        stated.attrs.get("scope") == "existing" or bool(_BEFORE_PROCEEDS_RE.search(stated.quote))))
    cash_note = None
    implied = False
    if runway and burn_now and (stated is None or runway_release > (d.date_of(stated) or
                                                                    date.min)):
        implied = True
        as_of = runway_release
        months = max((runway[1] - as_of).days, 0) / 365.25 * 12
        amount = burn_now * months / 12
        cash = {"amount": _round(amount, 0), "as_of": as_of}
        low = burn_now * max((runway[0].period.start - as_of).days, 0) / 365.25
        high = burn_now * max((runway[0].period.end - as_of).days, 0) / 365.25
        if low < high:
            d.uncertainty["company.cash.amount"] = {"dist": "pert", "low": _round(low, 0),
                                                    "mode": _round(min(max(amount, low), high), 0),
                                                    "high": _round(high, 0)}
        cash_note = (f"No balance is stated{' after ' + stated_as_of.isoformat() if stated else ''}"
                     f". The runway guidance of {as_of.isoformat()} (cash lasting to about "
                     f"{runway[1].isoformat()}) at the burn of {_money(burn_now)} a year implies "
                     f"{months:.1f} months of burn left, dated at that release; the range spans "
                     f"the guided period.")
        if stated is not None:
            cash_note += (f" The older stated balance ({_money(stated.value, stated.currency)} "
                          f"as of {stated_as_of.isoformat()}) predates that guidance.")
        d.cite("company.cash.as_of", runway[0], "runway guidance the balance is inferred from")
        d.note("company.cash.amount", cash_note)
    elif stated is not None:
        cash = {"amount": _round(stated.value, 0), "as_of": stated_as_of}
        d.cite("company.cash.amount", stated, f"balance of {_money(stated.value, stated.currency)}")
        if stated.period:
            d.cite("company.cash.as_of", stated, "date the balance was measured")
        else:
            d.note("company.cash.as_of", "the release gives no balance date; its release date "
                                         "is taken")
        if stated.currency and stated.currency != currency:
            d.note("company.cash.amount", f"stated in {stated.currency}, not converted: check.")
    else:
        cash = {"amount": 0.0, "as_of": valuation}
        d.note("company.cash.amount", "PLACEHOLDER: no cash balance and no runway guidance with "
                                      "a burn in the terms; enter the latest balance.")
        d.note("company.cash.as_of", "PLACEHOLDER: dated at the valuation date.")
    company["cash"] = cash

    # burn: previous level, then the current one from its release date
    burn: list[dict[str, Any]] = []
    first_allowed = min(cash["as_of"], valuation)
    if current:
        low, high, mid = _annual(current[0][2])
        term = current[0][2]
        start = d.date_of(term) or first_allowed
        if previous:
            p_low, p_high, p_mid = _annual(previous[0])
            p_start = min(first_allowed, date(start.year, 1, 1))
            if p_start >= start:
                p_start = start - timedelta(days=1)
            burn.append({"from": p_start, "annual": _round(p_mid, 0)})
            d.cite("company.burn.0.annual", previous[0],
                   f"level the release says burn is coming down from ({_money(p_mid)} a year)")
            d.note("company.burn.0.from", "the earlier level is taken to run from the start of "
                                          "the year of the change (or from the cash date)")
            if p_high is not None:
                d.uncertainty["company.burn.0.annual"] = {"dist": "uniform", "low": p_low,
                                                          "high": p_high}
        else:
            start = min(start, first_allowed)
        i = len(burn)
        burn.append({"from": start, "annual": _round(mid, 0)})
        d.cite(f"company.burn.{i}.annual", term,
               f"burn guided at {_money(mid)} a year" + (
                   " (midpoint of the stated range)" if high is not None else "") + (
                   f", annualised from a {term.unit} figure" if term.unit in ("quarterly",
                                                                                "monthly")
                   else ""))
        if term.unit is None:
            d.note(f"company.burn.{i}.annual", "the release does not say per what period; a "
                                               "year is assumed.")
        if high is not None:
            d.uncertainty[f"company.burn.{i}.annual"] = {"dist": "uniform", "low": low,
                                                         "high": high}
        if d.date_of(term) and start == d.date_of(term):
            d.cite(f"company.burn.{i}.from", term, "the level is taken to apply from the "
                                                    "release that announces it")
        else:
            d.note(f"company.burn.{i}.from", "taken to apply from the cash date so that the "
                                             "balance can be rolled forward")
    elif runway and cash["amount"] > 0:
        months = max((runway[1] - cash["as_of"]).days, 1) / 365.25 * 12
        later = [t for t in _received_after(d, cash["as_of"], d.same_day)
                 if d.date_of(t) <= (runway_release or valuation)]
        funds = cash["amount"] + sum(t.value for t in later)
        annual = funds * 12 / months
        burn.append({"from": first_allowed, "annual": _round(annual, 0)})
        received = " and the money received after it" if later else ""
        d.note("company.burn.0.annual", f"no burn stated: implied by the balance{received} "
                                        f"({_money(funds)}) lasting to "
                                        f"{runway[1].isoformat()} as guided "
                                        f"({months:.1f} months).")
        d.cite("company.burn.0.from", runway[0], "runway guidance the burn is inferred from")
    else:
        burn.append({"from": first_allowed, "annual": 0.0})
        d.note("company.burn.0.annual", "PLACEHOLDER: no burn rate and no runway guidance in the "
                                        "terms; enter the annual operating burn.")
    company["burn"] = burn
    company["min_cash"] = 0.0
    d.note("company.min_cash", "no operating floor assumed: the company is out of cash at zero")
    company["fiscal_year_end"] = "12-31"
    d.note("company.fiscal_year_end", "calendar year assumed; the terms do not give the fiscal "
                                      "year end")
    for t in d.of("cost_reduction"):
        d.note("company.burn", f"a cost reduction of {_money(t.value, t.currency)} "
                               f"({t.unit or 'period not stated'}) is announced in "
                               f"{Path(t.source or '').name}:{t.line}; the burn levels above "
                               f"already reflect what the release guides.")
        break
    return company, currency, implied


def _funding_and_financings(d: _Draft, company: dict, pids: Mapping[str, str],
                            implied_cash: bool) -> None:
    """Non-dilutive commitments, and money received after the balance date.

    When the balance is inferred from runway guidance, the company's guidance
    already counts the draws it expects: commitments are noted, not added.
    """
    funding = []
    for t in d.of("funding_commitment"):
        if implied_cash:
            d.note("company.funding", f"a commitment of {_money(t.value, t.currency)} "
                                      f"({_ref_name(t.source)}:{t.line}) is left out: the cash "
                                      f"balance is inferred from runway guidance, which counts "
                                      f"the draws the company expects.")
            continue
        start = d.date_of(t) or company["cash"]["as_of"]
        i = len(funding)
        draw = {"label": f"{t.counterparty or 'funding'} commitment"
                         + (f" ({t.program})" if t.program else ""),
                "amount": _round(t.value, 0), "currency": t.currency or company["currency"],
                "start": start, "end": start + relativedelta(years=FUNDING_YEARS)}
        if t.program in pids:
            draw["program"] = pids[t.program]
        funding.append(draw)
        d.cite(f"company.funding.{i}.amount", t,
               f"non-dilutive commitment of {_money(t.value, t.currency)}")
        d.note(f"company.funding.{i}", f"PLACEHOLDER: the undrawn part is not stated; the whole "
                                       f"commitment is assumed undrawn at its release and drawn "
                                       f"evenly over {FUNDING_YEARS} years. Reduce it by any "
                                       f"part already received.")
    company["funding"] = funding
    as_of = company["cash"]["as_of"]
    financings = []
    for t in _received_after(d, as_of, d.same_day):
        i = len(financings)
        what = "upfront payment" if t.kind == "license_deal" else "financing"
        financings.append({"label": f"{what}" + (f" from {t.counterparty}" if t.counterparty
                                                 else ""),
                           "date": d.date_of(t), "amount": _round(t.value, 0),
                           "currency": t.currency or company["currency"], "fees": 0.0})
        d.cite(f"company.financings.{i}.amount", t,
               f"{what} of {_money(t.value, t.currency)} after the balance date"
               + (" (shares sold times their price)" if t.attrs.get("gross_from") else ""))
        d.note(f"company.financings.{i}.fees", "fees not stated; gross amount taken")
    for t in _received_after(d, as_of - timedelta(days=1), True):
        if d.date_of(t) == as_of and not d.same_day:
            d.note("company.cash.amount", f"a {t.kind.replace('_', ' ')} of "
                                          f"{_money(t.value, t.currency)} is announced on the "
                                          f"balance date and taken to be in the balance: check.")
    company["financings"] = financings
    if financings:
        d.note("company.financings", "amounts received after the cash balance date, so not in "
                                     "it (booked at their release date)")
    else:
        d.note("company.financings", "no money received after the balance date and no planned "
                                     "raise in the terms")


# --------------------------------------------------------------------------- programs


def _stage_of_phase(phase: str) -> tuple[str, str | None]:
    """Scenario stage of an extracted phase ("phase2_end" -> phase3), with a reason if mapped."""
    if phase in ("preclinical", "approved"):
        return phase, None
    m = re.match(r"phase(\d)([ab]?)(?:_(end|\d))?$", phase)
    if not m:
        return "preclinical", f"phase {phase!r} not recognised; preclinical assumed"
    n, tail = int(m[1]), m[3]
    if n >= 4:
        return "approved", "a Phase IV (post-approval) study implies the product is approved"
    if tail == "end" and n < 3:
        return f"phase{n + 1}", (f"at the end of Phase {'I' * n}: the next phase is the one "
                                 f"ahead of it")
    if tail and tail.isdigit():
        return f"phase{n}", f"a combined Phase {n}/{tail} trial is counted as Phase {n}"
    return f"phase{n}", None


def _event_name(event: str, stage: str) -> str:
    event = re.sub(r"^(phase\d)_\d+_", r"\1_", event)  # phase1_2_start -> phase1_start
    if event in ("results", "start") and stage.startswith("phase"):
        return f"{stage}_{event}"
    return event


def _area(d: _Draft, program: str) -> tuple[str, str]:
    words = " ".join(t.quote for t in d.all if t.program == program)
    for area, regex in _AREA_WORDS:
        if regex.search(words):
            return area, ("therapeutic area guessed from words in the releases' sentences "
                          "about it; it picks the benchmark table")
    return "all_indications", ("therapeutic area not found in the terms; all-indication "
                               "benchmarks used")


def _royalty(d: _Draft, pid: str, program: str) -> dict | None:
    base = f"programs.{pid}.royalty"
    tiers = [t for t in d.of("royalty_tier", program) if not _WATERFALL_RE.search(t.quote)
             and t.unit != "per_unit"]
    if tiers:
        release = tiers[-1].source
        tiers = [t for t in tiers if t.source == release]
        out = []
        for t in tiers:
            upper = None if t.attrs.get("bound") == "above" else (t.value_high or t.value)
            out.append((upper, t))
        out.sort(key=lambda x: float("inf") if x[0] is None else x[0])
        bounds = [u for u, _ in out]
        if all(u is not None for u in bounds[:-1]) and len(set(bounds)) == len(bounds):
            royalty = {"tiers": [{"rate": _round(t.attrs["share"])} | (
                {"up_to": _round(u, 0)} if u is not None else {}) for u, t in out]}
            for i, (_, t) in enumerate(out):
                d.cite(f"{base}.tiers.{i}", t, f"royalty of {t.attrs['share']:.1%} on this band "
                                               f"of annual net sales")
            if out[-1][0] is not None:
                d.note(f"{base}.tiers", "no rate is stated above the last band; the last band's "
                                        "bound is kept and sales above it earn nothing")
            _royalty_years(d, base, royalty)
            return royalty
    rates = d.of("royalty_rate", program)
    if not rates:
        return None
    t = rates[-1]
    if t.value is not None:
        low, high = t.value, t.value_high
        rate = (low + high) / 2 if high is not None else low
        royalty = {"tiers": [{"rate": _round(rate)}]}
        d.cite(f"{base}.tiers.0.rate", t, f"royalty rate of {low:.1%}" + (
            f" to {high:.1%} (midpoint taken)" if high is not None else ""))
    else:
        low, high = t.attrs.get("low"), t.attrs.get("high")
        descriptor = t.attrs.get("descriptor") or "qualitative"
        if low is None or high is None:
            return None
        rate = (low + high) / 2
        royalty = {"descriptor": descriptor, "tiers": [{"rate": _round(rate, 4)}]}
        d.cite(f"{base}.descriptor", t, f"{descriptor} royalty on net sales")
        d.note(f"{base}.tiers", f"'{descriptor}' read as {low:.0%} to {high:.0%}; the midpoint "
                                f"is the value and the range a uniform distribution")
    if high is not None:
        d.uncertainty[f"{base}.tiers.0.rate"] = {"dist": "uniform", "low": low, "high": high}
    _royalty_years(d, base, royalty)
    return royalty


def _royalty_years(d: _Draft, base: str, royalty: dict) -> None:
    royalty["years"] = 12.0
    d.note(f"{base}.years", "royalty term not stated: twelve years from launch assumed (the "
                            "schema's default)")


def _milestones(d: _Draft, pid: str, program: str, stage: str, events: Mapping[str, Any],
                valuation: date) -> dict | None:
    t = d.latest("milestone_total", program)
    if t is None:
        return None
    base = f"programs.{pid}.milestones"
    milestones: dict[str, Any] = {"currency": t.currency or "USD", "total": _round(t.value, 0)}
    d.cite(f"{base}.total", t, f"total of {_money(t.value, t.currency)} in milestones")
    if t.currency:
        d.cite(f"{base}.currency", t, f"milestones stated in {t.currency}")
    else:
        d.note(f"{base}.currency", "PLACEHOLDER: currency not stated; US dollars assumed")
    earlier = [x for x in d.of("milestone_total", program) if x.value != t.value]
    if earlier:
        d.note(f"{base}.total", "earlier releases gave "
               + ", ".join(f"{_money(x.value, x.currency)} ({d.date_of(x) or 'undated'})"
                           for x in earlier) + "; the latest total is kept.")
    current = STAGES.index(stage)
    ahead = [event for st, event in _MILESTONE_EVENTS if STAGES.index(st) > current]
    start_now = f"{stage}_start"
    if start_now in events and events[start_now]["end"] >= valuation:
        ahead.insert(0, start_now)
    if ahead:
        weights = [2.0 ** i for i in range(len(ahead))]
        schedule = [{"event": e, "amount": _round(t.value * w / sum(weights), 0)}
                    for e, w in zip(ahead[:-1], weights)]
        schedule.append({"event": ahead[-1],
                         "amount": _round(t.value - sum(m["amount"] for m in schedule), 0)})
        milestones["schedule"] = schedule
        d.note(f"{base}.schedule", f"PLACEHOLDER: the split by event is not disclosed. The total "
                                   f"is put on the events still ahead ({', '.join(ahead)}), "
                                   f"each getting twice the one before it, as deals weight "
                                   f"later events more. Sales milestones need thresholds and "
                                   f"are left out, which pulls their share earlier.")
    else:
        milestones["schedule"] = []
        d.note(f"{base}.schedule", "no development or regulatory event is ahead; only sales "
                                   "milestones could remain: add them with their thresholds")
    return milestones


def _events(d: _Draft, pid: str, program: str, stage: str, valuation: date
            ) -> tuple[dict[str, dict], dict[str, Any]]:
    """Guided events of a program (latest guidance each) and their periods."""
    by_event: dict[str, list[Term]] = {}
    for t in d.of("expected_event", program, body=False):
        if t.period is None:
            continue
        by_event.setdefault(_event_name(str(t.attrs.get("event") or ""), stage), []).append(t)
    chosen: dict[str, Term] = {}
    for event, mentions in by_event.items():
        if not event:
            continue
        latest_day = max((d.date_of(t) or date.min) for t in mentions)
        latest = [t for t in mentions if (d.date_of(t) or date.min) == latest_day]
        chosen[event] = preferred_guidance(latest, d.date_of(latest[0]))
    for stage_started in set(_SAME_START.values()):
        same = [e for e in chosen if _SAME_START.get(e) == stage_started]
        if len(same) > 1:
            keep = max(same, key=lambda e: (d.date_of(chosen[e]) or date.min, e))
            for e in same:
                if e != keep:
                    old = chosen.pop(e)
                    d.note(f"programs.{pid}.events.{keep}",
                           f"an older guidance for {e.replace('_', ' ')} "
                           f"({_phrase(old.period) or old.period}, said "
                           f"{d.date_of(old) or 'on an unknown date'}) marks the same stage "
                           f"start and is dropped.")
    events: dict[str, dict] = {}
    periods: dict[str, Any] = {}
    for event, t in sorted(chosen.items(), key=lambda kv: kv[1].period):
        said = d.date_of(t)
        when = _guided_when(t, said)
        if when is None:
            continue
        guided: dict[str, Any] = {"when": when}
        if said is not None:
            guided["said"] = said
        events[event] = guided
        periods[event] = {"start": t.period.start, "end": t.period.end}
        history = sorted({(d.date_of(x), x.period) for x in by_event[event]
                          if d.date_of(x) and d.date_of(x) < (said or date.max)},
                         key=lambda x: x[0])
        note = f"guided as '{when}'"
        if history:
            first_day, first_period = history[0]
            note += (f"; first guided {first_day.isoformat()} for "
                     f"{_phrase(first_period) or first_period}")
        d.cite(f"programs.{pid}.events.{event}", t, note)
        if t.boilerplate:
            d.note(f"programs.{pid}.events.{event}", "stated only in the forward-looking "
                                                     "statements of its release.")
        if t.period.end < valuation:
            d.note(f"programs.{pid}.events.{event}", "its guided period ended before the "
                                                     "valuation date: the event is overdue or "
                                                     "has happened; check.")
    return events, periods


def _stage(d: _Draft, pid: str, program: str, events: Mapping[str, Term]) -> str:
    phases = d.of("program_phase", program)
    if phases:
        t = phases[-1]
        stage, why = _stage_of_phase(str(t.attrs.get("phase") or ""))
        d.cite(f"programs.{pid}.stage", t, f"development stage stated as "
                                           f"{str(t.attrs.get('phase')).replace('_', ' ')}")
        if why:
            d.note(f"programs.{pid}.stage", why)
        return stage
    implied = [_EVENT_STAGE[e] for e in events if e in _EVENT_STAGE]
    if implied:
        stage = max(implied, key=STAGES.index)
        d.note(f"programs.{pid}.stage", f"no phase stated; {stage} is implied by the guided "
                                        f"events ({', '.join(sorted(events))})")
        return stage
    d.note(f"programs.{pid}.stage", "PLACEHOLDER: no phase and no guided event in the terms; "
                                    "preclinical assumed")
    return "preclinical"


def _stages(d: _Draft, pid: str, area: str, stage: str) -> dict[str, dict[str, float]]:
    """Benchmark pass rates and durations of the stages ahead, with one note citing them."""
    out: dict[str, dict[str, float]] = {}
    rates: list[str] = []
    months: list[str] = []
    for st in STAGES[STAGES.index(stage):STAGES.index("approved")]:
        p = bm.success_rate(area, st)
        m = bm.duration_months(area, st)
        out[st] = {"probability": float(p.value), "months": float(m.value)}
        rates += [p.source] if p.source not in rates else []
        months += [m.source] if m.source not in months else []
    if out:
        d.note(f"programs.{pid}.stages", f"benchmark defaults for the {area.replace('_', ' ')} "
                                         f"area. Pass rates: {'; '.join(rates)}. Durations: "
                                         f"{'; '.join(months)}.")
    return out


def _programs(d: _Draft, valuation: date) -> tuple[dict[str, dict], dict[str, str],
                                                    dict[str, dict]]:
    names: list[str] = []
    for t in sorted(d.body, key=d.order):
        if t.kind in _PROGRAM_KINDS and t.program and t.program not in names:
            names.append(t.program)
    pids: dict[str, str] = {}
    for name in names:
        pid, n = _pid(name), 2
        while pid in pids.values():
            pid, n = f"{_pid(name)}{n}", n + 1
        pids[name] = pid
    programs: dict[str, dict] = {}
    periods: dict[str, dict] = {}
    for name in names:
        pid = pids[name]
        raw_events = {_event_name(str(t.attrs.get("event") or ""), "preclinical"): t
                      for t in d.of("expected_event", name, body=False)}
        stage = _stage(d, pid, name, raw_events)
        events, event_periods = _events(d, pid, name, stage, valuation)
        area, area_note = _area(d, name)
        program: dict[str, Any] = {"name": name}
        aliases = sorted({(k.upper() if _CODE_RE.match(k) else k) for k, v in d.aliases.items()
                          if v == name and k != name.lower()})
        if aliases:
            program["aliases"] = aliases
        program["area"] = area
        program["indication"] = ""
        d.note(f"programs.{pid}.area", area_note)
        d.note(f"programs.{pid}.indication", "not extracted from the releases; fill in")
        economic = sorted((t for t in d.body if t.program == name and t.counterparty
                           and t.kind in _ECONOMIC_KINDS
                           and (t.kind != "license_deal" or t.value is not None)), key=d.order)
        partner = economic[-1] if economic else None
        if partner is not None:
            program["partner"] = partner.counterparty
            d.cite(f"programs.{pid}.partner", partner, "partner named with the deal's economic "
                                                       "terms")
        else:
            deals = [t for t in d.of("license_deal", name) if t.counterparty]
            if deals:
                d.note(f"programs.{pid}", f"an agreement with {deals[-1].counterparty} is "
                                          f"mentioned without economic terms; not set as partner.")
        program["stage"] = stage
        if events:
            program["events"] = events
        program["stages"] = _stages(d, pid, area, stage)
        milestones = _milestones(d, pid, name, stage, event_periods, valuation)
        if milestones:
            program["milestones"] = milestones
        royalty = _royalty(d, pid, name)
        if royalty:
            program["royalty"] = royalty
        sales = d.latest("sales_forecast", name)
        if sales is not None:
            program["sales"] = {"peak": _round(sales.value_high or sales.value, 0),
                                "currency": sales.currency or "USD"}
            d.cite(f"programs.{pid}.sales.peak", sales,
                   f"sales forecast of {_money(sales.value_high or sales.value, sales.currency)}"
                   f" a year, taken as peak sales")
            d.note(f"programs.{pid}.sales", f"launch curve and erosion after exclusivity "
                                            f"take the benchmarks: {bm.LAUNCH_CURVE.source}; "
                                            f"{bm.EROSION.source}")
        elif royalty or milestones and any(m["event"] == "sales"
                                           for m in milestones.get("schedule", [])):
            d.note(f"programs.{pid}", "no sales forecast in the terms: royalties earn nothing "
                                      "until a sales section with peak sales is added.")
        programs[pid] = program
        periods[pid] = event_periods
    return programs, pids, periods


# --------------------------------------------------------------------------- RCU and capital


def _rcu(d: _Draft, programs: Mapping[str, dict], pids: Mapping[str, str],
         valuation: date, currency: str) -> dict | None:
    """A royalty financing: units, price, waterfall tiers, cap, conversion, feeds."""
    waterfall = [t for t in d.of("royalty_tier") if t.unit == "per_unit"
                 or _WATERFALL_RE.search(t.quote)]
    if not waterfall:
        return None
    release = waterfall[-1].source
    tiers_terms = [t for t in waterfall if t.source == release]
    same = [t for t in d.body if t.source == release]
    priced = [t for t in same if t.kind == "financing" and t.attrs.get("count")
              and t.unit in ("per_unit", "per_share")]
    gross = [t for t in same if t.kind == "financing" and t.unit not in ("per_unit", "per_share")]
    rcu: dict[str, Any] = {}
    if priced:
        t = priced[0]
        rcu["units"] = round(t.attrs["count"])
        rcu["price"] = float(t.value)
        d.cite("rcu.units", t, f"{int(t.attrs['count']):,} units sold")
        d.cite("rcu.price", t, f"{_money(t.value, t.currency)} per unit")
    elif gross:
        t = max(gross, key=lambda x: x.value)
        rcu["units"] = 1
        rcu["price"] = float(t.value)
        d.cite("rcu.price", t, f"gross proceeds of {_money(t.value, t.currency)}, "
                               f"taken as one unit")
        d.note("rcu.units", "the royalty interest is sold as a whole: modelled as one unit")
    else:
        return None
    issued = d.date_of(tiers_terms[0])
    if issued:
        rcu["issued"] = issued
        d.cite("rcu.issued", tiers_terms[0], "sale announced in this release")
    else:
        rcu["issued"] = valuation
        d.note("rcu.issued", "PLACEHOLDER: the release date is unknown; the valuation date is "
                             "used")
    tiers, paid = [], 0.0
    for t in tiers_terms:
        size = t.value - paid if _CUMULATIVE_RE.search(t.quote) else t.value
        if size <= 0:
            d.note("rcu.tiers", f"a tier ending at {_money(t.value)} adds nothing and is "
                                f"dropped")
            continue
        tiers.append({"amount": _round(size), "share": _round(t.attrs["share"])})
        paid += size
    cap_terms = [t for t in same if t.kind == "royalty_cap"]
    cap = None
    if cap_terms:
        c = cap_terms[0]
        cap = c.value * rcu["price"] if c.unit == "multiple" else c.value
        what = (f"payments capped at {c.value:g} times the price" if c.unit == "multiple"
                else f"payments capped at {_money(c.value)} per unit")
        if cap < paid - 1e-6:
            kept, total = [], 0.0
            for tier in tiers:
                room = cap - total
                if room <= 0:
                    break
                kept.append({**tier, "amount": _round(min(tier["amount"], room))})
                total += kept[-1]["amount"]
            tiers = kept
            d.note("rcu.tiers", f"the cap ({_money(cap)}) is below the tiers' sum "
                                f"({_money(paid)}): the tiers are cut at the cap.")
        elif cap > paid + 1e-6:
            d.note("rcu.tiers", f"the tiers sum to {_money(paid)}, below the stated cap "
                                f"({_money(cap)}): check for a missing tier.")
        d.cite("rcu.tiers", tiers_terms[0], "waterfall tiers: share of royalties and amount per "
                                            f"unit of each; {what}")
    else:
        d.cite("rcu.tiers", tiers_terms[0], "waterfall tiers: share of royalties and amount per "
                                            "unit of each")
    if any(_CUMULATIVE_RE.search(t.quote) for t in tiers_terms):
        d.note("rcu.tiers", "thresholds stated as running totals are turned into tier sizes.")
    if not tiers:
        return None
    rcu["tiers"] = tiers
    other = {t.currency for t in tiers_terms if t.currency and t.currency != currency}
    if other:
        d.note("rcu.tiers", f"amounts stated in {', '.join(sorted(other))} are used as "
                            f"{currency} (the waterfall has no currency of its own): convert.")
    fed = []
    for t in same:
        if (t.program in pids and pids[t.program] in programs and pids[t.program] not in fed
                and t.kind in ("license_deal", "royalty_rate", "royalty_tier", "milestone_total")):
            fed.append(pids[t.program])
    if not fed:
        fed = [pid for pid, p in programs.items() if "royalty" in p]
        if not fed:
            return None
        d.note("rcu.feeds", "the financing's release names no licensed program: every program "
                            "with a royalty is taken to feed it")
    else:
        d.cite("rcu.feeds", next(t for t in same if t.program in pids
                                 and pids[t.program] == fed[0]),
               "royalties of the licences named with the financing")
    rcu["feeds"] = fed
    rcu["milestones_feed"] = False
    d.note("rcu.milestones_feed", "only royalties are taken to flow into the waterfall")
    rcu["paid_to_date"] = 0.0
    d.note("rcu.paid_to_date", "no payment to holders is reported in the terms")
    conv = next((t for t in same if t.kind == "conversion"), None)
    if conv is not None:
        per_unit = conv.attrs.get("count") or rcu["price"] / conv.value
        rcu["conversion"] = {"shares_per_unit": float(per_unit), "price": float(conv.value),
                             "rule": "proportional"}
        d.cite("rcu.conversion.price", conv, f"conversion at {_money(conv.value)} a share")
        if conv.attrs.get("count"):
            d.cite("rcu.conversion.shares_per_unit", conv, f"{per_unit:g} shares per unit")
        else:
            d.note("rcu.conversion.shares_per_unit", "unit price divided by the conversion price")
        d.note("rcu.conversion.rule", "shares assumed to shrink in proportion to what holders "
                                      "have been paid")
    return rcu


def _capital(d: _Draft, valuation: date, currency: str) -> dict:
    capital: dict[str, Any] = {}
    shares = d.of("shares")
    direct = [t for t in shares if t.attrs.get("total")]
    implied = [t for t in shares if t.attrs.get("percent")]
    if direct:
        t = direct[-1]
        capital["shares_outstanding"] = round(t.value)
        d.cite("capital.shares_outstanding", t, f"{int(t.value):,} shares outstanding")
    elif implied:
        t = implied[-1]
        total = t.value / t.attrs["percent"]
        capital["shares_outstanding"] = round(total)
        d.cite("capital.shares_outstanding", t,
               f"a holding of {int(t.value):,} shares is {t.attrs['percent']:.0%} of the total, "
               f"so about {total / 1e6:,.1f} million in all")
        d.note("capital.shares_outstanding", "derived from a holding and its rounded "
                                             "percentage: approximate")
    else:
        capital["shares_outstanding"] = 1
        d.note("capital.shares_outstanding", "PLACEHOLDER: no count of shares outstanding in "
                                             "the terms; enter it")
    price = next((t for t in reversed(d.of("financing")) if t.unit == "per_share"
                  and t.attrs.get("instrument") in (None, "common_shares")), None)
    if price is not None:
        capital["share_price"] = float(price.value)
        d.cite("capital.share_price", price, f"offering price of {_money(price.value)} a share, "
                                             f"taken as the market price")
    warrants = []
    for t in d.of("warrant"):
        count = t.attrs.get("count")
        if count is None or t.value is None or t.value <= 0:
            d.note("capital.warrants", f"a warrant term in {Path(t.source or '').name}:{t.line} "
                                       f"lacks a share count or price and is left out.")
            continue
        i = len(warrants)
        issued = d.date_of(t)
        label = "warrants" + (f" ({t.counterparty})" if t.counterparty else "")
        warrant: dict[str, Any] = {"label": label, "count": round(count),
                                   "strike": float(t.value)}
        if t.period is not None:
            warrant["expires"] = t.period.end
            how = {"closing": " counted from the closing date",
                   "release": " counted from the release date"}.get(t.attrs.get("expiry_from"), "")
            d.cite(f"capital.warrants.{i}.expires", t,
                   "expiry" + (f" after a term of {t.attrs['term_months']} months{how}"
                               if t.attrs.get("term_months") else " date stated"))
        else:
            start = issued or valuation
            warrant["expires"] = start + relativedelta(years=DEFAULT_WARRANT_YEARS)
            d.note(f"capital.warrants.{i}.expires", f"PLACEHOLDER: no expiry stated; "
                                                    f"{DEFAULT_WARRANT_YEARS} years from issue "
                                                    f"assumed")
        if issued:
            warrant["issued"] = issued
            d.cite(f"capital.warrants.{i}.issued", t, "issued with the transaction of this "
                                                      "release")
        d.cite(f"capital.warrants.{i}.count", t, f"{int(count):,} shares")
        d.cite(f"capital.warrants.{i}.strike", t, f"exercise price {_money(t.value)} a share")
        if t.currency and t.currency != currency:
            d.note(f"capital.warrants.{i}.strike", f"stated in {t.currency}, the reporting "
                                                   f"currency is {currency}: check.")
        warrants.append(warrant)
    capital["warrants"] = warrants
    capital["overhead_years"] = 3.0
    d.note("capital.overhead_years", "three years of corporate burn charged against the sum of "
                                     "the parts (schema default)")
    return capital


def _key_event(programs: Mapping[str, dict], periods: Mapping[str, Mapping[str, dict]],
               valuation: date) -> dict | None:
    best = None
    for pid, program in programs.items():
        rank = STAGES.index(program["stage"])
        for event, period in periods.get(pid, {}).items():
            if not event.endswith("_results") or period["end"] < valuation:
                continue
            key = (-rank, period["end"], pid)
            if best is None or key < best[0]:
                best = (key, pid, event)
    return None if best is None else {"program": best[1], "event": best[2], "margin_months": 12}


# --------------------------------------------------------------------------- public API


def draft_scenario(terms: Iterable[Term], documents: Sequence[Document] = (),
                   aliases: Mapping[str, str] | None = None, *,
                   fallback_date: date | None = None) -> dict[str, Any]:
    """A scenario skeleton (plain data, as in the YAML file) from extracted terms.

    Parameters
    ----------
    terms : iterable of Term
        Every mention from the releases (``Extraction.all_terms``, or a terms
        file read back); boilerplate mentions are used for guided events only.
    documents : sequence of Document
        The releases: their dates date every fact (``said``, ``issued``...)
        and the latest is the valuation date.
    aliases : mapping, optional
        Lower-case program name -> canonical id (``Extraction.aliases``).
    fallback_date : datetime.date, optional
        Valuation date when no release date is known (labelled a placeholder);
        without it such terms raise.

    Returns
    -------
    dict
        Loads with :func:`finmodel.load_scenario` once written as YAML; every
        fact is under ``sources``, every assumption under ``notes``.

    Raises
    ------
    InputError
        If no release date is known and no ``fallback_date`` is given.
    """
    d = _Draft(list(terms), list(documents), aliases or {})
    dates = [day for day in d.published.values() if day is not None]
    issuer = next((doc.issuer for doc in sorted(
        d.documents, key=lambda x: x.published or date.min, reverse=True) if doc.issuer), None)
    if dates:
        valuation = max(dates)
        latest = max((doc for doc in d.documents if doc.published), key=lambda x: x.published)
        if latest.line:
            how = {"dateline": "dateline", "inferred": "year inferred"}.get(latest.how,
                                                                             latest.how)
            d.sources["valuation_date"] = {"ref": f"{_ref_name(latest.source)}:{latest.line}",
                                           "note": f"date of the latest release ({how})"}
        else:
            d.note("valuation_date", f"date of the latest release ({latest.how})")
    elif fallback_date is not None:
        valuation = fallback_date
        d.note("valuation_date", "PLACEHOLDER: no release date is known; the drafting date is "
                                 "used and relative guidance cannot be dated.")
    else:
        raise InputError("no release date is known: add a 'documents' list with each file's "
                         "published date", field="documents")
    company, currency, implied_cash = _company(d, valuation, issuer)
    programs, pids, periods = _programs(d, valuation)
    _funding_and_financings(d, company, pids, implied_cash)
    rcu = _rcu(d, programs, pids, valuation, currency)
    capital = _capital(d, valuation, currency)

    fx: dict[str, float] = {}
    for section in (*(p.get("milestones") or {} for p in programs.values()),
                    *(p.get("sales") or {} for p in programs.values()),
                    *company["funding"], *company["financings"]):
        other = section.get("currency")
        if other and other != currency and other not in fx:
            fx[other] = 1.0
            d.note(f"fx.{other}", f"PLACEHOLDER: parity; enter {currency} per {other} at the "
                                  f"valuation date")
    scenario: dict[str, Any] = {
        "name": f"{issuer or 'Company'} (draft, {valuation.isoformat()})",
        "valuation_date": valuation,
        "company": company,
        "fx": fx,
        "discounting": {"rate": DISCOUNT_RATE, "convention": "end_of_period"},
        "horizon_years": 25,
    }
    d.note("discounting.rate", f"PLACEHOLDER: {DISCOUNT_RATE:.0%} a year; the project has no "
                               f"cited table of discount rates")
    d.note("discounting.convention", "flows at the end of each month (the project's convention)")
    d.note("horizon_years", "25 years: long enough for launch and the royalty term of the "
                            "programs")
    key = _key_event(programs, periods, valuation)
    if key:
        scenario["key_event"] = key
        d.note("key_event", "the next guided read-out of the most advanced program; twelve "
                            "months of margin past it")
    scenario["programs"] = programs
    if rcu:
        scenario["rcu"] = rcu
    scenario["capital"] = capital
    scenario["uncertainty"] = d.uncertainty
    scenario["sources"] = dict(sorted(d.sources.items()))
    scenario["notes"] = _placed(scenario, d.notes)
    return _fresh(scenario)


def _exists(tree: Any, path: str) -> bool:
    node = tree
    for key in path.split("."):
        if isinstance(node, dict) and key in node and node[key] is not None:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


def _placed(tree: dict, notes: Mapping[str, str]) -> dict[str, str]:
    """Notes keyed by paths that exist: a note on a missing leaf moves to its nearest parent."""
    out: dict[str, str] = {}
    for path, text in notes.items():
        parts = path.split(".")
        while len(parts) > 1 and not _exists(tree, ".".join(parts)):
            parts.pop()
        key = ".".join(parts)
        out[key] = f"{out[key]} {text}" if key in out else text
    return dict(sorted(out.items()))


def _fresh(node: Any) -> Any:
    """A copy with no object shared between two places (YAML would write anchors for them)."""
    if isinstance(node, dict):
        return {k: _fresh(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_fresh(v) for v in node]
    if isinstance(node, date):
        return date(node.year, node.month, node.day)
    return node


def draft_yaml(terms: Iterable[Term], documents: Sequence[Document] = (),
               aliases: Mapping[str, str] | None = None, *, fallback_date: date | None = None,
               origin: str | None = None, remarks: Sequence[str] = ()) -> str:
    """:func:`draft_scenario` as YAML text, with a header saying how to read it.

    ``origin`` names the terms file in the header; ``remarks`` are extra header lines.
    """
    data = draft_scenario(terms, documents, aliases, fallback_date=fallback_date)
    lines = [
        f"Scenario drafted by `finmodel draft`{' from ' + origin if origin else ''}.",
        "Facts are listed under `sources:` (release file:line); every other value is an",
        "assumption explained under `notes:`. Replace each PLACEHOLDER before relying on",
        "the results.",
        *remarks,
    ]
    return "".join(f"# {line}\n" for line in lines) + "\n" + dump_yaml(data)


def _documents_from_files(terms: Sequence[Term]) -> tuple[list[Document], dict[str, str], bool]:
    """Dates and aliases read again from the releases a terms file names (if they exist)."""
    files = sorted({t.source for t in terms if t.source and Path(t.source).is_file()})
    if not files:
        return [], {}, False
    try:
        ex = extract_many(files)
    except FinmodelError:
        return [], {}, False
    return ex.documents, ex.aliases, True


def write_draft(terms_path: Path, out_path: Path) -> Path:
    """Draft a scenario from a terms file and write it as YAML, atomically.

    Parameters
    ----------
    terms_path : Path
        A terms file (YAML or JSON) written by ``finmodel extract -o`` or
        :func:`~finmodel.extract.dump_terms`.  Without a ``documents`` list the
        release files it names are read again for their dates and aliases.
    out_path : Path
        Where the scenario YAML goes.  It is written only once the draft
        loads with :func:`finmodel.load_scenario`.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    InputError
        Naming the terms file and the field: unreadable or malformed file,
        unknown kind, missing or ill-typed field; or a draft that does not
        validate (naming the scenario field).  Nothing is written then.
    """
    terms_path, out_path = Path(terms_path), Path(out_path)
    read = read_terms(terms_path)
    documents, aliases = read.documents, read.aliases
    remarks: list[str] = []
    if not documents:
        documents, found, reread = _documents_from_files(read.terms)
        aliases = {**found, **aliases}
        if reread:
            remarks.append("The terms file lists no release dates: they were read again from "
                           "the releases.")
    try:
        text = draft_yaml(read.terms, documents, aliases, fallback_date=date.today(),
                          origin=terms_path.name, remarks=remarks)
    except InputError as exc:
        raise exc.located(file=str(terms_path)) from None
    # check the very bytes that will be written, away from the destination
    with tempfile.TemporaryDirectory(prefix="finmodel-draft-") as tmp:
        check = Path(tmp) / out_path.name
        check.write_text(text, encoding="utf-8")
        try:
            load_scenario(check)
        except InputError as exc:
            raise InputError(f"the drafted scenario does not validate: {exc.message}",
                             file=str(terms_path), field=exc.field) from None
    write_text_atomic(out_path, text)
    return out_path
