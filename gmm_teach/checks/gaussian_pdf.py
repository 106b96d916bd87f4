"""The check of lesson 01's exercise: ``gaussian_pdf(X, mus, sigmas, pis)``."""

import numpy as np

from .. import em
from ._compare import FORGOT_WEIGHTS, RTOL, as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, run_check
from ._problems import cases

PDF_LAYOUT = "One row per sample of X, one column per component: shape (n_samples, K)."
# Near 2.2e-308 (the smallest normal double) and below, densities are subnormal and carry
# few digits: 1e-300 leaves a margin.
_PDF_ATOL = 1e-300


#: The typical slips in the formula, each with its one-sentence diagnosis (D: n_features).
_FORMULA_MISTAKES = (
    ("no_root", lambda d: (
        "your densities are the reference's divided by sqrt((2 pi)^D |sigmas[k]|): the "
        "normalising constant lacks its square root. Divide by "
        "sqrt((2 pi)^D |sigmas[k]|), not by (2 pi)^D |sigmas[k]|.")),
    ("det_not_rooted", lambda d: (
        "your densities are the reference's divided by sqrt(|sigmas[k]|): the determinant in "
        "the normalising constant lacks its square root. The constant is "
        "(2 pi)^(D/2) |sigmas[k]|^(1/2) = sqrt((2 pi)^D |sigmas[k]|).")),
    ("no_half", lambda d: (
        "your densities fall off too fast away from the means: the exponent lacks its factor "
        "1/2. It is -1/2 (x - mus[k]) @ inv(sigmas[k]) @ (x - mus[k]): "
        "np.exp(-0.5 * mahalanobis_sq).")),
    ("sigma_not_inverse", lambda d: (
        "your quadratic form uses sigmas[k] itself where it needs its inverse: it must be "
        "(x - mus[k]) @ inv(sigmas[k]) @ (x - mus[k]). np.linalg.solve(sigmas[k], diff.T) "
        "gives inv(sigmas[k]) @ (x - mus[k]) for every point; diff @ sigmas[k] does not.")),
    ("two_pi_not_powered", lambda d: (
        f"your normalising constant has 2 pi where it needs (2 pi)^D, with D = n_features = "
        f"{d} here: the constant is sqrt((2 pi)^D |sigmas[k]|) = "
        f"(2 pi)^(D/2) |sigmas[k]|^(1/2).")),
)


def _weighted_density(X, mus, sigmas, pis, mistake):
    """pis[k] N(x_i | mus[k], sigmas[k]) computed with one typical ``mistake``: the wrong oracles."""
    n_features = X.shape[1]
    out = np.empty((len(X), len(mus)))
    for k in range(len(mus)):
        diff = X - mus[k]
        matrix = sigmas[k] if mistake == "sigma_not_inverse" else np.linalg.inv(sigmas[k])
        quadratic = np.einsum("ij,jl,il->i", diff, matrix, diff)
        log_det = np.linalg.slogdet(sigmas[k])[1]
        log_two_pi = np.log(2 * np.pi) * (1 if mistake == "two_pi_not_powered" else n_features)
        half_log_norm = 0.5 * (log_two_pi + log_det)
        if mistake == "no_root":
            half_log_norm = log_two_pi + log_det
        elif mistake == "det_not_rooted":
            half_log_norm = 0.5 * log_two_pi + log_det
        exponent = -quadratic if mistake == "no_half" else -0.5 * quadratic
        out[:, k] = pis[k] * np.exp(exponent - half_log_norm)
    return out


def check_gaussian_pdf(fn):
    """Check a student's ``gaussian_pdf(X, mus, sigmas, pis)`` against the reference.

    It must return the WEIGHTED densities ``pis[k] * N(x_i | mus[k], sigmas[k])``
    as an array of shape (n_samples, K). Far from every component these
    underflow to 0.0, in the student's code as in the reference, and that is
    accepted: the far-away point matters for :func:`check_log_likelihood` and
    :func:`check_e_step`, where it must not turn into ``-inf`` or NaN.

    Parameters
    ----------
    fn : callable
        The student's ``gaussian_pdf(X, mus, sigmas, pis)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with what differs and, for a
        common mistake (transposed output, forgotten weights, log densities,
        float32; no square root on the normalising constant or its determinant,
        no 1/2 in the exponent, ``sigmas[k]`` in place of its inverse, 2 pi not
        raised to the power D), what to change.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.

    """
    __tracebackhide__ = True
    run_check(Student("gaussian_pdf", fn), cases(), _check_gaussian_pdf_case)


def _check_gaussian_pdf_case(student, case):
    X, (mus, sigmas, pis) = case.X, case.params
    raw = student.call(("X", "mus", "sigmas", "pis"), (X, mus, sigmas, pis))
    out = as_array(raw, "your output")
    check_shape(out, (len(X), len(mus)), "your output", PDF_LAYOUT)
    ref = em.gaussian_pdf(X, mus, sigmas, pis)
    if close(out, ref, RTOL, _PDF_ATOL):
        return
    dtype = np.asarray(raw).dtype
    if dtype in (np.float16, np.float32) and close(out, ref, 1e-3, np.finfo(dtype).tiny):
        tiny = ref[(ref > 0) & (ref < np.finfo(dtype).tiny)]
        raise Failure(
            f"your output is {dtype}, which keeps about {np.finfo(dtype).precision} digits and "
            f"underflows to 0 below {np.finfo(dtype).tiny:.1e}"
            + (f" (the reference has densities as small as {tiny.min():.1e} here)"
               if tiny.size else "")
            + ". Use float64: drop dtype=np.float32 (np.zeros((n, K)) is float64)."
        )
    if close(out, ref / pis, RTOL, _PDF_ATOL):
        raise Failure(FORGOT_WEIGHTS)
    if close(out, em.log_gaussian_pdf(X, mus, sigmas, pis), RTOL, 1e-12):
        raise Failure(
            "you returned the log densities: gaussian_pdf should return the weighted "
            "densities themselves (np.exp of the log densities). Keep your log version "
            "for log_likelihood and e_step."
        )
    for mistake, message in _FORMULA_MISTAKES:
        if close(out, _weighted_density(X, mus, sigmas, pis, mistake), RTOL, _PDF_ATOL):
            raise Failure(message(X.shape[1]))
    raise Failure(
        worst_entry(out, ref, RTOL, _PDF_ATOL, "output")
        + "\nLook at the normalising constant (2 pi)^(-D/2) |sigmas[k]|^(-1/2), the "
        "quadratic form (x - mus[k]) @ inv(sigmas[k]) @ (x - mus[k]) with its factor -1/2, "
        "and the weight pis[k]."
    )
