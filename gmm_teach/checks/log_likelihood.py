"""The check of lesson 02's second exercise: ``log_likelihood(X, mus, sigmas, pis)``.

The student computes the log weighted densities with numpy and reduces them with
log-sum-exp (their own ``log_sum_exp`` of the first exercise, or any stable
way); no function of gmm_teach is allowed (``allowed=()``): computing the log
density in log space is part of the exercise.
"""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from ._compare import FORGOT_WEIGHTS, LOG_SPACE, RTOL, as_array
from ._harness import Failure, Student, run_check
from ._problems import cases


def check_log_likelihood(fn):
    """Check a student's ``log_likelihood(X, mus, sigmas, pis)`` against scipy.

    The oracle is ``scipy.stats.multivariate_normal.logpdf`` and
    ``scipy.special.logsumexp``, independent of :mod:`gmm_teach.em`.

    It must return the total ``sum_i log sum_k pis[k] N(x_i | mus[k], sigmas[k])``
    as one number. On the case with a point far from every component the
    densities underflow to 0, so a version that sums probabilities and then
    takes the log gives ``-inf``: the check says to use log-sum-exp.

    Parameters
    ----------
    fn : callable
        The student's ``log_likelihood(X, mus, sigmas, pis)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: an array
        instead of one number, ``-inf`` or NaN on the far-away point, forgotten
        weights, a mean instead of a sum, the log inside the sum over components.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.

    """
    __tracebackhide__ = True
    run_check(Student("log_likelihood", fn), cases(), _check_log_likelihood_case)


def _scalar(out):
    value = as_array(out, "your output")
    if value.size != 1:
        if value.shape == (value.size,):
            raise Failure(
                f"your output has shape {value.shape}, one value per sample (or component), "
                f"but log_likelihood must be one number: sum the per-sample "
                f"log-likelihoods log p(x_i) over all samples."
            )
        raise Failure(
            f"your output has shape {value.shape}, but log_likelihood must be one number: "
            f"the log of the sum over components, summed over samples."
        )
    return float(value.ravel()[0])


def _log_weighted(X, mus, sigmas, pis):
    """log pis[k] + log N(x_i | mus[k], sigmas[k]), shape (n, K): the oracle, on scipy.stats."""
    return np.column_stack([np.log(pis[k]) + multivariate_normal(mus[k], sigmas[k]).logpdf(X)
                            for k in range(len(mus))]).reshape(len(X), len(mus))


def _reference(X, mus, sigmas, pis):
    return float(logsumexp(_log_weighted(X, mus, sigmas, pis), axis=1).sum())


def _check_log_likelihood_case(student, case):
    X, (mus, sigmas, pis) = case.X, case.params
    names = ("X", "mus", "sigmas", "pis")
    out = _scalar(student.call(names, (X, mus, sigmas, pis)))
    ref = _reference(X, mus, sigmas, pis)
    if np.isclose(out, ref, rtol=RTOL, atol=0):
        return
    if case.far_rows:
        # -inf, or right everywhere but at the far-away point: it is the underflow.
        far_only = not np.isfinite(out)
        if not far_only:
            X_near = np.delete(X, list(case.far_rows), axis=0)
            try:
                near = _scalar(student.call(names, (X_near, mus, sigmas, pis)))
            except Failure:  # then the diagnoses below must do without it
                near = np.nan
            ref_near = _reference(X_near, mus, sigmas, pis)
            far_only = bool(np.isclose(near, ref_near, rtol=RTOL, atol=0))
        if far_only:
            raise Failure(
                f"your log-likelihood is {out:.6g}, but the reference gives {ref:.6g}. The "
                f"far-away point (row {case.far_rows[0]}) does it: its densities all "
                f"underflow to 0, and log(0) = -inf"
                + (" (a small number added before the log only hides that). "
                   if np.isfinite(out) else ". ")
                + f"{LOG_SPACE}: log p(x_i) = m_i + log sum_k exp(a_ik - m_i)."
            )
    log_prob = _log_weighted(X, mus, sigmas, pis)
    if np.isclose(out, logsumexp(log_prob - np.log(pis), axis=1).sum(), rtol=RTOL, atol=0):
        raise Failure(FORGOT_WEIGHTS)
    if np.isclose(out, ref / len(X), rtol=RTOL, atol=0):
        raise Failure(
            f"you returned the mean log-likelihood per sample ({out:.6g}); log_likelihood is "
            f"the total over samples, {ref:.6g}. Use a sum, not a mean."
        )
    if np.isclose(out, log_prob.sum(), rtol=RTOL, atol=0):
        raise Failure(
            "you summed the logs over components: the log-likelihood of a sample is the "
            "log of the SUM over components, log sum_k pis[k] N(x_i | mus[k], sigmas[k]), "
            "not sum_k log(...)."
        )
    raise Failure(
        f"your log-likelihood is {out:.6g} but the reference gives {ref:.6g}.\n"
        f"It should be sum_i log sum_k pis[k] N(x_i | mus[k], sigmas[k]): natural logs, "
        f"weighted densities, summed over samples. Run check_gaussian_pdf on your "
        f"densities first."
    )
