"""The EM stepper: a slider, with a Play button, over the half-steps of a fitted mixture.

Every frame is drawn when the widget is built and travels with it: the images
sit in an ``ipywidgets.Stack`` whose ``selected_index`` is linked to the slider
in the browser (``jslink``), as are the Play button and a second Stack of
readout lines. Moving the slider therefore needs no kernel: the stepper works
in a notebook reopened without one, in nbviewer, VS Code and a static HTML
export, and in JupyterLab without a round trip.

The frames are drawn on one stand-alone matplotlib ``Figure`` (never through
pyplot, so nothing leaks into the notebook's inline backend) whose artists are
moved from frame to frame rather than drawn anew, and stored as palette PNGs.
A long run shows every half-step of its first iterations and then one frame
every few iterations, so that a notebook holding the stepper stays small; the
readout says so.
"""

import html
import io

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .plotting import EMFrames, plot_data, plot_training

__all__ = ["EMStepper", "em_stepper"]

# Inches per panel and resolution: three panels fit a notebook's width.
_PANEL_SIZE = 4.4
_DPI = 80
_PLAY_INTERVAL_MS = 700
# At most this many frames travel with a stepper: at about 30 kB per palette
# PNG (40 kB in base64 in the saved widget state) that is under 2.5 MB, so
# that a notebook holding a stepper and its lesson stays under 4 MB.
_MAX_FRAMES = 61
# A long run shows every half-step of this many iterations first: the ones
# where EM moves most.
_FULL_ITERATIONS = 20


class EMStepper(widgets.VBox):
    """A widget that steps through an EM run half-step by half-step, without a kernel.

    Build it with :func:`em_stepper`. Frame 0 is the start; iteration ``t``
    has frame ``2t - 1`` (after the E-step: points recoloured, ellipses
    unchanged) and frame ``2t`` (after the M-step: ellipses and means moved).
    Slider position ``p`` shows frame ``shown[p]``: every frame for a run of
    up to 30 iterations; for a longer one, every frame of the first 20
    iterations, then the M-step frame of every k-th iteration and of the last.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    result : EMResult
    true_labels : array-like of shape (n_samples,), optional
        Drawn in a panel of their own, for comparison.

    Attributes
    ----------
    play : ipywidgets.Play
    slider : ipywidgets.IntSlider
        The position shown, from 0 to ``len(shown) - 1`` (``2 * result.n_iter``
        when every frame is shown).
    shown : tuple of int
        The frame numbers shown, by slider position.
    images : ipywidgets.Stack
        One ``ipywidgets.Image`` (PNG) per position; ``jslink``-ed to the slider.
    readouts : ipywidgets.Stack
        One ``ipywidgets.HTML`` line per position, ``"iteration t, after the
        E-step, log-likelihood = ..."``; ``jslink``-ed to the slider.
    frames : EMFrames
        Every frame's data, by frame number: ``frames[i].responsibilities``, ``.mus``, ...
    """

    def __init__(self, X, result, *, true_labels=None):
        frames = EMFrames(X, result)
        self.frames = frames
        self.shown, self._every = _shown_frames(frames.n_iter)
        self._true_labels = true_labels
        # Checks true_labels before the slow part, so bad input fails at once.
        self._draw_figure()
        images = [widgets.Image(value=self.png(index), format="png") for index in self.shown]
        readouts = [widgets.HTML(html.escape(self._readout_text(position)))
                    for position in range(len(self.shown))]
        for readout in readouts:
            readout.add_class("gmm-teach-readout")
        last = len(self.shown) - 1
        play = widgets.Play(value=0, min=0, max=last, interval=_PLAY_INTERVAL_MS,
                            description="play")
        slider = widgets.IntSlider(value=0, min=0, max=last, description="frame",
                                   layout=widgets.Layout(width="480px"))
        self.play, self.slider = play, slider
        self.images = widgets.Stack(images, selected_index=0)
        self.readouts = widgets.Stack(readouts, selected_index=0)
        # The browser switches frames by itself: Play moves the slider, the
        # slider picks the image and the readout, with no kernel involved.
        widgets.jslink((play, "value"), (slider, "value"))
        # Only in the browser: a link in the kernel too would send each Stack's
        # index back late and, through the jslink, pull back a slider that has
        # moved on. A front end that first shows the Stacks sets them from the
        # slider through these links, so a slider set from code is obeyed.
        for stack in (self.images, self.readouts):
            widgets.jslink((slider, "value"), (stack, "selected_index"))
        super().__init__([widgets.HBox([play, slider]), self.readouts, self.images])

    @property
    def image(self):
        """The ``ipywidgets.Image`` of the slider's position; its ``value`` is the PNG bytes."""
        return self.images.children[self.slider.value]

    @property
    def readout(self):
        """The ``ipywidgets.HTML`` readout of the slider's position."""
        return self.readouts.children[self.slider.value]

    @property
    def frame(self):
        """The :class:`~gmm_teach.plotting.EMFrame` on show."""
        return self.frames[self.shown[self.slider.value]]

    def figure(self, index):
        """The stepper's Figure, with frame ``index`` drawn.

        There is one Figure, moved from frame to frame: read what you need
        before asking for another frame.

        Parameters
        ----------
        index : int
            A frame number, between 0 and ``2 * frames.n_iter``.

        Returns
        -------
        figure : matplotlib.figure.Figure
            The mixture panel, the log-likelihood curve with the frame's point
            marked, and the true labels first if given.
        """
        mixture_ax, artists, marker = self._artists
        frame = self.frames.update(index, mixture_ax, artists)
        marker.set_data([frame.history_index], [frame.log_likelihood])
        return self._figure

    def _moving_artists(self):
        """What changes from frame to frame, in the order the Figure draws them."""
        mixture_ax, artists, marker = self._artists
        moving = [artists.points, *(ring for rings in artists.ellipses for ring in rings),
                  artists.means, mixture_ax.title, marker]
        return sorted(moving, key=lambda artist: artist.get_zorder())

    def png(self, index):
        """Frame ``index`` (a frame number) as palette PNG bytes.

        Returns
        -------
        png : bytes
            An 8-bit palette image: less than half the bytes of an RGB one
            (about 30 kB), with no visible difference for these flat-coloured plots.
        """
        canvas = self.figure(index).canvas
        # Blitting: paint the still parts (axes, ticks, the true labels, the
        # curve) saved once, then only what moves: 7 ms, where a full draw takes 70.
        canvas.restore_region(self._background)
        for artist in self._moving_artists():
            self._figure.draw_artist(artist)
        rgb = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        buffer = io.BytesIO()
        # A fast palette and zlib's default level: 4 ms and 3 ms a frame, where
        # the best palette and compression cost 30 ms each for 20 % fewer bytes.
        rgb.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(
            buffer, format="png")
        return buffer.getvalue()

    def _readout_text(self, position):
        frame = self.frames[self.shown[position]]
        if frame.iteration <= _FULL_ITERATIONS or self._every == 1:
            return frame.label
        return (f"{frame.label} (of {self.frames.n_iter} iterations: every "
                f"{_ordinal(self._every)} shown after iteration {_FULL_ITERATIONS})")

    def _draw_figure(self):
        """Draw frame 0 on the Figure, and save its still background.

        Sets ``_figure``, ``_artists`` (mixture axes, MixtureArtists,
        log-likelihood marker) and ``_background``. The layout is computed
        once, then frozen: later frames only move artists, and the axes keep
        their place although the titles change.
        """
        n_panels = 2 if self._true_labels is None else 3
        fig = Figure(figsize=(_PANEL_SIZE * n_panels, _PANEL_SIZE), dpi=_DPI,
                     layout="constrained")
        FigureCanvasAgg(fig)
        axes = list(fig.subplots(1, n_panels))
        if self._true_labels is not None:
            ax = axes.pop(0)
            plot_data(self.frames.X, self._true_labels, ax=ax)
            self.frames.apply_limits(ax)
            ax.set_title("true labels", fontsize=10)
        frame, artists = self.frames.draw(0, axes[0])
        ll_ax = axes[1]
        plot_training(self.frames.log_likelihoods, ax=ll_ax)
        (marker,) = ll_ax.plot(frame.history_index, frame.log_likelihood, marker="o",
                               markersize=10, color="tab:red", zorder=3)
        ll_ax.set_title("log-likelihood of the parameters drawn", fontsize=10)
        fig.canvas.draw()
        fig.set_layout_engine("none")
        self._figure, self._artists = fig, (axes[0], artists, marker)
        # The background: everything but the moving artists, which a draw
        # skips while they are marked animated (and only then, so that the
        # Figure stays whole for figure()'s callers).
        moving = self._moving_artists()
        for artist in moving:
            artist.set_animated(True)
        fig.canvas.draw()
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        for artist in moving:
            artist.set_animated(False)


def _shown_frames(n_iter):
    """The frame numbers a stepper shows for a run of ``n_iter`` iterations.

    Returns
    -------
    shown : tuple of int
        All ``2 * n_iter + 1`` frames when they fit in ``_MAX_FRAMES``; else
        every frame of the first ``_FULL_ITERATIONS`` iterations, then the
        M-step frame (``2t``) of every k-th iteration, and the last iteration's.
    every : int
        That k, the smallest that fits; 1 when every frame is shown.
    """
    n_frames = 2 * n_iter + 1
    if n_frames <= _MAX_FRAMES:
        return tuple(range(n_frames)), 1
    full = 2 * _FULL_ITERATIONS + 1
    room = _MAX_FRAMES - full - 1  # one frame is kept for the last iteration
    every = max(-(-(n_iter - _FULL_ITERATIONS) // room), 2)
    later = range(_FULL_ITERATIONS + every, n_iter, every)
    return tuple(range(full)) + tuple(2 * t for t in later) + (2 * n_iter,), every


def _ordinal(n):
    """``"2nd"``, ``"3rd"``, ``"11th"``, ...: for the readout."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def em_stepper(X, result, *, true_labels=None):
    """A widget to watch EM run, half-step by half-step, in a notebook, with or without a kernel.

    A slider with a Play button over the frames: the start, then for each
    iteration the E-step (points recoloured by the new responsibilities,
    ellipses unchanged) and the M-step (ellipses and means moved). A line of
    text says ``"iteration t, after the E-step, log-likelihood = ..."``; beside
    the scatter, the log-likelihood curve marks the parameters drawn. Frames
    come from ``result.history`` (the model is not re-fitted), keep the same
    axis limits, and are all drawn now: the browser switches between them
    without asking the kernel, so the stepper also works in a saved notebook
    or a static HTML page. A run of more than 30 iterations shows every
    half-step of the first 20, then one iteration in k (the readout says so).

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        The data the model was fitted to.
    result : EMResult
        What :func:`~gmm_teach.em.fit_gmm` returned.
    true_labels : array-like of shape (n_samples,), optional
        Integer labels, drawn in a panel of their own.

    Returns
    -------
    stepper : EMStepper
        Display it (make it the last expression of a cell); ``stepper.slider``
        picks the frame.

    Examples
    --------
    >>> from gmm_teach.data import make_ds
    >>> from gmm_teach.em import fit_gmm
    >>> (X, y), _ = make_ds([[1, -1], [5, 5], [8, 7], [10, 0]])
    >>> stepper = em_stepper(X, fit_gmm(X, 4, random_state=0), true_labels=y)
    >>> stepper.slider.value = 3
    >>> stepper.readout.value  # doctest: +ELLIPSIS
    'iteration 2, after the E-step, log-likelihood = -...'
    """
    return EMStepper(X, result, true_labels=true_labels)
