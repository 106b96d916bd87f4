"""Tests of the EM stepper widget, without a browser: set the slider, check what is shown."""

import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

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


@pytest.fixture(scope="module")
def fitted():
    (X, y), _ = make_ds(CENTERS)
    return X, y, fit_gmm(X, 4, random_state=0)


@pytest.fixture
def stepper(fitted):
    X, y, result = fitted
    return em_stepper(X, result, true_labels=y)


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


def test_e_step_frame_recolours_and_m_step_frame_moves(stepper, fitted):
    X, _, result = fitted
    t = 3
    before_e, after_e, after_m = (stepper.figure(i).axes[1] for i in (2 * t - 2, 2 * t - 1, 2 * t))
    colors = [ax.collections[0].get_facecolor()[:, :3] for ax in (before_e, after_e, after_m)]
    means = [ax.collections[1].get_offsets() for ax in (before_e, after_e, after_m)]
    np.testing.assert_allclose(colors[1], e_step(X, *result.history[t - 1]) @ COMPONENT_COLORS[:4])
    assert not np.allclose(colors[0], colors[1])  # the E-step recoloured the points
    np.testing.assert_array_equal(means[0], means[1])  # ... and left the means alone
    np.testing.assert_array_equal(colors[1], colors[2])  # the M-step kept the colours
    np.testing.assert_allclose(means[2], result.history[t].mus)  # ... and moved the means


def test_start_frame_is_grey_and_the_first_e_step_colours_it(stepper, fitted):
    X, _, result = fitted
    start, first_e = (stepper.figure(i).axes[1].collections[0] for i in (0, 1))
    np.testing.assert_allclose(start.get_facecolor()[:, :3], 0.6)
    np.testing.assert_allclose(first_e.get_facecolor()[:, :3],
                               e_step(X, *result.history[0]) @ COMPONENT_COLORS[:4])


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
    figures = [stepper.figure(i) for i in (0, 1, 2, 9, stepper.slider.max)]
    limits = {(fig.axes[j].get_xlim(), fig.axes[j].get_ylim()) for fig in figures for j in (0, 1)}
    assert len(limits) == 1


def test_frames_are_rendered_once_and_never_refitted(fitted, monkeypatch):
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
    assert rendered == [3, 4]


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


def test_render_widget_frame_artifact(stepper):
    stepper.slider.value = 5
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "em_stepper_frame5.png"
    path.write_bytes(stepper.image.value)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stepper.readout.value.startswith("iteration 3, after the E-step, log-likelihood = ")
