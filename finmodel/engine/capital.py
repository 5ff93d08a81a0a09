"""Value per share: the one formula the exact valuation and every Monte Carlo path use."""

from __future__ import annotations

import numpy as np

__all__ = ["value_per_share"]


def value_per_share(equity: np.ndarray | float, shares: float, warrant_shares: float,
                    warrant_proceeds: float) -> np.ndarray:
    """Equity per fully diluted share, warrants exercised only when in the money.

    Warrants are exercised when the basic value per share exceeds their
    (average) strike: their proceeds are added and their shares issued.

    Parameters
    ----------
    equity : float or ndarray (R,)
    shares : float
        Shares outstanding.
    warrant_shares, warrant_proceeds : float
        Shares and cash on exercise of the live warrants.

    Returns
    -------
    ndarray, shape of ``equity``
    """
    equity = np.asarray(equity, dtype=float)
    basic = equity / shares
    if warrant_shares <= 0:
        return basic
    diluted = (equity + warrant_proceeds) / (shares + warrant_shares)
    return np.where(basic > warrant_proceeds / warrant_shares, diluted, basic)
