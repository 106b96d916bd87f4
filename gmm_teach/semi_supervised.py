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
from scipy.optimize import linear_sum_assignment

from . import em

__all__ = ["e_step_with_labels", "fit_gmm_semi_supervised"]


def _check_labels(labels, n_samples, n_components):
    """Validate labels: whole numbers, -1 or a component index, one per sample.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
    n_samples : int
    n_components : int

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
            raise ValueError(
                "labels must be whole numbers (a component index, or -1 for unlabelled), "
                "got non-integral or non-finite values"
            )
    # Compared before the conversion to intp: a float such as 1e20, or a uint64
    # beyond intp's range, would wrap around and be reported as another value.
    bad = (array < -1) | (array > n_components - 1)
    if np.any(bad):
        raise ValueError(
            f"labels must be -1 or a component index 0 to {n_components - 1}, "
            f"got {array[bad][0]}"
        )
    return array.astype(np.intp)


def _check_labels_for_fit(labels, n_samples, n_components):
    """:func:`_check_labels`, and when every point is labelled, every component named.

    With every point labelled, a component that no label names is responsible
    for nothing: its weight is 0 and its covariance only ``reg_covar``
    (or not positive definite without it). That is not a fit; say so.
    """
    labels = _check_labels(labels, n_samples, n_components)
    if np.all(labels >= 0):
        missing = np.setdiff1d(np.arange(n_components), labels)
        if len(missing):
            raise ValueError(
                f"labels: every point is labelled, but no point has label {missing[0]}, so "
                f"component {missing[0]} has no data to be fitted to. Leave some points "
                f"unlabelled (-1), or use one component per class that occurs, with labels "
                f"numbered 0 to n_components - 1 without gaps."
            )
    return labels


def _prepare_labels(X, labels, start, from_method):
    """Check the labels against the start; the order that matches a method's start to them.

    Called by :func:`gmm_teach.em._fit` once the start is known, with ``X``
    and ``start`` in its working frame (where distances cannot overflow).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    start : GMMParams
    from_method : bool
        Whether the start came from a method name (its components in no
        particular order) rather than from the caller.

    Returns
    -------
    labels : ndarray of intp, shape (n_samples,)
    order : ndarray of int, shape (n_components,)
        ``order[k]``: the start's component that becomes component ``k``.
    """
    n_components = len(start.pis)
    labels = _check_labels_for_fit(labels, len(X), n_components)
    # A labelled point must be possible under its own component: with weight
    # 0 the first E-step would call it far from every component.
    rows = np.flatnonzero((labels >= 0) & (start.pis[np.maximum(labels, 0)] == 0))
    if len(rows):
        i = rows[0]
        raise ValueError(
            f"init: pis[{labels[i]}] = 0, but labels[{i}] = {labels[i]}: a labelled point "
            f"must be possible under its own component. Give component {labels[i]} a "
            f"weight above 0 in init (for instance its class's share of the labels)."
        )
    if not from_method or not np.any(labels >= 0):
        return labels, np.arange(n_components)
    return labels, _match_components(X, labels, start.mus)


def _match_components(X, labels, mus):
    """``order[k]``: the start component that becomes component ``k``.

    Component ``k`` stands for label ``k``, but a method's start puts its
    components in no particular order: component ``k`` may start on another
    class's cluster, and EM must drag it across or get stuck there. Measured
    with ``init="kmeans++"`` and two labels per class on the four blobs of
    ``make_ds(SEED_CENTERS)`` (tests/problems.py), 20 seeds: 29 % of the
    points misassigned on average and 90 % on the worst seed; with the start
    reordered, 4 %.

    The labelled classes get the components nearest their means, by the
    matching of least total squared distance; the other components keep
    their order.
    """
    classes = np.unique(labels[labels >= 0])
    class_means = np.array([X[labels == c].mean(axis=0) for c in classes])
    cost = ((class_means[:, None, :] - mus[None, :, :]) ** 2).sum(axis=2)
    _, matched = linear_sum_assignment(cost)
    order = np.full(len(mus), -1)
    order[classes] = matched
    order[order < 0] = np.setdiff1d(np.arange(len(mus)), matched)
    return order


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
    the M-step is :func:`gmm_teach.m_step`'s. Everything else is
    :func:`gmm_teach.fit_gmm`'s, including the start, except that a method's
    start (``init="kmeans++"``, ``"kmeans"`` or ``"random"``) has its
    components reordered so that component ``k`` starts nearest the points
    labelled ``k``. With every label -1 the result is exactly ``fit_gmm``'s
    from the same arguments.

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

    Raises
    ------
    ValueError
        As :func:`gmm_teach.fit_gmm` does; and when every point is labelled
        but some component has no label (nothing to fit it to), or when
        ``init`` gives weight 0 to a component that a labelled point has.
    """
    if labels is None:
        raise TypeError("labels must be an array of integers (-1 for unlabelled), got None")
    return em._fit(X, n_components, init, tol, max_iter, reg_covar, random_state, verbose,
                   labels=labels, prepare_labels=_prepare_labels)
