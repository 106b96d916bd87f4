"""The check of lesson 05's exercise: EM with a stopping rule, ``gmm_until_converged``.

The contract: ``gmm_until_converged(X, mus, sigmas, pis, tol, max_iter)``
starts from the given parameters and runs EM iterations (E-step, then M-step,
without regularisation) until the *mean* per-sample log-likelihood changes by
less than ``tol`` between two iterations, or ``max_iter`` iterations have run.
It returns ``(mus, sigmas, pis, log_likelihoods, converged)``: the parameters
after the last iteration; the total log-likelihoods of the start and after
every iteration (``n_iter + 1`` numbers, like ``fit_gmm``'s); and whether the
rule stopped the loop (``False`` when ``max_iter`` did).

That is :func:`gmm_teach.em.fit_gmm`'s rule (and scikit-learn's): after
iteration ``t`` (``t = 1, 2, ...``), stop when
``|log_likelihoods[t] - log_likelihoods[t - 1]| / n_samples < tol``.

The oracle is one long EM run from the same start with no stopping rule (the
package's ``fit_gmm`` with ``tol=0``); where each rule, right or mistaken,
would stop is read off its log-likelihoods here, so that each typical mistake
(the total instead of the mean, a change relative to the log-likelihood, a change
with the wrong sign, the start left out, ``max_iter`` off by one, no stop at all) is recognised by the number of
iterations it runs.
"""

from dataclasses import dataclass

import numpy as np

from .. import em
from ._compare import as_array, close, params_close, params_mismatch
from ._harness import Failure, Student, run_check
from ._params import check_params_output, check_weights_and_symmetry
from ._problems import mixture

#: Relative tolerance for parameters and log-likelihoods after an EM loop.
RTOL = 1e-4

#: What the student may call: the steps, as in the EM-loop exercise.
ALLOWED = (em.e_step, em.m_step, em.log_likelihood, em.gaussian_pdf, em.log_gaussian_pdf)

# (seed, n_samples, n_features, n_components, tol, max_iter). Chosen so that the
# rules a student may confuse stop at different iterations: in case 1 the right
# rule stops after 9 iterations, the total instead of the mean after 86, the change
# relative to the log-likelihood after 7, and the loop without a stop at
# max_iter = 100; case 2 never meets its tol, so only max_iter stops it; case 3
# stops after 3. No change of the mean log-likelihood lies within 5 % of tol, so
# rounding cannot move a stop.
CASES = (
    (6, 200, 2, 3, 1e-3, 100),
    (0, 150, 3, 3, 1e-6, 5),
    (2, 120, 1, 2, 1e-2, 60),
)


@dataclass
class StopCase:
    """One problem: data, a start, ``tol`` and ``max_iter``."""

    number: int
    total: int
    X: np.ndarray
    params: tuple
    tol: float
    max_iter: int

    def describe(self):
        k = len(self.params[0])
        return (f"case {self.number} of {self.total}: X {self.X.shape}, K = {k}, "
                f"tol = {self.tol:g}, max_iter = {self.max_iter}")


def stop_cases():
    """The three problems, each with its start (K data points, the data's covariance, equal weights)."""
    cases = []
    for number, (seed, n, d, k, tol, max_iter) in enumerate(CASES, start=1):
        rng = np.random.default_rng(seed)
        X, _, _, _ = mixture(rng, n, d, k)
        mus = X[rng.choice(n, size=k, replace=False)]
        sigmas = np.repeat(np.atleast_2d(np.cov(X.T, bias=True))[None], k, axis=0)
        start = (mus, sigmas, np.full(k, 1.0 / k))
        cases.append(StopCase(number, len(CASES), X, start, tol, max_iter))
    return cases


def check_gmm_until_converged(fn):
    """Check a student's EM loop with a stopping rule.

    ``gmm_until_converged(X, mus, sigmas, pis, tol, max_iter)`` must run EM
    from the given parameters (E-step, then M-step with no regularisation)
    and stop after the first iteration ``t`` at which the mean per-sample
    log-likelihood changed by less than ``tol``,
    ``|L_t - L_(t-1)| / n_samples < tol`` (``L_0`` the start's total
    log-likelihood), or after ``max_iter`` iterations, whichever comes first.
    It returns ``(mus, sigmas, pis, log_likelihoods, converged)``:
    ``log_likelihoods`` holds ``L_0, L_1, ..., L_t`` (totals, as
    ``log_likelihood`` gives them) and ``converged`` is ``True`` when the rule
    stopped the loop, ``False`` when ``max_iter`` did. This is
    :func:`~gmm_teach.em.fit_gmm`'s rule.

    Parameters
    ----------
    fn : callable
        The student's ``gmm_until_converged(X, mus, sigmas, pis, tol, max_iter)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the total
        log-likelihood compared with tol instead of the mean; a relative change
        (divided by the log-likelihood) compared with tol; a change of the
        wrong sign (the loop stops after one iteration); the start's
        log-likelihood left out of the list or out of the first comparison;
        ``max_iter`` off by one; a loop that never stops before ``max_iter``;
        a wrong ``converged``; parameters that do not belong to the last
        log-likelihood; steps that are not EM's.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("gmm_until_converged", fn, ALLOWED), stop_cases(), _check_case)


def stop_after(log_likelihoods, threshold, max_iter):
    """``(t, converged)``: where the rule ``|L_t - L_(t-1)| < threshold`` stops, within max_iter."""
    for t in range(1, max_iter + 1):
        if abs(log_likelihoods[t] - log_likelihoods[t - 1]) < threshold:
            return t, True
    return max_iter, False


def relative_stops(log_likelihoods, tol, max_iter):
    """Where a relative test ``|L_t - L_(t-1)| / |L_(t-1)| < tol`` (or ``/ |L_t|``) stops."""
    stops = set()
    for offset in (1, 0):  # divided by the previous total, or by the new one
        for t in range(1, max_iter + 1):
            change = abs(log_likelihoods[t] - log_likelihoods[t - 1])
            if change < tol * abs(log_likelihoods[t - offset]):
                stops.add(t)
                break
    return stops



def _converged_flag(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise Failure(
        f"your converged is {value!r} (a {type(value).__name__}); it should be True or "
        f"False: True when the change fell below tol, False when max_iter stopped the loop."
    )


def _check_case(student, case):
    X, tol, max_iter = case.X, case.tol, case.max_iter
    n = len(X)
    k, d = case.params[0].shape
    names = ("X", "mus", "sigmas", "pis", "tol", "max_iter")
    out = student.call(names, (X, *case.params, tol, max_iter))
    mus, sigmas, pis, lls, converged = check_params_output(
        out, k, d, 2, ", log_likelihoods, converged")
    lls = as_array(lls, "your log_likelihoods")
    if lls.ndim != 1 or len(lls) == 0:
        raise Failure(
            f"your log_likelihoods has shape {lls.shape}; it should be a list of numbers: "
            f"the start's total log-likelihood, then one after each iteration."
        )
    converged = _converged_flag(converged)
    check_weights_and_symmetry(pis, sigmas, n)

    # One long run with no stopping rule: every rule is read off its numbers.
    run = em.fit_gmm(X, init=case.params, tol=0.0, max_iter=max_iter + 2, reg_covar=0.0)
    path = run.log_likelihoods
    t_ref, converged_ref = stop_after(path, tol * n, max_iter)

    _check_list(lls, path, n)
    t = len(lls) - 1  # the iterations the student ran
    if t != t_ref:
        raise Failure(_wrong_stop(t, t_ref, converged_ref, path, case))
    last = run.history[t]
    if not params_close((mus, sigmas, pis), (last.mus, last.sigmas, last.pis), RTOL):
        before = run.history[t - 1]
        if params_close((mus, sigmas, pis), (before.mus, before.sigmas, before.pis), RTOL):
            raise Failure(
                f"your loop stopped at the right iteration ({t}), but the parameters you "
                f"return are those before its M-step: return the parameters of the last "
                f"iteration, the ones log_likelihoods[-1] was computed with."
            )
        raise Failure(
            f"your log_likelihoods are right, but after {t} iterations "
            + params_mismatch((mus, sigmas, pis), last, RTOL)
            + " Return the parameters of the last iteration."
        )
    if converged != converged_ref:
        if converged_ref:
            raise Failure(
                f"your loop stopped at the right iteration ({t}) because the change "
                f"{abs(path[t] - path[t - 1]) / n:.3g} in the mean log-likelihood fell below "
                f"tol = {tol:g}, so converged should be True; it is False."
            )
        raise Failure(
            f"your loop ran all max_iter = {max_iter} iterations and the change in the mean "
            f"log-likelihood never fell below tol = {tol:g} (the last was "
            f"{abs(path[t] - path[t - 1]) / n:.3g}), so converged should be False: it says "
            f"whether the rule stopped the loop, not only that the loop ended."
        )


def _check_list(lls, path, n):
    """The student's log-likelihoods must be EM's from the start: ``path[:len(lls)]``."""
    if len(lls) > len(path):
        return  # ran more than max_iter + 1 iterations: the count tells what is wrong
    expected = path[:len(lls)]
    if close(lls, expected, RTOL, 0.0):
        return
    if close(lls, path[1:len(lls) + 1], RTOL, 0.0):
        raise Failure(
            f"your log_likelihoods[0] is {lls[0]:.6f}, the log-likelihood after the first "
            f"iteration: the list must start with the start's, {path[0]:.6f} "
            f"(log_likelihood(X, mus, sigmas, pis) before the loop). The rule needs it too: "
            f"the first iteration's change is measured from the start."
        )
    if close(lls, expected / n, RTOL, 0.0):
        raise Failure(
            f"your log_likelihoods hold mean log-likelihoods (the totals divided by "
            f"n_samples = {n}); return the totals, as log_likelihood gives them, and divide "
            f"by n_samples only in the stopping test."
        )
    bad = np.flatnonzero(~np.isclose(lls, expected, rtol=RTOL, atol=0.0))[0]
    raise Failure(
        f"your log_likelihoods[{bad}] is {lls[bad]:.6f}, but EM from the same start gives "
        f"{expected[bad]:.6f} (log_likelihoods[0] is the start's, log_likelihoods[t] the one "
        f"after iteration t). Each iteration is an E-step then an M-step with reg_covar=0.0, "
        f"as in gmm, and the log-likelihood is computed after the M-step: run check_gmm on "
        f"your gmm first."
    )


def _wrong_stop(t, t_ref, converged_ref, path, case):
    """The diagnosis for a loop that ran ``t`` iterations where the rule runs ``t_ref``."""
    n, tol, max_iter = len(case.X), case.tol, case.max_iter
    ran = f"your loop ran {t} iteration{'s' if t != 1 else ''}"
    if converged_ref:
        should = (f"the rule stops after iteration {t_ref}, where the mean log-likelihood "
                  f"changed by {abs(path[t_ref] - path[t_ref - 1]) / n:.3g} < tol = {tol:g}")
    else:
        should = (f"the change in the mean log-likelihood never falls below tol = {tol:g} "
                  f"here, so the loop must run exactly max_iter = {max_iter} iterations")
    if t > max_iter:
        return (
            f"{ran}, more than max_iter = {max_iter}: max_iter is the largest number of "
            f"iterations (M-steps) allowed, so `for iteration in range(max_iter)` is the loop."
        )
    t_total, _ = stop_after(path, tol, max_iter)
    if t == t_total != t_ref:
        return (
            f"{ran}, but {should}. Your loop stops where the TOTAL log-likelihood changes by "
            f"less than tol: divide the change by the number of samples (n_samples = {n}), so "
            f"that the same tol means the same for 100 points and for a million."
        )
    if t != t_ref and t in relative_stops(path, tol, max_iter):
        return (
            f"{ran}, but {should}. Your loop stops where the RELATIVE change "
            f"|log L_t - log L_(t-1)| / |log L_(t-1)| falls below tol: the rule divides the change by "
            f"the number of samples (n_samples = {n}), not by the log-likelihood, so that tol "
            f"is a change in the mean log-likelihood per point."
        )
    if t == 1 and t_ref > 1:
        return (
            f"{ran}, but {should}. A loop that always stops at once is comparing a change "
            f"that is never positive: old minus new (EM never lowers the log-likelihood, so "
            f"that is <= 0 < tol). Compare the size of the change, abs(new - old), with tol."
        )
    if not converged_ref and t == max_iter - 1:
        return (
            f"{ran}, but {should}: max_iter = {max_iter} allows {max_iter} iterations "
            f"(M-steps); is your count off by one?"
        )
    if converged_ref and t == max_iter:
        return (
            f"{ran}, all that max_iter = {max_iter} allows, but {should}. Your loop never "
            f"stopped on its own: after each iteration, compare the change with tol and "
            f"leave the loop (break or return) when it is smaller."
        )
    if converged_ref and t == t_ref + 1:
        return (
            f"{ran}, one more than the rule: {should}. Stop right after the first iteration "
            f"whose change is below tol, and measure iteration 1's change from the start's "
            f"log-likelihood (log_likelihoods[0])."
        )
    return f"{ran}, but {should}."
