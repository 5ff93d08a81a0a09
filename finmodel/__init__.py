"""finmodel: cash runway and risk-adjusted NPV of clinical-stage biotech companies.

>>> import finmodel as fm
>>> s = fm.load_scenario("inputs/migenix.yaml")      # doctest: +SKIP
>>> fm.run(s).runway.cash_out                        # doctest: +SKIP
"""

from .engine.runway import implied_burn, implied_cash
from .engine.waterfall import Waterfall
from .errors import ExtractionError, FinmodelError, InputError
from .extract import Extraction, Term, extract, extract_file, extract_many
from .periods import Period, parse_period
from .scenario import Scenario, load_scenario, save_scenario
from .report import report  # matplotlib itself loads only when a chart is drawn
from .sensitivity import sobol, spider, tornado
from .simulate import Simulation, simulate
from .valuation import Valuation, compare, run


__all__ = [
    "Extraction",
    "ExtractionError",
    "FinmodelError",
    "InputError",
    "Period",
    "Scenario",
    "Term",
    "Simulation",
    "Valuation",
    "Waterfall",
    "compare",
    "extract",
    "extract_file",
    "extract_many",
    "implied_burn",
    "implied_cash",
    "load_scenario",
    "parse_period",
    "report",
    "run",
    "save_scenario",
    "simulate",
    "sobol",
    "spider",
    "tornado",
]
__version__ = "0.1.0"
