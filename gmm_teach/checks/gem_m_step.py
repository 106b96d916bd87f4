"""The check of lesson 06's exercise: the generalised M-step, ``gem_m_step(X, responsibilities, old_mus)``."""

import numpy as np

from .. import em
from ._compare import close, worst_entry
from ._harness import Failure, Student, run_check
from ._params import M_STEP_RTOL, check_params_output, check_weights_and_symmetry, params_atol
from ._problems import SEED, cases, m_step_start

NAMES = ("X", "responsibilities", "old_mus")


def _oracle(X, responsibilities, old_mus, centre_on_new=False):
    """New means and weights, covariances about ``old_mus`` (or the new means): loops."""
    n, d = X.shape
    k_count = responsibilities.shape[1]
    mus = np.zeros((k_count, d))
    sigmas = np.zeros((k_count, d, d))
    nk = np.zeros(k_count)
    for k in range(k_count):
        for i in range(n):
            nk[k] += responsibilities[i, k]
            mus[k] += responsibilities[i, k] * X[i]
        mus[k] /= nk[k]
        centre = mus[k] if centre_on_new else old_mus[k]
        for i in range(n):
            deviation = X[i] - centre
            sigmas[k] += responsibilities[i, k] * np.outer(deviation, deviation)
        sigmas[k] /= nk[k]
    return mus, sigmas, nk / n


def check_gem_m_step(fn):
    """Check a student's ``gem_m_step(X, responsibilities, old_mus)`` (lesson 06).

    The step returns ``(mus, sigmas, pis)``: the M-step's new means and
    weights, but every covariance measured around the OLD mean ``old_mus[k]``,
    ``sigmas[k] = sum_i gamma_ik (x_i - old_mus[k]) (x_i - old_mus[k])^T / N_k``.
    The oracle is a loop over the points. The student may call
    :func:`gmm_teach.m_step`; a ``reg_covar`` of 1e-6 is forgiven.

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
        At the first case that does not match, with a diagnosis for: wrong
        number of values or shapes, weights that do not sum to 1, covariances
        that are not symmetric, covariances around the new means (EM's own
        M-step), means or weights that are not the M-step's, covariances
        divided by n instead of N_k.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    rng = np.random.default_rng(SEED + 8)
    problems = cases()
    for case in problems:
        case.old = m_step_start(case, rng)
    run_check(Student("gem_m_step", fn, allowed=(em.m_step,)), problems, _check_case)


def _check_case(student, case):
    X = case.X
    old_mus = case.old[0]
    responsibilities = em.e_step(X, *case.old)
    out = student.call(NAMES, (X, responsibilities, old_mus))
    k, d = old_mus.shape
    mus, sigmas, pis = check_params_output(out, k, d)
    check_weights_and_symmetry(pis, sigmas, len(X))
    ref_mus, ref_sigmas, ref_pis = _oracle(X, responsibilities, old_mus)
    if close(mus, old_mus, M_STEP_RTOL, params_atol(old_mus)):
        raise Failure(
            "your means are the old means old_mus: the step keeps the M-step's NEW means, "
            "mus[k] = sum_i gamma_ik x_i / N_k; only the covariances are measured around "
            "old_mus."
        )
    for name, mine, theirs in (("mus", mus, ref_mus), ("pis", pis, ref_pis)):
        if not close(mine, theirs, M_STEP_RTOL, params_atol(theirs)):
            raise Failure(
                worst_entry(mine, theirs, M_STEP_RTOL, params_atol(theirs), name)
                + "\nThe means and weights are the M-step's: with N_k = sum_i gamma_ik, "
                "mus[k] = sum_i gamma_ik x_i / N_k and pis[k] = N_k / n."
            )
    atol = params_atol(ref_sigmas)
    if close(sigmas, ref_sigmas, M_STEP_RTOL, atol):
        return
    if close(sigmas, _oracle(X, responsibilities, old_mus, centre_on_new=True)[1],
             M_STEP_RTOL, atol):
        raise Failure(
            "your covariances are measured around the NEW means: that is EM's own M-step. "
            "This step measures sigmas[k] around old_mus[k], the means before the step."
        )
    nk = responsibilities.sum(axis=0)
    if close(sigmas, ref_sigmas * (nk / len(X))[:, None, None], M_STEP_RTOL, atol):
        raise Failure(
            f"your covariances are divided by n = {len(X)}; divide component k's by its own "
            f"N_k = sum_i gamma_ik."
        )
    raise Failure(
        worst_entry(sigmas, ref_sigmas, M_STEP_RTOL, atol, "sigmas")
        + "\nsigmas[k] = sum_i gamma_ik (x_i - old_mus[k]) (x_i - old_mus[k])^T / N_k: "
        "weighted by the responsibilities, divided by N_k, around the old mean."
    )
