"""The check of lesson 09's exercise: ``map_covariances(X, responsibilities, mus, prior_scale, nu0)``.

The M-step's covariances under an inverse-Wishart prior (a MAP estimate).
"""

import numpy as np

from ._compare import as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, numbered, run_check
from ._problems import mixture

_RTOL, _ATOL = 1e-6, 1e-9
_LAYOUT = "Return one D x D covariance per component: an array of shape (K, D, D)."


def _responsibilities(X, mus, sigmas, pis):
    """Posterior probabilities of the components, written out with numpy (not gmm_teach)."""
    d = X.shape[1]
    log_w = np.empty((len(X), len(mus)))
    for k in range(len(mus)):
        diff = X - mus[k]
        maha = np.sum(diff * np.linalg.solve(sigmas[k], diff.T).T, axis=1)
        log_w[:, k] = (np.log(pis[k]) - 0.5 * (d * np.log(2 * np.pi)
                       + np.linalg.slogdet(sigmas[k])[1] + maha))
    log_w -= log_w.max(axis=1, keepdims=True)
    w = np.exp(log_w)
    return w / w.sum(axis=1, keepdims=True)


def _weighted_means(X, responsibilities):
    return responsibilities.T @ X / responsibilities.sum(axis=0)[:, None]


def _problems():
    rng = np.random.default_rng(9)
    problems = []
    for n, d, k, nu0, scale in [(30, 1, 2, 2.5, [[0.5]]),
                                (60, 2, 3, 4.0, [[2.0, 0.5], [0.5, 1.0]]),
                                (100, 3, 4, 6.5, np.diag([1.0, 2.0, 0.5]))]:
        X, mus, sigmas, pis = mixture(rng, n, d, k)
        resp = _responsibilities(X, mus, sigmas, pis)
        problems.append((f"X {X.shape}, K = {k}, nu0 = {nu0:g}",
                         (X, resp, np.asarray(scale, dtype=float), nu0)))
    # A collapsed component: responsible for one far point and nothing else.
    X, _, _, _ = mixture(rng, 40, 2, 1)
    X = np.vstack([X, [60.0, 60.0]])
    resp = np.zeros((41, 2))
    resp[:-1, 0] = 1.0
    resp[-1, 1] = 1.0
    problems.append(("X (41, 2), K = 2, nu0 = 4, component 1 responsible for one far point only",
                     (X, resp, np.array([[2.0, 0.0], [0.0, 2.0]]), 4.0)))
    return numbered([
        (text, {"X": X, "responsibilities": r, "mus": _weighted_means(X, r), "prior_scale": s,
                "nu0": nu0})
        for text, (X, r, s, nu0) in problems
    ])


def _scatters(X, responsibilities, mus):
    """S_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T, one point at a time (the oracle)."""
    n, d = X.shape
    out = np.zeros((len(mus), d, d))
    for k in range(len(mus)):
        for i in range(n):
            diff = X[i] - mus[k]
            out[k] += responsibilities[i, k] * np.outer(diff, diff)
    return out


def check_map_covariances(fn):
    """Check a student's ``map_covariances(X, responsibilities, mus, prior_scale, nu0)``.

    The reference is the posterior mode of each covariance under an
    inverse-Wishart prior IW(S_0, nu_0) with the means fixed:
    ``(S_0 + S_k) / (nu_0 + D + 1 + N_k)``, with the scatter
    ``S_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T`` summed point by point, on
    four problems (1-D to 3-D, one with a component responsible for a single
    point).

    Parameters
    ----------
    fn : callable
        The student's ``map_covariances(X, responsibilities, mus, prior_scale,
        nu0)``: ``X`` (N, D), ``responsibilities`` (N, K), ``mus`` (K, D),
        ``prior_scale`` (D, D), ``nu0`` a number; it returns shape (K, D, D).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the
        maximum-likelihood covariance (no prior), S_0 left out of the
        numerator or the pseudo-counts out of the denominator, the counts
        nu_0, nu_0 - D - 1 (the prior's mean), nu_0 + D or nu_0 + D + 2 in
        place of nu_0 + D + 1, the prior's mode added to the ML covariance,
        N in place of N_k, and a wrong shape.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("map_covariances", fn), _problems(), _check_case)


def _mistakes(scatter, n_k, n, d, nu0, s0):
    """(covariances, sentence) for the typical mistakes."""
    nk = n_k[:, None, None]
    count = nu0 + d + 1
    return [
        (scatter / nk, "these are the maximum-likelihood covariances S_k / N_k of lesson 04: the "
                       "prior is missing. Add the prior's S0 to the scatter and its nu0 + D + 1 "
                       "to the count"),
        (scatter / (nk + count), "the pseudo-counts nu0 + D + 1 are in the denominator, but the "
                                 "prior's scale S0 is missing from the numerator"),
        ((scatter + s0) / nk, "S0 is in the numerator, but the denominator lacks the prior's "
                              "nu0 + D + 1: it should be N_k + nu0 + D + 1"),
        ((scatter + s0) / (nk + nu0), "the denominator is N_k + nu0; the prior's density has "
                                      "|Sigma|^(-(nu0 + D + 1)/2), so the count is "
                                      "N_k + nu0 + D + 1"),
        ((scatter + s0) / (nk + nu0 - d - 1), "N_k + nu0 - D - 1 belongs to a posterior mean; the "
                                              "MAP estimate is the mode, with N_k + nu0 + D + 1"),
        ((scatter + s0) / (nk + nu0 + d), "the denominator is one short: N_k + nu0 + D + 1"),
        ((scatter + s0) / (nk + nu0 + d + 2), "N_k + nu0 + D + 2 is the count when the means "
                                              "have a prior too; here only the covariances "
                                              "have one: N_k + nu0 + D + 1"),
        (scatter / nk + s0 / count, "you added the prior's mode S0 / (nu0 + D + 1) to the "
                                    "maximum-likelihood covariance; the posterior mode is one "
                                    "fraction, (S0 + S_k) / (N_k + nu0 + D + 1), a weighted "
                                    "average of the two"),
        ((scatter + s0) / (n + count), "you divided by N + nu0 + D + 1 with N the number of all "
                                       "points; use N_k = responsibilities[:, k].sum(), the "
                                       "points of component k"),
    ]


def _check_case(student, case):
    names = ("X", "responsibilities", "mus", "prior_scale", "nu0")
    args = tuple(case.data[name] for name in names)
    X, resp, mus, s0, nu0 = args
    out = as_array(student.call(names, args), "your covariances")
    n, d = X.shape
    k = resp.shape[1]
    check_shape(out, (k, d, d), "your covariances", _LAYOUT)
    scatter = _scatters(X, resp, mus)
    n_k = resp.sum(axis=0)
    expected = (scatter + s0) / (n_k + nu0 + d + 1)[:, None, None]
    if close(out, expected, _RTOL, _ATOL):
        return
    for wrong, sentence in _mistakes(scatter, n_k, n, d, nu0, s0):
        if close(out, wrong, _RTOL, _ATOL):
            raise Failure(f"{sentence}.")
    unweighted = np.array([(X - mus[j]).T @ (X - mus[j]) for j in range(k)])
    if close(out, (unweighted + s0) / (n_k + nu0 + d + 1)[:, None, None], _RTOL, _ATOL):
        raise Failure("the scatter must weigh each point by its responsibility r_ik: "
                      "S_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T.")
    raise Failure(
        worst_entry(out, expected, _RTOL, _ATOL, "covariances")
        + " The reference is (S0 + S_k) / (N_k + nu0 + D + 1), with "
          "S_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T about the given mus."
    )
