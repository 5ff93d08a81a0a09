"""Layout of a release: lines, paragraphs, sentences, headline, boilerplate.

Newswire copies, company PDFs turned to text and EDGAR exhibits differ in how
they break lines: hard-wrapped paragraphs, blank lines in the middle of a
sentence (page breaks), bullets, headings.  :func:`layout` turns any of them
into sentence spans over the *original* text, so that every offset found later
indexes the text the user gave.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["Layout", "Sentence", "layout", "line_number"]


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a bullet, or a heading) of a release.

    ``paragraph`` numbers the paragraph it belongs to; ``heading`` is true for
    a short line standing on its own (a section title, a list's lead-in).
    """

    start: int
    end: int
    paragraph: int
    heading: bool = False
    bullet: bool = False


@dataclass(frozen=True)
class Layout:
    """Sentences of a release plus its boilerplate ranges and line index."""

    text: str
    sentences: tuple[Sentence, ...]
    boilerplate: tuple[tuple[int, int], ...]
    line_starts: tuple[int, ...]

    def in_boilerplate(self, offset: int) -> bool:
        """True when ``offset`` lies inside a legal / "About us" section."""
        i = bisect.bisect_right(self.boilerplate, (offset, len(self.text) + 1)) - 1
        return i >= 0 and self.boilerplate[i][0] <= offset < self.boilerplate[i][1]

    def line(self, offset: int) -> int:
        """1-based line number of ``offset``."""
        return line_number(self.line_starts, offset)


def line_number(line_starts: tuple[int, ...], offset: int) -> int:
    """1-based line holding ``offset``, given the offsets where lines start."""
    return bisect.bisect_right(line_starts, offset)


_LINE_RE = re.compile(r"[^\n]*\n?")
_BULLET_RE = re.compile(r"\s{0,8}(?:[-–—•*·▪◦‣]|\(?[a-z0-9ivx]{1,3}[.)])\s")
_TERMINAL_RE = re.compile(r"[.:;!?][\"”’)\]*]{0,3}\s*$")
_SENTENCE_END_RE = re.compile(r"[.!?][\"”’)\]]{0,3}\s{1,8}(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATION_RE = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Ltée|LLC|L|P|S|A|N|V|B|M\.D|Ph\.D|Dr|Mr|Mrs|Ms|Jr|Sr|St|No|"
    r"U\.S|U\.K|vs|e\.g|i\.e|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mt|Ft|"
    r"[A-Z])|\.[A-Z])$"
)
_STOP_RE = re.compile(r"[.;!?][\"”’)\]*]{0,3}$")
_HEADING_MAX = 120
_SENTENCE_MAX = 2500


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, end excluding the newline."""
    spans = []
    for m in _LINE_RE.finditer(text):
        if m.start() == len(text):
            break
        end = m.end() - 1 if m.group().endswith("\n") else m.end()
        spans.append((m.start(), end))
    return spans


def _is_blank(text: str, span: tuple[int, int]) -> bool:
    return not text[span[0]:span[1]].strip()


def _paragraphs(text: str) -> list[list[tuple[int, int]]]:
    """Groups of non-blank lines; a group starting in lower case continues the last one."""
    paragraphs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for span in _lines(text):
        if _is_blank(text, span):
            if current:
                paragraphs.append(current)
                current = []
            continue
        first = text[span[0]:span[1]].lstrip()[:1]
        if not current and paragraphs and first.islower():
            current = paragraphs.pop()
        current.append(span)
    if current:
        paragraphs.append(current)
    return paragraphs


def _units(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int, bool, bool]]:
    """Split a paragraph's lines into units: (start, end, heading, bullet).

    A line starts a new unit when it is a bullet, or when the line before it
    ends a sentence or is short (a heading, an address line); otherwise it
    continues a hard-wrapped paragraph.
    """
    units: list[list[int]] = []
    bullets: list[bool] = []
    previous: tuple[int, int] | None = None
    for start, end in lines:
        line = text[start:end]
        bullet = bool(_BULLET_RE.match(line))
        short = previous is not None and previous[1] - previous[0] < 60 and not line[:1].islower()
        new = previous is None or bullet or short or _TERMINAL_RE.search(
            text, previous[0], previous[1])
        if new:
            units.append([start, end])
            bullets.append(bullet)
        else:
            units[-1][1] = end
        previous = (start, end)
    out = []
    for (start, end), bullet in zip(units, bullets):
        body = text[start:end].strip()
        stop = _STOP_RE.search(body)
        if stop and _ABBREVIATION_RE.search(body, max(0, stop.start() - 8), stop.start()):
            stop = None  # "About Acme Corp."
        heading = not bullet and len(body) <= _HEADING_MAX and not stop
        out.append((start, end, heading, bullet))
    return out


def _split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (abbreviations such as "Inc." do not end one).

    A run-on longer than ``_SENTENCE_MAX`` is cut at spaces, which keeps every later
    per-sentence scan bounded (and the whole extraction linear).
    """
    spans = []
    begin = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        word_start = max(begin, m.start() - 8)
        if _ABBREVIATION_RE.search(text, word_start, m.start()):
            continue
        spans.extend(_bounded(text, begin, m.start() + 1))
        begin = m.end()
    if begin < end:
        spans.extend(_bounded(text, begin, end))
    return [_strip(text, s, e) for s, e in spans if text[s:e].strip()]


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    while end - start > _SENTENCE_MAX:
        cut = text.rfind(" ", start + _SENTENCE_MAX // 2, start + _SENTENCE_MAX)
        cut = cut if cut > start else start + _SENTENCE_MAX
        spans.append((start, cut))
        start = cut
    spans.append((start, end))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences(text: str) -> list[Sentence]:
    sentences = []
    for number, lines in enumerate(_paragraphs(text)):
        for start, end, heading, bullet in _units(text, lines):
            for s, e in _split_sentences(text, start, end):
                sentences.append(Sentence(s, e, number, heading, bullet))
    return sentences


# --------------------------------------------------------------------------- boilerplate

_LEGAL_START_RE = re.compile(
    r"forward[- ]looking (?:statements?|information)|safe harbou?r|cautionary (?:note|statement)",
    re.IGNORECASE,
)
_LEGAL_BLOCK_RE = re.compile(
    r"not been (?:and will not be )?registered under|shall not constitute an offer|"
    r"does not constitute an offer|(?:has|have) not reviewed and|"
    r"(?:does not|do not) accept responsibility for the adequacy|"
    r"neither (?:the )?(?:TSX|Toronto Stock Exchange)",
    re.IGNORECASE,
)
_ABOUT_RE = re.compile(r"about\s{1,3}(?:the\s)?(?P<name>[^\n]{2,60})$", re.IGNORECASE)
_ORG_WORD_RE = re.compile(
    r"\b(?:Inc|Corp|Corporation|Ltd|Limited|LLC|plc|AG|GmbH|SA|NV|Pharmaceuticals?|Pharma|"
    r"Therapeutics|Biosciences|Biotherapeutics|Sciences|Biotech|Company|Holdings)\b\.?",
    re.IGNORECASE,
)
_LEGAL_HEADING_RE = re.compile(
    r"^(?:contacts?|media|investors?|investor relations|source|for further information|"
    r"for more information|#+|-+|\*+)\b",
    re.IGNORECASE,
)


def _paragraph_spans(sentences: list[Sentence]) -> list[tuple[int, int, Sentence]]:
    """(start, end, first sentence) of each paragraph."""
    spans: dict[int, list] = {}
    for s in sentences:
        if s.paragraph in spans:
            spans[s.paragraph][1] = s.end
        else:
            spans[s.paragraph] = [s.start, s.end, s]
    return [tuple(v) for v in spans.values()]


def _is_about_company(heading: str, issuer: str | None) -> bool:
    m = _ABOUT_RE.match(heading.strip())
    if not m:
        return False
    name = m["name"].strip()
    if name.lower() in {"company", "us"}:
        return True
    if issuer and name.split()[0].lower().strip(",.") == issuer.split()[0].lower():
        return True
    return bool(_ORG_WORD_RE.search(name))


def _boilerplate(text: str, sentences: list[Sentence],
                 issuer: str | None) -> list[tuple[int, int]]:
    """Ranges of forward-looking-statement sections, "About <company>" and legal notices.

    A forward-looking section runs from its heading (or its first paragraph)
    until the next heading that is not itself legal (contacts, source...).
    An "About <company>" section runs until the next heading.
    """
    ranges: list[tuple[int, int]] = []
    mode: str | None = None
    for start, end, first in _paragraph_spans(sentences):
        head = text[start:min(end, start + 300)]
        short = text[start:end].strip()
        is_heading = first.heading and end == first.end
        if is_heading and _is_about_company(short, issuer):
            mode = "about"
        elif (is_heading and _LEGAL_START_RE.search(short)) or (
                not is_heading and _LEGAL_START_RE.search(head)):
            mode = "legal"
        elif is_heading and not _LEGAL_HEADING_RE.match(short):
            mode = None
        if mode or _LEGAL_BLOCK_RE.search(text, start, end):
            ranges.append((start, end))
    return _merge(ranges)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 2:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def layout(text: str, issuer: str | None = None) -> Layout:
    """Split ``text`` into sentences and find its boilerplate.

    Parameters
    ----------
    text : str
        A release.
    issuer : str, optional
        The issuer's name, to recognise its "About ..." section.

    Examples
    --------
    >>> lay = layout("Acme raised $5 million. It will grow.\\n\\nFORWARD-LOOKING STATEMENTS\\n"
    ...              "This release contains forward-looking statements.")
    >>> [lay.text[s.start:s.end] for s in lay.sentences][:2]
    ['Acme raised $5 million.', 'It will grow.']
    >>> lay.in_boilerplate(lay.text.index("This release")), lay.in_boilerplate(0)
    (True, False)
    """
    sentences = _sentences(text)
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    return Layout(text, tuple(sentences), tuple(_boilerplate(text, sentences, issuer)),
                  tuple(starts))
