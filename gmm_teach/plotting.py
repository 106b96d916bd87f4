"""Plotting helpers for the notebooks: data, mixtures, confidence ellipses, EM frames.

Every helper takes ``ax=None`` (then the current axes), draws, and returns what
it drew. None of them calls ``plt.show()`` or fits a model: the frames of an EM
run are read from ``EMResult.history``, with responsibilities recomputed by
:func:`~gmm_teach.em.e_step`.

Component ``k`` is always drawn in colour ``k`` of matplotlib's ``tab10``
cycle, and a point's colour is the blend ``responsibilities @ colors``, so a
point shared half and half between a blue and an orange component looks brown.
"""

import numbers
from typing import NamedTuple

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.patches import Ellipse
from matplotlib.ticker import MaxNLocator

from . import _validation as v
from .em import GMMParams, _check_params, _checked_precision_cholesky, e_step

__all__ = [
    "EMFrame",
    "EMFrames",
    "plot_data",
    "plot_training",
    "confidence_ellipse",
    "plot_mixture",
    "plot_em_steps",
]

# RGB rows; component k gets row k % 10.
COMPONENT_COLORS = np.array(matplotlib.colormaps["tab10"].colors)

# Line width and opacity of the 1st, 2nd, 3rd, ... ring around each mean: the
# outer rings fade so that the innermost, most probable region stands out.
_RING_WIDTHS = (2.0, 1.4, 1.0)
_RING_ALPHAS = (1.0, 0.6, 0.35)

# Points not yet assigned to any component (the start frame of an EM run).
_UNASSIGNED_COLOR = "0.6"

# Fraction of the data range added on each side of the fixed frame limits.
_MARGIN = 0.08

# Mahalanobis radii of the rings plot_mixture draws around each mean by default.
_DEFAULT_N_STD = (1, 2, 3)


class DataArtists(NamedTuple):
    """What :func:`plot_data` drew.

    Attributes
    ----------
    points : list of matplotlib.collections.PathCollection
        One scatter per label, in increasing order: labels ``0 .. num_centers - 1``
        (label ``k`` at index ``k``) when ``num_centers`` or ``centers`` is given,
        else each distinct label of ``y``; a single scatter when no labels were given.
    centers : matplotlib.collections.PathCollection or None
        The true centres, if given.
    """

    points: list
    centers: object


class MixtureArtists(NamedTuple):
    """What :func:`plot_mixture` drew.

    Attributes
    ----------
    points : matplotlib.collections.PathCollection
        The data, coloured by soft assignment.
    ellipses : list of list of matplotlib.patches.Ellipse
        ``ellipses[k][j]`` is component ``k``'s ring at ``n_std[j]``.
    means : matplotlib.collections.PathCollection
        The component means.
    """

    points: object
    ellipses: list
    means: object


class EMFrame(NamedTuple):
    """One half-step of an EM run, as the stepper widget and :func:`plot_em_steps` show it.

    Frame 0 is the start: the starting parameters, and grey points, since no
    E-step has assigned them yet. Iteration ``t`` has two frames: ``2t - 1``
    after the E-step (responsibilities under ``history[t - 1]``, parameters
    still ``history[t - 1]``) and ``2t`` after the M-step (parameters
    ``history[t]``, the points still coloured by the responsibilities that
    produced them).

    Attributes
    ----------
    index : int
        The frame number, ``0 <= index <= 2 * n_iter``.
    iteration : int
        The EM iteration ``t`` (0 for the start).
    step : {"start", "E", "M"}
    history_index : int
        Which entry of ``result.history`` holds the parameters drawn.
    mus : ndarray of shape (n_components, 2)
    sigmas : ndarray of shape (n_components, 2, 2)
    pis : ndarray of shape (n_components,)
    responsibilities : ndarray of shape (n_samples, n_components) or None
        The soft assignments the points are coloured by; None at the start.
    log_likelihood : float
        The log-likelihood of the parameters drawn.
    """

    index: int
    iteration: int
    step: str
    history_index: int
    mus: np.ndarray
    sigmas: np.ndarray
    pis: np.ndarray
    responsibilities: np.ndarray
    log_likelihood: float

    @property
    def stage(self):
        """``"start"`` or ``"iteration t, after the E-step"`` (or M-step)."""
        if self.step == "start":
            return "start"
        return f"iteration {self.iteration}, after the {self.step}-step"

    @property
    def label(self):
        """The one-line readout.

        For example ``"iteration 3, after the E-step, log-likelihood = -435.80"``.
        """
        return f"{self.stage}, log-likelihood = {self.log_likelihood:.2f}"


# --------------------------------------------------------------------------
# Input checks specific to 2-D plots (the generic ones live in _validation)
# --------------------------------------------------------------------------


def _check_X_2d(X):
    X = v.check_X(X)
    if X.shape[1] != 2:
        raise ValueError(
            f"X must have shape (n_samples, 2): these plots draw 2-D data, got shape {X.shape}. "
            f"Plot two of the features (e.g. X[:, :2]) or a 2-D projection."
        )
    return X


def _check_mean(mean):
    mean = v.as_float_array(mean, "mean", 1, "(2,)")
    if mean.shape != (2,):
        raise ValueError(f"mean must have shape (2,), got {mean.shape}")
    return mean


def _check_cov(cov):
    cov = v.as_float_array(cov, "cov", 2, "(2, 2)")
    if cov.shape != (2, 2):
        raise ValueError(f"cov must have shape (2, 2), got {cov.shape}")
    try:
        v.check_symmetric(cov[None])
        _checked_precision_cholesky(cov[None])
    except ValueError as exc:
        # The shared checks number the matrices of a stack; here there is one, named cov.
        raise ValueError(str(exc).replace("sigmas[0]", "cov", 1)) from None
    return cov


def _check_n_std(n_std):
    values = np.atleast_1d(n_std)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"n_std must be a positive number or a 1-D sequence of them, got {n_std!r}"
        )
    return tuple(
        v.check_positive(value.item(), f"n_std[{j}]", allow_zero=False)
        for j, value in enumerate(values)
    )


def _check_labels(y, n_samples, num_centers):
    """The labels to draw, and each sample's label, from ``y`` of shape (n_samples,).

    Returns
    -------
    drawn : list of int
        ``0 .. num_centers - 1`` when ``num_centers`` is given (a missing label
        still gets its, empty, scatter), else the distinct labels of ``y``.
    y : ndarray of shape (n_samples,)
    """
    y = v.as_float_array(y, "y", 1, "(n_samples,)")
    if y.shape != (n_samples,):
        raise ValueError(f"y must have shape (n_samples,) = ({n_samples},) like X, got {y.shape}")
    if np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("y must hold integer labels 0, 1, 2, ...")
    # Python ints: a label such as 1e20 does not fit in an int64.
    distinct = [int(label) for label in np.unique(y)]
    if num_centers is None:
        return distinct, y
    if distinct[-1] >= num_centers:
        raise ValueError(
            f"y has label {distinct[-1]}, but num_centers = {num_centers} allows labels "
            f"0 to {num_centers - 1}"
        )
    return list(range(num_centers)), y


def _component_color(label):
    """The colour of label (or component) ``label``, an int or an array of ints: the palette, cycled."""
    return COMPONENT_COLORS[label % len(COMPONENT_COLORS)]


def _component_colors(n_components):
    return _component_color(np.arange(n_components))


def _axes(ax):
    return plt.gca() if ax is None else ax


# --------------------------------------------------------------------------
# Public helpers
# --------------------------------------------------------------------------


def plot_data(X, y=None, *, num_centers=None, centers=None, ax=None):
    """Scatter 2-D data, coloured by label, with the true centres if given.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    y : array-like of shape (n_samples,), optional
        Integer labels ``0, 1, ...``; label ``k`` is drawn in colour ``k``, the
        colour :func:`plot_mixture` gives component ``k``.
    num_centers : int, optional
        The number of labels, when some label may be missing from ``y``.
        Defaults to ``len(centers)``; without either, one scatter is drawn per
        distinct label of ``y``.
    centers : array-like of shape (num_centers, 2), optional
        The true centres, drawn as stars in their label's colour.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current axes by default.

    Returns
    -------
    artists : DataArtists
        ``points`` (one scatter per label, see :class:`DataArtists`) and
        ``centers`` (or None).

    Examples
    --------
    >>> from gmm_teach.data import make_ds
    >>> (X, y), _ = make_ds([[1, -1], [5, 5], [8, 7], [10, 0]])
    >>> artists = plot_data(X, y, num_centers=4)
    >>> len(artists.points)
    4
    """
    X = _check_X_2d(X)
    ax = _axes(ax)
    if num_centers is not None:
        num_centers = v.check_count(num_centers, "num_centers")
    if centers is not None:
        centers = v.as_float_array(centers, "centers", 2, "(num_centers, 2)")
        expected = (num_centers or len(centers), 2)
        if centers.shape != expected:
            raise ValueError(
                f"centers must have shape (num_centers, 2) = {expected}, got {centers.shape}"
            )
        num_centers = len(centers)
    if y is None:
        points = [ax.scatter(X[:, 0], X[:, 1], s=18, color="0.35", label="data")]
    else:
        drawn, y = _check_labels(y, len(X), num_centers)
        points = [
            ax.scatter(X[y == k, 0], X[y == k, 1], s=18,
                       color=_component_color(k), label=f"cluster {k}")
            for k in drawn
        ]
    center_artist = None
    if centers is not None:
        center_artist = ax.scatter(
            centers[:, 0], centers[:, 1], marker="*", s=260, c=_component_colors(len(centers)),
            edgecolors="black", linewidths=1.0, zorder=3, label="true centres",
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return DataArtists(points, center_artist)


def plot_training(log_likelihoods, *, ax=None):
    """The log-likelihood after each EM iteration: it should never go down.

    Parameters
    ----------
    log_likelihoods : array-like of shape (n_iter + 1,)
        ``EMResult.log_likelihoods``: entry ``t`` after ``t`` iterations.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current axes by default.

    Returns
    -------
    line : matplotlib.lines.Line2D
    """
    log_likelihoods = v.as_float_array(log_likelihoods, "log_likelihoods", 1, "(n_iter + 1,)")
    ax = _axes(ax)
    (line,) = ax.plot(np.arange(len(log_likelihoods)), log_likelihoods, marker="o",
                      markersize=3, color="0.2")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("EM iteration")
    ax.set_ylabel("log-likelihood")
    return line


def confidence_ellipse(mean, cov, ax=None, n_std=1.0, **kwargs):
    """Draw the ellipse of points at Mahalanobis distance ``n_std`` from ``mean``.

    The ellipse ``(x - mean)^T cov^{-1} (x - mean) = n_std^2``. Its semi-axes
    point along the eigenvectors of ``cov`` (the columns of ``eigh``'s result)
    and have lengths ``n_std * sqrt(eigenvalue)``: standard deviations, not
    variances. For a 2-D Gaussian the region inside holds
    ``1 - exp(-n_std**2 / 2)`` of the probability:

    ======  ==========
    n_std   inside
    ======  ==========
    1       39.3 %
    2       86.5 %
    3       98.9 %
    ======  ==========

    (not the 68 / 95 / 99.7 % of one dimension).

    Parameters
    ----------
    mean : array-like of shape (2,)
    cov : array-like of shape (2, 2)
        Symmetric positive definite.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current axes by default.
    n_std : float, default=1.0
        The Mahalanobis radius, > 0.
    **kwargs
        Passed to :class:`matplotlib.patches.Ellipse`, e.g. ``edgecolor``,
        ``linestyle``. The ellipse is not filled unless ``fill=True``, and it
        is drawn above scattered points (``zorder=2``) unless told otherwise.

    Returns
    -------
    ellipse : matplotlib.patches.Ellipse
        The patch, already added to ``ax``.
    """
    mean = _check_mean(mean)
    cov = _check_cov(cov)
    n_std = v.check_positive(n_std, "n_std", allow_zero=False)
    ax = _axes(ax)
    kwargs.setdefault("fill", False)
    # Above the points (zorder 1): an inner ring in a dense cluster would be hidden under them.
    kwargs.setdefault("zorder", 2)
    ellipse = Ellipse(xy=mean, width=0, height=0, **kwargs)
    _place_ellipse(ellipse, mean, cov, n_std)
    ax.add_patch(ellipse)
    return ellipse


def _place_ellipse(ellipse, mean, cov, n_std):
    """Give ``ellipse`` the centre, axes and angle of the ``n_std`` ring of ``N(mean, cov)``.

    ``mean`` of shape (2,), ``cov`` of shape (2, 2), both already checked.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    major = eigenvectors[:, -1]
    ellipse.set_center(mean)
    ellipse.set_width(2 * n_std * np.sqrt(eigenvalues[-1]))
    ellipse.set_height(2 * n_std * np.sqrt(eigenvalues[0]))
    ellipse.set_angle(np.degrees(np.arctan2(major[1], major[0])))


def plot_mixture(X, mus, sigmas, pis=None, *, responsibilities=None, n_std=_DEFAULT_N_STD,
                 ax=None):
    """Data coloured by soft assignment, with each component's ellipses and mean.

    Point ``i`` gets the colour ``responsibilities[i] @ colors``: pure
    component colour when it belongs to one component, a blend when shared.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    mus : array-like of shape (n_components, 2)
    sigmas : array-like of shape (n_components, 2, 2)
    pis : array-like with n_components entries, optional
        The weights; equal weights by default. Used only to compute the
        responsibilities when they are not given.
    responsibilities : array-like of shape (n_samples, n_components), optional
        The soft assignments to colour by; :func:`~gmm_teach.em.e_step` under
        ``(mus, sigmas, pis)`` by default.
    n_std : float or sequence of float, default=(1, 2, 3)
        Mahalanobis radii of the rings drawn around each mean (see
        :func:`confidence_ellipse` for the probability each holds).
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current axes by default.

    Returns
    -------
    artists : MixtureArtists
        ``points``, ``ellipses[k][j]`` and ``means``.
    """
    X = _check_X_2d(X)
    n_components = len(v.as_float_array(mus, "mus", 2, "(n_components, 2)"))
    if pis is None:
        pis = np.full(n_components, 1.0 / n_components)
    mus, sigmas, pis = v.check_params(mus, sigmas, pis, 2)
    responsibilities = _mixture_responsibilities(X, mus, sigmas, pis, responsibilities)
    n_std = _check_n_std(n_std)
    ax = _axes(ax)
    colors = _component_colors(n_components)
    points = ax.scatter(X[:, 0], X[:, 1], s=18, c=_blend(responsibilities))
    ellipses = [
        [
            confidence_ellipse(
                mus[k], sigmas[k], ax=ax, n_std=radius, edgecolor=colors[k],
                linewidth=_RING_WIDTHS[min(j, 2)], alpha=_RING_ALPHAS[min(j, 2)],
                # A white halo: over points of its own colour a bare ring disappears.
                path_effects=[patheffects.withStroke(linewidth=_RING_WIDTHS[min(j, 2)] + 2.5,
                                                     foreground="white")],
            )
            for j, radius in enumerate(n_std)
        ]
        for k in range(n_components)
    ]
    means = ax.scatter(mus[:, 0], mus[:, 1], marker="X", s=140, c=colors, edgecolors="black",
                       linewidths=1.0, zorder=3, label="means")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return MixtureArtists(points, ellipses, means)


def _blend(responsibilities):
    """Each point's colour, shape (n_samples, 3), from responsibilities of shape (n_samples, K)."""
    # Rows of responsibilities sum to one, so the blend stays inside the RGB cube
    # up to rounding; the clip absorbs that rounding.
    return np.clip(responsibilities @ _component_colors(responsibilities.shape[1]), 0, 1)


def _mixture_responsibilities(X, mus, sigmas, pis, responsibilities):
    if responsibilities is None:
        return e_step(X, mus, sigmas, pis)
    responsibilities = v.check_responsibilities(responsibilities, len(X))
    expected = (len(X), len(mus))
    if responsibilities.shape != expected:
        raise ValueError(
            f"responsibilities must have shape (n_samples, n_components) = {expected}, "
            f"one column per component in mus, got {responsibilities.shape}"
        )
    return responsibilities


def plot_em_steps(X, result, iterations=(1, 2, -1)):
    """A static grid of EM's half-steps, for readers where widgets do not render.

    One row per iteration ``t``, two panels, drawn by the same code as the
    :func:`~gmm_teach.widgets.em_stepper` widget:

    - left, after the E-step: the points coloured by the new responsibilities
      (computed under ``history[t - 1]``), the ellipses still those of
      ``history[t - 1]``;
    - right, after the M-step: the same colours, the ellipses and means of
      ``history[t]``.

    Iteration 0 is the start, one panel, its points grey (no E-step has run).
    Every panel is about 4.6 inches square, with the same axis limits and equal
    scales on both axes, ellipses drawn above the points.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        The data the model was fitted to.
    result : EMResult
        What :func:`~gmm_teach.em.fit_gmm` returned.
    iterations : int or sequence of int, default=(1, 2, -1)
        The iterations to show, one row each; negative numbers count from the
        end (-1 is the last). A number past the last iteration shows the last
        one, so the default works for short runs; each iteration is drawn once.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Two columns, one row per iteration shown (the start's right panel is
        hidden). It is not shown: call ``plt.show()`` or display it.
    """
    frames = EMFrames(X, result)
    shown = _resolve_iterations(iterations, frames.n_iter)
    panel = 4.6  # inches: two panels side by side fill a notebook's width, readable
    fig, axes = plt.subplots(len(shown), 2, figsize=(2 * panel, panel * len(shown)),
                             squeeze=False, layout="constrained")
    for row, iteration in zip(axes, shown):
        if iteration == 0:
            frames.draw(0, row[0])
            row[1].set_visible(False)
            continue
        frames.draw(2 * iteration - 1, row[0])  # after the E-step
        frames.draw(2 * iteration, row[1])  # after the M-step
    return fig


def _resolve_iterations(iterations, n_iter):
    if isinstance(iterations, numbers.Integral):
        iterations = (iterations,)
    shown = []
    for j, iteration in enumerate(iterations):
        if isinstance(iteration, bool) or not isinstance(iteration, numbers.Integral):
            raise TypeError(f"iterations[{j}] must be an int, got {iteration!r}")
        if iteration < -(n_iter + 1):
            raise ValueError(
                f"iterations[{j}] = {iteration} counts back past the start of a run with "
                f"{n_iter} iterations (the smallest allowed is {-(n_iter + 1)})"
            )
        resolved = min(int(iteration) % (n_iter + 1) if iteration < 0 else int(iteration), n_iter)
        if resolved not in shown:
            shown.append(resolved)
    if not shown:
        raise ValueError("iterations must name at least one iteration, got an empty sequence")
    return shown


# --------------------------------------------------------------------------
# EM frames, shared by plot_em_steps and the stepper widget
# --------------------------------------------------------------------------


class EMFrames:
    """The half-step frames of an EM run, built from its history on demand.

    Nothing is re-fitted: parameters come from ``result.history`` and the
    responsibilities from :func:`~gmm_teach.em.e_step` under them, each
    computed once. The axis limits are fixed for the whole run.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    result : EMResult
    """

    def __init__(self, X, result):
        self.X = _check_X_2d(X)
        self.history, self.log_likelihoods = _check_result(result)
        self.limits = _frame_limits(self.X, self.history)
        self._responsibilities = {}

    @property
    def n_iter(self):
        """The number of EM iterations in the run."""
        return len(self.history) - 1

    def __len__(self):
        return 2 * self.n_iter + 1

    def responsibilities(self, t):
        """E-step responsibilities under ``history[t]``, shape (n_samples, n_components)."""
        if t not in self._responsibilities:
            responsibilities = e_step(self.X, *self.history[t])
            # Shared by every frame that shows them: a caller must not edit them in place.
            responsibilities.flags.writeable = False
            self._responsibilities[t] = responsibilities
        return self._responsibilities[t]

    def __getitem__(self, index):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"frame index must be an int, got {index!r}")
        if not 0 <= index < len(self):
            raise IndexError(f"frame index must be between 0 and {len(self) - 1}, got {index}")
        iteration = (index + 1) // 2
        step = "start" if index == 0 else ("E" if index % 2 else "M")
        # Both frames of iteration t colour the points by the E-step under
        # history[t - 1]; only the M-step frame moves the parameters on.
        colour_source = max(iteration - 1, 0)
        drawn = iteration if step == "M" else colour_source
        return EMFrame(
            index=int(index), iteration=iteration, step=step, history_index=drawn,
            **self.history[drawn]._asdict(),
            responsibilities=None if step == "start" else self.responsibilities(colour_source),
            log_likelihood=float(self.log_likelihoods[drawn]),
        )

    def draw(self, index, ax):
        """Draw frame ``index`` into ``ax`` with the run's fixed limits.

        Returns
        -------
        frame : EMFrame
        artists : MixtureArtists
        """
        frame = self[index]
        artists = plot_mixture(self.X, frame.mus, frame.sigmas, frame.pis,
                               responsibilities=frame.responsibilities, ax=ax)
        if frame.responsibilities is None:
            # No E-step has run yet: the points belong to no component, so
            # that the first E-step frame visibly colours them. Only the face:
            # the edges follow it, also when update() recolours the points.
            artists.points.set_facecolor(_UNASSIGNED_COLOR)
        self.apply_limits(ax)
        self._set_title(frame, ax)
        return frame, artists

    def update(self, index, ax, artists):
        """Move what :meth:`draw` drew into ``ax`` to frame ``index``.

        Much faster than drawing anew: the points are recoloured, and the
        ellipses, means and title moved, in place.

        Parameters
        ----------
        index : int
        ax : matplotlib.axes.Axes
            The axes :meth:`draw` drew into.
        artists : MixtureArtists
            What :meth:`draw` returned.

        Returns
        -------
        frame : EMFrame
        """
        frame = self[index]
        if frame.responsibilities is None:
            artists.points.set_facecolor(_UNASSIGNED_COLOR)
        else:
            artists.points.set_facecolor(_blend(frame.responsibilities))
        for mean, cov, rings in zip(frame.mus, frame.sigmas, artists.ellipses):
            for ellipse, radius in zip(rings, _DEFAULT_N_STD):
                _place_ellipse(ellipse, mean, cov, radius)
        artists.means.set_offsets(frame.mus)
        self._set_title(frame, ax)
        return frame

    @staticmethod
    def _set_title(frame, ax):
        ax.set_title(f"{frame.stage}\nlog-likelihood = {frame.log_likelihood:.2f}", fontsize=10)

    def apply_limits(self, ax):
        """Give ``ax`` the run's fixed limits, with equal scales so ellipses keep their shape."""
        ax.set_xlim(self.limits[0])
        ax.set_ylim(self.limits[1])
        ax.set_aspect("equal", adjustable="box")


def _check_result(result):
    """Validated ``(history, log_likelihoods)`` of an EMResult-like object."""
    try:
        history, log_likelihoods = result.history, result.log_likelihoods
    except AttributeError:
        raise TypeError(
            f"result must be the EMResult that fit_gmm returns, got {type(result).__name__}"
        ) from None
    history = [_check_params(*params, 2)[0] for params in history]
    log_likelihoods = v.as_float_array(log_likelihoods, "result.log_likelihoods", 1,
                                       "(n_iter + 1,)")
    if len(log_likelihoods) != len(history):
        raise ValueError(
            f"result.log_likelihoods must have one entry per history entry "
            f"({len(history)}), got {len(log_likelihoods)}"
        )
    return history, log_likelihoods


def _frame_limits(X, history):
    """``((xmin, xmax), (ymin, ymax))`` holding the data and every 1-std ellipse of the run."""
    mus = np.concatenate([params.mus for params in history])
    spreads = np.sqrt(np.concatenate([np.diagonal(params.sigmas, axis1=1, axis2=2)
                                      for params in history]))
    low = np.minimum(X.min(axis=0), (mus - spreads).min(axis=0))
    high = np.maximum(X.max(axis=0), (mus + spreads).max(axis=0))
    pad = _MARGIN * (high - low)
    return tuple(zip(low - pad, high + pad))
