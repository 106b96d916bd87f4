"""Mixtures of Bernoullis for binary data, fitted by Expectation-Maximization.

The second model of the course (lesson 13): each component ``k`` gives every
feature ``d`` its own probability ``mus[k, d]`` of being 1, independently of
the others, so ``p(x | mu_k) = prod_d mu_kd^x_d (1 - mu_kd)^(1 - x_d)``.
Notation and conventions follow :mod:`gmm_teach.em`: ``K`` components over
``D`` binary features, ``mus`` (K, D) with entries in [0, 1], ``pis`` (K,);
everything in log space; public functions validate once, the loop runs on
the unchecked kernels.

``min_prob`` plays the part of ``reg_covar``: every M-step clips ``mus`` to
``[min_prob, 1 - min_prob]``, so a feature that is 0 in every member of a
component does not make a new point with that feature on impossible. ``Q`` is
concave in each ``mu_kd``, so the clipped mean is the exact maximiser of ``Q``
on that interval, and EM still never lowers the log-likelihood.
"""

import numbers
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validation as v
from .em import ConvergenceWarning, _normalize

__all__ = [
    "BernoulliParams",
    "BernoulliEMResult",
    "log_bernoulli_pdf",
    "bernoulli_log_likelihood",
    "bernoulli_e_step",
    "bernoulli_m_step",
    "fit_bernoulli_mixture",
]


class BernoulliParams(NamedTuple):
    """The parameters of a mixture of Bernoullis.

    Attributes
    ----------
    mus : ndarray of shape (n_components, n_features)
        ``mus[k, d]`` is the probability that feature ``d`` is 1 under component ``k``.
    pis : ndarray of shape (n_components,)
        Mixing weights, summing to 1.
    """

    mus: np.ndarray
    pis: np.ndarray


# --------------------------------------------------------------------------
# Kernels (no validation)
# --------------------------------------------------------------------------


def _log_prob(X, mus, pis):
    """``log pis[k] + log p(x_i | mus[k])``, shape (n_samples, K); see :func:`log_bernoulli_pdf`."""
    if np.all((mus > 0) & (mus < 1)):
        log_prob = X @ np.log(mus).T + (1.0 - X) @ np.log1p(-mus).T
    else:
        log_prob = _log_prob_with_certain_features(X, mus)
    with np.errstate(divide="ignore"):
        log_prob += np.log(pis)
    return log_prob


def _log_prob_with_certain_features(X, mus):
    """The unweighted log-probabilities when some ``mus`` are exactly 0 or 1.

    ``0 * log 0`` is 0 here (a feature that is off cannot contradict
    ``mu = 0``), while a feature that is on where ``mu = 0`` (or off where
    ``mu = 1``) makes the point impossible: ``-inf``, not NaN.
    """
    with np.errstate(divide="ignore"):
        log_on = np.where(mus > 0, np.log(mus), 0.0)
        log_off = np.where(mus < 1, np.log1p(-mus), 0.0)
    log_prob = X @ log_on.T + (1.0 - X) @ log_off.T
    contradictions = X @ (mus == 0).T + (1.0 - X) @ (mus == 1).T
    log_prob[contradictions > 0] = -np.inf
    return log_prob


def _m_step(X, responsibilities, min_prob):
    """Weighted means clipped to ``[min_prob, 1 - min_prob]``; see :func:`bernoulli_m_step`."""
    # The 10 * eps keeps an emptied component from dividing by zero (its
    # mus become min_prob), as in gmm_teach.em.
    nk = responsibilities.sum(axis=0) + 10 * np.finfo(np.float64).eps
    mus = np.clip((responsibilities.T @ X) / nk[:, None], min_prob, 1.0 - min_prob)
    return BernoulliParams(mus, nk / nk.sum())


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _check_binary_X(X):
    X = v.check_X(X)
    off = np.flatnonzero(((X != 0) & (X != 1)).ravel())
    if len(off):
        i, d = np.unravel_index(off[0], X.shape)
        raise ValueError(
            f"X must be binary (every entry 0 or 1), got {len(off)} other value(s), such as "
            f"X[{i}, {d}] = {X[i, d]:g}; threshold the data first, e.g. (X > 0.5).astype(float)"
        )
    return X


def _check_params(mus, pis, n_features, name=""):
    """Validate ``mus`` and ``pis`` against each other and the data.

    Returns
    -------
    params : BernoulliParams
    """
    try:
        mus = v.as_float_array(mus, "mus", 2, "(n_components, n_features)")
        n_components = mus.shape[0]
        if mus.shape[1] != n_features:
            transposed = mus.shape[0] == n_features
            k = mus.shape[1] if transposed else n_components
            hint = " (is it transposed?)" if transposed else ""
            raise ValueError(
                f"mus must have shape (n_components, n_features) = ({k}, {n_features}) "
                f"to match X's {n_features} features, got {mus.shape}{hint}"
            )
        if np.any((mus < 0) | (mus > 1)):
            raise ValueError(
                f"mus must hold probabilities in [0, 1], got values from {mus.min():g} "
                f"to {mus.max():g}"
            )
        pis = v.as_float_array(pis, "pis", None, f"({n_components},)").ravel()
        if pis.size != n_components:
            raise ValueError(
                f"pis must have {n_components} entries (one per component in mus), "
                f"got {pis.size} entries"
            )
        if np.any(pis < 0):
            raise ValueError(f"pis must be non-negative, got {pis}")
        if abs(pis.sum() - 1.0) > v.SUM_TO_ONE_ATOL:
            raise ValueError(f"pis must sum to 1, got sum(pis) = {pis.sum():.6g}")
    except (TypeError, ValueError) as exc:
        if not name:
            raise
        raise type(exc)(f"{name}{exc}") from None
    return BernoulliParams(mus, pis)


def _check_min_prob(min_prob):
    if isinstance(min_prob, bool) or not isinstance(min_prob, numbers.Real):
        raise TypeError(f"min_prob must be a real number, got {min_prob!r}")
    if not 0 <= min_prob < 0.5:
        raise ValueError(f"min_prob must be in [0, 0.5), got {min_prob!r}")
    return float(min_prob)


def _impossible_error(X, params, i, when=""):
    """A ValueError for sample ``i``, which has probability 0 under every component.

    Says why for each component (up to three): a weight of 0, or a feature
    the component is certain of and the point contradicts.
    """
    mus, pis = params
    reasons = []
    contradictions = ((X[i] == 1) & (mus == 0)) | ((X[i] == 0) & (mus == 1))
    for k in range(len(pis)):
        contradicted = np.flatnonzero(contradictions[k])
        if pis[k] == 0:
            reasons.append(f"pis[{k}] = 0")
        elif len(contradicted):
            d = contradicted[0]
            reasons.append(f"X[{i}, {d}] = {X[i, d]:g} where mus[{k}, {d}] = {mus[k, d]:g}")
    shown = "; ".join(reasons[:3]) + ("; ..." if len(reasons) > 3 else "")
    return ValueError(
        f"X[{i}] has probability 0 under every component{when} ({shown}). Keep mus inside "
        f"(0, 1), as min_prob > 0 does in bernoulli_m_step and fit_bernoulli_mixture, and "
        f"pis above 0 for every component a point may need."
    )


def _checked_log_norm(X, mus, pis):
    X = _check_binary_X(X)
    params = _check_params(mus, pis, X.shape[1])
    log_norm, responsibilities = _normalize(_log_prob(X, *params))
    bad = np.flatnonzero(np.isneginf(log_norm))
    if len(bad):
        raise _impossible_error(X, params, bad[0])
    return log_norm, responsibilities


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def log_bernoulli_pdf(X, mus, pis):
    """Weighted log-probabilities ``log pis[k] + log p(x_i | mus[k])``.

    A probability mass function, not a density: ``x`` is binary. The name
    mirrors :func:`gmm_teach.log_gaussian_pdf`.

    .. math::

        \\log \\pi_k + \\sum_d \\big[x_{id} \\log \\mu_{kd}
        + (1 - x_{id}) \\log (1 - \\mu_{kd})\\big]

    computed as two matrix products, ``X @ log(mus).T + (1 - X) @ log(1 - mus).T``.
    Exact for ``mus`` anywhere in [0, 1]: an impossible point gets ``-inf``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary: every entry 0 or 1.
    mus : array-like of shape (n_components, n_features)
        Probabilities in [0, 1].
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
    """
    X = _check_binary_X(X)
    return _log_prob(X, *_check_params(mus, pis, X.shape[1]))


def bernoulli_log_likelihood(X, mus, pis):
    """Total log-likelihood ``sum_i log sum_k pis[k] p(x_i | mus[k])``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary.
    mus : array-like of shape (n_components, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    log_likelihood : float

    Raises
    ------
    ValueError
        If a sample has probability 0 under every component (``-inf``).
    """
    log_norm, _ = _checked_log_norm(X, mus, pis)
    return float(log_norm.sum())


def bernoulli_e_step(X, mus, pis):
    """The E-step: responsibilities ``gamma_ik = p(z_i = k | x_i)``, in log space.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary.
    mus : array-like of shape (n_components, n_features)
    pis : array-like with n_components entries, summing to 1

    Returns
    -------
    responsibilities : ndarray of shape (n_samples, n_components)
        Non-negative; every row sums to 1.

    Raises
    ------
    ValueError
        If a sample has probability 0 under every component.
    """
    _, responsibilities = _checked_log_norm(X, mus, pis)
    return responsibilities


def bernoulli_m_step(X, responsibilities, *, min_prob=1e-3):
    """The M-step: weighted means, clipped, and weights.

    With ``N_k = sum_i gamma_ik``:

    .. math::

        \\mu_{kd} = \\operatorname{clip}\\Big(\\frac{1}{N_k}\\sum_i \\gamma_{ik} x_{id},\\;
        \\text{min\\_prob},\\; 1 - \\text{min\\_prob}\\Big), \\quad
        \\pi_k = \\frac{N_k}{N}

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary.
    responsibilities : array-like of shape (n_samples, n_components)
        Non-negative, rows summing to 1.
    min_prob : float in [0, 0.5), default=1e-3
        The floor: every ``mus[k, d]`` is kept in ``[min_prob, 1 - min_prob]``.

    Returns
    -------
    params : BernoulliParams
        ``mus`` of shape (n_components, n_features), ``pis`` of shape (n_components,).
    """
    X = _check_binary_X(X)
    responsibilities = v.check_responsibilities(responsibilities, X.shape[0])
    min_prob = _check_min_prob(min_prob)
    return _m_step(X, responsibilities, min_prob)


# --------------------------------------------------------------------------
# The EM loop
# --------------------------------------------------------------------------


@dataclass
class BernoulliEMResult:
    """What :func:`fit_bernoulli_mixture` returns.

    Attributes
    ----------
    mus : ndarray of shape (n_components, n_features)
        Final probabilities, ``history[-1].mus``.
    pis : ndarray of shape (n_components,)
        Final weights.
    responsibilities : ndarray of shape (n_samples, n_components)
        The E-step under the final parameters.
    log_likelihoods : ndarray of shape (n_iter + 1,)
        ``log_likelihoods[t]`` is the total log-likelihood under ``history[t]``.
    history : list of BernoulliParams, length n_iter + 1
        ``history[0]`` is the start, ``history[t]`` the parameters after ``t`` iterations.
    n_iter : int
        The number of EM iterations run.
    converged : bool
        Whether the mean per-sample log-likelihood changed by less than ``tol``.
    """

    mus: np.ndarray
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


def _start(X, n_components, init, min_prob, rng):
    """The starting parameters: validated, and inside ``[min_prob, 1 - min_prob]``."""
    if isinstance(init, str):
        if init != "random":
            raise ValueError(f"init must be 'random' or a (mus, pis) tuple, got {init!r}")
        if n_components is None:
            raise ValueError("n_components is required when init is 'random'")
        n_components = v.check_n_components(n_components, len(X))
        # Random soft assignments, then an M-step: means near the data's mean,
        # each pulled a little towards different points.
        responsibilities = rng.uniform(size=(len(X), n_components))
        responsibilities /= responsibilities.sum(axis=1, keepdims=True)
        return _m_step(X, responsibilities, min_prob)
    if not isinstance(init, (tuple, list)) or len(init) != 2:
        raise TypeError(
            f"init must be 'random' or a (mus, pis) tuple, got {type(init).__name__}"
        )
    start = _check_params(*init, X.shape[1], name="init: ")
    if n_components is not None:
        n_components = v.check_n_components(n_components, len(X))
        if n_components != len(start.mus):
            raise ValueError(
                f"n_components = {n_components} disagrees with init, which has "
                f"{len(start.mus)} components"
            )
    v.check_n_components(len(start.mus), len(X))
    # EM never lowers the log-likelihood only when the start is one of the
    # parameters the M-step may choose from.
    if np.any((start.mus < min_prob) | (start.mus > 1 - min_prob)):
        raise ValueError(
            f"init: mus must lie in [min_prob, 1 - min_prob] = [{min_prob:g}, "
            f"{1 - min_prob:g}], got values from {start.mus.min():g} to {start.mus.max():g}; "
            f"clip them, or lower min_prob"
        )
    # pis are accepted when they sum to 1 within SUM_TO_ONE_ATOL; a start whose
    # weights sum to more than 1 has a log-likelihood that no M-step can reach,
    # and EM would appear to lower it. Normalised, the start is a distribution.
    return BernoulliParams(start.mus.copy(), start.pis / start.pis.sum())


def fit_bernoulli_mixture(
    X,
    n_components=None,
    *,
    init="random",
    tol=1e-4,
    max_iter=500,
    min_prob=1e-3,
    random_state=None,
    verbose=False,
):
    """Fit a mixture of Bernoullis by Expectation-Maximization.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary: every entry 0 or 1.
    n_components : int, optional
        The number of components K. May be omitted when ``init`` is a tuple.
    init : "random" or tuple (mus, pis), default="random"
        ``"random"``: random soft assignments (uniform, rows normalised)
        followed by one M-step. A tuple gives the start explicitly; its
        ``mus`` must lie in ``[min_prob, 1 - min_prob]``, and its ``pis``
        (summing to 1 within 1e-5) are divided by their sum.
    tol : float, default=1e-4
        Stop when the mean per-sample log-likelihood changes by less than ``tol``
        between iterations. ``tol=0`` runs exactly ``max_iter`` iterations.
    max_iter : int, default=500
        The most EM iterations to run.
    min_prob : float in [0, 0.5), default=1e-3
        Every M-step keeps each ``mus[k, d]`` in ``[min_prob, 1 - min_prob]``.
    random_state : None, int >= 0 or numpy.random.Generator, default=None
        Seed for the random start.
    verbose : bool, default=False
        Print the log-likelihood every 5 iterations and how the fit ended, as
        :func:`gmm_teach.fit_gmm` does.

    Returns
    -------
    result : BernoulliEMResult
        ``result.log_likelihoods`` never decreases (up to rounding).

    Raises
    ------
    ValueError
        For a non-binary ``X``, a bad ``init``, ``min_prob``, ``tol`` or
        ``max_iter``, and when a sample has probability 0 under every
        component (possible only with ``min_prob=0``, or weights of 0).
    TypeError
        For arguments of the wrong type.

    Warns
    -----
    ConvergenceWarning
        When ``tol > 0`` and EM has not converged after ``max_iter`` iterations.
    """
    X = _check_binary_X(X)
    tol = v.check_positive(tol, "tol")
    max_iter = v.check_count(max_iter, "max_iter")
    min_prob = _check_min_prob(min_prob)
    rng = v.check_random_state(random_state)
    params = _start(X, n_components, init, min_prob, rng)
    history, log_likelihoods, previous = [params], [], None
    for iteration in range(max_iter + 1):
        if iteration > 0:
            params = _m_step(X, responsibilities, min_prob)
            history.append(params)
        log_norm, responsibilities = _normalize(_log_prob(X, *params))
        impossible = np.flatnonzero(np.isneginf(log_norm))
        if len(impossible):
            raise _impossible_error(X, params, impossible[0], f" at iteration {iteration}")
        total = float(log_norm.sum())
        log_likelihoods.append(total)
        previous, change = total, (None if previous is None else abs(total - previous))
        if verbose and iteration > 0 and iteration % 5 == 0:
            print(f"Data Log-Likelihood at iteration: {iteration} = {total:.6f}")
        if iteration > 0 and change / len(X) < tol:
            if verbose:
                print(f"Converged to within {tol} after: {iteration} iterations")
            return _result(history, log_likelihoods, responsibilities, True)
    if verbose:
        print(f"Did not converge to within {tol} in {max_iter} iterations")
    if tol > 0:
        warnings.warn(
            f"EM did not converge to within tol={tol} in max_iter={max_iter} iterations; "
            f"raise max_iter or tol, or try another initialisation.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return _result(history, log_likelihoods, responsibilities, False)


def _result(history, log_likelihoods, responsibilities, converged):
    final = history[-1]
    return BernoulliEMResult(
        mus=final.mus,
        pis=final.pis,
        responsibilities=responsibilities,
        log_likelihoods=np.asarray(log_likelihoods),
        history=history,
        n_iter=len(history) - 1,
        converged=converged,
    )
