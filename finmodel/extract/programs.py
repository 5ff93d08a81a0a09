"""Programs, their aliases, and counterparties (partners, investors, agents).

Programs are learned from the release itself, never from a fixed list:

* development codes: ``MX-2401``, ``CPI-226``, ``CLS001``, ``SB9000``
  (letters, optional hyphen, three or more digits, optional letter suffix);
* trade names marked ``™``/``®``/``(TM)`` (``Omigard™``);
* international non-proprietary names recognised by their stem (``-vir``,
  ``-mab``, ``-nib``...: ``celgosivir``);
* the title of a "Name (description):" section.

Trade names and INNs count only where they are talked about as a development
program (a phase, trial, license, milestone... nearby) and not as a drug
the program is combined with ("in combination with PEGETRON™").

Aliases come from the text: "Omigard (CPI-226)", "celgosivir (MX-3253)",
"A, formerly B", and short formulation phrases in brackets ("Omigard
(omiganan pentahydrochloride 1% gel)").  Within a release the canonical id of a
group is the member named first; INNs are written in lower case.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

__all__ = ["NAME_SORTS", "Mention", "Orgs", "Programs", "find_orgs", "find_programs"]

#: Sorts of program names, in the order an id is preferred across releases.
NAME_SORTS = ("trade", "inn", "section", "code", "formulation")

_CODE_RE = re.compile(r"\b(?P<name>[A-Z]{1,6}-?\d{2,6}[A-Z]{0,3}[a-z]?)\b")
_NOT_CODE_RE = re.compile(
    r"^(?:NCT|ISO|ISIN|FY|CY|COVID|SARS|CoV|Form|HIV|HCV|HBV|GLP|IL|CD|PD|PDL|HER|CTLA|TNF|"
    r"VEGF|FGF|EGF|IGF|JAK|BTK|CDK|PI|Q|H|S|F)-?\d")
_TRADE_RE = re.compile(r"\b(?P<name>[A-Z][A-Za-z][A-Za-z0-9-]{1,20})\s?(?:™|®|\((?:TM|R|tm)\))")
_INN_STEMS = (
    "vir", "mab", "nib", "ciclib", "parib", "lisib", "stat", "tide", "cept", "mycin", "cillin",
    "floxacin", "platin", "taxel", "rubicin", "sartan", "gliptin", "gliflozin", "dronate",
    "tecan", "oxetine", "prazole", "parin", "teplase", "fungin", "rsen", "siran", "lutamide",
    "xaban", "limus", "zomib", "degib", "setron", "triptan", "relin", "glutide", "kinra",
)
_INN_RE = re.compile(rf"\b(?P<name>[A-Za-z][a-z]{{2,18}}(?:{'|'.join(_INN_STEMS)}))\b")
_NOT_INN = frozenset({
    "peptide", "nucleotide", "dinucleotide", "oligonucleotide", "polypeptide", "lipopeptide",
    "dipeptide", "tripeptide", "statistic", "thermostat", "rheostat", "ecostat", "biostat",
    "accept", "concept", "intercept", "percept", "precept", "except",
})
_FIRM_AFTER_RE = re.compile(  # "Halvorsen Pharma", "Andersen & Co"
    r"\s(?:(?:Pharma|Pharmaceuticals?|Therapeutics|Biosciences|Bio|Biotech|Biologics|Holdings|"
    r"Capital|Partners|Ventures|Laboratories|Labs|Inc|Corp|Ltd|LLC|AG|AS|ASA|AB|SA|NV|N\.V|"
    r"GmbH|plc|Group|Foundation|Institute|University)\b|&\s)")
_PERSON_BEFORE_RE = re.compile(
    r"(?:\b(?:Dr|Mr|Ms|Mrs|Prof)\.?\s|\b(?:said|says|stated|commented|added|noted|by)\s"
    r"[A-Z][a-z]{1,15}\s(?:[A-Z]\.\s)?)$")
_PERSON_AFTER_RE = re.compile(r",\s(?:Chief|CEO|CFO|COO|President|Director|Vice|Head|Chair|"
                              r"Ph\.D|M\.D|Founder|Executive|Senior)\b")
_SECTION_RE = re.compile(
    r"[\W]{0,4}(?P<name>[A-Z][\w-]{2,30}(?:™|®|\(TM\))?)\s?\((?P<desc>[^()\n]{3,200})\)\s?:"
)
_DEV_CUE_RE = re.compile(
    r"phase|trial|study|studies|program|candidate|\bNDA\b|\bBLA\b|\bIND\b|develop|licen[cs]|"
    r"milestone|royalt|partner|clinic|approv|enrol",
    re.IGNORECASE,
)
_COMBO_BEFORE_RE = re.compile(
    r"(?:combination with|combined with|plus|versus|vs\.?|compared (?:to|with)|supply of|"
    r"added to|and)\s{1,3}$",
    re.IGNORECASE,
)
_FORMULATION_RE = re.compile(
    r"^[a-z][\w\s.%-]{2,60}?(?:\d\s?%|\bmg\b|\bgel\b|\bcream\b|\bointment\b|\btablets?\b|"
    r"\bcapsules?\b|\binjection\b|\bsolution\b)[\w\s.%-]{0,20}$"
)
_ALIAS_LINK_RE = re.compile(
    r"\s?(?:\(|,\s(?:also known as|formerly(?: known as)?|previously)\s|"
    r"\((?:also known as|formerly(?: known as)?|previously)\s)"
)


@dataclass(frozen=True)
class Mention:
    """A program named at ``text[start:end]``; ``name`` is its canonical id."""

    start: int
    end: int
    name: str


@dataclass
class Programs:
    """Programs of one release: alias groups, canonical ids and mentions."""

    canonical: dict[str, str] = field(default_factory=dict)  # lower-case alias -> id
    aliases: dict[str, set[str]] = field(default_factory=dict)  # id -> names as written
    mentions: list[Mention] = field(default_factory=list)
    sorts: dict[str, str] = field(default_factory=dict)  # lower-case name -> NAME_SORTS entry
    starts: list[int] = field(default_factory=list)  # mention starts, for bisection

    def nearest(self, start: int, end: int, lo: int, hi: int) -> str | None:
        """The program named closest to ``[start, end)`` inside ``[lo, hi)``.

        Ties go to the mention before the span (releases name the subject first).
        """
        i = bisect.bisect_left(self.starts, lo)
        best: tuple[int, str] | None = None
        for m in self.mentions[i:]:
            if m.start >= hi:
                break
            distance = start - m.end if m.end <= start else max(0, m.start - end) + 1
            if best is None or distance < best[0]:
                best = (distance, m.name)
        return best[1] if best else None

    def first_in(self, lo: int, hi: int) -> str | None:
        """The first program named inside ``[lo, hi)``."""
        i = bisect.bisect_left(self.starts, lo)
        if i < len(self.mentions) and self.mentions[i].start < hi:
            return self.mentions[i].name
        return None


def _clean(name: str) -> str:
    return re.sub(r"\s?(?:™|®|\((?:TM|R|tm)\))$", "", name).strip()


def _is_inn(name: str) -> bool:
    return bool(_INN_RE.fullmatch(name)) and name.lower() not in _NOT_INN


def _development_use(text: str, start: int, end: int) -> bool:
    """True when a name at ``[start, end)`` is discussed as a program, not a combined drug."""
    if _COMBO_BEFORE_RE.search(text, max(0, start - 30), start):
        return False
    return bool(_DEV_CUE_RE.search(text, max(0, start - 80), min(len(text), end + 80)))


def _candidates(text: str, section_starts: list[int]) -> dict[str, tuple[str, str]]:
    """Program names found in ``text``: lower-case name -> (name as first written, sort)."""
    names: dict[str, tuple[str, str]] = {}
    for m in _CODE_RE.finditer(text):
        name = m["name"]
        digits = sum(c.isdigit() for c in name)
        if _NOT_CODE_RE.match(name):
            continue
        if digits >= 3 or ("-" in name and _development_use(text, m.start(), m.end())):
            names.setdefault(name.lower(), (name, "code"))
    # INN-like name -> (seen in lower case, seen as a firm or a person)
    proper: dict[str, tuple[bool, bool]] = {}
    for regex, check, sort in ((_TRADE_RE, None, "trade"), (_INN_RE, _is_inn, "inn")):
        for m in regex.finditer(text):
            name = _clean(m["name"])
            if check and not check(name):
                continue
            if sort == "inn":
                key = name.lower()
                firm_or_person = bool(_FIRM_AFTER_RE.match(text, m.end())
                                      or _PERSON_BEFORE_RE.search(text, max(0, m.start() - 40),
                                                                  m.start())
                                      or _PERSON_AFTER_RE.match(text, m.end()))
                lower, seen = proper.get(key, (False, False))
                proper[key] = (lower or name[0].islower(), seen or firm_or_person)
            if _development_use(text, m.start(), m.end()):
                names.setdefault(name.lower(), (name, sort))
    for key, (lower, firm_or_person) in proper.items():
        # "Halvorsen Pharma", "said Lars Andersen": a name with a drug-like ending, never
        # written in lower case as INNs are, is a firm or a person
        if firm_or_person and not lower and names.get(key, ("", ""))[1] == "inn":
            del names[key]
    for start in section_starts:
        m = _SECTION_RE.match(text, start)
        if m:
            name = _clean(m["name"])
            names.setdefault(name.lower(), (name, "inn" if _is_inn(name) else "section"))
    return names


def _alias_pairs(text: str, names: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs of names given as aliases: "A (B)", "A, formerly B", "A (b 1% gel)"."""
    if not names:
        return []
    pattern = re.compile(
        r"\b(?P<a>" + "|".join(re.escape(n) for n, _ in sorted(names.values(),
                                                                 key=lambda v: -len(v[0])))
        + r")(?:™|®|\(TM\))?" + _ALIAS_LINK_RE.pattern + r"(?P<b>[^()\n,;]{2,60})",
        re.IGNORECASE,
    )
    pairs = []
    for m in pattern.finditer(text):
        inner = m["b"].strip()
        head = _clean(inner.split(" ")[0]).strip(")")
        if head.lower() in names and head.lower() != m["a"].lower():
            pairs.append((m["a"], head))
        elif _FORMULATION_RE.match(inner.rstrip(")")) and ")" in text[m.end("b"):m.end("b") + 1]:
            pairs.append((m["a"], inner.rstrip(")")))
    return pairs


def _canonical_form(name: str) -> str:
    return name.lower() if _is_inn(name) else name


def find_programs(text: str, section_starts: list[int] | None = None) -> Programs:
    """Learn the programs of a release and find every mention.

    Parameters
    ----------
    text : str
        The release.
    section_starts : list of int, optional
        Offsets where sentences start, to recognise "Name (description):" titles.

    Examples
    --------
    >>> p = find_programs("Zentrix™ (AB-1234) is in Phase 2. We licensed AB-1234 to Foo.")
    >>> [m.name for m in p.mentions]
    ['Zentrix', 'Zentrix', 'Zentrix']
    """
    found = _candidates(text, section_starts or [])
    pairs = _alias_pairs(text, found)
    for _, b in pairs:
        found.setdefault(b.lower(), (b, "formulation"))
    if not found:
        return Programs()
    names = {key: name for key, (name, _) in found.items()}
    parent = {key: key for key in names}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in pairs:
        ra, rb = root(a.lower()), root(b.lower())
        if ra != rb:
            parent[rb] = ra
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(n) for n in sorted(names.values(), key=len, reverse=True))
        + r")(?![\w-])",
        re.IGNORECASE,
    )
    raw = [(m.start(), m.end(), m.group().lower()) for m in pattern.finditer(text)]
    group_id: dict[str, str] = {}
    for _, _, key in raw:  # the first member named gives the group its id
        group_id.setdefault(root(key), _canonical_form(names[key]))
    programs = Programs()
    for key, (name, sort) in found.items():
        gid = group_id.get(root(key), _canonical_form(names[root(key)]))
        programs.canonical[key] = gid
        programs.aliases.setdefault(gid, set()).add(_clean(name))
        programs.sorts[_clean(name).lower()] = sort
    programs.mentions = [Mention(s, e, programs.canonical[k]) for s, e, k in raw]
    programs.starts = [m.start for m in programs.mentions]
    return programs


# --------------------------------------------------------------------------- organisations

_ORG_SUFFIX = (
    r"Pharmaceuticals?|Pharma|Therapeutics|Biosciences|BioSciences|Life Sciences|Sciences|"
    r"Biotechnology|Biotech|Biologics|Bio[Pp]harma|Oncology|Genomics|Healthcare|"
    r"Laboratories|Labs|Holdings|Capital|Partners|Ventures|Fund|Foundation|Office|Agency|"
    r"Institute|Bank|Advisors|Advisers|Trust|Inc|Incorporated|Corp|Corporation|"
    r"Company|Ltd|Limited|LLC|LP|plc|PLC|AG|GmbH|SA|NV|AB|ASA|Co"
)
_LEGAL_TAIL_RE = re.compile(r"(?:Inc|Corp|Ltd|LLC|L\.\s?P|LP|plc|AG|GmbH|S\.A|N\.V)\b\.?$")
_RUN_RE = re.compile(
    r"(?<![\w.])[A-Z][\w'’&.-]{0,30}(?:(?:,[ \n]| & | )[A-Z&][\w'’&.-]{0,30}){0,7}"
)
# a sentence ends inside a run: "... Life Sciences. Cutanea has ..." (not "Inc. " or "J. ")
_RUN_STOP_RE = re.compile(r"(?<!\bInc)(?<!\bCorp)(?<!\bLtd)(?<!\bCo)(?<!\b[A-Z])\.\s")
_LAST_SUFFIX_RE = re.compile(rf"(?:^|\s)(?P<s>{_ORG_SUFFIX})\.?$")
_LEADING_RE = re.compile(
    r"(?:(?:The|A|An|About|Our|Its|With|From|By|And|In|On|For|Under|Upon|This|That|Each|Both|"
    r"Partner|Between|Led|Additionally|Also|Today|Through|US-based|Canadian) )+"
)
_GENERIC_WORDS = frozenset({
    "the", "company", "fund", "bank", "capital", "group", "office", "trust", "partners",
    "investor", "relations", "value", "life", "sciences", "health", "medical", "new", "us",
    "special", "committee", "board", "management", "inc", "corp", "global", "international",
})


@dataclass
class Orgs:
    """Organisations named in a release, with their short forms ("Cadence")."""

    full: list[tuple[int, int, str]] = field(default_factory=list)  # spans of full names
    short: dict[str, str] = field(default_factory=dict)  # short form -> full name
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def between(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """Mentions starting inside ``[lo, hi)``, in text order."""
        return self.mentions[bisect.bisect_left(self.starts, lo):bisect.bisect_left(self.starts, hi)]

    def nearest(self, start: int, end: int, lo: int, hi: int) -> str | None:
        """The organisation named closest to ``[start, end)`` inside ``[lo, hi)``."""
        best: tuple[int, str] | None = None
        for s, e, name in self.between(lo, hi):
            distance = start - e if e <= start else max(0, s - end) + 1
            if best is None or distance < best[0]:
                best = (distance, name)
        return best[1] if best else None


def _split_run(run: str, offset: int) -> list[tuple[int, int, str]]:
    """Organisation names inside a run of capitalised words.

    The run is cut at commas (a legal tail such as ", Inc." stays attached); a
    piece is an organisation when its last word is an organisation word
    ("Pharmaceuticals", "Fund", "Inc.") and something precedes that word.
    """
    pieces: list[list[int]] = []
    pos = 0
    if (stop := _RUN_STOP_RE.search(run)) is not None:
        run = run[:stop.start() + 1]
    for part in re.split(r",\s", run):
        if pieces and _LEGAL_TAIL_RE.match(part):
            pieces[-1][1] = pos + len(part)
        else:
            pieces.append([pos, pos + len(part)])
        pos += len(part) + 2
    found = []
    for start, end in pieces:
        leading = _LEADING_RE.match(run, start)
        start = leading.end() if leading else start
        name = run[start:end]
        if not _LEGAL_TAIL_RE.search(name):
            name = name.rstrip(".")
        last = _LAST_SUFFIX_RE.search(name) or _LEGAL_TAIL_RE.search(name)
        if last and last.start() > 0 and " " in name:
            found.append((offset + start, offset + start + len(name), " ".join(name.split())))
    return found


def _short_form(name: str) -> str | None:
    """"Cadence Pharmaceuticals, Inc." -> "Cadence"; None when too generic to use alone."""
    core = _LEGAL_TAIL_RE.sub("", name).strip(" ,")
    m = _LAST_SUFFIX_RE.search(core)
    if m and m.start() > 0:
        core = core[:m.start()].strip(" ,")
    words = core.lower().split()
    if core == name or len(core) < 4 or all(w in _GENERIC_WORDS for w in words):
        return None
    return core


def find_orgs(text: str, issuer: str | None = None) -> Orgs:
    """Find organisation names and their later short mentions.

    The issuer (its first word) is left out: it is never its own counterparty.

    Examples
    --------
    >>> o = find_orgs("Acme Inc. licensed it to Cadence Pharmaceuticals, Inc.; Cadence pays.",
    ...               issuer="Acme")
    >>> [name for _, _, name in o.mentions]
    ['Cadence Pharmaceuticals, Inc.', 'Cadence Pharmaceuticals, Inc.']
    """
    issuer_word = issuer.split()[0].lower() if issuer else None
    orgs = Orgs()
    for run in _RUN_RE.finditer(text):
        for start, end, name in _split_run(run.group(), run.start()):
            if issuer_word and name.split()[0].lower().strip(",") == issuer_word:
                continue
            orgs.full.append((start, end, name))
    longest: dict[str, str] = {}
    for _, _, name in sorted(orgs.full, key=lambda f: -len(f[2])):
        short = _short_form(name)
        for key in (name, short):
            if key and not any(key != n and n.startswith(key) for n in longest.values()):
                longest.setdefault(key, name)
            elif key:
                longest.setdefault(key, next(n for n in longest.values() if n.startswith(key)))
    orgs.short = {k: v for k, v in longest.items() if k != v}
    spans = [(s, e, longest.get(n, n)) for s, e, n in orgs.full]
    if orgs.short:
        pattern = re.compile(
            r"\b(?:" + "|".join(re.escape(s) for s in sorted(orgs.short, key=len, reverse=True))
            + r")\b"
        )
        covered = sorted((s, e) for s, e, _ in spans)
        starts = [s for s, _ in covered]
        for m in pattern.finditer(text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i < 0 or not covered[i][0] <= m.start() < covered[i][1]:
                spans.append((m.start(), m.end(), orgs.short[m.group()]))
    orgs.mentions = sorted(spans)
    orgs.starts = [s for s, _, _ in orgs.mentions]
    return orgs
