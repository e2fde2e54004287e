"""Exercise 6's values computed from the textbook formulas of its 2-2-2 network (sigmoid units, squared error,
inputs 0.8 and 0.2, targets 0.9 and 0.1): an oracle the grader's own solver has no part in."""

from __future__ import annotations

import math


def sigma(x: float) -> float:
    return 1 / (1 + math.exp(-x))


H1, H2 = sigma(-15 * 0.8 + 20 * 0.2 + 0.35), sigma(-25 * 0.8 + 30 * 0.2 + 0.35)
O1, O2 = sigma(40 * H1 + 45 * H2 + 0.6), sigma(50 * H1 + 55 * H2 + 0.6)
D_O1, D_O2 = (O1 - 0.9) * O1 * (1 - O1), (O2 - 0.1) * O2 * (1 - O2)
D_H1 = H1 * (1 - H1) * (D_O1 * 40 + D_O2 * 50)
D_H2 = H2 * (1 - H2) * (D_O1 * 45 + D_O2 * 55)
GRAD_W4, GRAD_W5 = D_H2 * 0.2, D_O1 * H1
