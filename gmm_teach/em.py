"""Reference implementation of Gaussian mixtures fitted by Expectation-Maximization.

Notation follows the notebooks: ``K`` components in ``D`` dimensions with means
``mus`` (K, D), covariances ``sigmas`` (K, D, D) and weights ``pis`` (K,).

Everything is computed in log space through Cholesky factors of the
covariances, the way scikit-learn's ``GaussianMixture`` does it: densities are
exponentiated only where a probability is wanted, so a point far from every
component or a high-dimensional problem never produces 0/0.

The public functions validate their inputs once; the EM loop in
:func:`fit_gmm` runs on the private, unchecked helpers (names starting with ``_``).

A covariance is usable when :func:`_precision_cholesky` can factorise it: that
one definition decides both whether a user's ``sigmas`` are accepted and
whether EM may go on with the covariances it produced, so no covariance that
the fit returns is rejected later, and numpy's ``LinAlgError`` never reaches
the user. :func:`fit_gmm` and :func:`initialize` work on the data centred and
scaled by a power of two (:class:`_Frame`), so a fit does not depend on where
the data sits or on its units.
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

# The E-step whitens, and the M-step scatters, a block of rows of X at a time:
# the block's temporaries, (rows, K * D) and (rows, D), stay near 2 MB, in a
# core's cache, at any N (measured faster than 8 MB blocks at every size).
_CHUNK_ELEMENTS = 2**18


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
        If some ``sigmas[k]`` is not usable: its Cholesky factorisation fails
        (not positive definite, or singular to working precision) or the
        inverse factor overflows. This is the package's definition of a usable
        covariance.
    """
    chols = np.linalg.cholesky(sigmas)
    eye = np.broadcast_to(np.eye(sigmas.shape[-1]), sigmas.shape)
    prec_chols = solve_triangular(chols, eye, lower=True, check_finite=False).transpose(0, 2, 1)
    # A factor with a diagonal near the smallest float succeeds, but its
    # inverse is infinite and every density computed from it would be NaN.
    if not np.isfinite(prec_chols).all():
        raise np.linalg.LinAlgError("the inverse of the Cholesky factor overflows")
    return prec_chols


def _first_unusable(sigmas):
    """The index of the first covariance that :func:`_precision_cholesky` rejects."""
    for k in range(len(sigmas)):
        try:
            _precision_cholesky(sigmas[k : k + 1])
        except np.linalg.LinAlgError:
            return k
    raise AssertionError("called with usable covariances")  # pragma: no cover


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


def _clamp_to_labels(log_prob, log_norm, responsibilities, labels):
    """Fix the labelled rows of an E-step to their labels, in place.

    A labelled point's posterior over components is certain: one-hot at its
    label. Its term of the objective is ``log_prob[i, labels[i]]``, the log of
    ``pi_y N(x_i | mu_y, Sigma_y)``, instead of the log-sum-exp.

    Parameters
    ----------
    log_prob : ndarray of shape (n_samples, K)
        Weighted log densities.
    log_norm : ndarray of shape (n_samples,)
        Overwritten on the labelled rows.
    responsibilities : ndarray of shape (n_samples, K)
        Overwritten on the labelled rows.
    labels : ndarray of int, shape (n_samples,)
        A component index, or -1 for an unlabelled point.
    """
    rows = np.flatnonzero(labels >= 0)
    log_norm[rows] = log_prob[rows, labels[rows]]
    responsibilities[rows] = 0.0
    responsibilities[rows, labels[rows]] = 1.0


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
        A row whose ``log_prob`` is ``-inf`` everywhere (a point impossible
        under every component, as a mixture of Bernoullis allows) gets
        ``log_norm = -inf`` and NaN responsibilities: callers report it.
    """
    # Shift each row by its maximum so the largest term is exp(0) = 1: the sum
    # can neither overflow nor underflow to zero. A row that is not finite
    # anywhere is shifted by 0, which keeps inf - inf out of the arithmetic.
    row_max = log_prob.max(axis=1, keepdims=True)
    shift = np.where(np.isfinite(row_max), row_max, 0.0)
    responsibilities = np.exp(log_prob - shift)
    row_sum = responsibilities.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        responsibilities /= row_sum
        log_norm = (np.log(row_sum) + shift).ravel()
    return log_norm, responsibilities


def _m_step(X, responsibilities, reg_covar):
    """Weighted maximum-likelihood estimates; see :func:`m_step`."""
    n_samples, n_features = X.shape
    # The 10 * eps keeps an emptied component from dividing by zero.
    nk = responsibilities.sum(axis=0) + 10 * np.finfo(np.float64).eps
    mus = (responsibilities.T @ X) / nk[:, None]
    sigmas = np.zeros((len(nk), n_features, n_features))
    sqrt_resp = np.sqrt(responsibilities)
    # A block of samples at a time, all components for each block: the block
    # stays in cache while the K products read it (1.6x faster at D = 50).
    rows = max(1, _CHUNK_ELEMENTS // n_features)
    buffer = np.empty((min(rows, n_samples), n_features))
    for start in range(0, n_samples, rows):
        block, weights = X[start : start + rows], sqrt_resp[start : start + rows]
        deviations = buffer[: len(block)]
        for k in range(len(nk)):
            # Deviations from the NEW mean, scaled by sqrt(r_ik) so that the
            # weighted scatter matrix is a plain A.T @ A (numpy uses a symmetric
            # rank-k update for that, half the work of a general product).
            np.subtract(block, mus[k], out=deviations)
            deviations *= weights[:, k, None]
            sigmas[k] += deviations.T @ deviations
    sigmas /= nk[:, None, None]
    sigmas[:, np.arange(n_features), np.arange(n_features)] += reg_covar
    pis = nk / nk.sum()
    return GMMParams(mus, sigmas, pis)


# --------------------------------------------------------------------------
# Checked covariances, and densities that are finite or an error
# --------------------------------------------------------------------------

# float64 holds magnitudes from about 2.2e-308 to 1.8e308.
_FLOAT_MAX = float(np.finfo(np.float64).max)


def _checked_precision_cholesky(sigmas, name="sigmas"):
    """:func:`_precision_cholesky`, with a ValueError naming ``name[k]`` when it fails.

    Parameters
    ----------
    sigmas : ndarray of shape (K, D, D)
        Finite and symmetric (see ``_validation.check_params``).
    name : str
        How the stack is named in the message.

    Returns
    -------
    prec_chols : ndarray of shape (K, D, D)
    """
    try:
        return _precision_cholesky(sigmas)
    except np.linalg.LinAlgError:
        k = _first_unusable(sigmas)
    raise ValueError(
        f"{name}[{k}] must be positive definite (its Cholesky factorisation must succeed), "
        f"but {_why_not_positive_definite(sigmas[k])}"
    )


def _why_not_positive_definite(sigma):
    try:
        eigenvalues = np.linalg.eigvalsh(sigma)
    except np.linalg.LinAlgError:  # pragma: no cover - eigvalsh of a finite symmetric matrix
        return "its eigenvalues cannot be computed"
    smallest, largest = eigenvalues[0], eigenvalues[-1]
    if smallest <= 0:
        return f"its smallest eigenvalue is {smallest:.3g}"
    return (
        f"it is singular to working precision: its eigenvalues range from {smallest:.3g} "
        f"to {largest:.3g}, a ratio beyond what float64 can factorise"
    )


def _check_params(mus, sigmas, pis, n_features, name=""):
    """``_validation.check_params`` plus the usable-covariance check.

    Parameters
    ----------
    mus, sigmas, pis : array-like
        As the user passed them.
    n_features : int
    name : str
        Prefix for the messages, e.g. ``"init: "``.

    Returns
    -------
    params : GMMParams
    prec_chols : ndarray of shape (K, D, D)
    """
    try:
        mus, sigmas, pis = v.check_params(mus, sigmas, pis, n_features)
        prec_chols = _checked_precision_cholesky(sigmas)
    except (TypeError, ValueError) as exc:
        if not name:
            raise
        raise type(exc)(f"{name}{exc}") from None
    return GMMParams(mus, sigmas, pis), prec_chols


def _checked_log_prob(X, mus, sigmas, pis):
    """Validate, then the weighted log densities.

    Returns
    -------
    X : ndarray of shape (n_samples, D)
    params : GMMParams
    log_prob : ndarray of shape (n_samples, K)
        May hold NaN or -inf where a density is not representable; see
        :func:`_unrepresentable_error`.
    """
    X = v.check_X(X)
    params, prec_chols = _check_params(mus, sigmas, pis, X.shape[1])
    # The whitening subtracts two products that both grow with the distance
    # from the origin; measured from the middle of the data, far-shifted data
    # keeps its digits.
    center = _Frame.of(X).center
    with np.errstate(over="ignore", invalid="ignore"):
        log_prob = _weighted_log_prob(X - center, params.mus - center, prec_chols, params.pis)
    return X, params, log_prob


def _unrepresentable_error(X, sigmas, i, what="its log-density"):
    """A ValueError for sample ``i``, too far from the components for float64."""
    spread = float(np.sqrt(np.max(np.diagonal(sigmas, axis1=1, axis2=2))))
    return ValueError(
        f"X[{i}] is so far from every component, measured in their standard deviations, "
        f"that {what} is below -{_FLOAT_MAX:.2g}, beyond float64 (its squared Mahalanobis "
        f"distance overflows). X's entries reach {np.max(np.abs(X)):.3g} while the "
        f"components' largest standard deviation is {spread:.3g}: express X and the "
        f"parameters in units where they are comparable, or drop the outlying sample."
    )


def _finite_log_norm(X, params, log_prob):
    """Log-sum-exp and responsibilities, or a ValueError instead of NaN."""
    with np.errstate(invalid="ignore"):
        log_norm, responsibilities = _normalize(log_prob)
    bad = np.flatnonzero(~np.isfinite(log_norm))
    if len(bad):
        raise _unrepresentable_error(X, params.sigmas, bad[0])
    return log_norm, responsibilities


def _finite_total(X, params, log_norm):
    total = float(log_norm.sum())
    if not np.isfinite(total):
        raise ValueError(
            f"the total log-likelihood of X's {len(X)} samples is below -{_FLOAT_MAX:.2g}, "
            f"beyond float64: X's entries reach {np.max(np.abs(X)):.3g}, far outside the "
            f"components; express X and the parameters in comparable units"
        )
    return total


# --------------------------------------------------------------------------
# Public functions (validate once, then call the kernels above)
# --------------------------------------------------------------------------


def log_gaussian_pdf(X, mus, sigmas, pis):
    """Weighted log densities ``log(pis[k]) + log N(x_i | mus[k], sigmas[k])``.

    .. math::

        \\log \\pi_k - \\tfrac{1}{2}\\left(D \\log 2\\pi + \\log|\\Sigma_k|
        + (x_i - \\mu_k)^\\top \\Sigma_k^{-1} (x_i - \\mu_k)\\right)

    computed through the Cholesky factor of each covariance: no inverse, no
    determinant, no exp-then-log. The result is finite, except ``-inf`` in the
    column of a component whose weight is exactly 0; a sample so far from a
    component that its log density is below float64's range raises ValueError.

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
    X, params, log_prob = _checked_log_prob(X, mus, sigmas, pis)
    bad = np.isnan(log_prob) | (np.isneginf(log_prob) & (params.pis > 0))
    if bad.any():
        i, k = np.argwhere(bad)[0]
        raise _unrepresentable_error(X, params.sigmas, i, f"its log-density under component {k}")
    return log_prob


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
    with np.errstate(over="ignore"):  # a tiny covariance: a density above float64's range
        densities = np.exp(log_gaussian_pdf(X, mus, sigmas, pis))
    if not np.isfinite(densities).all():
        raise ValueError(
            "some density is above float64's range (about 1.8e308): a covariance is tiny "
            "compared with its component's weight and dimension; use log_gaussian_pdf"
        )
    return densities


def log_likelihood(X, mus, sigmas, pis):
    """Total log-likelihood ``sum_i log sum_k pis[k] N(x_i | mus[k], sigmas[k])``.

    The inner sum is a log-sum-exp over the weighted log densities, so one point
    far from every component lowers the total instead of making it ``-inf``.
    A point so far away that its log density is below float64's range raises
    ValueError rather than returning NaN.

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
    X, params, log_prob = _checked_log_prob(X, mus, sigmas, pis)
    log_norm, _ = _finite_log_norm(X, params, log_prob)
    return _finite_total(X, params, log_norm)


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
    _, responsibilities = _finite_log_norm(*_checked_log_prob(X, mus, sigmas, pis))
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

    Raises
    ------
    ValueError
        If the covariances are beyond float64's range (X's spread near 1e154
        or 1e-154): rescale X.
    """
    X = v.check_X(X)
    responsibilities = v.check_responsibilities(responsibilities, X.shape[0])
    reg_covar = v.check_positive(reg_covar, "reg_covar")
    frame = _Frame.of(X, reg_covar)
    work = _m_step(frame.data(X), responsibilities, frame.reg_covar(reg_covar))
    return frame.to_user(work, X)


# --------------------------------------------------------------------------
# The working frame: centred data, scaled by a power of two
# --------------------------------------------------------------------------


class _Frame(NamedTuple):
    """User units ``x`` and working units ``(x - center) / scale``.

    ``scale`` is a power of two, so scaling and unscaling are exact in floating
    point: a covariance is usable in one frame exactly when it is in the other
    (unless it under- or overflows, which :meth:`to_user` reports).
    """

    center: np.ndarray
    scale: float

    @classmethod
    def of(cls, X, reg_covar=0.0):
        """The frame that puts ``X`` in [-1, 1] about the middle of its range.

        The scale is at least ``sqrt(reg_covar)``, so that ``reg_covar`` in
        working units cannot overflow when the data are much narrower.
        """
        low, high = X.min(axis=0), X.max(axis=0)
        # Halves first: (low + high) / 2 and high - low overflow near 1e308.
        center = low / 2 + high / 2
        spread = max(float(np.max(high / 2 - low / 2)), np.sqrt(reg_covar))
        exponent = min(np.frexp(spread)[1], 1023) if spread > 0 else 0
        return cls(center, float(np.ldexp(1.0, exponent)))

    def data(self, X):
        """``X`` in working units."""
        return (X - self.center) / self.scale

    def reg_covar(self, reg_covar):
        """``reg_covar`` in working units."""
        return reg_covar / self.scale / self.scale

    def log_likelihood_offset(self, n_samples, n_features):
        """Add to a working-units log-likelihood to get the user's: ``-N D log(scale)``."""
        return -n_samples * n_features * np.log(self.scale)

    def to_work(self, params):
        """Parameters in working units."""
        return GMMParams((params.mus - self.center) / self.scale,
                         params.sigmas / self.scale / self.scale, params.pis)

    def to_user(self, params, X, checked=False):
        """Parameters in user units; ValueError if they leave float64's range.

        One multiplication at a time: ``scale**2`` alone may overflow when the
        covariances do not.

        With ``checked=True``, the covariances were usable in working units and
        must stay so. Scaling up by a power of two is exact and keeps every
        step of the factorisation exact, so only a scale below 1 (data of
        spread below 1, where a covariance may underflow) needs a new check.
        """
        with np.errstate(over="ignore"):
            mus = params.mus * self.scale + self.center
            sigmas = params.sigmas * self.scale * self.scale
        if not (np.isfinite(mus).all() and np.isfinite(sigmas).all()):
            raise _scale_error(X, "overflow")
        if checked and self.scale < 1:
            try:
                _precision_cholesky(sigmas)
            except np.linalg.LinAlgError:
                raise _scale_error(X, "underflow") from None
        return GMMParams(mus, sigmas, params.pis.copy())


def _scale_error(X, what):
    """A ValueError for covariances that over- or underflow in the user's units."""
    low, high = X.min(axis=0), X.max(axis=0)
    spread = float(np.max(high / 2 - low / 2))
    factor = 10.0 ** -np.round(np.log10(spread)) if spread > 0 else 1.0
    return ValueError(
        f"X's spread is {spread:.3g}: its covariances, which grow as its square, {what} "
        f"float64 (magnitudes from about 1e-308 to 1.8e308). Rescale X first, for "
        f"instance X * {factor:.0e}, and rescale the results back if needed."
    )


# --------------------------------------------------------------------------
# Starting parameters
# --------------------------------------------------------------------------


def initialize(X, n_components, *, method="kmeans++", reg_covar=1e-6, random_state=None):
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
        M-step sets the weights from the data. Distances are computed on the
        centred data, so the start does not depend on where the data sit.
    reg_covar : float, default=1e-6
        Added to every starting covariance's diagonal, as :func:`fit_gmm`
        passes its own.
    random_state : None, int >= 0 or numpy.random.Generator, default=None
        Seed for the random choices; ``None`` gives a different start each call.

    Returns
    -------
    mus : ndarray of shape (n_components, n_features)
    sigmas : ndarray of shape (n_components, n_features, n_features)
    pis : ndarray of shape (n_components,)

    Raises
    ------
    ComponentCollapseError
        (a ValueError) if a starting covariance is not usable, e.g. for
        collinear features with ``reg_covar=0``.
    """
    X = v.check_X(X)
    n_components = v.check_n_components(n_components, X.shape[0])
    if method not in INIT_METHODS:
        raise ValueError(f"method must be one of {INIT_METHODS}, got {method!r}")
    reg_covar = v.check_positive(reg_covar, "reg_covar")
    rng = v.check_random_state(random_state)
    frame = _Frame.of(X, reg_covar)
    user, _ = _initialize(X, frame, n_components, method, rng, reg_covar)
    return user


def _initialize(X, frame, n_components, method, rng, reg_covar):
    """The start of ``method`` in user and in working units.

    Returns
    -------
    user, work : GMMParams
    """
    Xw = frame.data(X)
    if method == "random":
        chosen = rng.choice(len(X), size=n_components, replace=False)
    else:
        chosen = _kmeans_plusplus(Xw, n_components, rng)
    if method == "kmeans":
        mus_w, labels = _lloyd(Xw, Xw[chosen])
    else:
        mus_w = Xw[chosen]
        labels = _squared_distances(Xw, mus_w).argmin(axis=1)
    sigmas_w = _cluster_covariances(Xw, labels, n_components, frame.reg_covar(reg_covar))
    work = GMMParams(mus_w, sigmas_w, np.full(n_components, 1.0 / n_components))
    try:
        _precision_cholesky(sigmas_w)
    except np.linalg.LinAlgError:
        k = _first_unusable(sigmas_w)
        raise _start_collapse_error(k, f"init={method!r}", reg_covar, n_components) from None
    user = frame.to_user(work, X, checked=True)
    if method != "kmeans":
        # The means ARE data points; unscaling would round them.
        user = user._replace(mus=X[chosen].copy())
    return user, work


def _cluster_covariances(X, labels, n_components, reg_covar):
    """Covariance of each cluster's points, shape (K, D, D).

    A cluster with no more points than dimensions has a singular scatter
    matrix; it gets the covariance of the whole data set instead, or only its
    diagonal when that is not usable (an outlier far along one direction makes
    the data's covariance nearly rank one).
    """
    n_features = X.shape[1]
    data_sigma = np.atleast_2d(np.cov(X, rowvar=False, bias=True))
    try:
        _precision_cholesky(data_sigma[None] + reg_covar * np.eye(n_features))
    except np.linalg.LinAlgError:
        data_sigma = np.diag(np.diag(data_sigma))
    sigmas = np.repeat(data_sigma[None], n_components, axis=0)
    for k in range(n_components):
        members = X[labels == k]
        if len(members) > n_features:
            sigmas[k] = np.atleast_2d(np.cov(members, rowvar=False, bias=True))
    sigmas[:, range(n_features), range(n_features)] += reg_covar
    return sigmas


def _squared_distances(X, centers):
    """Squared Euclidean distances, shape (n_samples, n_centers)."""
    # Differences first: the shortcut |x|^2 - 2 x.c + |c|^2 loses the distance
    # between two nearby points to rounding when both sit far from the origin.
    distances = np.empty((len(X), len(centers)))
    for k, center in enumerate(centers):
        diff = X - center
        np.einsum("id,id->i", diff, diff, out=distances[:, k])
    return distances


def _kmeans_plusplus(X, n_components, rng):
    """k-means++ seeding (Arthur and Vassilvitskii, 2007): indices of data points, spread out."""
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
    return np.array(chosen)


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


# --------------------------------------------------------------------------
# The EM loop
# --------------------------------------------------------------------------


@dataclass
class EMResult:
    """What :func:`fit_gmm` and :func:`gmm_teach.fit_gmm_semi_supervised` return.

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
        ``log_likelihoods[t]`` is the total log-likelihood under ``history[t]``
        (with labels, the semi-supervised objective).
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


def _advice(reg_covar, n_components):
    fewer = f"fewer components (n_components={n_components - 1}); " if n_components > 1 else ""
    return (
        f"Try one of: more data; {fewer}a larger reg_covar (now {reg_covar:g}, try 1e-3 "
        f"or more); or scale the features to comparable ranges."
    )


def _collapse_error(iteration, k, nk, reg_covar, n_components):
    points = f"{nk:.3g} data point" + ("" if f"{nk:.3g}" == "1" else "s")
    return ComponentCollapseError(
        f"EM iteration {iteration}: component {k} collapsed. Its covariance is no longer "
        f"positive definite: it is responsible for the equivalent of only {points}, too few "
        f"(or all on a line or a single spot) to describe a Gaussian's spread. Its likelihood "
        f"can grow without bound, so EM cannot go on. {_advice(reg_covar, n_components)}"
    )


def _start_collapse_error(k, source, reg_covar, n_components):
    return ComponentCollapseError(
        f"The start ({source}) gives component {k} a covariance that is not positive "
        f"definite to working precision: the points it comes from lie on a line or a single "
        f"spot, or one feature is a multiple of another. EM cannot start. "
        f"{_advice(reg_covar, n_components)}"
    )


def _far_sample_error(iteration, i, reg_covar, n_components, whom="every component"):
    return ComponentCollapseError(
        f"EM iteration {iteration}: sample {i} is so far from {whom}, measured in "
        f"their standard deviations, that its log-density is beyond float64: the components' "
        f"covariances have shrunk to almost nothing. {_advice(reg_covar, n_components)}"
    )


def _checked_start(X, frame, n_components, init, rng, reg_covar):
    """Validate ``init`` and produce the start in user and working units.

    Returns
    -------
    user, work : GMMParams
    """
    if isinstance(init, str):
        if init not in INIT_METHODS:
            raise ValueError(
                f"init must be one of {INIT_METHODS} or a (mus, sigmas, pis) tuple, got {init!r}"
            )
        if n_components is None:
            raise ValueError(f"n_components is required when init is a method name ({init!r})")
        n_components = v.check_n_components(n_components, len(X))
        return _initialize(X, frame, n_components, init, rng, reg_covar)
    if not isinstance(init, (tuple, list)) or len(init) != 3:
        raise TypeError(
            f"init must be a method name {INIT_METHODS} or a (mus, sigmas, pis) tuple, "
            f"got {type(init).__name__}"
        )
    start, _ = _check_params(*init, X.shape[1], name="init: ")
    if n_components is not None and n_components != len(start.mus):
        raise ValueError(
            f"n_components = {n_components} disagrees with init, which has "
            f"{len(start.mus)} components"
        )
    v.check_n_components(len(start.mus), len(X))
    # Copies: history[0] must not change when the caller's arrays do. Weights
    # are accepted when they sum to 1 within SUM_TO_ONE_ATOL; normalised, the
    # start is a distribution, and the first M-step cannot appear to lower
    # its log-likelihood.
    user = GMMParams(start.mus.copy(), start.sigmas.copy(), start.pis / start.pis.sum())
    return user, frame.to_work(user)


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

    The loop runs on the data centred on the middle of their range and scaled
    by a power of two, and reports everything in the user's units: shifting
    the data, or rescaling it (with ``reg_covar`` rescaled alike), gives the
    corresponding fit to within rounding.

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
        Added to every covariance's diagonal at each M-step, and to the start's
        covariances when ``init`` is a method name.
    random_state : None, int >= 0 or numpy.random.Generator, default=None
        Seed for the initialisation method.
    verbose : bool, default=False
        Print the log-likelihood every 5 iterations and how the fit ended.

    Returns
    -------
    result : EMResult
        Every covariance in ``result.history`` is accepted by :func:`e_step`.

    Raises
    ------
    ComponentCollapseError
        (a ValueError) when a component's covariance stops being positive
        definite, or the start's is not, with what to try instead.
    ValueError
        When the data's scale puts the covariances beyond float64's range.
    """
    return _fit(X, n_components, init, tol, max_iter, reg_covar, random_state, verbose)


def _fit(X, n_components, init, tol, max_iter, reg_covar, random_state, verbose,
         labels=None, prepare_labels=None):
    """:func:`fit_gmm`, or with ``labels`` the semi-supervised fit.

    ``prepare_labels(X, labels, start, from_method)``, with ``X`` and
    ``start`` in working units, validates the labels against the start and
    returns them with the order in which the start's components are used.
    See :func:`gmm_teach.semi_supervised.fit_gmm_semi_supervised`.
    """
    X = v.check_X(X)
    tol = v.check_positive(tol, "tol")
    reg_covar = v.check_positive(reg_covar, "reg_covar")
    max_iter = v.check_count(max_iter, "max_iter")
    rng = v.check_random_state(random_state)
    frame = _Frame.of(X, reg_covar)
    start, start_work = _checked_start(X, frame, n_components, init, rng, reg_covar)
    if labels is not None:
        labels, order = prepare_labels(frame.data(X), labels, start_work, isinstance(init, str))
        start, start_work = (GMMParams(*(a[order] for a in p)) for p in (start, start_work))

    # EM's matrix products are tall and thin (n_samples x a few columns): waking
    # BLAS threads for them costs more than it saves, and numpy's and scipy's
    # BLAS libraries would each spin threads on the same cores. Measured on two
    # cores, one thread per library made an iteration 1.1x to 2.4x faster.
    with threadpool_limits(limits=1, user_api="blas"):
        history, log_likelihoods, responsibilities, converged = _em_loop(
            X, frame, start, start_work, tol, max_iter, reg_covar, verbose, labels
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
            stacklevel=3,
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


def _em_loop(X, frame, start, params, tol, max_iter, reg_covar, verbose, labels=None):
    """Run EM from ``params`` (working units); see :func:`fit_gmm`.

    ``start`` is the same start in user units. The loop works on
    ``frame.data(X)`` and stores every step in user units. With ``labels``
    (-1 for unlabelled), every E-step clamps the labelled rows; see
    :func:`_clamp_to_labels`.

    Returns
    -------
    history : list of GMMParams
    log_likelihoods : list of float
    responsibilities : ndarray of shape (n_samples, n_components)
        Under the last parameters.
    converged : bool
    """
    n_samples, n_features = X.shape
    n_components = len(params.pis)
    Xw = frame.data(X)
    reg_work = frame.reg_covar(reg_covar)
    offset = frame.log_likelihood_offset(n_samples, n_features)
    history, log_likelihoods, previous = [start], [], None
    for iteration in range(max_iter + 1):
        if iteration > 0:
            params = _m_step(Xw, responsibilities, reg_work)
        # The factorisation every E-step needs is also the check that the
        # covariances are usable: it costs nothing extra in the loop.
        try:
            prec_chols = _precision_cholesky(params.sigmas)
        except np.linalg.LinAlgError:
            k = _first_unusable(params.sigmas)
            if iteration == 0:
                raise _start_collapse_error(k, "init", reg_covar, n_components) from None
            nk = params.pis[k] * n_samples
            raise _collapse_error(iteration, k, nk, reg_covar, n_components) from None
        # One pass gives both the log-likelihood of the new parameters and the
        # responsibilities for the next M-step.
        log_prob = _weighted_log_prob(Xw, params.mus, prec_chols, params.pis)
        log_norm, responsibilities = _normalize(log_prob)
        if labels is not None:
            _clamp_to_labels(log_prob, log_norm, responsibilities, labels)
        total = log_norm.sum()
        if not np.isfinite(total):
            i = np.flatnonzero(~np.isfinite(log_norm))[0]
            if labels is not None and labels[i] >= 0:
                raise _far_sample_error(iteration, i, reg_covar, n_components,
                                        f"its own component {labels[i]} (its label)")
            raise _far_sample_error(iteration, i, reg_covar, n_components)
        log_likelihoods.append(total + offset)
        previous, change = total, (None if previous is None else abs(total - previous))
        if iteration == 0:
            continue
        history.append(frame.to_user(params, X, checked=True))
        if verbose and iteration % 5 == 0:
            print(f"Data Log-Likelihood at iteration: {iteration} = {log_likelihoods[-1]:.6f}")
        # Compared in working units: the offset to the user's units is a
        # constant that could be large enough to round the change away.
        if change / n_samples < tol:
            return history, log_likelihoods, responsibilities, True
    return history, log_likelihoods, responsibilities, False


# --------------------------------------------------------------------------
# Model selection
# --------------------------------------------------------------------------


def n_parameters(n_components, n_features):
    """Free parameters of a full-covariance mixture: means, covariances, weights.

    ``K * D + K * D * (D + 1) / 2 + (K - 1)``.

    Parameters
    ----------
    n_components : int >= 1
    n_features : int >= 1

    Returns
    -------
    n_parameters : int

    Examples
    --------
    >>> n_parameters(4, 2)
    23
    """
    n_components = v.check_count(n_components, "n_components")
    n_features = v.check_count(n_features, "n_features")
    return n_components * (n_features + n_features * (n_features + 1) // 2) + n_components - 1


def _criterion_terms(X, mus, sigmas, pis):
    """``-2 log L``, the number of free parameters ``p`` and ``N``, for BIC and AIC."""
    X, params, log_prob = _checked_log_prob(X, mus, sigmas, pis)
    log_norm, _ = _finite_log_norm(X, params, log_prob)
    minus_two_log_likelihood = -2 * _finite_total(X, params, log_norm)
    if not np.isfinite(minus_two_log_likelihood):
        raise ValueError(
            f"-2 log-likelihood is beyond float64's range: X's entries reach "
            f"{np.max(np.abs(X)):.3g}, far outside the components; express X and the "
            f"parameters in comparable units"
        )
    return minus_two_log_likelihood, n_parameters(*params.mus.shape), len(X)


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
