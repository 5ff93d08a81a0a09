"""Shared test settings.

Hypothesis: no per-example deadline (a busy 2-core CI machine must not turn a
slow example into a failure; speed is checked by scaling tests and benchmarks),
and a fixed example order under CI so its runs are reproducible.
"""

import os

from hypothesis import settings

settings.register_profile("finmodel", deadline=None, print_blob=True,
                          derandomize=bool(os.environ.get("CI")))
settings.load_profile("finmodel")
