"""The check of lesson 03's exercise: ``e_step(X, mus, sigmas, pis)``."""

import numpy as np
from scipy.special import softmax

from .. import _validation as v
from .. import em
from ._compare import FORGOT_WEIGHTS, LOG_SPACE, RTOL, as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, run_check
from ._problems import cases
from .gaussian_pdf import PDF_LAYOUT

#: What the student may call: the exercise starts from log_gaussian_pdf's a_ik.
ALLOWED = (em.log_gaussian_pdf,)


def check_e_step(fn):
    """Check a student's ``e_step(X, mus, sigmas, pis)`` against the reference.

    It must return the responsibilities ``gamma_ik = p(z_i = k | x_i)``, shape
    (n_samples, K), every row summing to 1. On the case with a point far from
    every component, dividing densities by their sum is 0/0 = NaN: the check
    says to subtract the row maximum in log space first.

    Parameters
    ----------
    fn : callable
        The student's ``e_step(X, mus, sigmas, pis)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: transposed
        or wrongly shaped output, NaN (or a wrong row) at the far-away point,
        normalisation over the wrong axis, rows that do not sum to 1, forgotten
        weights.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.

    """
    __tracebackhide__ = True
    run_check(Student("e_step", fn, ALLOWED), cases(), _check_e_step_case)


def _far_point_failure(case, rows, what):
    return Failure(
        f"your responsibilities {what} in row {rows[0]}, the point far from every "
        f"component: its densities all underflow to 0 (and 0/0 is NaN). {LOG_SPACE}: "
        f"gamma_ik = exp(a_ik - m_i) / sum_j exp(a_ij - m_i)."
    )


def _check_e_step_case(student, case):
    X, (mus, sigmas, pis) = case.X, case.params
    n, k = len(X), len(mus)
    out = as_array(student.call(("X", "mus", "sigmas", "pis"), (X, mus, sigmas, pis)),
                    "your output")
    check_shape(out, (n, k), "your output", PDF_LAYOUT)
    far = set(case.far_rows)
    bad_rows = np.flatnonzero(~np.all(np.isfinite(out), axis=1))
    if len(bad_rows) and set(bad_rows) <= far:
        what = "contain NaN" if np.isnan(out[bad_rows]).any() else "contain inf"
        raise _far_point_failure(case, bad_rows, what)
    ref = em.e_step(X, mus, sigmas, pis)
    if close(out, ref, RTOL, 1e-10):
        return
    row_sums = out.sum(axis=1)
    if np.allclose(out.sum(axis=0), 1.0, atol=v.SUM_TO_ONE_ATOL) and not np.allclose(
        row_sums, 1.0, atol=v.SUM_TO_ONE_ATOL
    ):
        raise Failure(
            "your COLUMNS sum to 1, not your rows: you normalised over samples (axis=0). "
            "Each sample's responsibilities are a distribution over components: divide each "
            "row by its sum (axis=1, keepdims=True)."
        )
    wrong_rows = np.flatnonzero(~np.isclose(row_sums, 1.0, atol=v.SUM_TO_ONE_ATOL))
    if len(wrong_rows) and set(wrong_rows) <= far:
        raise _far_point_failure(case, wrong_rows, f"sum to {row_sums[wrong_rows[0]]:.3g}")
    finite_wrong = [i for i in wrong_rows if np.isfinite(row_sums[i])]
    if finite_wrong:
        i = finite_wrong[0]
        raise Failure(
            f"the rows of your responsibilities do not sum to 1 (row {i} sums to "
            f"{row_sums[i]:.6g}): normalise over components (axis=1), dividing each row by "
            f"its sum."
        )
    wrong = np.flatnonzero(~np.all(np.isclose(out, ref, rtol=RTOL, atol=1e-10), axis=1))
    if len(wrong) and set(wrong) <= far:
        raise Failure(
            f"your responsibilities are right except in row {wrong[0]}, the point far from "
            f"every component: yours are {np.round(out[wrong[0]], 4)}, the reference's "
            f"{np.round(ref[wrong[0]], 4)}. A small number added to avoid 0/0 hides the "
            f"problem without solving it. {LOG_SPACE}."
        )
    log_prob = em.log_gaussian_pdf(X, mus, sigmas, pis)
    if close(out, softmax(log_prob - np.log(pis), axis=1), RTOL, 1e-10):
        raise Failure(FORGOT_WEIGHTS)
    raise Failure(
        worst_entry(out, ref, RTOL, 1e-10, "responsibilities")
        + "\nResponsibilities are the weighted densities pis[k] N(x_i | mus[k], sigmas[k]) "
        "divided by their sum over components. Run check_gaussian_pdf first."
    )
