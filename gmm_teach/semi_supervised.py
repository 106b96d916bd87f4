"""Semi-supervised EM: a Gaussian mixture fitted to data where some points carry labels.

Lesson 14. A label is a component index, ``-1`` marks an unlabelled point
(scikit-learn's convention for semi-supervised learning). The objective is

.. math::

    \\sum_{i \\text{ unlabelled}} \\log \\sum_k \\pi_k \\mathcal{N}(x_i \\mid \\mu_k, \\Sigma_k)
    + \\sum_{i \\text{ labelled}} \\log \\big(\\pi_{y_i} \\mathcal{N}(x_i \\mid \\mu_{y_i}, \\Sigma_{y_i})\\big),

and EM for it differs from :func:`gmm_teach.fit_gmm` in one place: the E-step's
posterior for a labelled point is one-hot at its label. With no labels it is
``fit_gmm``; with every point labelled, its first M-step is the supervised
estimate (each class's mean, covariance with divisor ``N_k`` plus
``reg_covar``, and frequency) and nothing changes after it.
"""

import numpy as np

from . import em

__all__ = ["e_step_with_labels", "fit_gmm_semi_supervised"]


def _check_labels(labels, n_samples, n_components):
    """Validate labels: whole numbers, -1 or a component index, one per sample.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
    n_samples : int
    n_components : int or None
        When None (not known yet), only the lower bound is checked.

    Returns
    -------
    labels : ndarray of intp, shape (n_samples,)
    """
    try:
        array = np.asarray(labels)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"labels must be an array of integers, got {type(labels).__name__} ({exc})"
        ) from None
    if array.dtype.kind not in "iuf" or isinstance(labels, bool):
        raise TypeError(
            f"labels must be integers (a component index, or -1 for unlabelled), "
            f"got an array of dtype {array.dtype}"
        )
    if array.shape != (n_samples,):
        raise ValueError(
            f"labels must have shape (n_samples,) = ({n_samples},), one per row of X, "
            f"got {array.shape}"
        )
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise TypeError(
                "labels must be whole numbers (a component index, or -1 for unlabelled), "
                "got non-integral or non-finite values"
            )
    array = array.astype(np.intp)
    high = n_components - 1 if n_components is not None else None
    if np.any(array < -1) or (high is not None and np.any(array > high)):
        allowed = "-1 or a component index" + (f" 0 to {high}" if high is not None else "")
        bad = array[(array < -1) | ((array > high) if high is not None else False)]
        raise ValueError(f"labels must be {allowed}, got {bad[0]}")
    return array


def e_step_with_labels(X, mus, sigmas, pis, labels):
    """The E-step with labelled points clamped to their labels.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
    pis : array-like with n_components entries, summing to 1
    labels : array-like of int, shape (n_samples,)
        ``labels[i]`` is a component index 0 to K - 1, or -1 when point ``i``
        is unlabelled.

    Returns
    -------
    responsibilities : ndarray of shape (n_samples, n_components)
        One-hot at ``labels[i]`` on the labelled rows, :func:`gmm_teach.e_step`'s
        responsibilities on the others.
    """
    X, params, log_prob = em._checked_log_prob(X, mus, sigmas, pis)
    labels = _check_labels(labels, len(X), len(params.pis))
    log_norm, responsibilities = em._finite_log_norm(X, params, log_prob)
    em._clamp_to_labels(log_prob, log_norm, responsibilities, labels)
    return responsibilities


def fit_gmm_semi_supervised(
    X,
    labels,
    n_components=None,
    *,
    init="kmeans++",
    tol=1e-4,
    max_iter=500,
    reg_covar=1e-6,
    random_state=None,
    verbose=False,
):
    """Fit a Gaussian mixture by EM when some points carry labels.

    Component ``k`` stands for label ``k``. Every E-step sets a labelled
    point's responsibilities to one-hot at its label (:func:`e_step_with_labels`);
    the M-step is :func:`gmm_teach.m_step`'s. Everything else, including the
    start, is :func:`gmm_teach.fit_gmm`'s, so with every label -1 the result
    is exactly ``fit_gmm``'s from the same arguments.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of int, shape (n_samples,)
        A component index 0 to K - 1, or -1 for an unlabelled point.
    n_components, init, tol, max_iter, reg_covar, random_state, verbose
        As in :func:`gmm_teach.fit_gmm`. A start of your own, e.g. the
        labelled points' class means, is ``init=(mus, sigmas, pis)``.

    Returns
    -------
    result : EMResult
        ``result.log_likelihoods[t]`` is the objective under ``history[t]``:
        ``sum`` over unlabelled points of ``log p(x_i)`` plus ``sum`` over
        labelled points of ``log(pi_y N(x_i | mu_y, Sigma_y))``. It never
        decreases (up to ``reg_covar``'s effect, as in ``fit_gmm``).
    """
    if labels is None:
        raise TypeError("labels must be an array of integers (-1 for unlabelled), got None")
    return em._fit(X, n_components, init, tol, max_iter, reg_covar, random_state, verbose,
                   labels=labels, check_labels=_check_labels)
