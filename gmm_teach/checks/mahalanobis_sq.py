"""The check of lesson 13's exercise: ``mahalanobis_sq(X, mu, sigma)`` for one component."""

import numpy as np
import scipy.linalg

from ._compare import as_array, close, worst_entry
from ._harness import Failure, Student, numbered, run_check

_NO_INVERSE = ("which the exercise asks you to avoid: factor sigma with np.linalg.cholesky and "
               "solve the triangular system instead (faster, and more accurate when sigma is "
               "ill-conditioned)")
FORBIDDEN = (
    (np.linalg.inv, f"np.linalg.inv, {_NO_INVERSE}"),
    (np.linalg.pinv, f"np.linalg.pinv, {_NO_INVERSE}"),
    (scipy.linalg.inv, f"scipy.linalg.inv, {_NO_INVERSE}"),
    (scipy.linalg.pinv, f"scipy.linalg.pinv, {_NO_INVERSE}"),
)

# Loose enough for float32 arithmetic, which is harmless here.
_RTOL = 1e-5


def _problems():
    rng = np.random.default_rng(9)
    problems = []
    for d in [1, 2, 5, 20]:
        a = rng.normal(size=(d, d))
        mu = rng.normal(size=d)
        problems.append((f"X (40, {d}), D = {d}",
                         {"X": mu + 3 * rng.normal(size=(40, d)), "mu": mu,
                          "sigma": a @ a.T + 0.5 * np.eye(d)}))
    return numbered(problems)


def _one_at_a_time(X, mu, sigma):
    """(x - mu)^T sigma^-1 (x - mu) for each point with a linear solve (the check's oracle)."""
    return np.array([(x - mu) @ np.linalg.solve(sigma, x - mu) for x in X])


def check_mahalanobis_sq(fn):
    """Check a student's vectorised ``mahalanobis_sq(X, mu, sigma)`` against a loop over the points.

    Parameters
    ----------
    fn : callable
        The student's ``mahalanobis_sq(X, mu, sigma)``; ``X`` has shape
        (n_samples, n_features), ``mu`` (n_features,), ``sigma``
        (n_features, n_features); it returns shape (n_samples,).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: a wrong
        shape, all pairs instead of one number per point, the distance instead
        of its square; and when ``fn`` calls ``np.linalg.inv`` (or ``pinv``, or
        scipy's), which the exercise rules out.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("mahalanobis_sq", fn, forbidden=FORBIDDEN), _problems(), _check_case)


def _check_case(student, case):
    X, mu, sigma = case.data["X"], case.data["mu"], case.data["sigma"]
    out = as_array(student.call(("X", "mu", "sigma"), (X, mu, sigma)), "your output")
    expected = _one_at_a_time(X, mu, sigma)
    n = len(X)
    if out.shape == (n, n) and close(np.diag(out), expected, _RTOL, 0.0):
        raise Failure(
            f"your output has shape ({n}, {n}): the products of every pair of points, whose "
            f"diagonal is the answer. Sum the squares of each column of z instead: "
            f"(z**2).sum(axis=0) gives the n numbers without the n x n matrix."
        )
    if out.shape != (n,):
        raise Failure(f"your output has shape {out.shape} but should be ({n},): one number per point.")
    if close(out, expected, _RTOL, 0.0):
        return
    if close(out, np.sqrt(expected), _RTOL, 0.0):
        raise Failure("you returned the distances themselves: return their squares.")
    raise Failure(
        worst_entry(out, expected, _RTOL, 0.0, "output")
        + "\nWith L = cholesky(sigma) and z = solve_triangular(L, (X - mu).T, lower=True), the "
        "answer is the sum of squares of each column of z."
    )
