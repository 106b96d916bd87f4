"""Reference implementation of Gaussian mixtures fitted by Expectation-Maximization.

Notation follows the notebooks: ``K`` components in ``D`` dimensions with means
``mus`` (K, D), covariances ``sigmas`` (K, D, D) and weights ``pis`` (K,).

Everything is computed in log space through Cholesky factors of the
covariances, the way scikit-learn's ``GaussianMixture`` does it: densities are
exponentiated only where a probability is wanted, so a point far from every
component or a high-dimensional problem never produces 0/0.

The public functions validate their inputs once; the EM loop in
:func:`fit_gmm` runs on the private, unchecked helpers (names starting with ``_``).
"""

import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.linalg import solve_triangular
from threadpoolctl import threadpool_limits

from . import _validation as v

__all__ = [
    "GMMParams",
    "EMResult",
    "ComponentCollapseError",
    "ConvergenceWarning",
    "log_gaussian_pdf",
    "gaussian_pdf",
    "log_likelihood",
    "e_step",
    "m_step",
    "initialize",
    "fit_gmm",
    "n_parameters",
    "bic",
    "aic",
]

INIT_METHODS = ("kmeans++", "kmeans", "random")

# Rows of X whitened at a time. Bounds the (rows, K * D) temporary to about
# 8 MB, which keeps it in cache-friendly territory at any N.
_CHUNK_ELEMENTS = 2**20


class GMMParams(NamedTuple):
    """The parameters of a Gaussian mixture.

    Attributes
    ----------
    mus : ndarray of shape (n_components, n_features)
    sigmas : ndarray of shape (n_components, n_features, n_features)
    pis : ndarray of shape (n_components,)
    """

    mus: np.ndarray
    sigmas: np.ndarray
    pis: np.ndarray


class ComponentCollapseError(ValueError):
    """A component's covariance stopped being positive definite during EM."""


class ConvergenceWarning(UserWarning):
    """EM stopped at ``max_iter`` before the log-likelihood settled."""


# --------------------------------------------------------------------------
# Private numerical kernels (no validation: called inside the EM loop)
# --------------------------------------------------------------------------


def _precision_cholesky(sigmas):
    """Upper-triangular ``U_k`` with ``U_k U_k^T = inv(sigmas[k])``.

    If ``sigmas[k] = L L^T`` (Cholesky), then ``U = inv(L)^T`` and the
    Mahalanobis distance is ``||(x - mu) @ U||^2``: a triangular solve, no
    inverse of the covariance itself.

    Parameters
    ----------
    sigmas : ndarray of shape (K, D, D)

    Returns
    -------
    prec_chols : ndarray of shape (K, D, D)

    Raises
    ------
    numpy.linalg.LinAlgError
        If some ``sigmas[k]`` is not positive definite.
    """
    chols = np.linalg.cholesky(sigmas)
    eye = np.broadcast_to(np.eye(sigmas.shape[-1]), sigmas.shape)
    return solve_triangular(chols, eye, lower=True).transpose(0, 2, 1)


def _mahalanobis_sq(X, mus, prec_chols):
    """Squared Mahalanobis distance of every sample to every component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D)
    mus : ndarray of shape (K, D)
    prec_chols : ndarray of shape (K, D, D)

    Returns
    -------
    distances : ndarray of shape (n_samples, K)
    """
    n_samples, n_features = X.shape
    n_components = len(mus)
    # Put the K whitening matrices side by side, (D, K*D), so that one matrix
    # product whitens a block of samples for all components at once.
    whiten = prec_chols.transpose(1, 0, 2).reshape(n_features, -1)
    offsets = np.einsum("kd,kde->ke", mus, prec_chols).ravel()
    # Column-major: each component's column is contiguous, so the per-sample
    # max and sum over components later on run along the samples, many times
    # faster than across a row-major array's few columns.
    distances = np.empty((n_samples, n_components), order="F")
    rows = max(1, _CHUNK_ELEMENTS // (n_components * n_features))
    for start in range(0, n_samples, rows):
        z = X[start : start + rows] @ whiten
        z -= offsets
        z = z.reshape(len(z), n_components, n_features)
        np.einsum("ikd,ikd->ik", z, z, out=distances[start : start + rows])
    return distances


def _weighted_log_prob(X, mus, prec_chols, pis):
    """``log(pis[k]) + log N(x_i | mus[k], sigmas[k])`` from precision Cholesky factors.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D)
    mus : ndarray of shape (K, D)
    prec_chols : ndarray of shape (K, D, D)
    pis : ndarray of shape (K,)

    Returns
    -------
    log_prob : ndarray of shape (n_samples, K)
    """
    n_features = X.shape[1]
    # log det(sigma_k) = -2 * sum(log diag(U_k)), read off the triangular factor.
    half_log_dets = np.log(np.diagonal(prec_chols, axis1=1, axis2=2)).sum(axis=1)
    with np.errstate(divide="ignore"):  # a weight of exactly 0 is log(0) = -inf
        log_pis = np.log(pis)
    log_prob = _mahalanobis_sq(X, mus, prec_chols)
    log_prob *= -0.5
    log_prob += half_log_dets + log_pis - 0.5 * n_features * np.log(2 * np.pi)
    return log_prob


def _normalize(log_prob):
    """Log-sum-exp over components, and the responsibilities, in one pass.

    Parameters
    ----------
    log_prob : ndarray of shape (n_samples, K)
        Weighted log densities.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
        ``log p(x_i) = log sum_k exp(log_prob[i, k])``.
    responsibilities : ndarray of shape (n_samples, K)
    """
    # Shift each row by its maximum so the largest term is exp(0) = 1: the sum
    # can neither overflow nor underflow to zero.
    row_max = log_prob.max(axis=1, keepdims=True)
    responsibilities = np.exp(log_prob - row_max)
    row_sum = responsibilities.sum(axis=1, keepdims=True)
    responsibilities /= row_sum
    log_norm = (np.log(row_sum) + row_max).ravel()
    return log_norm, responsibilities


def _m_step(X, responsibilities, reg_covar):
    """Weighted maximum-likelihood estimates; see :func:`m_step`."""
    n_samples, n_features = X.shape
    # The 10 * eps keeps an emptied component from dividing by zero.
    nk = responsibilities.sum(axis=0) + 10 * np.finfo(np.float64).eps
    mus = (responsibilities.T @ X) / nk[:, None]
    sigmas = np.empty((len(nk), n_features, n_features))
    sqrt_resp = np.sqrt(responsibilities)
    deviations = np.empty_like(X)  # reused: one (n, D) buffer for all components
    for k in range(len(nk)):
        # Deviations from the NEW mean, scaled by sqrt(r_ik) so that the
        # weighted scatter matrix is a plain A.T @ A (numpy uses a symmetric
        # rank-k update for that, half the work of a general product).
        np.subtract(X, mus[k], out=deviations)
        deviations *= sqrt_resp[:, k, None]
        sigmas[k] = deviations.T @ deviations / nk[k]
        sigmas[k].flat[:: n_features + 1] += reg_covar
    pis = nk / nk.sum()
    return GMMParams(mus, sigmas, pis)


# --------------------------------------------------------------------------
# Public functions (validate once, then call the kernels above)
# --------------------------------------------------------------------------


def _checked(X, mus, sigmas, pis):
    X = v.check_X(X)
    mus, sigmas, pis = v.check_params(mus, sigmas, pis, X.shape[1])
    return X, mus, sigmas, pis


def _log_norm_and_responsibilities(X, mus, sigmas, pis):
    return _normalize(_weighted_log_prob(X, mus, _precision_cholesky(sigmas), pis))


def log_gaussian_pdf(X, mus, sigmas, pis):
    """Weighted log densities ``log(pis[k]) + log N(x_i | mus[k], sigmas[k])``.

    .. math::

        \\log \\pi_k - \\tfrac{1}{2}\\left(D \\log 2\\pi + \\log|\\Sigma_k|
        + (x_i - \\mu_k)^\\top \\Sigma_k^{-1} (x_i - \\mu_k)\\right)

    computed through the Cholesky factor of each covariance: no inverse, no
    determinant, no exp-then-log, so it is finite for any finite input.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)

    Examples
    --------
    >>> import numpy as np
    >>> log_gaussian_pdf([[0.0]], mus=[[0.0]], sigmas=[[[1.0]]], pis=[1.0])
    array([[-0.91893853]])
    """
    X, mus, sigmas, pis = _checked(X, mus, sigmas, pis)
    return _weighted_log_prob(X, mus, _precision_cholesky(sigmas), pis)


def gaussian_pdf(X, mus, sigmas, pis):
    """Weighted densities ``pis[k] * N(x_i | mus[k], sigmas[k])``.

    The exponential of :func:`log_gaussian_pdf`. Far from every component these
    underflow to 0.0; use the log version for anything computed from them.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    densities : ndarray of shape (n_samples, n_components)
    """
    return np.exp(log_gaussian_pdf(X, mus, sigmas, pis))


def log_likelihood(X, mus, sigmas, pis):
    """Total log-likelihood ``sum_i log sum_k pis[k] N(x_i | mus[k], sigmas[k])``.

    The inner sum is a log-sum-exp over the weighted log densities, so one point
    far from every component lowers the total instead of making it ``-inf``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    log_likelihood : float
    """
    log_norm, _ = _log_norm_and_responsibilities(*_checked(X, mus, sigmas, pis))
    return float(log_norm.sum())


def e_step(X, mus, sigmas, pis):
    """The E-step: responsibilities ``gamma_ik = p(z_i = k | x_i)``.

    .. math::

        \\gamma_{ik} = \\frac{\\pi_k \\mathcal{N}(x_i \\mid \\mu_k, \\Sigma_k)}
                            {\\sum_j \\pi_j \\mathcal{N}(x_i \\mid \\mu_j, \\Sigma_j)}

    computed as ``exp(log_prob - logsumexp(log_prob))`` in log space.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    responsibilities : ndarray of shape (n_samples, n_components)
        Non-negative; every row sums to 1.
    """
    _, responsibilities = _log_norm_and_responsibilities(*_checked(X, mus, sigmas, pis))
    return responsibilities


def m_step(X, responsibilities, *, reg_covar=1e-6):
    """The M-step: weighted maximum-likelihood estimates of the parameters.

    With ``N_k = sum_i gamma_ik``:

    .. math::

        \\mu_k = \\frac{1}{N_k}\\sum_i \\gamma_{ik} x_i, \\quad
        \\Sigma_k = \\frac{1}{N_k}\\sum_i \\gamma_{ik}(x_i - \\mu_k)(x_i - \\mu_k)^\\top
                    + \\text{reg\\_covar}\\, I, \\quad
        \\pi_k = \\frac{N_k}{N}

    The covariance is taken about the NEW mean ``mu_k``, as the EM update requires.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    responsibilities : array-like of shape (n_samples, n_components)
        Non-negative, rows summing to 1 (the output of :func:`e_step`).
    reg_covar : float, default=1e-6
        Added to every covariance's diagonal so that it stays positive definite
        (as scikit-learn's ``GaussianMixture`` does).

    Returns
    -------
    mus : ndarray of shape (n_components, n_features)
    sigmas : ndarray of shape (n_components, n_features, n_features)
    pis : ndarray of shape (n_components,)
    """
    X = v.check_X(X)
    responsibilities = v.check_responsibilities(responsibilities, X.shape[0])
    reg_covar = v.check_positive(reg_covar, "reg_covar")
    return _m_step(X, responsibilities, reg_covar)


def initialize(X, n_components, *, method="kmeans++", random_state=None):
    """Starting parameters for EM.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
        Between 1 and n_samples.
    method : {"kmeans++", "kmeans", "random"}, default="kmeans++"
        How the means are chosen:

        - ``"random"``: ``n_components`` distinct data points, uniformly.
        - ``"kmeans++"``: distinct data points chosen by k-means++ seeding: each
          next point with probability proportional to its squared distance to
          the nearest point already chosen, so the starts spread out.
        - ``"kmeans"``: k-means++ seeding, then Lloyd's k-means until the
          assignments stop changing.

        Every method then gives each component the covariance of the points
        nearest to its mean (the whole data set's covariance when fewer than
        ``n_features + 1`` points are nearest) and equal weights; the first
        M-step sets the weights from the data.
    random_state : int, numpy.random.Generator or None, default=None
        Seed for the random choices; ``None`` gives a different start each call.

    Returns
    -------
    mus : ndarray of shape (n_components, n_features)
    sigmas : ndarray of shape (n_components, n_features, n_features)
    pis : ndarray of shape (n_components,)
    """
    X = v.check_X(X)
    n_components = v.check_n_components(n_components, X.shape[0])
    if method not in INIT_METHODS:
        raise ValueError(f"method must be one of {INIT_METHODS}, got {method!r}")
    rng = np.random.default_rng(random_state)
    return _initialize(X, n_components, method, rng)


def _initialize(X, n_components, method, rng, reg_covar=1e-6):
    if method == "random":
        mus = X[rng.choice(len(X), size=n_components, replace=False)]
    else:
        mus = _kmeans_plusplus(X, n_components, rng)
    if method == "kmeans":
        mus, labels = _lloyd(X, mus)
    else:
        labels = _squared_distances(X, mus).argmin(axis=1)
    return GMMParams(mus.copy(), _cluster_covariances(X, labels, n_components, reg_covar),
                     np.full(n_components, 1.0 / n_components))


def _cluster_covariances(X, labels, n_components, reg_covar):
    """Covariance of each cluster's points, shape (K, D, D).

    A cluster with no more points than dimensions has a singular scatter
    matrix; it gets the covariance of the whole data set instead.
    """
    n_features = X.shape[1]
    data_sigma = np.atleast_2d(np.cov(X, rowvar=False, bias=True))
    sigmas = np.repeat(data_sigma[None], n_components, axis=0)
    for k in range(n_components):
        members = X[labels == k]
        if len(members) > n_features:
            sigmas[k] = np.atleast_2d(np.cov(members, rowvar=False, bias=True))
    sigmas[:, range(n_features), range(n_features)] += reg_covar
    return sigmas


def _squared_distances(X, centers):
    """Squared Euclidean distances, shape (n_samples, n_centers)."""
    # |x - c|^2 = |x|^2 - 2 x.c + |c|^2 needs no (n, K, D) temporary.
    distances = (X**2).sum(axis=1)[:, None] - 2 * X @ centers.T + (centers**2).sum(axis=1)
    return np.maximum(distances, 0.0)


def _kmeans_plusplus(X, n_components, rng):
    """k-means++ seeding (Arthur and Vassilvitskii, 2007): data points, spread out."""
    chosen = [rng.integers(len(X))]
    closest = _squared_distances(X, X[chosen])[:, 0]
    for _ in range(1, n_components):
        if closest.sum() > 0:
            # A chosen point is at distance 0 from itself, so it is never drawn twice.
            p = closest / closest.sum()
        else:  # every point sits on a chosen one: take any other index
            p = np.ones(len(X))
            p[chosen] = 0
            p /= p.sum()
        new = rng.choice(len(X), p=p)
        chosen.append(new)
        closest = np.minimum(closest, _squared_distances(X, X[[new]])[:, 0])
    return X[chosen]


def _lloyd(X, centers, max_iter=300):
    """Lloyd's k-means from ``centers``; returns the final centres and labels."""
    labels = _squared_distances(X, centers).argmin(axis=1)
    for _ in range(max_iter):
        # A cluster that lost all its points keeps its old centre.
        centers = np.array(
            [X[labels == k].mean(axis=0) if np.any(labels == k) else c
             for k, c in enumerate(centers)]
        )
        new_labels = _squared_distances(X, centers).argmin(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centers, labels


@dataclass
class EMResult:
    """What :func:`fit_gmm` returns.

    Attributes
    ----------
    mus : ndarray of shape (n_components, n_features)
        Final means, ``history[-1].mus``.
    sigmas : ndarray of shape (n_components, n_features, n_features)
        Final covariances.
    pis : ndarray of shape (n_components,)
        Final weights.
    responsibilities : ndarray of shape (n_samples, n_components)
        The E-step under the final parameters.
    log_likelihoods : ndarray of shape (n_iter + 1,)
        ``log_likelihoods[t]`` is the total log-likelihood under ``history[t]``.
    history : list of GMMParams, length n_iter + 1
        ``history[0]`` is the start, ``history[t]`` the parameters after ``t``
        EM iterations. Responsibilities are not stored; recompute them with
        :func:`e_step` when needed.
    n_iter : int
        The number of EM iterations run.
    converged : bool
        Whether the mean per-sample log-likelihood changed by less than ``tol``.
    """

    mus: np.ndarray
    sigmas: np.ndarray
    pis: np.ndarray
    responsibilities: np.ndarray
    log_likelihoods: np.ndarray
    history: list
    n_iter: int
    converged: bool

    @property
    def labels(self):
        """Hard assignments ``argmax_k responsibilities[i, k]``, shape (n_samples,)."""
        return self.responsibilities.argmax(axis=1)


def _collapse_error(iteration, k, nk, reg_covar, n_components):
    points = f"{nk:.3g} data point" + ("" if f"{nk:.3g}" == "1" else "s")
    return ComponentCollapseError(
        f"EM iteration {iteration}: component {k} collapsed. Its covariance is no longer "
        f"positive definite: it is responsible for the equivalent of only {points}, too few "
        f"(or all on a line or a single spot) to describe a Gaussian's spread. Its likelihood "
        f"can grow without bound, so EM cannot go on. Try one of: more data; fewer components "
        f"(n_components={n_components - 1}); a larger reg_covar (now {reg_covar:g}, try "
        f"1e-3 or more); or scale the features to comparable ranges."
    )


def _checked_start(X, n_components, init, random_state):
    """Validate ``init`` and produce the starting ``GMMParams``."""
    if isinstance(init, str):
        if init not in INIT_METHODS:
            raise ValueError(
                f"init must be one of {INIT_METHODS} or a (mus, sigmas, pis) tuple, got {init!r}"
            )
        if n_components is None:
            raise ValueError(f"n_components is required when init is a method name ({init!r})")
        n_components = v.check_n_components(n_components, len(X))
        return _initialize(X, n_components, init, np.random.default_rng(random_state))
    if not isinstance(init, (tuple, list)) or len(init) != 3:
        raise TypeError(
            f"init must be a method name {INIT_METHODS} or a (mus, sigmas, pis) tuple, "
            f"got {type(init).__name__}"
        )
    start = GMMParams(*v.check_params(*init, X.shape[1]))
    if n_components is not None and n_components != len(start.mus):
        raise ValueError(
            f"n_components = {n_components} disagrees with init, which has "
            f"{len(start.mus)} components"
        )
    v.check_n_components(len(start.mus), len(X))
    return start


def fit_gmm(
    X,
    n_components=None,
    *,
    init="kmeans++",
    tol=1e-4,
    max_iter=500,
    reg_covar=1e-6,
    random_state=None,
    verbose=False,
):
    """Fit a Gaussian mixture with full covariances by Expectation-Maximization.

    Each iteration is one E-step (responsibilities) and one M-step (new
    parameters). The weighted log densities are computed once per iteration and
    give both the log-likelihood of the current parameters and the next
    responsibilities.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int, optional
        The number of components K. May be omitted when ``init`` is a tuple.
    init : {"kmeans++", "kmeans", "random"} or tuple (mus, sigmas, pis), default="kmeans++"
        A method of :func:`initialize`, or explicit starting parameters of
        shapes (K, D), (K, D, D) and K entries.
    tol : float, default=1e-4
        Stop when the mean per-sample log-likelihood changes by less than
        ``tol`` between iterations (scikit-learn's criterion). ``tol=0`` runs
        exactly ``max_iter`` iterations.
    max_iter : int, default=500
        The most EM iterations to run.
    reg_covar : float, default=1e-6
        Added to every covariance's diagonal at each M-step.
    random_state : int, numpy.random.Generator or None, default=None
        Seed for the initialisation method.
    verbose : bool, default=False
        Print the log-likelihood every 5 iterations and how the fit ended.

    Returns
    -------
    result : EMResult

    Raises
    ------
    ComponentCollapseError
        (a ValueError) when a component's covariance stops being positive
        definite, with what to try instead.
    """
    X = v.check_X(X)
    tol = v.check_positive(tol, "tol")
    reg_covar = v.check_positive(reg_covar, "reg_covar")
    max_iter = v.check_count(max_iter, "max_iter")
    start = _checked_start(X, n_components, init, random_state)

    # EM's matrix products are tall and thin (n_samples x a few columns): waking
    # BLAS threads for them costs more than it saves, and numpy's and scipy's
    # BLAS libraries would each spin threads on the same cores. Measured on two
    # cores, one thread per library made an iteration 1.1x to 2.4x faster.
    with threadpool_limits(limits=1, user_api="blas"):
        history, log_likelihoods, responsibilities, converged = _em_loop(
            X, start, tol, max_iter, reg_covar, verbose
        )
    n_iter, final = len(history) - 1, history[-1]
    if verbose:
        if converged:
            print(f"Converged to within {tol} after: {n_iter} iterations")
        else:
            print(f"Did not converge to within {tol} in {max_iter} iterations")
    if not converged and tol > 0:
        warnings.warn(
            f"EM did not converge to within tol={tol} in max_iter={max_iter} iterations; "
            f"raise max_iter or tol, or try another initialisation.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return EMResult(
        mus=final.mus,
        sigmas=final.sigmas,
        pis=final.pis,
        responsibilities=responsibilities,
        log_likelihoods=np.asarray(log_likelihoods),
        history=history,
        n_iter=n_iter,
        converged=converged,
    )


def _em_loop(X, params, tol, max_iter, reg_covar, verbose):
    """Run EM from ``params``; see :func:`fit_gmm`.

    Returns
    -------
    history : list of GMMParams
    log_likelihoods : list of float
    responsibilities : ndarray of shape (n_samples, n_components)
        Under the last parameters.
    converged : bool
    """
    n_samples = len(X)
    log_norm, responsibilities = _log_norm_and_responsibilities(X, *params)
    history = [params]
    log_likelihoods = [log_norm.sum()]
    for iteration in range(1, max_iter + 1):
        params = _m_step(X, responsibilities, reg_covar)
        try:
            prec_chols = _precision_cholesky(params.sigmas)
        except np.linalg.LinAlgError:
            k = _first_not_positive_definite(params.sigmas)
            nk = params.pis[k] * n_samples
            raise _collapse_error(iteration, k, nk, reg_covar, len(params.pis)) from None
        # One pass gives both the log-likelihood of the new parameters and the
        # responsibilities for the next M-step.
        log_norm, responsibilities = _normalize(
            _weighted_log_prob(X, params.mus, prec_chols, params.pis)
        )
        history.append(params)
        log_likelihoods.append(log_norm.sum())
        if verbose and iteration % 5 == 0:
            print(f"Data Log-Likelihood at iteration: {iteration} = {log_likelihoods[-1]:.6f}")
        if abs(log_likelihoods[-1] - log_likelihoods[-2]) / n_samples < tol:
            return history, log_likelihoods, responsibilities, True
    return history, log_likelihoods, responsibilities, False


def _first_not_positive_definite(sigmas):
    for k, sigma in enumerate(sigmas):
        try:
            np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return k
    raise AssertionError("called with positive-definite covariances")  # pragma: no cover


def n_parameters(n_components, n_features):
    """Free parameters of a full-covariance mixture: means, covariances, weights.

    ``K * D + K * D * (D + 1) / 2 + (K - 1)``.

    Parameters
    ----------
    n_components : int
    n_features : int

    Returns
    -------
    n_parameters : int
    """
    return n_components * (n_features + n_features * (n_features + 1) // 2) + n_components - 1


def _criterion_terms(X, mus, sigmas, pis):
    """``-2 log L``, the number of free parameters ``p`` and ``N``, for BIC and AIC."""
    X, mus, sigmas, pis = _checked(X, mus, sigmas, pis)
    log_norm, _ = _log_norm_and_responsibilities(X, mus, sigmas, pis)
    return float(-2 * log_norm.sum()), n_parameters(*mus.shape), len(X)


def bic(X, mus, sigmas, pis):
    """Bayesian information criterion, ``-2 log L + p log N`` (lower is better).

    The same value as scikit-learn's ``GaussianMixture(covariance_type="full").bic``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    bic : float
    """
    minus_two_log_likelihood, p, n_samples = _criterion_terms(X, mus, sigmas, pis)
    return minus_two_log_likelihood + p * float(np.log(n_samples))


def aic(X, mus, sigmas, pis):
    """Akaike information criterion, ``-2 log L + 2 p`` (lower is better).

    The same value as scikit-learn's ``GaussianMixture(covariance_type="full").aic``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    aic : float
    """
    minus_two_log_likelihood, p, _ = _criterion_terms(X, mus, sigmas, pis)
    return minus_two_log_likelihood + 2 * p
