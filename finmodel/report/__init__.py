"""Reports: a multi-page PDF, one PNG per chart and an xlsx workbook of every schedule.

>>> import finmodel as fm
>>> from finmodel.report import report
>>> files = report("inputs/migenix.yaml", out="reports", releases="../shared/seeds")  # doctest: +SKIP
>>> files.pdf                                                                  # doctest: +SKIP
PosixPath('reports/migenix.pdf')

The charts are in :mod:`finmodel.report.charts`, each ``chart(result, ax=None) -> Axes``.
Importing this package does not import matplotlib; drawing does.
"""

from .build import DEFAULT_PATHS, DEFAULT_SEED, ReportFiles, report

__all__ = ["DEFAULT_PATHS", "DEFAULT_SEED", "ReportFiles", "report"]
