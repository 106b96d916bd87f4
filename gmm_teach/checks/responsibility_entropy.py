"""The check of lesson 03's exercise: ``responsibility_entropy(responsibilities)``, each point's uncertainty."""

import math

import numpy as np
import scipy.stats

from .. import em
from ..data import make_ds
from ._compare import as_array, worst_entry
from ._harness import Failure, Student, numbered, run_check
from ._problems import cases

FORBIDDEN = (
    (scipy.stats.entropy,
     "scipy.stats.entropy, which does the very work this exercise asks you to write: compute "
     "it yourself with numpy, as the text describes"),
)

_RTOL = 1e-6
_ATOL = 1e-9  # a student's log(gamma + 1e-12) is accurate enough
_LAYOUT = "Return one entropy per point: an array of shape (n_samples,)."


def _problems():
    rng = np.random.default_rng(3)
    by_hand = np.array([
        [1.0, 0.0, 0.0],
        [0.5, 0.5, 0.0],
        [1 / 3, 1 / 3, 1 / 3],
        [0.9, 0.1, 0.0],
        [0.2, 0.3, 0.5],
    ])
    (X, _), start_mus = make_ds([[1, -1], [5, 5], [8, 7], [10, 0]])
    blobs = em.e_step(X, start_mus, np.array([np.eye(2)] * 4), np.full(4, 0.25))
    soft = rng.dirichlet(np.full(2, 0.5), size=40)
    soft[::5] = [0.0, 1.0]  # some hard rows
    far = cases()[-1]
    far_gamma = em.e_step(far.X, *far.params)
    problems = [
        ("5 points, K = 3, written by hand (with exact zeros)", by_hand),
        ("the lesson's four blobs under the starting guesses, 105 points, K = 4", blobs),
        ("40 points, K = 2, a fifth of them hard (0 and 1)", soft),
        (f"{len(far_gamma)} points, K = {far_gamma.shape[1]}, one far from every component",
         far_gamma),
        ("6 points, K = 1 (every responsibility is 1)", np.ones((6, 1))),
    ]
    return numbered([(text, {"responsibilities": gamma}) for text, gamma in problems])


def _entropy(responsibilities):
    """-sum_k gamma_ik log gamma_ik for each row, one number at a time, 0 log 0 = 0 (the oracle)."""
    out = []
    for row in responsibilities.tolist():
        out.append(0.0 - sum(g * math.log(g) for g in row if g > 0))
    return np.array(out)


def check_responsibility_entropy(fn):
    """Check a student's ``responsibility_entropy(responsibilities)``: each point's entropy in nats.

    It must return ``H_i = -sum_k gamma_ik log(gamma_ik)`` (natural log, with
    ``0 log 0 = 0``) for every row of the responsibilities, shape
    (n_samples,). The oracle is a plain loop over the rows with ``math.log``
    that skips the zeros. Five cases: a small matrix written by hand with exact
    zeros, the lesson's four blobs, hard and soft rows, a point far from every
    component, and a single component (every entropy 0).

    Parameters
    ----------
    fn : callable
        The student's ``responsibility_entropy(responsibilities)``;
        ``responsibilities`` has shape (n_samples, K), every row summing to 1.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: NaN from
        ``0 * log(0)``, the sum over the wrong axis, the terms not summed, one
        number for all points, the minus sign forgotten, log base 2 or 10, the
        mean over components instead of the sum. Also when ``fn`` calls
        ``scipy.stats.entropy``.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("responsibility_entropy", fn, forbidden=FORBIDDEN), _problems(),
              _check_case)


def _check_case(student, case):
    gamma = case.data["responsibilities"]
    n, k = gamma.shape
    out = as_array(student.call(("responsibilities",), (gamma,)), "your entropies")
    if out.size == 1 and n > 1:
        raise Failure(
            f"you returned one number ({float(out.ravel()[0]):.6g}); return one entropy per "
            f"point, shape ({n},): sum over the components only (axis=1)."
        )
    if out.shape == (k,) and k != n:
        raise Failure(
            f"your entropies have shape ({k},), one per component: you summed over the points "
            f"(axis=0). Each point's entropy is a sum over its own row: axis=1."
        )
    if out.shape in ((n, k), (k, n)) and k > 1:
        raise Failure(
            f"you returned shape {out.shape}, one term per point and component: add the terms "
            f"-gamma_ik log(gamma_ik) of each row (sum over axis=1) to get one entropy per point."
        )
    if out.shape != (n,):
        raise Failure(f"your entropies have shape {out.shape} but should be ({n},). {_LAYOUT}")
    nan_rows = np.flatnonzero(np.isnan(out))
    if len(nan_rows):
        i = nan_rows[0]
        if np.any(gamma[i] == 0):
            raise Failure(
                f"your entropy of point {i} is NaN; its responsibilities "
                f"{np.round(gamma[i], 4).tolist()} hold an exact 0, and 0 * log(0) is "
                f"0 * (-inf) = NaN in numpy. By convention 0 log 0 = 0 (the limit of x log x as "
                f"x -> 0): skip the zero terms, e.g. with np.where, or use scipy.special.xlogy."
            )
        raise Failure(f"your entropy of point {i} is NaN; its responsibilities are "
                      f"{np.round(gamma[i], 4).tolist()}.")
    ref = _entropy(gamma)
    if _close(out, ref):
        return
    if np.any(out < -_ATOL) and _close(out, -ref):
        raise Failure(
            "your entropies are negative, the reference's exactly the opposite: you forgot the "
            "minus sign. log(gamma) <= 0, so H_i = -sum_k gamma_ik log(gamma_ik) >= 0."
        )
    for base, name in [(2, "np.log2"), (10, "np.log10")]:
        if _close(out, ref / np.log(base)):
            raise Failure(
                f"your entropies are the reference's divided by log({base}): you used {name}. "
                f"Measure them in nats, with the natural log np.log."
            )
    if _close(out, ref / k):
        raise Failure(
            f"your entropies are the reference's divided by K = {k}: you took the mean over the "
            f"components; the entropy is their sum."
        )
    raise Failure(
        worst_entry(out, ref, _RTOL, _ATOL, "entropies")
        + f"\nH_i = -sum_k gamma_ik log(gamma_ik), natural log, terms with gamma_ik = 0 counted "
        f"as 0; the responsibilities of that point are {_row_text(gamma, out, ref)}."
    )


def _close(out, ref):
    return bool(np.allclose(out, ref, rtol=_RTOL, atol=_ATOL))


def _row_text(gamma, out, ref):
    with np.errstate(all="ignore"):
        score = np.abs(out - ref) / (_ATOL + _RTOL * np.abs(ref))
    i = int(np.argmax(np.where(np.isnan(score), np.inf, score)))
    return str(np.round(gamma[i], 4).tolist())
