"""The check of lesson 11's exercise: ``choose_k(X, k_values, n_restarts)``, K by BIC and restarts.

For each K the student runs ``fit_gmm(X, K, random_state=r)`` for
``r = 0, ..., n_restarts - 1``; the BIC that stands for K is the best (lowest)
of those runs, and the chosen K has the lowest such BIC.
"""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from .. import em
from ..data import load_old_faithful
from ._compare import as_array, check_shape, close
from ._harness import Failure, Student, numbered, run_check

#: What the student may call: the fit and the criteria the exercise names.
ALLOWED = (em.fit_gmm, em.bic, em.aic, em.n_parameters, em.log_likelihood,
           em.log_gaussian_pdf, em.gaussian_pdf, em.initialize, em.e_step)

_RTOL = 1e-7


def _blobs():
    """Four groups of 30 points in 2-D; with seed 16, one start per K would choose K = 3."""
    rng = np.random.default_rng(16)
    centers = rng.uniform(-6, 6, size=(4, 2))
    stds = rng.uniform(0.4, 1.5, size=(4, 2))
    return np.concatenate([c + s * rng.standard_normal((30, 2)) for c, s in zip(centers, stds)])


def _problems():
    X = load_old_faithful()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    return numbered([
        ("four groups of 30 points in 2-D, k_values = [3, 4, 5], n_restarts = 3",
         {"X": _blobs(), "k_values": [3, 4, 5], "n_restarts": 3}),
        ("Old Faithful, standardised, k_values = [1, 2, 3], n_restarts = 3",
         {"X": Z, "k_values": [1, 2, 3], "n_restarts": 3}),
    ])


def check_choose_k(fn):
    """Check a student's ``choose_k(X, k_values, n_restarts)`` returning ``(chosen_k, bics)``.

    The reference runs ``fit_gmm(X, K, random_state=r)`` for every K and
    ``r < n_restarts``, scores each run with a BIC computed independently
    (``scipy.stats.multivariate_normal`` and ``p = K D + K D (D + 1) / 2 + K - 1``),
    keeps the lowest BIC of each K and chooses the K with the lowest of those.
    Two problems: four groups in 2-D, where a single start per K would choose
    K = 3 instead of 4 (and the first, the last and the worst run of each K,
    and their average, give four different tables), and Old Faithful
    standardised (the answer is K = 2).

    Parameters
    ----------
    fn : callable
        The student's ``choose_k(X, k_values, n_restarts)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: keeping
        the worst, the last or the first restart, or their average; the
        log-likelihood, -2 log L or AIC in place of BIC; choosing the highest
        BIC; returning the position in ``k_values`` instead of K.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("choose_k", fn, ALLOWED), _problems(), _check_case)


def _log_likelihood(X, mus, sigmas, pis):
    log_weighted = np.column_stack([
        np.log(pi) + multivariate_normal(mu, sigma).logpdf(X).reshape(len(X))
        for mu, sigma, pi in zip(mus, sigmas, pis)
    ])
    return float(logsumexp(log_weighted, axis=1).sum())


def _tables(X, k_values, n_restarts):
    """Log-likelihood, BIC and AIC of every run: arrays of shape (len(k_values), n_restarts)."""
    n, d = X.shape
    log_l = np.empty((len(k_values), n_restarts))
    penalty = np.empty(len(k_values))
    for j, k in enumerate(k_values):
        penalty[j] = k * d + k * d * (d + 1) // 2 + k - 1
        for r in range(n_restarts):
            fit = em.fit_gmm(X, k, random_state=r)
            log_l[j, r] = _log_likelihood(X, fit.mus, fit.sigmas, fit.pis)
    bic = -2 * log_l + penalty[:, None] * np.log(n)
    aic = -2 * log_l + 2 * penalty[:, None]
    return log_l, bic, aic



def _rounded(values):
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


def _diagnose_bics(bics, log_l, bic, aic, k_values, n_restarts):
    best = bic.min(axis=1)
    mistakes = [
        (bic.max(axis=1), "for each K you kept the run with the highest BIC, the worst one. The "
                          "restarts fit the same model from different starts: the one that "
                          "stands for K is the best run, the one with the lowest BIC (the "
                          "highest log-likelihood)."),
        (bic[:, -1], "each K's BIC is that of its last run (random_state = n_restarts - 1), as "
                     "if each restart overwrote the one before: keep the best run of each K, "
                     "the one with the lowest BIC."),
        (bic[:, 0], "each K's BIC is that of random_state = 0 alone: did every restart use the "
                    "same random_state, or the loop stop after one run? Run "
                    "random_state = 0, ..., n_restarts - 1 and keep the best run."),
        (bic.mean(axis=1), "you averaged the restarts' BICs. A run stuck at a poor local "
                           "maximum says nothing about K: keep the best run of each K."),
        (log_l.max(axis=1), "these are log-likelihoods, not BIC: the log-likelihood alone "
                            "always prefers more components. Score each run with "
                            "bic(X, fit.mus, fit.sigmas, fit.pis)."),
        (-2 * log_l.max(axis=1), "these are -2 log L without BIC's penalty p log N: score each "
                                 "run with bic(X, fit.mus, fit.sigmas, fit.pis)."),
        (aic.min(axis=1), "these are AIC values (penalty 2 p); the exercise asks for BIC "
                          "(penalty p log N): use bic(X, fit.mus, fit.sigmas, fit.pis)."),
    ]
    for wrong, words in mistakes:
        if close(bics, wrong, _RTOL, 1e-9):
            raise Failure(f"your bics are {_rounded(bics)}, expected {_rounded(best)}: {words}")
    j = int(np.argmax(~np.isclose(bics, best, rtol=_RTOL, atol=1e-9)))
    raise Failure(
        f"your BIC for K = {k_values[j]} is {bics[j]:.6g}, but the best of "
        f"fit_gmm(X, {k_values[j]}, random_state=r) for r = 0, ..., {n_restarts - 1} has BIC "
        f"{best[j]:.6g} (its runs range from {bic[j].min():.6g} to {bic[j].max():.6g}). Use "
        f"fit_gmm's default start (no init argument) and bic(X, fit.mus, fit.sigmas, fit.pis)."
    )


def _as_k(value):
    array = as_array(value, "your chosen_k")
    if array.size != 1 or not float(array.ravel()[0]).is_integer():
        raise Failure(f"your chosen_k is {value!r}; it should be one whole number, a K from "
                      f"k_values.")
    return int(array.ravel()[0])


def _check_case(student, case):
    X, k_values, n_restarts = case.data["X"], case.data["k_values"], case.data["n_restarts"]
    out = student.call(("X", "k_values", "n_restarts"), (X, list(k_values), n_restarts))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise Failure("your function should return the two values (chosen_k, bics).")
    bics = as_array(out[1], "your bics")
    if np.ndim(out[0]) == 1 and np.ndim(out[1]) == 0:
        raise Failure("your function returned (bics, chosen_k); return them in the order "
                      "(chosen_k, bics).")
    check_shape(bics, (len(k_values),), "your bics",
                "One BIC per entry of k_values: the BIC of the run that stands for that K.")
    log_l, bic, aic = _tables(X, k_values, n_restarts)
    best = bic.min(axis=1)
    if not close(bics, best, _RTOL, 1e-9):
        _diagnose_bics(bics, log_l, bic, aic, k_values, n_restarts)
    chosen = _as_k(out[0])
    expected = k_values[int(np.argmin(best))]
    if chosen == expected:
        return
    position = int(np.argmin(best))
    if chosen == k_values[int(np.argmax(best))]:
        words = "that K has the highest BIC; lower BIC is better."
    elif chosen in (position, position + 1):
        words = (f"that is the position of the lowest BIC in k_values (counted from "
                 f"{chosen - position}), not its K: return k_values[position].")
    else:
        words = "choose the K whose BIC, in your bics, is the lowest."
    raise Failure(f"your chosen_k is {chosen}, but the lowest BIC, {best.min():.6g}, is that "
                  f"of K = {expected}: {words}")
