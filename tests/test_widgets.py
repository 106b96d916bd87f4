"""Tests of the EM stepper widget, without a browser: set the slider, check what is shown.

The browser's side (the jslinks acting with no kernel) is tested in test_browser.py;
here, that the links exist and that every frame travels in the saved widget state.
"""

import dataclasses
import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import ipywidgets.embed  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gmm_teach.em  # noqa: E402
from gmm_teach.data import make_ds  # noqa: E402
from gmm_teach.em import e_step, fit_gmm  # noqa: E402
from gmm_teach.plotting import COMPONENT_COLORS  # noqa: E402
from gmm_teach.widgets import em_stepper  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CENTERS = [[1, -1], [5, 5], [8, 7], [10, 0]]
# What the lesson around a stepper may weigh, at most (notebook 05 without its
# stepper is under 1 MB), in a notebook that must stay under 4 MB.
LESSON_BYTES = 1_000_000
NOTEBOOK_LIMIT_BYTES = 4_000_000


@pytest.fixture(scope="module")
def fitted():
    (X, y), _ = make_ds(CENTERS)
    return X, y, fit_gmm(X, 4, random_state=0)


@pytest.fixture
def stepper(fitted):
    X, y, result = fitted
    return em_stepper(X, result, true_labels=y)


def long_run(n_iter):
    """A run of exactly ``n_iter`` iterations from a poor start (tol=0: no early stop)."""
    (X, y), _ = make_ds(CENTERS)
    rng = np.random.default_rng(3)
    poor_mus = X.mean(axis=0) + rng.normal(scale=1.0, size=(4, 2))
    init = (poor_mus, np.array([np.cov(X.T)] * 4), np.full(4, 0.25))
    return X, y, fit_gmm(X, init=init, tol=0, max_iter=n_iter)


def saved_state(stepper):
    """The widget state a notebook saves for ``stepper``: its models and the links between them.

    Returns
    -------
    state : dict
        Model id to ``{"model_name": ..., "state": ..., "buffers": ...}``, as
        ``ipywidgets.embed.embed_data`` writes it (buffers in base64).
    """
    ours = set(ipywidgets.embed.dependency_state([stepper]))
    everything = ipywidgets.embed.embed_data(views=[stepper])["manager_state"]["state"]
    refs = {f"IPY_MODEL_{model_id}" for model_id in ours}
    return {
        model_id: model for model_id, model in everything.items()
        if model_id in ours or (model["model_name"] == "LinkModel"
                                and model["state"]["source"][0] in refs)
    }


def mixture_panel(stepper, index):
    """(point colours, means) of frame ``index`` on the stepper's one Figure, read at once."""
    ax = stepper.figure(index).axes[-2]
    return ax.collections[0].get_facecolor()[:, :3].copy(), ax.collections[1].get_offsets().copy()


def expected_frame(X, result, index):
    """(step, iteration, parameters drawn, responsibilities, log-likelihood, readout)."""
    if index == 0:
        ll = result.log_likelihoods[0]
        return result.history[0], None, f"start, log-likelihood = {ll:.2f}"
    t = (index + 1) // 2
    responsibilities = e_step(X, *result.history[t - 1])
    drawn = t - 1 if index % 2 else t
    step = "E" if index % 2 else "M"
    ll = result.log_likelihoods[drawn]
    readout = f"iteration {t}, after the {step}-step, log-likelihood = {ll:.2f}"
    return result.history[drawn], responsibilities, readout


def test_slider_spans_the_half_steps(stepper, fitted):
    _, _, result = fitted
    assert stepper.slider.min == 0
    assert stepper.slider.max == 2 * result.n_iter
    assert stepper.play.max == stepper.slider.max
    assert stepper.shown == tuple(range(2 * result.n_iter + 1))
    assert stepper.readout.value == f"start, log-likelihood = {result.log_likelihoods[0]:.2f}"


def test_each_frame_shows_what_history_says(stepper, fitted):
    X, _, result = fitted
    last = stepper.slider.max
    previous_image = stepper.image.value
    for index in [1, 2, 3, 4, 7, last - 1, last, 0]:
        stepper.slider.value = index
        params, responsibilities, readout = expected_frame(X, result, index)
        frame = stepper.frame
        assert frame.index == index
        if responsibilities is None:
            assert frame.responsibilities is None
        else:
            np.testing.assert_allclose(frame.responsibilities, responsibilities, rtol=1e-12)
        np.testing.assert_array_equal(frame.mus, params.mus)
        np.testing.assert_array_equal(frame.sigmas, params.sigmas)
        assert stepper.readout.value == readout
        assert stepper.image.value == stepper.png(index)
        assert stepper.image.value != previous_image
        previous_image = stepper.image.value


def test_every_frame_travels_with_the_widget(stepper):
    pngs = [image.value for image in stepper.images.children]
    assert len(pngs) == stepper.slider.max + 1
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in pngs)
    # Every half-step changes the picture (colours, ellipses or at least the title).
    assert len(set(pngs)) == len(pngs)
    assert [readout.value for readout in stepper.readouts.children] == [
        html.escape(stepper.frames[index].label) for index in stepper.shown
    ]
    assert all("gmm-teach-readout" in readout._dom_classes
               for readout in stepper.readouts.children)


def test_the_browser_links_play_slider_images_and_readouts(stepper):
    state = saved_state(stepper)
    links = {
        (tuple(model["state"]["source"]), tuple(model["state"]["target"]))
        for model in state.values() if model["model_name"] == "LinkModel"
    }

    def ref(widget, name):
        return (f"IPY_MODEL_{widget.model_id}", name)

    assert links == {
        (ref(stepper.play, "value"), ref(stepper.slider, "value")),
        (ref(stepper.slider, "value"), ref(stepper.images, "selected_index")),
        (ref(stepper.slider, "value"), ref(stepper.readouts, "selected_index")),
    }
    assert state[stepper.images.model_id]["model_name"] == "StackModel"
    assert state[stepper.readouts.model_id]["model_name"] == "StackModel"


def test_saved_state_holds_every_frame(stepper):
    buffers = [
        buffer["data"] for model in saved_state(stepper).values()
        if model["model_name"] == "ImageModel" for buffer in model.get("buffers", [])
    ]
    assert len(buffers) == len(stepper.shown)


def test_e_step_frame_recolours_and_m_step_frame_moves(stepper, fitted):
    X, _, result = fitted
    t = 3
    colors, means = zip(*(mixture_panel(stepper, i) for i in (2 * t - 2, 2 * t - 1, 2 * t)))
    np.testing.assert_allclose(colors[1], e_step(X, *result.history[t - 1]) @ COMPONENT_COLORS[:4])
    assert not np.allclose(colors[0], colors[1])  # the E-step recoloured the points
    np.testing.assert_array_equal(means[0], means[1])  # ... and left the means alone
    np.testing.assert_array_equal(colors[1], colors[2])  # the M-step kept the colours
    np.testing.assert_allclose(means[2], result.history[t].mus)  # ... and moved the means


def test_start_frame_is_grey_and_the_first_e_step_colours_it(stepper, fitted):
    X, _, result = fitted
    (start, _), (first_e, _), (start_again, _) = (mixture_panel(stepper, i) for i in (0, 1, 0))
    np.testing.assert_allclose(start, 0.6)
    np.testing.assert_allclose(first_e, e_step(X, *result.history[0]) @ COMPONENT_COLORS[:4])
    np.testing.assert_allclose(start_again, 0.6)  # the shared Figure goes back, too


def test_frames_share_read_only_responsibilities(stepper):
    e_step_frame, m_step_frame = stepper.frames[5], stepper.frames[6]
    assert e_step_frame.responsibilities is m_step_frame.responsibilities
    with pytest.raises(ValueError, match="read-only"):
        e_step_frame.responsibilities[0, 0] = 1.0


def test_log_likelihood_marker_is_at_the_parameters_drawn(stepper, fitted):
    _, _, result = fitted
    for index, at in [(0, 0), (5, 2), (6, 3)]:
        marker = stepper.figure(index).axes[-1].lines[-1]
        np.testing.assert_allclose(marker.get_xydata(), [[at, result.log_likelihoods[at]]])


def test_axis_limits_are_the_same_in_every_frame(stepper):
    limits = set()
    for index in (0, 1, 2, 9, stepper.slider.max):
        fig = stepper.figure(index)
        limits |= {(fig.axes[j].get_xlim(), fig.axes[j].get_ylim()) for j in (0, 1)}
    assert len(limits) == 1


def test_frames_are_rendered_when_built_and_never_refitted(fitted, monkeypatch):
    X, y, result = fitted

    def no_refit(*args, **kwargs):
        raise AssertionError("the stepper ran an M-step: it must only read result.history")

    monkeypatch.setattr(gmm_teach.em, "_m_step", no_refit)
    monkeypatch.setattr(gmm_teach.em, "fit_gmm", no_refit)
    stepper = em_stepper(X, result)
    rendered = []
    original_figure = stepper.figure
    monkeypatch.setattr(stepper, "figure", lambda i: rendered.append(i) or original_figure(i))
    for index in [3, 0, 3, 4, 3]:
        stepper.slider.value = index
    assert rendered == []


def test_the_figure_is_drawn_once_and_its_artists_moved(stepper):
    figure = stepper.figure(0)
    points, means = figure.axes[-2].collections[:2]
    assert stepper.figure(5) is figure
    assert figure.axes[-2].collections[:2] == [points, means]
    assert len(figure.axes[-2].patches) == 4 * 3  # three rings per component, not more


def test_nothing_reaches_pyplot(fitted):
    X, y, result = fitted
    plt.close("all")
    stepper = em_stepper(X, result, true_labels=y)
    stepper.slider.value = 2
    assert plt.get_fignums() == []


def test_without_true_labels_there_are_two_panels(fitted):
    X, _, result = fitted
    assert len(em_stepper(X, result).figure(1).axes) == 2


def test_bad_input_is_reported_when_the_widget_is_built(fitted):
    X, y, result = fitted
    with pytest.raises(ValueError, match=r"y must have shape \(n_samples,\) = \(105,\)"):
        em_stepper(X, result, true_labels=y[:10])
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\).*got shape"):
        em_stepper(np.hstack([X, X]), result)
    with pytest.raises(TypeError, match="result must be the EMResult that fit_gmm returns"):
        em_stepper(X, result.history)
    short = dataclasses.replace(result, log_likelihoods=result.log_likelihoods[:-1])
    with pytest.raises(ValueError, match="result.log_likelihoods must have one entry per history"):
        em_stepper(X, short)


def test_a_short_run_shows_every_half_step():
    X, y, result = long_run(30)
    stepper = em_stepper(X, result, true_labels=y)
    assert stepper.shown == tuple(range(61))
    assert "every" not in stepper.readouts.children[-1].value


@pytest.mark.parametrize("n_iter, every, nth", [(31, 2, "2nd"), (40, 2, "2nd"), (120, 6, "6th")])
def test_a_long_run_shows_every_kth_iteration_later_and_says_so(n_iter, every, nth):
    X, y, result = long_run(n_iter)
    stepper = em_stepper(X, result, true_labels=y)
    shown = stepper.shown
    assert shown[:41] == tuple(range(41))  # every half-step of the first 20 iterations
    later = shown[41:]
    assert later[-1] == 2 * n_iter  # the last iteration, always
    assert list(later[:-1]) == list(range(2 * (20 + every), 2 * n_iter, 2 * every))
    assert len(shown) <= 61
    assert stepper.slider.max == stepper.play.max == len(shown) - 1
    readouts = [readout.value for readout in stepper.readouts.children]
    for position, index in enumerate(shown):
        assert readouts[position].startswith(html.escape(stepper.frames[index].label))
    assert all("every" not in readout for readout in readouts[:41])
    assert all(readout.endswith(f"(of {n_iter} iterations: every {nth} shown "
                                "after iteration 20)") for readout in readouts[41:])
    stepper.slider.value = 45
    assert stepper.frame.index == shown[45]
    assert stepper.image.value == stepper.png(shown[45])


@pytest.mark.parametrize("n_iter", [30, 200])
def test_a_notebook_holding_a_stepper_stays_small(n_iter):
    X, y, result = long_run(n_iter)
    stepper = em_stepper(X, result, true_labels=y)
    saved = json.dumps({"state": saved_state(stepper)}, indent=1)
    assert len(saved.encode()) + LESSON_BYTES < NOTEBOOK_LIMIT_BYTES


def test_render_widget_frame_artifact(stepper):
    stepper.slider.value = 5
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "em_stepper_frame5.png"
    path.write_bytes(stepper.image.value)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stepper.readout.value.startswith("iteration 3, after the E-step, log-likelihood = ")
