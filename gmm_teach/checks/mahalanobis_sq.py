"""The check of lesson 15's exercise: ``mahalanobis_sq(X, mu, sigma)`` for one component."""

import re

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


# scipy's message when L (D, D) meets a B with another number of rows.
_SHAPES = re.compile(r"shapes of a \((\d+), (\d+)\) and b \((\d+), (\d+)\) are incompatible")


def _gave_rows(message, n, d):
    """Did solve_triangular get X - mu, shape (n, D), instead of its transpose?"""
    match = _SHAPES.search(message)
    return bool(match) and tuple(map(int, match.groups())) == (d, d, n, d)


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
        of its square, ``X - mu`` handed to ``solve_triangular`` without ``.T``,
        a solve without ``lower=True`` (scipy then reads L as upper triangular),
        a solve with ``L.T`` in place of ``L``, ``mu`` not subtracted; and when ``fn`` calls ``np.linalg.inv`` (or
        ``pinv``, or scipy's), which the exercise rules out. Otherwise the
        message gives a hint, not the solution. A loop over the points is not
        detected (the check does not time the function): the lesson asks for
        vectorised code because a loop is slow.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("mahalanobis_sq", fn, forbidden=FORBIDDEN), _problems(), _check_case)


def _check_case(student, case):
    X, mu, sigma = case.data["X"], case.data["mu"], case.data["sigma"]
    n, d = X.shape
    try:
        returned = student.call(("X", "mu", "sigma"), (X, mu, sigma))
    except Failure as failure:
        if _gave_rows(str(failure), n, d):
            raise Failure(
                f"{failure}\nsolve_triangular solves for the columns of B: pass (X - mu).T, "
                f"shape ({d}, {n}), not X - mu, shape ({n}, {d})."
            ) from None
        raise
    out = as_array(returned, "your output")
    expected = _one_at_a_time(X, mu, sigma)
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
    L = np.linalg.cholesky(sigma)
    upper = scipy.linalg.solve_triangular(L, (X - mu).T, lower=False)
    if close(out, (upper**2).sum(axis=0), _RTOL, 0.0):
        raise Failure(
            "your distances are those of a solve that used only the diagonal of L: "
            "solve_triangular assumes an upper-triangular matrix unless you pass lower=True."
        )
    transposed = scipy.linalg.solve_triangular(L.T, (X - mu).T, lower=False)
    if close(out, (transposed**2).sum(axis=0), _RTOL, 0.0):
        raise Failure(
            "your distances are those of a z that solves L^T z = x - mu: as "
            "Sigma^-1 = L^-T L^-1, the distance is the squared length of L^-1 (x - mu), so "
            "solve L z = x - mu, with L itself and lower=True."
        )
    if close(out, _one_at_a_time(X, np.zeros_like(mu), sigma), _RTOL, 0.0):
        raise Failure("your distances are those of X itself, not of X - mu: subtract mu first.")
    raise Failure(
        worst_entry(out, expected, _RTOL, 0.0, "output")
        + "\nCompare with z for one point: z_i solves L z_i = x_i - mu, and the distance is "
        "z_i . z_i (its sum of squares)."
    )
