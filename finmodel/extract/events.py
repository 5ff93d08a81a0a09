"""Rules for terms without a money anchor: phases, guided events, runway, royalty
rates, license deals.

* ``program_phase``: a phase named near a program in a present-tense statement
  ("X is in Phase III", "initiated enrollment in a Phase IIb trial of X",
  "this pre-clinical compound"), not a plan ("to initiate a Phase III trial")
  nor results to come.  One per program and release: the most advanced stage.
* ``expected_event``: a time phrase (via :mod:`finmodel.periods`) that ends
  after the release, in a sentence with an event cue (results, NDA
  submission, IND/CTA, clinic start, phase start, approval, launch,
  partnership).  A list item without its own time phrase takes the one of the
  list's lead-in ("milestones over the next 12 months:").
* ``runway_guidance``: "fund operations into ...", "extend its cash runway
  through ...", "cash position into ...": the time phrase of that clause.
* ``royalty_rate``: "double-digit royalty" (qualitative, with assumed
  bounds, see :mod:`.numbers`) or "a royalty of 8%" / "royalties of 5% to 10%".
* ``license_deal`` without an amount: "license agreement(s) with X",
  "an agreement was completed ... with X", "out-licensed to X".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from finmodel.periods import PeriodMatch

from .context import _LIST_REACH, Context
from .dateline import FUTURE_CUE_RE
from .numbers import find_descriptors, find_percents
from .terms import Term

__all__ = ["event_terms", "license_terms", "phase_terms", "royalty_rate_terms", "runway_terms"]

_PHASE_RE = re.compile(
    r"\b(?P<end>end of )?Phase[\s-]{1,2}(?P<num>IV|I{1,3}|[1-4])(?P<sub>[ab])?"
    r"(?:\s?/\s?(?P<num2>IV|I{1,3}|[1-4])(?P<sub2>[ab])?)?\b"
    r"|\b(?P<pre>pre-?clinical)\b",
    re.IGNORECASE,
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PHASE_FUTURE_BEFORE_RE = re.compile(
    r"\b(?:plan\w*|will|expect\w*|intend\w*|anticipat\w*|to (?:initiate|begin|start|commence|"
    r"advance|move|enter|launch|conduct|run)|into|toward|prepar\w* for|upcoming|next|"
    r"potential|would|could|should|a new|starting with|upon|following|after)\b"
    r"[^.;]{0,40}$",
    re.IGNORECASE,
)
_PHASE_FUTURE_AFTER_RE = re.compile(
    r"[^.;]{0,40}?\b(?:results?|data|read-?outs?|top-?line|meeting)\b|"
    r"[^.;]{0,60}?\bplan\w* to (?:start|initiate|begin|commence)\b", re.IGNORECASE)
_PAST_STUDY_RE = re.compile(r"\b(?:previous|prior|earlier|recently completed|completed)\s[^.;]{0,15}$",
                            re.IGNORECASE)


def _phase_name(m: re.Match[str]) -> tuple[str, float]:
    """("phase2b", 2.3)-style id and rank of a phase match."""
    if m["pre"]:
        return "preclinical", 0.0
    num = _ROMAN[m["num"].lower()]
    if m["num2"]:
        num2 = _ROMAN[m["num2"].lower()]
        return f"phase{num}_{num2}", num + 0.6
    if m["end"]:
        return f"phase{num}_end", num + 0.5
    sub = (m["sub"] or "").lower()
    return f"phase{num}{sub}", num + {"a": 0.1, "": 0.2, "b": 0.3}[sub]


def _phase_mentions(ctx: Context) -> Iterator[tuple[re.Match[str], str, float]]:
    for m in _PHASE_RE.finditer(ctx.text):
        name, rank = _phase_name(m)
        yield m, name, rank


_PHASE_REACH = 1500  # characters back a "results" cue looks for its phase


def _program_phases(ctx: Context) -> dict[str, str]:
    """Program -> the first phase named within 80 characters of it (memoised per release)."""
    if "program_phases" not in ctx.cache:
        found: dict[str, str] = {}
        for m, name, _ in _phase_mentions(ctx):
            program = ctx.programs.nearest(m.start(), m.end(), m.start() - 80, m.end() + 80)
            if program:
                found.setdefault(program, name)
        ctx.cache["program_phases"] = found
    return ctx.cache["program_phases"]


def phase_terms(ctx: Context) -> list[Term]:
    """The current stage of each program (see the module docstring)."""
    text = ctx.text
    best: dict[str, tuple[float, Term]] = {}
    for m, name, rank in _phase_mentions(ctx):
        if m.start() < ctx.body_start or ctx.lay.in_boilerplate(m.start()):
            continue
        lo, hi = ctx.clause(m.start())
        before = text[max(lo, m.start() - 60):m.start()]
        if _PHASE_FUTURE_BEFORE_RE.search(before) or _PAST_STUDY_RE.search(before):
            continue
        if _PHASE_FUTURE_AFTER_RE.match(text, m.end(), hi):
            continue
        i = ctx.sentence_index(m.start())
        s = ctx.sentences[i]
        program = (ctx.programs.nearest(m.start(), m.end(), s.start, s.end)
                   or ctx.paragraph_program(i))
        if program is None:
            continue
        start, end = _phase_quote(ctx, m, s.start, s.end)
        term = ctx.term("program_phase", start, end, program=program,
                        counterparty=ctx.counterparty_for(start, end),
                        attrs={"phase": name})
        if program not in best or rank > best[program][0]:
            best[program] = (rank, term)
    for program, term in _marketed(ctx):
        best[program] = (5.0, term)
    return [term for _, term in best.values()]


# "X is marketed in Europe", "X was approved by the FDA", "X is now commercially available"
_MARKETED_RE = re.compile(
    r"\b(?:is|are|has\sbeen|have\sbeen|was|were)\s(?:now\s|currently\s|already\s)?"
    r"(?:marketed|approved|launched|commercially\savailable|on\sthe\smarket|sold)\b"
    r"(?!\sfor\s(?:a\s|the\s)?(?:Phase|clinical|trial))",
    re.IGNORECASE,
)
_MARKETED_REACH = 60  # characters between the program's name and the verb, at most


def _marketed(ctx: Context) -> Iterator[tuple[str, Term]]:
    """Programs stated to be on the market (phase ``approved``), in present or past tense."""
    text = ctx.text
    for m in _MARKETED_RE.finditer(text):
        if m.start() < ctx.body_start or ctx.lay.in_boilerplate(m.start()):
            continue
        lo, _ = ctx.clause(m.start())
        window = max(lo, m.start() - _MARKETED_REACH)
        program = ctx.programs.nearest(m.start(), m.start(), window, m.start())
        if program is None:
            continue
        start = ctx.programs.starts[bisect.bisect_left(ctx.programs.starts, window)]
        yield program, ctx.term("program_phase", start, m.end(), program=program,
                                counterparty=ctx.counterparty_for(start, m.end()),
                                attrs={"phase": "approved"})


_STATUS_BEFORE_RE = re.compile(
    r"\b(?:enrol\w*|initiat\w*|complet\w*|currently|is|are|in)\b[^.;]{0,60}$", re.IGNORECASE)
_STATUS_AFTER_RE = re.compile(r"[^.;]{0,40}?\b(?:trial|study|stage|development|compound|"
                              r"program)\b", re.IGNORECASE)


def _phase_quote(ctx: Context, m: re.Match[str], lo: int, hi: int) -> tuple[int, int]:
    """Quote a phase with the words that state it ("enrollment in a Phase IIb trial")."""
    text = ctx.text
    before = _STATUS_BEFORE_RE.search(text, max(lo, m.start() - 60), m.start())
    after = _STATUS_AFTER_RE.match(text, m.end(), hi)
    start = before.start() if before else m.start()
    end = m.end() + after.end() - after.start() if after else m.end()
    return start, end


# --------------------------------------------------------------------------- events

#: Event cues, most specific first; ``{phase}`` is replaced by the phase in context.
_EVENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE)) for name, pattern in (
        ("nda_submission", r"\b(?:NDA|new drug application|BLA|biologics license application)\b"),
        ("maa_submission", r"\b(?:MAA|marketing authori[sz]ation application)\b"),
        ("ind_filing", r"\b(?:IND|CTA|investigational new drug)\b"),
        ("approval", r"\b(?:approval|approved|PDUFA)\b"),
        ("launch", r"\b(?:launch|commercial launch)\b"),
        ("{phase}_start", r"\b(?:initiat|start|begin|commenc)\w*"),
        ("enrollment_complete", (r"\b(?:complet\w* (?:of )?(?:patient )?enrol\w*|enrol\w* "
                                 r"(?:is |was )?complet\w*|full enrol\w*)")),
        ("{phase}_results", r"(?<![Aa]s a )\b(?:results?|data|read-?outs?|top-?line)\b"),
        ("clinic_start", (r"\b(?:into the clinic|clinical stage|enter\w* (?:the )?clinic|"
                          r"first (?:patient|subject)s? dosed|clinical (?:development|trials?))\b")),
        ("partnership", (r"\bpartnership|\bpartnering\b|\blicen[cs]e agreement|\bout-licens|"
                         r"\bcollaboration agreement")),
    )
)
_RUNWAY_RE = re.compile(
    r"\b(?:fund (?:its |our |the Company's |the company's )?(?:operations|operating|"
    r"activities|planned)|cash runway|cash position|runway|financial resources|"
    r"cash (?:resources|reserves)|sufficient (?:cash|capital|funds))\b",
    re.IGNORECASE,
)
_RUNWAY_LINK_RE = re.compile(r"\b(?:into|through|until|to|beyond|past)\b", re.IGNORECASE)


def _phase_in_context(ctx: Context, offset: int, program: str | None) -> str | None:
    """The phase a "results" cue at ``offset`` refers to.

    The phase named nearest to it in its clause ("results from the Phase II
    study"); else the last one named before it in its paragraph; else the last
    one named next to the same program earlier in the release.
    """
    lo, hi = ctx.clause(offset)
    para_start = ctx.paragraph_start(ctx.sentence_index(offset))
    in_clause = _nearest_phase(ctx, offset, lo, hi)
    in_paragraph = None
    for m in _PHASE_RE.finditer(ctx.text, max(para_start, offset - _PHASE_REACH), offset):
        in_paragraph = _phase_name(m)[0]
    by_program = _program_phases(ctx).get(program) if program else None
    found = in_clause or in_paragraph or by_program
    return found and re.sub(r"(phase\d)[ab]?(?:_end|_\d)?$", r"\1", found)


def _event_name(ctx: Context, lo: int, hi: int, program: str | None
                ) -> tuple[str, re.Match[str]] | None:
    text = ctx.text
    for name, pattern in _EVENTS:
        cue = None
        for cue in pattern.finditer(text, lo, hi):
            pass
        if cue is None:
            continue
        if "{phase}" in name:
            if name.endswith("_start"):
                phase = _nearest_phase(ctx, cue.start(), lo, hi)
                if phase is None:
                    continue  # "start" without a phase: maybe a clinic start, see below
            else:
                phase = _phase_in_context(ctx, cue.start(), program)
            name = name.format(phase=phase) if phase else name.replace("{phase}_", "")
        return name, cue
    return None


def _nearest_phase(ctx: Context, offset: int, lo: int, hi: int) -> str | None:
    """The phase named nearest to ``offset`` inside ``[lo, hi)``, without sub-phase."""
    best = None
    for m in _PHASE_RE.finditer(ctx.text, lo, hi):
        distance = abs(m.start() - offset)
        if best is None or distance < best[0]:
            best = (distance, _phase_name(m)[0])
    return best and re.sub(r"(phase\d)[ab]?(?:_end)?$", r"\1", best[1])


def _lead_in_period(ctx: Context, index: int) -> PeriodMatch | None:
    """The time phrase of a list's lead-in ("... over the next 12 months:")."""
    j = index - 1
    while j >= max(0, index - _LIST_REACH) and (ctx.sentences[j].bullet
                                                 or ctx.sentences[j].heading):
        s = ctx.sentences[j]
        if ctx.text[s.start:s.end].rstrip().endswith(":") and not s.bullet:
            found = ctx.periods_in(s.start, s.end)
            if found:
                return found[-1]
        j -= 1
    return None


def _is_future(ctx: Context, p: PeriodMatch) -> bool:
    return ctx.published is None or p.period.end >= ctx.published


def _event_windows(ctx: Context) -> Iterator[tuple[int, PeriodMatch, int, bool]]:
    """(sentence index, period, start of the cue window, inherited?) to classify."""
    used_by_runway = {id(p) for p in _runway_periods(ctx)}
    for i, s in enumerate(ctx.sentences):
        if s.start < ctx.body_start:
            continue
        own = [p for p in ctx.periods_in(s.start, s.end) if id(p) not in used_by_runway]
        if not own and s.bullet:
            inherited = _lead_in_period(ctx, i)
            if inherited is not None:
                yield i, inherited, s.start, True
            continue
        lo = s.start
        for p in own:
            yield i, p, lo, False
            lo = p.end


def event_terms(ctx: Context) -> list[Term]:
    """Guided events (see the module docstring)."""
    text = ctx.text
    terms = []
    for i, p, lo, inherited in _event_windows(ctx):
        if not _is_future(ctx, p):
            continue
        s = ctx.sentences[i]
        hi = s.end if inherited else p.start
        clause_lo, _ = ctx.clause(p.start if not inherited else s.start)
        lo = max(lo, clause_lo) if not inherited else lo
        sentence = text[s.start:s.end]
        if sentence.rstrip().endswith(":"):
            continue  # a list's lead-in: its time phrase belongs to the items
        ahead = ctx.published is None or p.period.start >= ctx.published
        if not (inherited or ahead or FUTURE_CUE_RE.search(sentence)
                or ctx.lay.in_boilerplate(s.start)):
            continue
        program = _event_program(ctx, i, lo, hi)
        found = _event_name(ctx, lo, hi, program)
        if found is None:
            continue
        event, cue = found
        if inherited:
            start = s.start + len(sentence) - len(sentence.lstrip("-–—•*· "))
            end = s.end
        else:
            start, end = _event_quote_start(ctx, cue, lo), p.end
        terms.append(ctx.term(
            "expected_event", start, end, program=program, period=p.period,
            counterparty=ctx.counterparty_for(start, end),
            attrs={"event": event, "period_text": p.text},
        ))
    return terms


def _event_program(ctx: Context, index: int, lo: int, hi: int) -> str | None:
    """Program of an event: named in its clause, else (outside boilerplate, where long
    sentences list many programs) in its sentence or paragraph."""
    s = ctx.sentences[index]
    clause_lo, clause_hi = ctx.clause(min(hi, s.end - 1) if hi > lo else lo)
    name = ctx.programs.nearest(lo, hi, clause_lo, clause_hi)
    if name is None and not ctx.lay.in_boilerplate(s.start):
        name = (ctx.programs.nearest(lo, hi, s.start, s.end) or ctx.paragraph_program(index)
                or ctx.only_program())
    return name


_QUOTE_START_RE = re.compile(r"(?:\b(?:[A-Z][\w-]*|Phase \w+|expect\w*|plan\w*|to)\s){0,3}$")


def _event_quote_start(ctx: Context, cue: re.Match[str], lo: int) -> int:
    """Start the quote a few words before the cue (its subject), not before ``lo``."""
    back = _QUOTE_START_RE.search(ctx.text, max(lo, cue.start() - 40), cue.start())
    return max(lo, back.start() if back else cue.start())


def _runway_periods(ctx: Context) -> list[PeriodMatch]:
    return [p for _, p in _runway_matches(ctx)]


def _runway_matches(ctx: Context) -> Iterator[tuple[re.Match[str], PeriodMatch]]:
    text = ctx.text
    for s in ctx.sentences:
        for cue in _RUNWAY_RE.finditer(text, s.start, s.end):
            _, hi = ctx.clause(cue.start())
            following = [p for p in ctx.periods_in(cue.end(), hi) if p.start - cue.end() < 130]
            if following and _RUNWAY_LINK_RE.search(text, cue.end(), following[0].end):
                yield cue, following[0]
                break


def runway_terms(ctx: Context) -> list[Term]:
    """How long the cash lasts, as the company guides it."""
    return [ctx.term("runway_guidance", cue.start(), p.end, period=p.period,
                     attrs={"period_text": p.text})
            for cue, p in _runway_matches(ctx)]


# --------------------------------------------------------------------------- royalties

_CURRENCY_MARK_RE = re.compile(r"\$|€|£|¥|\b(?:USD|EUR|CAD|GBP|CHF|AUD|SEK|DKK|JPY)\b")
_ROYALTY_WORD_RE = re.compile(r"\broyalt(?:y|ies)\b", re.IGNORECASE)
_SHARE_OF_RE = re.compile(r"\s?of\s(?:the\s)?(?:royalt|net royalt)", re.IGNORECASE)


def royalty_rate_terms(ctx: Context) -> list[Term]:
    """Royalty rates: qualitative ("double-digit royalty") or numeric ("a 5% royalty")."""
    text = ctx.text
    terms = []
    for d in find_descriptors(text):
        lo, hi = ctx.clause(d.start)
        r = _ROYALTY_WORD_RE.search(text, d.end, min(hi, d.end + 40))
        before = None if r else _ROYALTY_WORD_RE.search(text, max(lo, d.start - 60), d.start)
        if r is None and before is None:
            continue
        end = _royalty_quote_end(text, r.end(), hi) if r else d.end
        terms.append(ctx.term(
            "royalty_rate", d.start, end, unit="percent",
            counterparty=ctx.counterparty_for(d.start, end, paragraph=True),
            attrs={"descriptor": d.descriptor, "low": d.low, "high": d.high},
        ))
    for pct in find_percents(text):
        lo, hi = ctx.clause(pct.start)
        if _SHARE_OF_RE.match(text, pct.end):
            continue  # "75% of royalties": a share of royalties, see royalty tiers
        before = _ROYALTY_WORD_RE.search(text, max(lo, pct.start - 40), pct.start)
        after = _ROYALTY_WORD_RE.match(text, pct.end + 1) if pct.end < hi else None
        r = after or before
        if r is None or _CURRENCY_MARK_RE.search(text, min(r.end(), pct.start),
                                                  max(r.start(), pct.end)):
            continue
        if re.match(r"^[^;]{0,30}?(?:up to|until|below|above|between|over)\s", text[pct.end:hi]) \
                and _CURRENCY_MARK_RE.search(text, pct.end, min(hi, pct.end + 50)):
            continue  # a tier: see royalty_tier
        start, end = min(r.start(), pct.start), max(r.end(), pct.end)
        terms.append(ctx.term(
            "royalty_rate", start, end, value=pct.value, value_high=pct.value_high,
            unit="percent", counterparty=ctx.counterparty_for(start, end, paragraph=True),
        ))
    return terms


def _royalty_quote_end(text: str, pos: int, hi: int) -> int:
    m = re.match(r"\s(?:revenue\s)?on\s(?:net\s)?sales", text[pos:hi])
    return pos + m.end() if m else pos


# --------------------------------------------------------------------------- licenses

_LICENSE_RE = re.compile(
    r"\b(?:licen[cs]e (?:and \w+ )?agreements?|licensing agreements?|collaboration agreements?|"
    r"option agreements?|co-development agreements?)\b"
    r"|\bagreement (?:was|has been|is) (?:completed|signed|entered into|executed|reached)\b"
    r"|\b(?:entered into|signed|completed|executed) (?:an?|the) (?:\w+ ){0,3}agreement\b"
    r"|\bout-licensed to\b|\blicensed (?:\w+ ){0,4}to\b|\bgranted (?:\w+ ){0,3}"
    r"(?:an? )?(?:exclusive )?(?:license|rights)\b",
    re.IGNORECASE,
)
_REFERENCE_RE = re.compile(r"\b(?:our|its|their|the terms of (?:a|the))\s$|\bunder\s(?:the\s)?$",
                           re.IGNORECASE)


_PARTNER_GAP = 130  # characters between a license cue (or the previous partner) and a partner


def license_terms(ctx: Context) -> list[Term]:
    """License deals stated without an amount, one per partner named after the cue."""
    text = ctx.text
    terms = []
    seen: set[tuple[int, str]] = set()
    for cue in _LICENSE_RE.finditer(text):
        if _REFERENCE_RE.search(text, max(0, cue.start() - 25), cue.start()):
            continue  # "under our agreement with X": a reference, not the deal
        i = ctx.sentence_index(cue.start())
        s = ctx.sentences[i]
        previous_end = cue.end()
        first = True
        for a, b, name in ctx.orgs.between(cue.end(), s.end):
            if a - previous_end > _PARTNER_GAP:
                break
            previous_end = b
            if (i, name) in seen:
                continue
            seen.add((i, name))
            program = ctx.programs.nearest(b, b, b, min(s.end, b + 40))
            paren = text.find(")", b, min(s.end, b + 80)) if program else -1
            end = paren + 1 if paren > 0 else b
            terms.append(ctx.term("license_deal", cue.start() if first else a, end,
                                  program=program or ctx.program_for("license_deal", a, b),
                                  counterparty=name))
            first = False
    return terms
