"""The check of lesson 07's second exercise: ``n_random_restarts``, how many random starts to run.

Lesson 07 fits the four blobs (105 points, K = 4) from 20 random seeds per
start method; ``init="random"`` reaches the best log-likelihood in 7 of the 20
runs. If each start finds it independently with probability q = 7/20, all of n
starts miss it with probability (1 - q)^n, and the smallest n with
(1 - q)^n <= 0.01 is 11. The counts are the lesson's (tests/test_checks_07_08.py
recomputes them with fit_gmm).
"""

import numpy as np

from ._answers import check_number

#: Runs per method in the lesson's table, and how many of them reached the best model.
N_RUNS = 20
N_BEST = {"random": 7, "kmeans++": 9, "kmeans": 12}
TARGET = 0.99


def restarts_needed(n_best, n_runs=N_RUNS, target=TARGET):
    """The smallest n with (1 - n_best / n_runs)^n <= 1 - target (the check's oracle)."""
    miss = 1 - n_best / n_runs
    n = 1
    while miss ** n > 1 - target:
        n += 1
    return n


def check_n_random_restarts(n_random_restarts):
    """Check ``n_random_restarts``: random starts needed for a 99 % chance of the best model.

    Parameters
    ----------
    n_random_restarts : int
        The student's number.

    Returns
    -------
    None
        When it is right, one line is printed.

    Raises
    ------
    AssertionError
        When it is wrong, with a diagnosis for: the exact bound not rounded up,
        rounded down, the success probability used as the miss probability, the
        k-means++ or k-means row read instead of the random one, and
        probabilities added instead of multiplied.
    NotImplementedError
        If ``n_random_restarts`` is still ``None`` (not answered).
    """
    __tracebackhide__ = True
    q = N_BEST["random"] / N_RUNS
    exact = np.log(1 - TARGET) / np.log(1 - q)
    expected = restarts_needed(N_BEST["random"])
    mistakes = [
        (lambda v: abs(v - exact) < 0.05,
         f"that is the bound log(0.01) / log(1 - q) = {exact:.2f} itself; the number of starts "
         f"is a whole number, the smallest one at or above it (round up)."),
        (lambda v: v == expected - 1,
         f"with {expected - 1} starts all of them miss with probability "
         f"{(1 - q) ** (expected - 1):.4f}, more than 0.01: round UP, not down."),
        (lambda v: v == restarts_needed(N_RUNS - N_BEST["random"]),
         f"you used q = {q:g}, the probability that a start FINDS the best model, as the "
         f"probability that it misses. All n starts miss with probability (1 - q)^n."),
        (lambda v: v == restarts_needed(N_BEST["kmeans++"]),
         'that is the answer for init="kmeans++" (9 of 20); the question is about '
         'init="random": read its row of the table.'),
        (lambda v: v == restarts_needed(N_BEST["kmeans"]),
         'that is the answer for init="kmeans" (12 of 20); the question is about '
         'init="random": read its row of the table.'),
        (lambda v: v * q >= TARGET and v < expected,
         "adding the chances, n q, is not a probability (it passes 1 for large n). The best "
         "model is missed only if EVERY start misses, which has probability (1 - q)^n."),
    ]
    otherwise = (
        "if one start finds the best model with probability q (the fraction of the 20 "
        "random runs in the table that reached it), all n independent starts miss it with "
        "probability (1 - q)^n; find the smallest whole n for which that is at most 0.01."
    )
    check_number("n_random_restarts", n_random_restarts, expected, mistakes, otherwise)
