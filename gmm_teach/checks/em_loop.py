"""The check of lesson 05's exercise: the whole EM loop, ``gmm(X, mus, sigmas, pis, n_iter)``."""

import numpy as np

from .. import em
from ._compare import as_array, close, params_close, params_mismatch, worst_entry
from ._harness import Failure, Student, run_check
from ._params import OLD_MEANS, check_params_output, check_weights_and_symmetry, covariances_about
from ._problems import gmm_cases

#: Relative tolerance for a whole EM loop, where small differences grow.
GMM_RTOL = 1e-4

#: What the student may call: the steps, as the exercise says.
ALLOWED = (em.e_step, em.m_step, em.log_likelihood, em.gaussian_pdf, em.log_gaussian_pdf)


def check_gmm(fn):
    """Check a student's whole EM loop against the reference :func:`~gmm_teach.em.fit_gmm`.

    The contract: ``gmm(X, mus, sigmas, pis, n_iter)`` starts from the given
    parameters, runs exactly ``n_iter`` EM iterations (E-step, then M-step,
    without regularisation and without stopping early) and returns
    ``(mus, sigmas, pis, log_likelihoods)``: the final parameters and a list
    with the total log-likelihood after each iteration (``n_iter`` numbers,
    each computed after the M-step, with the new parameters). A list that also
    holds the start's log-likelihood, or one computed before each M-step (one
    step behind), is reported as such.

    It is compared with ``fit_gmm(X, init=(mus, sigmas, pis), tol=0,
    max_iter=n_iter, reg_covar=0)``; since both start from the same
    parameters, the components come out in the same order.

    Parameters
    ----------
    fn : callable
        The student's ``gmm(X, mus, sigmas, pis, n_iter)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: wrong
        return values, log-likelihoods one step behind or with the start's,
        a log-likelihood that decreases (with the iteration), weights that do
        not sum to 1, covariances around the old means.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.

    """
    __tracebackhide__ = True
    run_check(Student("gmm", fn, ALLOWED), gmm_cases(), _check_gmm_case)


def _em_old_means(X, params, n_iter):
    """EM whose covariances are taken about the old means (a common mistake).

    Returns the final parameters and the log-likelihoods of the start and after
    every iteration (``n_iter + 1`` numbers, like ``EMResult.log_likelihoods``).
    """
    mus, sigmas, pis = params
    lls = [em.log_likelihood(X, mus, sigmas, pis)]
    for _ in range(n_iter):
        resp = em.e_step(X, mus, sigmas, pis)
        nk = resp.sum(axis=0)
        sigmas = covariances_about(X, resp, mus)
        mus = resp.T @ X / nk[:, None]
        pis = nk / nk.sum()
        lls.append(em.log_likelihood(X, mus, sigmas, pis))
    return (mus, sigmas, pis), np.array(lls)



def _check_gmm_case(student, case):
    X, n_iter = case.X, case.n_iter
    names = ("X", "mus", "sigmas", "pis", "n_iter")
    out = student.call(names, (X, *case.params, n_iter))
    k, d = case.mus.shape
    mus, sigmas, pis, lls = check_params_output(out, k, d, 1, ", log_likelihoods")
    lls = as_array(lls, "your log_likelihoods")
    if lls.ndim != 1 or len(lls) not in (n_iter, n_iter + 1):
        raise Failure(
            f"your log_likelihoods has shape {lls.shape}, but should be a list of n_iter = "
            f"{n_iter} numbers, the total log-likelihood after each iteration."
        )
    check_weights_and_symmetry(pis, sigmas, len(X))
    ref = em.fit_gmm(X, init=case.params, tol=0.0, max_iter=n_iter, reg_covar=0.0)
    ref_params = (ref.mus, ref.sigmas, ref.pis)
    # fit_gmm's list starts with the start's; the exercise asks for those after each M-step.
    expected = ref.log_likelihoods[1:]
    params_right = params_close((mus, sigmas, pis), ref_params, GMM_RTOL)
    if params_right and close(lls, expected, GMM_RTOL, 0.0):
        return
    if params_right and close(lls, ref.log_likelihoods, GMM_RTOL, 0.0):
        raise Failure(
            f"your log_likelihoods has {n_iter + 1} numbers: it starts with the "
            f"log-likelihood of the starting parameters. Return n_iter = {n_iter} numbers, "
            f"the log-likelihood after each iteration."
        )
    if params_right and close(lls, ref.log_likelihoods[:-1], GMM_RTOL, 0.0):
        raise Failure(
            "your log_likelihoods are one step behind: each was computed before the M-step, "
            "with the parameters the E-step used. Compute it after the M-step, with the new "
            "mus, sigmas and pis, so that the last number belongs to the parameters you return."
        )
    # The most specific diagnosis first: covariances about the old means.
    # (Its fixed points are EM's, so after many iterations the parameters can
    # agree; the log-likelihoods on the way there do not.)
    old_params, old_lls = _em_old_means(X, case.params, n_iter)
    if params_close((mus, sigmas, pis), old_params, GMM_RTOL) and any(
        close(lls, c, GMM_RTOL, 0.0) for c in (old_lls, old_lls[1:], old_lls[:-1])
        if len(c) == len(lls)
    ):
        raise Failure(OLD_MEANS)
    with np.errstate(invalid="ignore"):
        drops = lls[1:] < lls[:-1] - 1e-8 * np.maximum(1.0, np.abs(lls[:-1]))
    if np.any(drops):
        t = int(np.argmax(drops)) + 1
        iteration = t if len(lls) == n_iter + 1 else t + 1  # lls[0] is after iteration 1
        raise Failure(
            f"your log-likelihood decreased at iteration {iteration}: from {lls[t - 1]:.6f} "
            f"(log_likelihoods[{t - 1}]) to {lls[t]:.6f} (log_likelihoods[{t}]). EM never "
            f"decreases it, so one of your steps is wrong: run check_e_step and check_m_step "
            f"on your functions. One mistake that does this: hard assignments (the argmax "
            f"of the responsibilities) in place of the responsibilities themselves."
        )
    mismatch = params_mismatch((mus, sigmas, pis), ref_params, GMM_RTOL)
    if mismatch is not None:
        raise Failure(
            f"after {n_iter} iterations, " + mismatch
            + "\nEach iteration must run the E-step on the current parameters, then the "
            "M-step on those responsibilities, and keep all three new parameters. Run "
            "check_e_step and check_m_step on your functions first."
        )
    if lls.shape != expected.shape:
        raise Failure(
            f"your log_likelihoods has {len(lls)} numbers; return n_iter = {n_iter}, the "
            f"log-likelihood after each iteration."
        )
    raise Failure(
        "your parameters are right, but your log_likelihoods are not: "
        + worst_entry(lls, expected, GMM_RTOL, 0.0, "log_likelihoods")
        + "\nAppend log_likelihood(X, mus, sigmas, pis), the total over samples, once per "
        "iteration, after the M-step."
    )
