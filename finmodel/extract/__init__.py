"""Deal terms from press releases, each with the exact text it came from.

>>> from finmodel.extract import extract
>>> terms = extract(open("release.txt").read())           # doctest: +SKIP

Assumptions (documented here once; every rule module says what it reads):

- A bare ``$`` is the issuer's reporting currency: the ``currency`` argument,
  else inferred from the listing (TSX/TSX-V → CAD, NASDAQ/NYSE → USD, AIM →
  GBP, Euronext → EUR, SIX → CHF, ASX → AUD), else a Canadian home city →
  CAD, else USD.  ``US$`` is USD.  A bare ``$`` amount of sales in the US
  market is USD.
- Qualitative royalty rates: "single-digit" 1–9 %, "double-digit" 10–19 %;
  "low"/"mid"/"high" split the band in thirds (low single 1–3 %, mid single
  4–6 %, high single 7–9 %, low double 10–13 %, mid double 14–16 %, high double
  17–19 %); "teens" 13–19 %; "low-to-mid" joins the two bands.
- Program ids: within a release, the name an alias group is first called
  (INNs in lower case); across releases :func:`extract_many` merges groups and
  prefers a trade name, then an INN, then a code.
- The release date comes from the dateline; when it has no year the year is
  inferred from the release's forward-looking phrases, or left unknown (never
  guessed silently); ``published`` overrides both.
- A cash balance's date ("as at March 31", "at the end of the quarter", "at
  year end") counts back from the release to the last such day; fiscal years
  are taken to be calendar years (see :mod:`.dates`).
- A warrant term given as a duration expires that long after the closing date
  the release states, else after the release date.
- When a release guides one event several times, the body mention with the
  narrowest period is its guidance (:func:`preferred_guidance`).
- :func:`write_draft` turns a terms file into a scenario skeleton whose facts
  cite their release lines and whose assumptions are explained (:mod:`.draft`).
"""

from .core import Analysis, analyse, extract, extract_file, read_release
from .dateline import Dateline
from .draft import draft_scenario, draft_yaml, write_draft
from .history import Document, Extraction, extract_many, preferred_guidance
from .io import (
                 TermsFile,
                 dump_terms,
                 read_terms,
                 record_to_term,
                 render_table,
                 term_to_record,
                 terms_to_records,
)
from .terms import KINDS, Term

__all__ = [
    "KINDS", "Analysis", "Dateline", "Document", "Extraction", "Term", "TermsFile", "analyse",
    "draft_scenario", "draft_yaml", "dump_terms", "extract", "extract_file", "extract_many",
    "preferred_guidance", "read_release", "read_terms", "record_to_term", "render_table",
    "term_to_record", "terms_to_records", "write_draft",
]
