"""The check of lesson 04's exercise: Q, ``expected_complete_log_likelihood(X, responsibilities, mus, sigmas, pis)``."""

import numpy as np

from .. import em
from ._bound import (
    broadcast_hint,
    bound_atol,
    entropy,
    expected_complete,
    log_joint,
    log_likelihood,
    near,
)
from ._compare import scalar
from ._harness import Failure, Student, run_check
from ._problems import SEED, cases, m_step_start

NAMES = ("X", "responsibilities", "mus", "sigmas", "pis")


def check_expected_complete_log_likelihood(fn):
    """Check a student's ``expected_complete_log_likelihood`` (lesson 04's Q).

    The function gets the data, responsibilities computed from one set of
    parameters (the "old" ones) and another set of parameters, and must return
    the number ``Q = sum_i sum_k gamma_ik [log pis[k] + log N(x_i | mus[k], sigmas[k])]``.
    The oracle computes the log-densities with ``scipy.stats.multivariate_normal``.
    The student may use numpy and scipy, but none of gmm_teach's functions.

    Parameters
    ----------
    fn : callable
        The student's function.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the
        log-likelihood instead of Q, the entropy added (the ELBO), an unweighted
        sum, log pis forgotten, a mean instead of a sum, the row of the
        responsibilities used where the column is meant, and log-densities that
        underflow for a far-away point.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    rng = np.random.default_rng(SEED + 4)
    problems = cases()
    for case in problems:
        case.old = m_step_start(case, rng)
    run_check(Student("expected_complete_log_likelihood", fn), problems, _check_case)


def _check_case(student, case):
    X = case.X
    responsibilities = em.e_step(X, *case.old)
    mus, sigmas, pis = case.params
    try:
        out = student.call(NAMES, (X, responsibilities, mus, sigmas, pis))
    except Failure as failure:
        raise Failure(broadcast_hint(failure)) from None
    value = scalar(out, "your Q")
    a = log_joint(X, mus, sigmas, pis)
    reference = expected_complete(responsibilities, a)
    if near(value, reference):
        return
    log_pis = np.log(pis)[None, :]
    if not np.isfinite(value):
        if case.far_rows:
            raise Failure(
                f"your Q is {value}, not a number: the point far from every component has a "
                f"density that underflows to 0, and log(0) = -inf. Compute log N(x | mu, Sigma) "
                f"directly (-0.5 (D log 2 pi + log det Sigma + Mahalanobis^2), or "
                f"scipy.stats.multivariate_normal(mu, Sigma).logpdf(X)), never log(pdf)."
            )
        raise Failure(f"your Q is {value}, not a finite number; the reference gives "
                      f"{reference:.10g}.")
    diagnoses = (
        (log_likelihood(X, mus, sigmas, pis),
         "you computed the log-likelihood sum_i log sum_k pis[k] N(x_i | ...). In Q the sum "
         "over k is outside the log, and every term is weighted by gamma_ik."),
        (reference + entropy(responsibilities),
         "you added the entropy -sum gamma log gamma: that sum is the lower bound of lesson 06, "
         "not Q. Q is only sum_i sum_k gamma_ik [log pis[k] + log N(x_i | mus[k], sigmas[k])]."),
        (float(a.sum()),
         "your sum is not weighted: every term log pis[k] + log N(x_i | mus[k], sigmas[k]) "
         "must be multiplied by its responsibility gamma_ik before summing."),
        (expected_complete(responsibilities, a - log_pis),
         "you forgot the log-weights: each term is gamma_ik [log pis[k] + log N(x_i | mus[k], "
         "sigmas[k])], with log pis[k] inside the brackets."),
        (reference / len(X),
         f"your Q is the reference divided by n = {len(X)}: Q is a sum over the points, not a "
         f"mean."),
    )
    for candidate, words in diagnoses:
        if near(value, candidate):
            raise Failure(f"your Q is {value:.10g} but the reference gives {reference:.10g}: "
                          f"{words}")
    raise Failure(
        f"your Q is {value:.10g} but the reference gives {reference:.10g} (difference "
        f"{value - reference:.3g}, tolerance {bound_atol(reference):.2g}). Q = sum_i sum_k "
        f"gamma_ik [log pis[k] + log N(x_i | mus[k], sigmas[k])], with gamma = responsibilities "
        f"of shape (n_samples, K)."
    )
