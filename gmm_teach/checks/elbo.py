"""The check of lesson 06's exercise: the lower bound, ``elbo(X, q, mus, sigmas, pis)``."""

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
from ._harness import Case, Failure, Student, run_check
from ._problems import SEED, cases, m_step_start

NAMES = ("X", "q", "mus", "sigmas", "pis")


def _problems():
    """Six (X, q, parameters) problems: soft, hard and posterior q, and a far point."""
    rng = np.random.default_rng(SEED + 6)
    mixtures = {len(c.X): c for c in cases()}
    c30, c40, c105, c200, c51, c5 = (mixtures[n] for n in (30, 40, 105, 200, 51, 5))
    hard = np.eye(len(c40.mus))[em.e_step(c40.X, *c40.params).argmax(axis=1)]
    other = m_step_start(c200, rng)
    problems = [
        ("X (30, 1), K = 3, q a random soft assignment",
         (c30, rng.dirichlet(np.ones(len(c30.mus)), size=len(c30.X)))),
        ("X (40, 3), K = 2, q a hard assignment (every row one 1, the rest 0)", (c40, hard)),
        ("X (105, 2), K = 4, q the responsibilities at these parameters",
         (c105, em.e_step(c105.X, *c105.params))),
        ("X (200, 5), K = 4, q the responsibilities at other parameters",
         (c200, em.e_step(c200.X, *other))),
        ("X (51, 2), K = 3, with one point far from every component, q the responsibilities "
         "(some exactly 0)", (c51, em.e_step(c51.X, *c51.params))),
        ("X (5, 1), K = 1, q all ones", (c5, np.ones((5, 1)))),
    ]
    return [Case(i, len(problems), text, {"case": c, "q": q})
            for i, (text, (c, q)) in enumerate(problems, 1)]


def check_elbo(fn):
    """Check a student's ``elbo(X, q, mus, sigmas, pis)`` (lesson 06's lower bound).

    ``q`` has shape (n_samples, K), rows summing to 1, and may contain exact
    zeros. The function must return the number
    ``ELBO = sum_i sum_k q_ik [log pis[k] + log N(x_i | mus[k], sigmas[k]) - log q_ik]``
    with ``0 log 0 = 0``. The oracle computes the log-densities with
    ``scipy.stats.multivariate_normal`` and the entropy with a loop. The
    student may call :func:`gmm_teach.log_gaussian_pdf`.

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
        entropy forgotten or with the wrong sign, ``0 log 0`` giving NaN, the
        log-weights forgotten, an unweighted sum, the log-likelihood returned
        whatever ``q`` is, and a value above the log-likelihood.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("elbo", fn, allowed=(em.log_gaussian_pdf,)), _problems(), _check_case)


def _check_case(student, case):
    c, q = case.data["case"], case.data["q"]
    X, (mus, sigmas, pis) = c.X, c.params
    try:
        out = student.call(NAMES, (X, q, mus, sigmas, pis))
    except Failure as failure:
        raise Failure(broadcast_hint(failure)) from None
    value = scalar(out, "your ELBO")
    a = log_joint(X, mus, sigmas, pis)
    q_term, h = expected_complete(q, a), entropy(q)
    reference = q_term + h
    if near(value, reference):
        return
    log_l = log_likelihood(X, mus, sigmas, pis)
    if np.isnan(value) and np.any(q == 0):
        raise Failure(
            "your ELBO is NaN, and this q has entries exactly 0: 0 * log(0) is 0 * (-inf) = NaN "
            "in floating point, but the entropy's term is 0 there (q log q -> 0 as q -> 0). "
            "Leave out the zero entries (np.where, a mask) or use scipy.special.xlogy(q, q)."
        )
    if not np.isfinite(value):
        raise Failure(f"your ELBO is {value}, not a finite number; the reference gives "
                      f"{reference:.10g}. Work with log-densities, never log(pdf).")
    log_pis = np.log(pis)[None, :]
    diagnoses = (
        (q_term, "you forgot the entropy term -sum q log q: that is lesson 04's Q, not the "
                 "bound. ELBO(q, theta) = Q + H(q)."),
        (q_term - h, "the entropy has the wrong sign: H(q) = -sum_i sum_k q_ik log q_ik is "
                     ">= 0 and is added, ELBO = sum q (log pis + log N) - sum q log q."),
        (expected_complete(q, a - log_pis) + h,
         "you forgot the log-weights: inside the brackets is log pis[k] + log N(x_i | mus[k], "
         "sigmas[k]) - log q_ik."),
        (float(a.sum()) + h,
         "the first sum is not weighted: multiply every log pis[k] + log N(x_i | ...) by q_ik "
         "before summing."),
        (log_l, "you returned the log-likelihood, which does not depend on q. The bound "
                "equals it only when q is the responsibilities; here q is another assignment."),
    )
    for candidate, words in diagnoses:
        if near(value, candidate):
            raise Failure(f"your ELBO is {value:.10g} but the reference gives "
                          f"{reference:.10g}: {words}")
    above = ""
    if value > log_l + bound_atol(log_l):
        above = (f" Yours is above the log-likelihood, {log_l:.10g}, which no lower bound "
                 f"can be.")
    raise Failure(
        f"your ELBO is {value:.10g} but the reference gives {reference:.10g} (difference "
        f"{value - reference:.3g}).{above} ELBO = sum_i sum_k q_ik [log pis[k] + "
        f"log N(x_i | mus[k], sigmas[k]) - log q_ik], with 0 log 0 = 0."
    )
