"""The outcome tree: one row per combination of program outcomes, weighted by its probability.

Each program ends at one of its remaining stages or is approved. Programs that
move no cash under any outcome get a single row (their outcome cannot change a
number), and combinations of probability zero are dropped.
"""

from __future__ import annotations

import itertools
from typing import Mapping

import numpy as np

from .programs import APPROVED, ProgramModel, Values

__all__ = ["outcome_tree"]


def outcome_tree(models: Mapping[str, ProgramModel], values: Values
                 ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Enumerate outcome combinations.

    Returns
    -------
    outcomes : dict of program id -> ndarray of int, shape (R,)
        Stage index where each row's program stops (``APPROVED``: on the market).
    weights : ndarray of shape (R,)
        Probability of each row; sums to 1.
    """
    choices: list[list[tuple[int, float]]] = []
    for model in models.values():
        if not model.has_flows:
            choices.append([(APPROVED, 1.0)])
            continue
        probs = [float(p) for p in model.outcome_probabilities(values)]
        stages = range(model.current, APPROVED + 1)
        choices.append([(s, p) for s, p in zip(stages, probs) if p > 0])
    combos = list(itertools.product(*choices))
    weights = np.array([np.prod([p for _, p in combo]) for combo in combos], dtype=float)
    outcomes = {pid: np.array([combo[i][0] for combo in combos], dtype=int)
                for i, pid in enumerate(models)}
    return outcomes, weights
