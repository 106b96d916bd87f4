"""The EM stepper: a slider, with a Play button, over the half-steps of a fitted mixture.

Each frame is drawn on a stand-alone matplotlib ``Figure`` (never through
pyplot, so nothing leaks into the notebook's inline backend), saved as PNG
bytes and shown in an ``ipywidgets.Image``. Swapping the image's bytes does
not flicker, and a notebook stored with the widget's output holds no figure
output for nbval to compare. Each frame is rendered once and cached.
"""

import html
import io

import ipywidgets as widgets
from matplotlib.figure import Figure

from .plotting import EMFrames, plot_data, plot_training

__all__ = ["EMStepper", "em_stepper"]

# Inches per panel and resolution: three panels fit a notebook's width.
_PANEL_SIZE = 4.4
_DPI = 80
_PLAY_INTERVAL_MS = 700


class EMStepper(widgets.VBox):
    """A widget that steps through an EM run half-step by half-step.

    Build it with :func:`em_stepper`. Frame 0 is the start; iteration ``t``
    has frame ``2t - 1`` (after the E-step: points recoloured, ellipses
    unchanged) and frame ``2t`` (after the M-step: ellipses and means moved).

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
        The frame shown, from 0 to ``2 * result.n_iter``.
    readout : ipywidgets.HTML
        ``"iteration t, after the E-step, log-likelihood = ..."``.
    image : ipywidgets.Image
        The PNG of the current frame.
    frames : EMFrames
        Every frame's data, by index: ``frames[i].responsibilities``, ``.mus``, ...
    """

    def __init__(self, X, result, *, true_labels=None):
        frames = EMFrames(X, result)
        last = len(frames) - 1
        play = widgets.Play(value=0, min=0, max=last, interval=_PLAY_INTERVAL_MS,
                            description="play")
        slider = widgets.IntSlider(value=0, min=0, max=last, description="half-step",
                                   layout=widgets.Layout(width="480px"))
        # Linked in the browser: Play moves the slider there, and only the
        # slider's new value travels to the kernel, which sends the frame back.
        widgets.jslink((play, "value"), (slider, "value"))
        readout = widgets.HTML()
        readout.add_class("gmm-teach-readout")
        image = widgets.Image(format="png")
        super().__init__([widgets.HBox([play, slider]), readout, image])
        self.play, self.slider, self.readout, self.image = play, slider, readout, image
        self.frames = frames
        self._true_labels = true_labels
        self._pngs = {}
        slider.observe(self._show, names="value")
        # Draws frame 0 now, so bad true_labels fail on the caller's line.
        self._show()

    @property
    def frame(self):
        """The :class:`~gmm_teach.plotting.EMFrame` on show."""
        return self.frames[self.slider.value]

    def figure(self, index):
        """Draw frame ``index`` on a new stand-alone Figure.

        Parameters
        ----------
        index : int
            Between 0 and ``slider.max``.

        Returns
        -------
        figure : matplotlib.figure.Figure
            The mixture panel, the log-likelihood curve with the frame's point
            marked, and the true labels first if given.
        """
        n_panels = 2 if self._true_labels is None else 3
        fig = Figure(figsize=(_PANEL_SIZE * n_panels, _PANEL_SIZE), dpi=_DPI,
                     layout="constrained")
        axes = list(fig.subplots(1, n_panels))
        if self._true_labels is not None:
            self._draw_true_labels(axes.pop(0))
        frame, _ = self.frames.draw(index, axes[0])
        self._draw_log_likelihood(axes[1], frame)
        return fig

    def png(self, index):
        """Frame ``index`` as PNG bytes, rendered on first use and cached."""
        if index not in self._pngs:
            buffer = io.BytesIO()
            self.figure(index).savefig(buffer, format="png")
            self._pngs[index] = buffer.getvalue()
        return self._pngs[index]

    def _show(self, change=None):
        index = self.slider.value
        self.image.value = self.png(index)
        self.readout.value = html.escape(self.frames[index].label)

    def _draw_true_labels(self, ax):
        plot_data(self.frames.X, self._true_labels, ax=ax)
        self.frames.apply_limits(ax)
        ax.set_title("true labels", fontsize=10)

    def _draw_log_likelihood(self, ax, frame):
        plot_training(self.frames.log_likelihoods, ax=ax)
        ax.plot(frame.history_index, frame.log_likelihood, marker="o", markersize=10,
                color="tab:red", zorder=3)
        ax.set_title("log-likelihood of the parameters drawn", fontsize=10)


def em_stepper(X, result, *, true_labels=None):
    """A widget to watch EM run, half-step by half-step, in a notebook.

    A slider with a Play button over the frames: the start, then for each
    iteration the E-step (points recoloured by the new responsibilities,
    ellipses unchanged) and the M-step (ellipses and means moved). A line of
    text says ``"iteration t, after the E-step, log-likelihood = ..."``; beside
    the scatter, the log-likelihood curve marks the parameters drawn. Frames
    come from ``result.history`` (the model is not re-fitted) and keep the same
    axis limits.

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
