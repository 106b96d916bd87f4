"""EM written with plain Python loops, over points and over components.

The slow, readable baseline of lessons 15 and 16 ("Vectorising EM",
"Performance"): every formula is applied to one point and one component at a
time, exactly as it is written on paper. It works in log space (so it gives the
same numbers as :func:`gmm_teach.fit_gmm`, and no NaN), but it uses the textbook
inverse and log-determinant of each covariance, not Cholesky factors.

:func:`loop_em_iteration` does what one iteration of ``fit_gmm`` does, with the
same ``reg_covar``: from a start, one call gives the parameters of
``fit_gmm(X, init=start, tol=0, max_iter=1)``. It is a second, independent
implementation of the formulas, so each can check the other.

Each public function checks its input once at entry; the loops themselves
check nothing.
"""

import math

import numpy as np

from . import _validation as v
from . import em

__all__ = ["loop_e_step", "loop_m_step", "loop_em_iteration", "fit_loop"]


def loop_e_step(X, mus, sigmas, pis):
    """Responsibilities and the log-likelihood, one point and one component at a time.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
        Symmetric positive-definite covariances.
    pis : array-like of shape (n_components,)
        Non-negative weights that sum to one.

    Returns
    -------
    responsibilities : ndarray of shape (n_samples, n_components)
    log_likelihood : float
        The total log-likelihood of ``(mus, sigmas, pis)``.
    """
    # Check the input once, with messages that name the argument; the loops check nothing.
    X = v.check_X(X)
    mus, sigmas, pis = v.check_params(mus, sigmas, pis, X.shape[1])
    # The package's one test of a usable covariance: inv and slogdet alone would
    # return numbers for a covariance that is not positive definite.
    em._checked_precision_cholesky(sigmas)
    n_samples, n_features = X.shape
    n_components = len(mus)
    # Once per component, not once per point.
    inv_sigmas = [np.linalg.inv(sigma) for sigma in sigmas]
    log_dets = [np.linalg.slogdet(sigma)[1] for sigma in sigmas]
    log_2pi = math.log(2 * math.pi)

    responsibilities = np.empty((n_samples, n_components))
    log_likelihood = 0.0
    for i in range(n_samples):
        # a_k = log pi_k + log N(x_i | mu_k, sigma_k)
        a = []
        for k in range(n_components):
            diff = X[i] - mus[k]
            mahalanobis_sq = diff @ inv_sigmas[k] @ diff
            log_density = -0.5 * (n_features * log_2pi + log_dets[k] + mahalanobis_sq)
            # log(0) = -inf for a weight of exactly 0: that component gets responsibility 0.
            a.append((math.log(pis[k]) if pis[k] > 0 else -math.inf) + log_density)
        # log p(x_i) = log sum_k exp(a_k), with the largest term pulled out so
        # that the sum is at least exp(0) = 1: never 0, never 0/0.
        a_max = max(a)
        log_p_x = a_max + math.log(sum(math.exp(a_k - a_max) for a_k in a))
        for k in range(n_components):
            responsibilities[i, k] = math.exp(a[k] - log_p_x)
        log_likelihood += log_p_x
    return responsibilities, log_likelihood


def loop_m_step(X, responsibilities, reg_covar=1e-6):
    """Weighted means, covariances (about the new means) and weights, point by point.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    responsibilities : array-like of shape (n_samples, n_components)
        Non-negative; each row sums to one.
    reg_covar : float, default=1e-6
        Added to every covariance's diagonal, as in ``gmm_teach.fit_gmm``.

    Returns
    -------
    mus : ndarray of shape (n_components, n_features)
    sigmas : ndarray of shape (n_components, n_features, n_features)
    pis : ndarray of shape (n_components,)

    Examples
    --------
    >>> X = np.array([[0.0], [2.0], [10.0]])
    >>> mus, sigmas, pis = loop_m_step(X, [[1, 0], [1, 0], [0, 1]], reg_covar=0)
    >>> mus.ravel().round(6), sigmas.ravel().round(6), pis.round(6)
    (array([ 1., 10.]), array([1., 0.]), array([0.666667, 0.333333]))
    """
    # Check the input once, with messages that name the argument; the loops check nothing.
    X = v.check_X(X)
    responsibilities = v.check_responsibilities(responsibilities, len(X))
    reg_covar = v.check_positive(reg_covar, "reg_covar")
    n_samples, n_features = X.shape
    n_components = responsibilities.shape[1]
    mus = np.zeros((n_components, n_features))
    sigmas = np.zeros((n_components, n_features, n_features))
    pis = np.zeros(n_components)
    for k in range(n_components):
        # N_k = sum_i gamma_ik, plus the same 10 * eps as gmm_teach and
        # scikit-learn, so that an empty component does not divide by 0.
        n_k = 10 * np.finfo(np.float64).eps
        for i in range(n_samples):
            n_k += responsibilities[i, k]
        # mu_k = sum_i gamma_ik x_i / N_k
        for i in range(n_samples):
            mus[k] += responsibilities[i, k] * X[i]
        mus[k] /= n_k
        # sigma_k = sum_i gamma_ik (x_i - mu_k)(x_i - mu_k)^T / N_k, about the NEW mean
        for i in range(n_samples):
            diff = X[i] - mus[k]
            sigmas[k] += responsibilities[i, k] * np.outer(diff, diff)
        sigmas[k] /= n_k
        sigmas[k] += reg_covar * np.eye(n_features)
        pis[k] = n_k
    # pi_k = N_k / N (with the eps above, N is the sum of the N_k).
    pis /= pis.sum()
    return mus, sigmas, pis


def loop_em_iteration(X, mus, sigmas, pis, reg_covar=1e-6):
    """One EM iteration: the E-step, then the M-step, with loops.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like of shape (n_components,)
    reg_covar : float, default=1e-6
        Added to every covariance's diagonal in the M-step, as in ``fit_gmm``.

    Returns
    -------
    params : tuple (mus, sigmas, pis)
        The parameters after the iteration, shaped like the input ones.
    log_likelihood : float
        The total log-likelihood of the parameters *before* the iteration
        (the E-step computes it on the way).
    """
    responsibilities, log_likelihood = loop_e_step(X, mus, sigmas, pis)
    return loop_m_step(X, responsibilities, reg_covar), log_likelihood


def fit_loop(X, start, n_iter):
    """``n_iter`` loop iterations from ``start = (mus, sigmas, pis)``.

    Has the signature of the fit functions of :mod:`gmm_teach.timing`, so
    ``timing.per_iteration(fit_loop, ...)`` or ``timing.best_time(fit_loop, ...)``
    times it the same way as ``fit_gmm``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    start : tuple (mus, sigmas, pis)
        mus of shape (n_components, n_features), sigmas of shape
        (n_components, n_features, n_features), pis of shape (n_components,).
    n_iter : int
        At least 1.

    Returns
    -------
    params : tuple (mus, sigmas, pis)
        The parameters after ``n_iter`` iterations.
    """
    n_iter = v.check_count(n_iter, "n_iter")
    try:
        params = tuple(start)
    except TypeError:
        params = ()
    if len(params) != 3:
        raise TypeError(
            f"start must be a tuple (mus, sigmas, pis) such as initialize() returns, got {start!r}"
        )
    for _ in range(n_iter):
        # Each iteration checks its input again: a few microseconds, next to
        # milliseconds of loops.
        params, _ = loop_em_iteration(X, *params)
    return params
