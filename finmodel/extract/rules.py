"""Rules for terms anchored on a number: money, counts of shares / people / patients.

Each money amount is classified once, in two steps:

1. structural patterns, which need more than a cue word: royalty tiers
   ("75% of royalties ... until $300 per unit"), warrants (count + exercise
   price), conversion prices, per-unit financings (count + price), royalty caps
   and cost reductions ("reduce ... burn ... by $1.5 million");
2. otherwise the nearest cue word of the clause decides (:data:`MONEY_CUES`):
   "milestone" → milestone_total, "upfront" → license_deal, "burn" → burn_rate,
   "cash, cash equivalents" → cash, "raised"/"offering" → financing, ...
   Money with no cue within reach is left out: no term is invented.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from finmodel.periods import Period

from .context import Context
from .dates import as_of_phrases, closing_date, expiry, find_durations
from .money import Money, find_money
from .numbers import NUMBER, find_counts, find_percents, parse_number
from .terms import Term

__all__ = ["MONEY_CUES", "count_terms", "money_terms"]

_REACH = 110  # characters between a cue and its amount, at most


@dataclass(frozen=True)
class Cue:
    """A cue word for a kind; ``guard`` must also hold on the whole sentence."""

    kind: str
    pattern: re.Pattern[str]
    guard: re.Pattern[str] | None = None


def _cue(kind: str, pattern: str, guard: str | None = None) -> Cue:
    return Cue(kind, re.compile(pattern, re.IGNORECASE),
               re.compile(guard, re.IGNORECASE) if guard else None)


#: Cue words by kind, for money not claimed by a structural rule. The nearest
#: cue wins; at equal distance the longer cue, then the earlier entry.
MONEY_CUES: tuple[Cue, ...] = (
    _cue("milestone_total", r"\bmilestones?\b"),
    _cue("license_deal", r"\bup-?\s?front\b|\bsigning (?:fee|payment)|\b(?:on|upon) signing\b|"
                         r"\blicen[cs]e fee|"
                         r"\binitial payment|\baccess fee|\b(?:total|aggregate) (?:deal|transaction) "
                         r"value|\bdeal (?:is )?valued"),
    _cue("burn_rate", r"\bburn(?: rate)?\b|\bcash (?:usage|use|utili[sz]ation|requirements?)\b|"
                      r"\bnet cash used\b|\bspend(?:ing)? rate\b|\boperating (?:cash )?"
                      r"(?:expenses|costs) (?:run[- ]rate|of)\b"),
    _cue("cash", r"\bcash,? (?:and )?cash equivalents|\bcash and (?:short-term )?investments|"
                 r"\bcash (?:position|resources|balance|reserves|on hand)\b|\bin cash\b|"
                 r"\bcash of\b|\bcash totall?ing\b|\bcash and marketable securities"),
    _cue("financing", r"\brais(?:e|ed|es|ing)\b|\bgross proceeds\b|\bnet proceeds\b|"
                      r"\bproceeds of\b|\bprivate placement\b|\boffering\b|\bfinancing\b|"
                      r"\bplacement\b|\bsubscription\b|\bequity investment\b|\bbought deal\b|"
                      r"\bsale of (?:a )?(?:partial )?royalty\b|\bmonetiz\w+|\bmonetis\w+|"
                      r"\broyalty (?:purchase|financing|monetization) agreement"),
    _cue("sales_forecast", r"\b(?:net |annual |peak |worldwide |global |US |U\.S\. )*sales\b",
         guard=r"\bforecast|\bpeak\b|\bproject(?:ed|ions?)\b|\bestimat|\bpotential\b|"
               r"\bcould (?:reach|exceed|generate)|\banalysts?\b"),
    _cue("funding_commitment", r"\b(?:investment|funding|financial) commitment\b|\bgrant\b|"
                               r"\baward(?:ed)?\b|\bcontribution\b|\bnon-dilutive\b|"
                               r"\bgovernment (?:funding|assistance|support)\b|\brepayable\b"),
)

_ROYALTY_RE = re.compile(r"royalt", re.IGNORECASE)
_MILESTONE_NEAR_RE = re.compile(r"milestone", re.IGNORECASE)
_TIER_LINK_RE = re.compile(
    r"\b(?:until|up to|for (?:the )?(?:first|next|last|remaining|subsequent)|on (?:annual )?"
    r"(?:net )?sales|below|under|above|over|between|exceeding|in excess of|thereafter)\b"
    r"[^%$;]{0,40}$",
    re.IGNORECASE,
)
_ABOVE_RE = re.compile(r"\b(?:above|over|exceeding|in excess of)\s$", re.IGNORECASE)
_CAP_BEFORE_RE = re.compile(r"\b(?:up to|capped at|cap of|maximum of|ceases? (?:once|when|after)"
                            r"[^;$]{0,60}|until [^;$]{0,50}(?:receive[sd]?|paid|reach\w*))\s{1,3}"
                            r"(?:a total of |an aggregate of )?$", re.IGNORECASE)
_MULTIPLE_RE = re.compile(rf"(?P<n>{NUMBER})\s?(?:x|times)\b", re.IGNORECASE)
_REDUCE_BY_RE = re.compile(
    r"\b(?:reduc|cut|lower|decreas|trim|sav)\w*\b[^;]{0,90}?\bby\s(?:an estimated\s|"
    r"approximately\s|about\s|roughly\s|over\s|more than\s|up to\s|some\s)?$",
    re.IGNORECASE,
)
_SAVINGS_RE = re.compile(r"\bsavings\b", re.IGNORECASE)
_EXPENSE_RE = re.compile(r"\bburn|expens|\bcosts?\b|\bspend|operating|overhead|payroll",
                         re.IGNORECASE)
_WARRANT_RE = re.compile(r"\bwarrants?\b", re.IGNORECASE)
_CONVERSION_RE = re.compile(r"\bconver(?:t|sion|tible)", re.IGNORECASE)
_BUY_RE = re.compile(r"\bacquir|\bpurchas|\bsold\b|\bsale\b|\bissu|\boffering|\bplacement|"
                     r"\bsubscri|\bprice\b", re.IGNORECASE)
_UNITS_NOUN_RE = re.compile(
    rf"(?P<n>{NUMBER})\s(?P<noun>(?:[A-Z][\w-]*\s){{0,4}}?(?:[A-Za-z-]+\s)?(?:units?|shares?|"
    r"Units|Shares|notes|debentures|warrants|Warrants|ADSs|American Depositary Shares)\b)"
)
_PER_COUNT_RE = re.compile(rf"(?P<n>{NUMBER})\s(?:common |ordinary )?shares? (?:per|for each)\s",
                           re.IGNORECASE)
_EXPIRY_RE = re.compile(r"\bexercis|\bexpir|\buntil\b|\bterm of\b", re.IGNORECASE)
_US_MARKET_RE = re.compile(r"\b(?:US|U\.S\.|United States)\b")
_ANNUAL_RE = re.compile(r"\b(?:annual(?:ly|i[sz]ed)?|per year|a year|per annum|yearly|each year)\b",
                        re.IGNORECASE)
_QUARTERLY_RE = re.compile(r"\b(?:quarterly|per quarter|a quarter|each quarter)\b", re.IGNORECASE)
_MONTHLY_RE = re.compile(r"\b(?:monthly|per month|a month|each month)\b", re.IGNORECASE)
_INSTRUMENTS = (
    ("royalty conversion unit", "royalty_conversion_units"), ("royalty", "royalty_interest"),
    ("convertible note", "convertible_notes"), ("debenture", "convertible_debentures"),
    ("preferred", "preferred_shares"), ("unit", "units"), ("warrant", "warrants"),
    ("common share", "common_shares"), ("share", "common_shares"), ("note", "notes"),
)
_DEFINED_TERM_RE = re.compile(r"\(the [“\"](?P<name>[^”\"]{3,60})[”\"]\)")


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    if a[1] <= b[0]:
        return b[0] - a[1]
    if b[1] <= a[0]:
        return a[0] - b[1]
    return 0


def _period_unit(text: str, lo: int, hi: int, near: int | None = None) -> str | None:
    """"annual", "quarterly" or "monthly" said in ``[lo, hi)``: the one nearest ``near``."""
    near = lo if near is None else near
    best = None
    for regex, unit in ((_ANNUAL_RE, "annual"), (_QUARTERLY_RE, "quarterly"),
                        (_MONTHLY_RE, "monthly")):
        for m in regex.finditer(text, lo, hi):
            distance = abs(m.start() - near)
            if best is None or distance < best[0]:
                best = (distance, unit)
    return best and best[1]


def _instrument(phrase: str) -> str | None:
    lower = phrase.lower()
    return next((name for key, name in _INSTRUMENTS if key in lower), None)


def _money_fields(m: Money) -> dict:
    attrs = {"qualifier": " ".join(m.qualifiers)} if m.qualifiers else {}
    return {"value": m.value, "value_high": m.value_high, "currency": m.currency,
            "attrs": attrs}


# --------------------------------------------------------------------------- structural rules

def _tiers(ctx: Context, monies: list[Money]) -> Iterator[tuple[Term, Money]]:
    """"75% of royalties ... until $300 per unit", "3% on net sales up to $1.5 billion"."""
    text = ctx.text
    starts = [m.start for m in monies]
    for pct in find_percents(text):
        _, hi = ctx.clause(pct.start)
        s = ctx.sentences[ctx.sentence_index(pct.start)]
        i = bisect.bisect_left(starts, pct.end)
        nxt = monies[i] if i < len(monies) and monies[i].start < min(hi, pct.end + 90) else None
        if nxt is None or not _ROYALTY_RE.search(text, s.start, s.end):
            continue
        if not _TIER_LINK_RE.search(text, pct.end, nxt.start):
            continue
        end = nxt.end
        fields = _money_fields(nxt)
        fields["attrs"] = {**fields["attrs"], "share": pct.value}
        if _ABOVE_RE.search(text, pct.end, nxt.start):
            fields["attrs"]["bound"] = "above"
        unit = nxt.per
        yield ctx.term("royalty_tier", pct.start, end, unit=unit, **fields), nxt


def _warrant(ctx: Context, m: Money, lo: int, hi: int) -> Term | None:
    text = ctx.text
    if m.per not in ("per_share", "per_warrant") or not _WARRANT_RE.search(text, lo, m.start):
        return None
    w = _WARRANT_RE.search(text, lo, m.start)
    counts = [c for c in find_counts(text, w.end(), m.start) if c.value >= 100]
    end = m.end
    period = None
    for p in ctx.periods_in(m.end, hi):
        if _EXPIRY_RE.search(text, m.end, p.start):
            period, end = p, p.end
            break
    fields = _money_fields(m)
    if counts:
        fields["attrs"] = {**fields["attrs"], "count": counts[-1].value}
    if period is not None:
        fields["attrs"] = {**fields["attrs"], "period_text": period.text}
        found = period.period
    else:
        found, end, extra = _warrant_term(ctx, lo, m.end, hi, end)
        fields["attrs"] = {**fields["attrs"], **extra}
    return ctx.term("warrant", w.start(), end, unit="per_share", period=found,
                    counterparty=_agent(ctx, w.start()), **fields)


def _warrant_term(ctx: Context, lo: int, after: int, hi: int, end: int) -> tuple:
    """Expiry of a warrant whose term is a duration ("exercisable for five years").

    Looks in the warrant's clause ("five-year warrants" may come before the
    word the term starts at), then in the next sentence when it speaks of
    warrants and states no price of its own.  Returns (period or None, quote
    end, attrs).
    """
    text = ctx.text
    durations = find_durations(text, lo, hi)
    if not durations:
        i = ctx.sentence_index(after) + 1
        if i < len(ctx.sentences):
            s = ctx.sentences[i]
            if _WARRANT_RE.search(text, s.start, s.end) and not find_money(
                    text, ctx.currency, s.start, s.end):
                durations = find_durations(text, s.start, s.end)
    if not durations:
        return None, end, {}
    d = durations[0]
    attrs = {"period_text": d.text, "term_months": d.months}
    if d.offset_months:
        attrs["starts_after_months"] = d.offset_months
    end = max(end, d.end) if d.start < hi else end
    if ctx.published is None:
        return None, end, attrs
    closing = ctx.cache.get("closing")
    if "closing" not in ctx.cache:
        closing = ctx.cache["closing"] = closing_date(text, ctx.periods, ctx.published)
    start = closing or ctx.published
    attrs["expiry_from"] = "closing" if closing else "release"
    day = expiry(d, start)
    return Period(day, day), end, attrs


_AGENT_RE = re.compile(r"\b(?:agents?|underwriters?|placement|broker|advis[eo]rs?)\b", re.IGNORECASE)


def _agent(ctx: Context, offset: int) -> str | None:
    """The agent named in this or the previous sentence, for agent warrants."""
    i = ctx.sentence_index(offset)
    for j in (i, i - 1, i + 1):
        if not 0 <= j < len(ctx.sentences):
            continue
        s = ctx.sentences[j]
        if _AGENT_RE.search(ctx.text, s.start, s.end):
            name = ctx.orgs.nearest(s.start, s.start, s.start, s.end)
            if name:
                return name
    return None


def _conversion(ctx: Context, m: Money, lo: int, hi: int) -> Term | None:
    text = ctx.text
    if m.per != "per_share":
        return None
    c = _CONVERSION_RE.search(text, max(lo, m.start - 120), m.start)
    if c is None:
        return None
    per_count = None
    for pc in _PER_COUNT_RE.finditer(text, lo, hi):
        per_count = pc
    start = min(c.start(), per_count.start() if per_count else c.start())
    fields = _money_fields(m)
    if per_count:
        fields["attrs"] = {**fields["attrs"], "count": parse_number(per_count["n"])}
    return ctx.term("conversion", start, m.end, unit="per_share", **fields)


def _priced_financing(ctx: Context, m: Money, lo: int, hi: int) -> Term | None:
    """"acquiring 29,465 Royalty Conversion Units at a purchase price of $300 per unit"."""
    text = ctx.text
    if m.per not in ("per_unit", "per_share") or not _BUY_RE.search(text, lo, m.start):
        return None
    counted = None
    for u in _UNITS_NOUN_RE.finditer(text, max(lo, m.start - 160), m.start):
        counted = u
    if counted is None:
        return None
    fields = _money_fields(m)
    attrs = {**fields["attrs"], "count": parse_number(counted["n"])}
    instrument = _instrument(counted["noun"])
    if instrument:
        attrs["instrument"] = instrument
    fields["attrs"] = attrs
    verb = _BUY_RE.search(text, max(lo, counted.start() - 40), counted.start())
    start = verb.start() if verb else counted.start()
    return ctx.term("financing", start, m.end, unit=m.per, **fields)


def _royalty_cap(ctx: Context, m: Money, lo: int, hi: int) -> Term | None:
    text = ctx.text
    s = ctx.sentences[ctx.sentence_index(m.start)]
    if not _ROYALTY_RE.search(text, s.start, s.end):
        return None
    if _MILESTONE_NEAR_RE.search(text, max(lo, m.start - 60), min(hi, m.end + 80)):
        return None
    cap = _CAP_BEFORE_RE.search(text, max(lo, m.start - 90), m.start)
    if cap is None:
        return None
    return ctx.term("royalty_cap", cap.start(), m.end, unit=m.per, **_money_fields(m))


def _cost_reduction(ctx: Context, m: Money, lo: int, hi: int) -> Term | None:
    text = ctx.text
    by = _REDUCE_BY_RE.search(text, max(lo, m.start - 120), m.start)
    savings = None if by else _SAVINGS_RE.search(text, max(lo, m.start - 30),
                                                 min(hi, m.end + 40))
    cue = by or savings
    if cue is None or not _EXPENSE_RE.search(text, lo, hi):
        return None
    unit = _period_unit(text, lo, hi, near=m.start)
    start, end = min(cue.start(), m.start), max(cue.end(), m.end)
    if unit and (u := _ANNUAL_RE.match(text, m.end + 1)):
        end = max(end, u.end())
    return ctx.term("cost_reduction", start, end, unit=unit, **_money_fields(m))


_STRUCTURAL: tuple[Callable[[Context, Money, int, int], Term | None], ...] = (
    _warrant, _conversion, _priced_financing, _royalty_cap, _cost_reduction,
)


# --------------------------------------------------------------------------- cue rule

def _nearest_cue(ctx: Context, m: Money, lo: int, hi: int) -> tuple[Cue, re.Match[str]] | None:
    text = ctx.text
    s = ctx.sentences[ctx.sentence_index(m.start)]
    best = None
    for order, cue in enumerate(MONEY_CUES):
        for c in cue.pattern.finditer(text, max(lo, m.start - _REACH), min(hi, m.end + _REACH)):
            if cue.guard and not cue.guard.search(text, s.start, s.end):
                continue
            d = _distance((c.start(), c.end()), (m.start, m.end))
            key = (d, -(c.end() - c.start()), order)
            if best is None or key < best[0]:
                best = (key, cue, c)
    return (best[1], best[2]) if best else None


def _cued(ctx: Context, m: Money, lo: int, hi: int) -> Term | None:
    found = _nearest_cue(ctx, m, lo, hi)
    if found is None:
        return None
    cue, c = found
    text = ctx.text
    start, end = min(c.start(), m.start), max(c.end(), m.end)
    fields = _money_fields(m)
    unit = m.per
    if cue.kind in ("burn_rate", "sales_forecast"):
        unit = unit or _period_unit(text, lo, hi, near=c.start()) or _whole_year_after(ctx, m, hi)
    if cue.kind == "sales_forecast" and not m.explicit_currency and _US_MARKET_RE.search(
            text, start, end):
        fields["currency"] = "USD"  # sales in the US market are dollars, whoever reports them
    if cue.kind == "financing":
        fields["attrs"] = {**fields["attrs"], **_financing_attrs(ctx, m)}
        return ctx.term("financing", start, end, unit=unit,
                        counterparty=_investor(ctx, m.start), **fields)
    if cue.kind == "license_deal":
        fields["attrs"] = {**fields["attrs"], "component": "upfront"
                           if re.search(r"front|signing|initial|fee", c.group(), re.IGNORECASE)
                           else "total"}
    paragraph = cue.kind in ("milestone_total", "license_deal", "funding_commitment")
    counterparty = None if cue.kind in ("cash", "burn_rate") else ctx.counterparty_for(
        start, end, paragraph=paragraph)
    return ctx.term(cue.kind, start, end, unit=unit, counterparty=counterparty, **fields)


def _whole_year_after(ctx: Context, m: Money, hi: int) -> str | None:
    """"annual" when a whole year follows the amount ("$20 million in 2014")."""
    for p in ctx.periods_in(m.end, min(hi, m.end + 30)):
        if p.start - m.end <= 2 and _WHOLE_YEAR_RE.match(p.text):
            return "annual"
    return None


_WHOLE_YEAR_RE = re.compile(r"(?:in|for|during|over)\s(?:the\s)?(?:(?:fiscal|calendar)\s"
                            r"(?:year\s)?)?(?:19|20)\d\d$", re.IGNORECASE)


def _financing_attrs(ctx: Context, m: Money) -> dict:
    s = ctx.sentences[ctx.sentence_index(m.start)]
    sentence = ctx.text[s.start:s.end]
    defined = _DEFINED_TERM_RE.search(sentence)
    instrument = _instrument(defined["name"]) if defined else None
    instrument = instrument or _instrument(ctx.text[m.end:min(s.end, m.end + 100)])
    return {"instrument": instrument} if instrument else {}


_LED_BY_RE = re.compile(r"\b(?:led by|from|with|to)\s(?:the\s)?$", re.IGNORECASE)


def _investor(ctx: Context, offset: int) -> str | None:
    """The investor of a financing: named in its sentence, or "led by ..." in the next."""
    i = ctx.sentence_index(offset)
    for j in (i, i + 1):
        if j >= len(ctx.sentences):
            break
        s = ctx.sentences[j]
        for start, _, name in ctx.orgs.between(s.start, s.end):
            if _LED_BY_RE.search(ctx.text, max(s.start, start - 12), start):
                return name
    return None


def money_terms(ctx: Context) -> list[Term]:
    """Terms anchored on money amounts (see the module docstring)."""
    text = ctx.text
    monies = find_money(text, ctx.currency)
    terms: list[Term] = []
    claimed: set[int] = set()
    for term, m in _tiers(ctx, monies):
        terms.append(term)
        claimed.add(m.start)
    for m in monies:
        if m.start in claimed:
            continue
        lo, hi = ctx.clause(m.start)
        for rule in (*_STRUCTURAL, _cued):
            term = rule(ctx, m, lo, hi)
            if term is not None:
                terms.append(term)
                break
    terms.extend(_multiple_caps(ctx))
    return [_dated_cash(ctx, t, monies) if t.kind == "cash" else
            _previous_burn(ctx, t, monies) if t.kind == "burn_rate" else t for t in terms]


_EXISTING_RE = re.compile(r"\b(?:existing|current)\s$", re.IGNORECASE)


def _dated_cash(ctx: Context, term: Term, monies: list[Money]) -> Term:
    """A cash balance with the day it was measured, when its sentence says it.

    The nearest balance-date phrase after the amount (before the next amount)
    wins, else the nearest one before it (after the previous amount); see
    :mod:`.dates`.  The quote grows to include the phrase.  A balance called
    "existing" or "current" gets ``attrs["scope"] = "existing"``: it leaves
    out money the same release raises.
    """
    s = ctx.sentences[ctx.sentence_index(term.span[0])]
    money = _money_of(term, monies)
    if money is None:
        return term
    existing = _EXISTING_RE.search(ctx.text, max(s.start, term.span[0] - 12), term.span[0])
    if existing:  # "existing cash of ...": the balance before the money this release raises
        term = ctx.term("cash", existing.start(), term.span[1], value=term.value,
                        value_high=term.value_high, currency=term.currency, unit=term.unit,
                        program=term.program, counterparty=term.counterparty,
                        attrs={**term.attrs, "scope": "existing"})
    starts = [m.start for m in monies]
    i = bisect.bisect_left(starts, money.start)
    prev_end = max(s.start, monies[i - 1].end) if i > 0 else s.start
    next_start = min(s.end, monies[i + 1].start) if i + 1 < len(monies) else s.end
    phrases = as_of_phrases(ctx.text, s.start, s.end, ctx.published,
                            ctx.periods_in(s.start, s.end))
    after = [p for p in phrases if money.end <= p.start and p.end <= next_start]
    before = [p for p in phrases if prev_end <= p.start and p.end <= money.start]
    chosen = after[0] if after else (before[-1] if before else None)
    if chosen is None:
        return term
    start, end = min(term.span[0], chosen.start), max(term.span[1], chosen.end)
    return ctx.term("cash", start, end, value=term.value, value_high=term.value_high,
                    currency=term.currency, unit=term.unit, program=term.program,
                    counterparty=term.counterparty, period=Period(chosen.day, chosen.day),
                    attrs={**term.attrs, "period_text": chosen.text})


def _money_of(term: Term, monies: list[Money]) -> Money | None:
    """The amount a money term was built on: the last one in its quote with its value."""
    found = None
    for m in monies:
        if m.start >= term.span[1]:
            break
        if m.start >= term.span[0] and m.value == term.value and m.value_high == term.value_high:
            found = m
    return found


_PREVIOUS_RE = re.compile(
    r"(?:\b(?:down|reduced|decreased|lowered|cut|falling|fell)\sfrom\s(?:[\w-]+\s){0,4}|"
    r"\bpreviously\b[^.;$€£]{0,40}|\bfrom\s(?:a\s|an\s|the\s)?(?:previous|prior|earlier|"
    r"former)\b[^.;$€£]{0,40})$",
    re.IGNORECASE,
)


def _previous_burn(ctx: Context, term: Term, monies: list[Money]) -> Term:
    """Mark a burn level the release says it is moving away from ("down from $9 million")."""
    money = _money_of(term, monies)
    if money is None or not _PREVIOUS_RE.search(ctx.text, max(0, money.start - 60),
                                                 money.start):
        return term
    return term.replace(attrs={"level": "previous"})


def _multiple_caps(ctx: Context) -> Iterator[Term]:
    """Caps written as a multiple: "until the holders receive 1.75 times their investment"."""
    text = ctx.text
    for m in _MULTIPLE_RE.finditer(text):
        lo, hi = ctx.clause(m.start())
        if not _ROYALTY_RE.search(text, lo, hi):
            continue
        cap = _CAP_BEFORE_RE.search(text, max(lo, m.start() - 90), m.start())
        if cap:
            yield ctx.term("royalty_cap", cap.start(), m.end(), value=parse_number(m["n"]),
                           unit="multiple")


# --------------------------------------------------------------------------- counts

_SHARES_RE = re.compile(
    rf"(?P<n>{NUMBER})(?:\s(?P<scale>million))?\s(?:[A-Za-z-]+\s){{0,2}}?"
    r"(?P<cls>common|preferred|ordinary|subordinate voting)?\s?shares?\b"
)
_OWN_RE = re.compile(
    r"\b(?:we|the company|our)\b[^.;]{0,30}\b(?:have|hold|holds|own|owns|retains?|received?)\b|"
    r"\b(?:ownership position|equity (?:stake|interest|position)|stake) in\b",
    re.IGNORECASE,
)
_HOLDER_RE = re.compile(r"\brepresenting\b|\bbeneficial\w*|\boutstanding\b|\bholding\b|"
                        r"\bvoting control\b", re.IGNORECASE)
_TOTAL_SHARES_RE = re.compile(r"\s(?:(?:were|are)\s)?(?:issued\sand\s)?outstanding\b",
                              re.IGNORECASE)
_SKIP_SHARES_RE = re.compile(r"\bwarrants?\b|\bconver(?:t|ted|sion)\b|\boptions?\b|"
                             r"\bper (?:unit|share)\b",
                             re.IGNORECASE)


def _share_terms(ctx: Context) -> Iterator[Term]:
    text = ctx.text
    for m in _SHARES_RE.finditer(text):
        lo, hi = ctx.clause(m.start())
        s = ctx.sentences[ctx.sentence_index(m.start())]
        if _SKIP_SHARES_RE.search(text, max(lo, m.start() - 60), min(hi, m.end() + 15)):
            continue
        count = parse_number(m["n"]) * (1e6 if m["scale"] else 1)
        unit = f"{(m['cls'] or 'common').replace(' ', '_')}_shares"
        if _OWN_RE.search(text, s.start, s.end):
            yield ctx.term("equity_stake", m.start(), m.end(), value=count, unit=unit,
                           counterparty=ctx.counterparty_for(m.start(), m.end()))
        elif _HOLDER_RE.search(text, s.start, s.end):
            pct = next((p for p in find_percents(text, m.end(), min(hi, m.end() + 60))), None)
            end = pct.end if pct else m.end()
            attrs = {"percent": pct.value} if pct else {}
            total = _TOTAL_SHARES_RE.match(text, m.end())
            if pct is None and total:
                attrs["total"] = True  # "93,616,000 common shares issued and outstanding"
                end = total.end()
            yield ctx.term("shares", m.start(), end, value=count, unit=unit, attrs=attrs,
                           counterparty=ctx.counterparty_for(m.start(), m.end()))


_STAFF_RE = re.compile(r"\b(?:headcount|employees|workforce|staff|personnel|positions|FTEs?|"
                       r"full-time|people)\b", re.IGNORECASE)
_FROM_TO_RE = re.compile(rf"\bfrom\s(?P<a>{NUMBER})\s(?:\w+\s)?to\s(?P<b>{NUMBER})\b")
_STAFF_COUNT_RE = re.compile(
    rf"(?P<n>{NUMBER})\s(?:(?:full-time|part-time|of its|of our|current)\s)?"
    r"(?:employees|positions|people|staff|FTEs?|jobs)\b", re.IGNORECASE)
_CUT_RE = re.compile(r"\b(?:reduc|cut|eliminat|lay|laid|decreas|terminat|downsiz)\w*",
                     re.IGNORECASE)


def _headcount_terms(ctx: Context) -> Iterator[Term]:
    text = ctx.text
    for s in ctx.sentences:
        staff = _STAFF_RE.search(text, s.start, s.end)
        if staff is None or staff.group().lower() == "people" and not _CUT_RE.search(
                text, s.start, s.end):
            continue
        pct = next(iter(find_percents(text, staff.start(), s.end)), None)
        attrs = {"percent": pct.value} if pct else {}
        ft = _FROM_TO_RE.search(text, staff.start(), s.end)
        if ft:
            attrs["amount_before"] = parse_number(ft["a"])
            yield ctx.term("headcount", s.start if staff.start() - s.start < 40 else staff.start(),
                           ft.end(), value=parse_number(ft["b"]), unit="people", attrs=attrs)
            continue
        count = _STAFF_COUNT_RE.search(text, s.start, s.end)
        if count is None and pct is None:
            continue
        if _CUT_RE.search(text, s.start, s.end):
            attrs["change"] = "reduction"
        anchor = count or pct
        start = min(staff.start(), anchor.start() if count else pct.start)
        end = max(staff.end(), anchor.end() if count else pct.end)
        value = parse_number(count["n"]) if count else None
        yield ctx.term("headcount", start, end, value=value, unit="people", attrs=attrs)


_PATIENTS_RE = re.compile(
    rf"(?P<n>{NUMBER})\s(?:[^\s\d.;,]{{1,24}}\s){{0,4}}?(?:patients|subjects|participants|"
    r"volunteers)\b", re.IGNORECASE)
_TRIAL_RE = re.compile(r"\benrol|\brandomi[sz]|\btrial\b|\bstudy\b|\bdosed\b|\barms?\b",
                       re.IGNORECASE)
_EPIDEMIOLOGY_RE = re.compile(r"\binfected\b|\bsuffer|\bprevalen|\bworldwide\b|\baffect|"
                              r"\bdiagnosed\b|\beach year\b|\bpopulation\b", re.IGNORECASE)
_ARMS_RE = re.compile(r"\b(?P<k>\w+)\s(?:treatment\s|study\s|dose\s)?(?:arms|cohorts|groups)\s"
                      r"of\s(?:up to\s|approximately\s)?$", re.IGNORECASE)
_EACH_RE = re.compile(r"[^.;]{0,30}?\beach\b")


def _enrollment_terms(ctx: Context) -> Iterator[Term]:
    text = ctx.text
    for m in _PATIENTS_RE.finditer(text):
        s = ctx.sentences[ctx.sentence_index(m.start())]
        if not _TRIAL_RE.search(text, s.start, s.end) or _EPIDEMIOLOGY_RE.search(
                text, s.start, s.end):
            continue
        value = parse_number(m["n"])
        start, end = m.start(), m.end()
        arms = _ARMS_RE.search(text, max(s.start, m.start() - 50), m.start())
        each = _EACH_RE.match(text, m.end())
        if arms and each:
            k = next(iter(find_counts(arms["k"])), None)
            if k is not None:
                value *= k.value
                start, end = arms.start(), each.end()
        enrol = re.search(r"\benrol\w*", text[max(s.start, start - 20):start], re.IGNORECASE)
        if enrol:
            start = max(s.start, start - 20) + enrol.start()
        yield ctx.term("enrollment", start, end, value=value, unit="patients")


def count_terms(ctx: Context) -> list[Term]:
    """Terms anchored on counts: shares held, headcount, patients enrolled."""
    return [*_share_terms(ctx), *_headcount_terms(ctx), *_enrollment_terms(ctx)]
