"""One EM iteration written with plain Python loops, over points and over components.

The slow, readable baseline of notebook 09 ("Making it fast"): every formula
is applied to one point and one component at a time, exactly as it is written
on paper. It is computed in log space (so it gives the same numbers as
``gmm_teach.fit_gmm``, without NaN), but it uses the textbook inverse and
determinant of each covariance, not Cholesky factors.

``loop_em_iteration`` does what one iteration of ``fit_gmm`` does, with the
same ``reg_covar``, so one call from a start equals
``fit_gmm(X, init=start, tol=0, max_iter=1).history[1]``.
"""

import math

import numpy as np

__all__ = ["loop_log_gaussian", "loop_e_step", "loop_m_step", "loop_em_iteration", "fit_loop"]


def loop_log_gaussian(x, mu, inv_sigma, log_det_sigma):
    """``log N(x | mu, sigma)`` for one point and one component.

    Parameters
    ----------
    x, mu : ndarray of shape (D,)
    inv_sigma : ndarray of shape (D, D)
        The inverse of the covariance.
    log_det_sigma : float
        ``log det(sigma)``.

    Returns
    -------
    log_density : float
    """
    diff = x - mu
    mahalanobis_sq = diff @ inv_sigma @ diff
    return -0.5 * (len(x) * math.log(2 * math.pi) + log_det_sigma + mahalanobis_sq)


def loop_e_step(X, mus, sigmas, pis):
    """Responsibilities and the log-likelihood, one point and one component at a time.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D)
    mus : ndarray of shape (K, D)
    sigmas : ndarray of shape (K, D, D)
    pis : ndarray of shape (K,)

    Returns
    -------
    responsibilities : ndarray of shape (n_samples, K)
    log_likelihood : float
        The total log-likelihood of ``(mus, sigmas, pis)``.
    """
    n_samples, n_components = len(X), len(mus)
    # Once per component, not once per point.
    inv_sigmas = [np.linalg.inv(sigma) for sigma in sigmas]
    log_dets = [np.linalg.slogdet(sigma)[1] for sigma in sigmas]

    responsibilities = np.empty((n_samples, n_components))
    log_likelihood = 0.0
    for i in range(n_samples):
        # a_k = log pi_k + log N(x_i | mu_k, sigma_k)
        a = [
            math.log(pis[k]) + loop_log_gaussian(X[i], mus[k], inv_sigmas[k], log_dets[k])
            for k in range(n_components)
        ]
        # log-sum-exp with the largest term pulled out: never 0/0.
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
    X : ndarray of shape (n_samples, D)
    responsibilities : ndarray of shape (n_samples, K)
    reg_covar : float, default=1e-6
        Added to every covariance's diagonal, as in ``gmm_teach.fit_gmm``.

    Returns
    -------
    mus : ndarray of shape (K, D)
    sigmas : ndarray of shape (K, D, D)
    pis : ndarray of shape (K,)
    """
    n_samples, n_features = X.shape
    n_components = responsibilities.shape[1]
    mus = np.zeros((n_components, n_features))
    sigmas = np.zeros((n_components, n_features, n_features))
    pis = np.zeros(n_components)
    for k in range(n_components):
        # The same 10 * eps as gmm_teach and scikit-learn: an empty component does not divide by 0.
        n_k = 10 * np.finfo(np.float64).eps
        for i in range(n_samples):
            n_k += responsibilities[i, k]
        for i in range(n_samples):
            mus[k] += responsibilities[i, k] * X[i]
        mus[k] /= n_k
        for i in range(n_samples):
            diff = X[i] - mus[k]
            sigmas[k] += responsibilities[i, k] * np.outer(diff, diff)
        sigmas[k] /= n_k
        sigmas[k] += reg_covar * np.eye(n_features)
        pis[k] = n_k
    pis /= pis.sum()
    return mus, sigmas, pis


def loop_em_iteration(X, mus, sigmas, pis, reg_covar=1e-6):
    """One EM iteration: the E-step, then the M-step, with loops.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D)
    mus : ndarray of shape (K, D)
    sigmas : ndarray of shape (K, D, D)
    pis : ndarray of shape (K,)
    reg_covar : float, default=1e-6

    Returns
    -------
    (mus, sigmas, pis) : the parameters after the iteration
    log_likelihood : float
        The total log-likelihood of the parameters *before* the iteration
        (the E-step computes it on the way).
    """
    responsibilities, log_likelihood = loop_e_step(X, mus, sigmas, pis)
    return loop_m_step(X, responsibilities, reg_covar), log_likelihood


def fit_loop(X, start, n_iter):
    """``n_iter`` loop iterations from ``start = (mus, sigmas, pis)``.

    Has the signature of the ``fit_*`` functions of ``bench_em``, so
    ``bench_em.per_iteration(fit_loop, ...)`` times it the same way.

    Returns
    -------
    (mus, sigmas, pis) after ``n_iter`` iterations
    """
    params = start
    for _ in range(n_iter):
        params, _ = loop_em_iteration(X, *params)
    return params
