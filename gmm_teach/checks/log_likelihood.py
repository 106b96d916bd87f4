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
        weights, a mean instead of a sum, the log inside the sum over components,
        log-sum-exp over the samples (axis 0), and each slip in the log density
        (a term not halved, log(2 pi) not times D, ``sigmas[k]`` in place of its
        inverse).
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


_A_IK = ("log pis[k] - 1/2 (D log(2 pi) + log|sigmas[k]| + (x_i - mus[k]) @ inv(sigmas[k]) "
         "@ (x_i - mus[k]))")
_FORMULA = f"The log weighted density is a_ik = {_A_IK}: the 1/2 multiplies all three terms."

#: The typical slips in the log density a_ik, each with its diagnosis.
_FORMULA_MISTAKES = (
    ("log_det_not_halved",
     "your log-likelihood is what a_ik gives with the whole log|sigmas[k]| subtracted: the "
     "log-determinant lacks its factor 1/2."),
    ("quadratic_not_halved",
     "your log-likelihood is what a_ik gives with the whole squared Mahalanobis distance "
     "subtracted: the quadratic form lacks its factor 1/2."),
    ("log_two_pi_not_halved",
     "your log-likelihood is what a_ik gives with the whole D log(2 pi) subtracted: that term "
     "lacks its factor 1/2."),
    ("log_two_pi_not_times_d",
     "your log-likelihood is what a_ik gives with log(2 pi) where it needs D log(2 pi), D the "
     "number of features (X.shape[1])."),
    ("sigma_not_inverse",
     "your log-likelihood is what a_ik gives with sigmas[k] in the quadratic form where it "
     "needs its inverse: np.linalg.solve(sigmas[k], diff.T) gives inv(sigmas[k]) @ "
     "(x_i - mus[k]) for every point."),
)


def _log_weighted_with(X, mus, sigmas, pis, mistake):
    """The matrix a_ik computed with one typical ``mistake``: the wrong oracles."""
    n_features = X.shape[1]
    out = np.empty((len(X), len(mus)))
    for k in range(len(mus)):
        diff = X - mus[k]
        matrix = sigmas[k] if mistake == "sigma_not_inverse" else np.linalg.inv(sigmas[k])
        terms = {
            "log_two_pi": np.log(2 * np.pi) * (1 if mistake == "log_two_pi_not_times_d"
                                               else n_features),
            "log_det": np.linalg.slogdet(sigmas[k])[1],
            "quadratic": np.einsum("ij,jl,il->i", diff, matrix, diff),
        }
        whole = {"log_det_not_halved": "log_det", "quadratic_not_halved": "quadratic",
                 "log_two_pi_not_halved": "log_two_pi"}.get(mistake)
        out[:, k] = np.log(pis[k]) - sum(value if name == whole else 0.5 * value
                                         for name, value in terms.items())
    return out


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
    if np.isclose(out, float(logsumexp(log_prob, axis=0).sum()), rtol=RTOL, atol=0):
        raise Failure(
            "you took log-sum-exp over the samples (axis 0), not over the components: with "
            "a_ik in a matrix of shape (n_samples, K), log p(x_i) is log_sum_exp(a, axis=1), "
            "one value per sample, and log_likelihood is the sum of those n_samples values."
        )
    for mistake, message in _FORMULA_MISTAKES:
        wrong = float(logsumexp(_log_weighted_with(X, mus, sigmas, pis, mistake), axis=1).sum())
        if np.isclose(out, wrong, rtol=RTOL, atol=0):
            raise Failure(message + " " + _FORMULA)
    raise Failure(
        f"your log-likelihood is {out:.6g} but the reference gives {ref:.6g}.\n"
        f"It should be sum_i log sum_k pis[k] N(x_i | mus[k], sigmas[k]), in natural logs. "
        f"Check each term of a_ik = {_A_IK}, then your log_sum_exp of a along axis 1 (over "
        f"the components), then the sum over the samples."
    )
