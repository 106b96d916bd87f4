"""Tests of gmm_teach.plotting on the Agg backend."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from gmm_teach import plotting  # noqa: E402
from gmm_teach.data import make_ds  # noqa: E402
from gmm_teach.em import e_step, fit_gmm  # noqa: E402
from gmm_teach.plotting import (  # noqa: E402
    COMPONENT_COLORS,
    confidence_ellipse,
    plot_data,
    plot_em_steps,
    plot_mixture,
    plot_training,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CENTERS = np.array([[1, -1], [5, 5], [8, 7], [10, 0]], dtype=float)


@pytest.fixture(scope="module")
def fitted():
    (X, y), _ = make_ds(CENTERS)
    return X, y, fit_gmm(X, 4, random_state=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def ax():
    return Figure().subplots()


def outline_points(ellipse):
    """The on-curve points of the drawn outline, in data coordinates.

    The unit circle is a chain of cubic Bezier segments; their end points lie on
    the curve, their control points do not.
    """
    ends = [
        vertices[-2:]
        for vertices, code in ellipse.get_path().iter_segments()
        if code != MplPath.CLOSEPOLY
    ]
    return ellipse.get_patch_transform().transform(np.array(ends))


def mahalanobis(points, mean, cov):
    diff = points - mean
    return np.sqrt(np.einsum("nd,de,ne->n", diff, np.linalg.inv(cov), diff))


# --------------------------------------------------------------------------
# confidence_ellipse
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cov",
    [
        [[4.0, 0.0], [0.0, 1.0]],  # axis-aligned, width != height
        [[3.0, 1.2], [1.2, 2.0]],  # rotated
        [[1.0, -0.95], [-0.95, 1.0]],  # thin, tilted the other way
        [[0.01, 0.0], [0.0, 25.0]],  # major axis along y
    ],
)
@pytest.mark.parametrize("n_std", [0.5, 1, 2, 3])
def test_confidence_ellipse_outline_is_at_mahalanobis_n_std(ax, cov, n_std):
    mean = np.array([2.0, -3.0])
    ellipse = confidence_ellipse(mean, cov, ax=ax, n_std=n_std)
    points = outline_points(ellipse)
    assert len(points) >= 8
    np.testing.assert_allclose(mahalanobis(points, mean, np.array(cov)), n_std, rtol=1e-9)
    # The points go all the way round the mean, not along one arc.
    angles = np.arctan2(*(points - mean).T[::-1])
    assert np.ptp(angles) > 1.5 * np.pi


def test_confidence_ellipse_is_an_unfilled_patch_on_the_axes(ax):
    ellipse = confidence_ellipse([0, 0], [[2, 0.5], [0.5, 1]], ax=ax, n_std=2, edgecolor="red",
                                 linestyle="--")
    assert isinstance(ellipse, Ellipse)
    assert ellipse in ax.patches
    assert not ellipse.get_fill()
    assert ellipse.get_edgecolor() == pytest.approx((1.0, 0.0, 0.0, 1.0))
    assert ellipse.get_linestyle() == "--"


def test_confidence_ellipse_uses_current_axes_when_ax_is_none():
    fig, current = plt.subplots()
    ellipse = confidence_ellipse([0, 0], np.eye(2))
    assert ellipse in current.patches


def test_confidence_ellipse_docstring_coverage_matches_the_2d_gaussian():
    doc = confidence_ellipse.__doc__
    rng = np.random.default_rng(0)
    cov = np.array([[3.0, 1.2], [1.2, 2.0]])
    samples = rng.multivariate_normal([0, 0], cov, size=200_000)
    distances = mahalanobis(samples, np.zeros(2), cov)
    for n_std, stated in [(1, "39.3 %"), (2, "86.5 %"), (3, "98.9 %")]:
        assert stated in doc
        assert np.mean(distances <= n_std) == pytest.approx(float(stated[:-2]) / 100, abs=0.004)


@pytest.mark.parametrize(
    "mean, cov, n_std, message",
    [
        ([0, 0], np.eye(3), 1, r"cov must have shape \(2, 2\), got \(3, 3\)"),
        ([0, 0], [1, 2], 1, r"cov must be 2-D of shape \(2, 2\), got an array of shape \(2,\)"),
        ([0, 0], [[1, 0.5], [0.2, 1]], 1, "cov must be symmetric"),
        ([0, 0], [[1, 2], [2, 1]], 1, "cov must be positive definite"),
        ([0, 0], [[1, 0], [0, np.nan]], 1, "cov contains 1 NaN"),
        ([0, 0, 0], np.eye(2), 1, r"mean must have shape \(2,\), got \(3,\)"),
        ([np.nan, 0], np.eye(2), 1, "mean contains 1 NaN"),
        ([0, 0], np.eye(2), 0, "n_std must be finite and > 0, got 0"),
        ([0, 0], np.eye(2), -1.0, "n_std must be finite and > 0, got -1.0"),
    ],
)
def test_confidence_ellipse_rejects_bad_input(ax, mean, cov, n_std, message):
    with pytest.raises(ValueError, match=message):
        confidence_ellipse(mean, cov, ax=ax, n_std=n_std)
    assert not ax.patches


# --------------------------------------------------------------------------
# plot_data and plot_training
# --------------------------------------------------------------------------


def test_plot_data_colours_each_label_and_marks_the_centres(fitted, ax):
    X, y, _ = fitted
    artists = plot_data(X, y, num_centers=4, centers=CENTERS, ax=ax)
    assert len(artists.points) == 4
    for k, points in enumerate(artists.points):
        np.testing.assert_array_equal(points.get_offsets(), X[y == k])
        np.testing.assert_allclose(points.get_facecolor()[:, :3], [COMPONENT_COLORS[k]])
    np.testing.assert_array_equal(artists.centers.get_offsets(), CENTERS)
    np.testing.assert_allclose(artists.centers.get_facecolor()[:, :3], COMPONENT_COLORS[:4])


def test_plot_data_seed_call_and_missing_labels(fitted):
    X, y, _ = fitted
    plt.figure()
    artists = plot_data(X, y, num_centers=6)  # the seed's call, with two unused labels
    assert len(artists.points) == 6
    assert len(artists.points[5].get_offsets()) == 0
    assert artists.centers is None
    assert all(points.axes is plt.gca() for points in artists.points)


def test_plot_data_without_labels_draws_one_scatter(fitted, ax):
    X, _, _ = fitted
    artists = plot_data(X, ax=ax)
    assert len(artists.points) == 1
    np.testing.assert_array_equal(artists.points[0].get_offsets(), X)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"X": np.zeros((5, 3))}, r"X must have shape \(n_samples, 2\).*got shape \(5, 3\)"),
        ({"y": [0, 1]}, r"y must have shape \(n_samples,\) = \(105,\) like X, got \(2,\)"),
        ({"y": np.arange(105) + 0.5}, "y must hold integer labels"),
        ({"num_centers": 2}, "y has label 3, but num_centers = 2 allows labels 0 to 1"),
        ({"num_centers": 0}, "num_centers must be an int >= 1, got 0"),
        ({"centers": np.zeros((3, 2)), "num_centers": 4},
         r"centers must have shape \(num_centers, 2\) = \(4, 2\), got \(3, 2\)"),
    ],
)
def test_plot_data_rejects_bad_input(fitted, ax, kwargs, message):
    X, y, _ = fitted
    arguments = {"X": X, "y": y} | kwargs
    with pytest.raises(ValueError, match=message):
        plot_data(arguments.pop("X"), arguments.pop("y"), ax=ax, **arguments)


def test_plot_training_draws_every_log_likelihood(fitted, ax):
    _, _, result = fitted
    line = plot_training(result.log_likelihoods, ax=ax)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(result.n_iter + 1))
    np.testing.assert_array_equal(line.get_ydata(), result.log_likelihoods)
    assert ax.get_xlabel() == "EM iteration"
    assert ax.get_ylabel() == "log-likelihood"


def test_plot_training_rejects_non_finite_values(ax):
    with pytest.raises(ValueError, match="log_likelihoods contains 1 NaN or infinite"):
        plot_training([-10.0, -np.inf], ax=ax)


# --------------------------------------------------------------------------
# plot_mixture
# --------------------------------------------------------------------------


def test_plot_mixture_blends_component_colours_by_responsibility(fitted, ax):
    X, _, result = fitted
    params = result.history[1]
    artists = plot_mixture(X, *params, ax=ax)
    expected = e_step(X, *params) @ COMPONENT_COLORS[:4]
    np.testing.assert_allclose(artists.points.get_facecolor()[:, :3], expected, atol=1e-12)
    np.testing.assert_array_equal(artists.points.get_offsets(), X)
    np.testing.assert_allclose(artists.means.get_offsets(), params.mus)
    assert [len(rings) for rings in artists.ellipses] == [3, 3, 3, 3]
    for k, rings in enumerate(artists.ellipses):
        for ring, n_std in zip(rings, (1, 2, 3)):
            np.testing.assert_allclose(
                mahalanobis(outline_points(ring), params.mus[k], params.sigmas[k]), n_std
            )
            np.testing.assert_allclose(ring.get_edgecolor()[:3], COMPONENT_COLORS[k])


def test_plot_mixture_draws_every_ring_above_the_points_and_below_the_means(fitted, ax):
    X, _, result = fitted
    artists = plot_mixture(X, *result.history[1], ax=ax)
    for rings in artists.ellipses:
        for ring in rings:
            assert artists.points.get_zorder() < ring.get_zorder() < artists.means.get_zorder()
            # and with a white halo, or a ring over points of its own colour cannot be seen
            (halo,) = ring.get_path_effects()
            assert isinstance(halo, patheffects.withStroke)


def test_plot_mixture_colours_by_given_responsibilities(fitted, ax):
    X, _, result = fitted
    hard = np.eye(4)[np.arange(len(X)) % 4]
    artists = plot_mixture(X, result.mus, result.sigmas, responsibilities=hard, n_std=2, ax=ax)
    np.testing.assert_allclose(artists.points.get_facecolor()[:, :3], hard @ COMPONENT_COLORS[:4])
    assert [len(rings) for rings in artists.ellipses] == [1, 1, 1, 1]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"responsibilities": np.full((105, 3), 1 / 3)},
         r"responsibilities must have shape \(n_samples, n_components\) = \(105, 4\).*"
         r"got \(105, 3\)"),
        ({"responsibilities": np.full((10, 4), 0.25)},
         r"responsibilities must have shape \(n_samples, n_components\) with n_samples = 105"),
        ({"n_std": (1, 0)}, r"n_std\[1\] must be finite and > 0, got 0"),
        ({"mus": np.zeros((4, 3))}, r"mus must have shape .* = \(4, 2\).*got \(4, 3\)"),
        ({"sigmas": np.ones((4, 2, 2))}, r"sigmas\[0\] must be positive definite"),
        ({"pis": [0.5, 0.5]}, "pis must have 4 entries"),
    ],
)
def test_plot_mixture_rejects_bad_input(fitted, ax, change, message):
    X, _, result = fitted
    arguments = {"mus": result.mus, "sigmas": result.sigmas, "pis": result.pis} | change
    with pytest.raises(ValueError, match=message):
        plot_mixture(X, ax=ax, **arguments)


# --------------------------------------------------------------------------
# plot_em_steps
# --------------------------------------------------------------------------


def test_plot_em_steps_draws_both_half_steps_with_fixed_limits(fitted):
    X, _, result = fitted
    fig = plot_em_steps(X, result, iterations=(1, 5, -1))
    shown = [1, 5, result.n_iter]
    assert len(fig.axes) == 2 * len(shown)
    rows = [fig.axes[2 * j: 2 * j + 2] for j in range(len(shown))]
    first = fig.axes[0]
    for (after_e, after_m), t in zip(rows, shown):
        old, new = result.history[t - 1], result.history[t]
        colours = e_step(X, *old) @ COMPONENT_COLORS[:4]
        for ax, params, step, ll in ((after_e, old, "E", result.log_likelihoods[t - 1]),
                                     (after_m, new, "M", result.log_likelihoods[t])):
            points, means = ax.collections
            # Both half-steps colour the points by the new responsibilities;
            # only the M-step moves the means (and ellipses) on.
            np.testing.assert_allclose(points.get_facecolor()[:, :3], colours, atol=1e-12)
            np.testing.assert_allclose(means.get_offsets(), params.mus)
            assert ax.get_title().startswith(f"iteration {t}, after the {step}-step")
            assert f"{ll:.2f}" in ax.get_title()
            assert ax.get_xlim() == first.get_xlim() and ax.get_ylim() == first.get_ylim()
            assert ax.get_aspect() == 1.0
            ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
            assert len(ellipses) == 4 * 3
            assert min(e.get_zorder() for e in ellipses) > points.get_zorder()
            ring = ellipses[0]  # component 0's 1-std ring
            np.testing.assert_allclose(ring.center, params.mus[0])
    (x_low, x_high), (y_low, y_high) = first.get_xlim(), first.get_ylim()
    assert x_low < X[:, 0].min() and X[:, 0].max() < x_high
    assert y_low < X[:, 1].min() and X[:, 1].max() < y_high


def test_plot_em_steps_panels_are_large_enough_to_read(fitted):
    X, _, result = fitted
    fig = plot_em_steps(X, result)
    width, height = fig.get_size_inches()
    n_rows = len(fig.axes) // 2
    assert width / 2 >= 4 and height / n_rows >= 4


def test_plot_em_steps_draws_the_start_alone_with_grey_points(fitted):
    X, _, result = fitted
    fig = plot_em_steps(X, result, iterations=(0, 1))
    start, hidden, after_e, _ = fig.axes
    assert not hidden.get_visible()
    assert start.get_title().startswith("start")
    np.testing.assert_allclose(start.collections[0].get_facecolor()[:, :3], 0.6)
    np.testing.assert_allclose(start.collections[1].get_offsets(), result.history[0].mus)
    assert after_e.get_title().startswith("iteration 1, after the E-step")


def test_plot_em_steps_clamps_past_the_end_and_drops_repeats(fitted):
    X, _, result = fitted
    fig = plot_em_steps(X, result, iterations=(2, 1000, -1, 2))
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert len(titles) == 4
    assert titles[0].startswith("iteration 2, after the E-step")
    assert titles[3].startswith(f"iteration {result.n_iter}, after the M-step")


def test_plot_em_steps_takes_a_single_iteration(fitted):
    X, _, result = fitted
    fig = plot_em_steps(X, result, iterations=-1)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title().startswith(f"iteration {result.n_iter}, after the E-step")
    assert fig.axes[1].get_title().startswith(f"iteration {result.n_iter}, after the M-step")


@pytest.mark.parametrize(
    "iterations, error, message",
    [
        ((0, -1000), ValueError, r"iterations\[1\] = -1000 counts back past the start"),
        ((0, 1.5), TypeError, r"iterations\[1\] must be an int, got 1.5"),
        ((), ValueError, "iterations must name at least one iteration"),
    ],
)
def test_plot_em_steps_rejects_bad_iterations(fitted, iterations, error, message):
    X, _, result = fitted
    with pytest.raises(error, match=message):
        plot_em_steps(X, result, iterations=iterations)


def test_plot_em_steps_rejects_data_of_another_dimension(fitted):
    _, _, result = fitted
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\)"):
        plot_em_steps(np.zeros((105, 5)), result)
    with pytest.raises(TypeError, match="result must be the EMResult that fit_gmm returns"):
        plot_em_steps(np.zeros((105, 2)), result.history)


# --------------------------------------------------------------------------
# Every public function, on Agg; and a picture to look at
# --------------------------------------------------------------------------

SMOKE_CALLS = {
    "plot_data": lambda X, y, result: plot_data(X, y, num_centers=4, centers=CENTERS),
    "plot_training": lambda X, y, result: plot_training(result.log_likelihoods),
    "confidence_ellipse": lambda X, y, result: confidence_ellipse(result.mus[0], result.sigmas[0]),
    "plot_mixture": lambda X, y, result: plot_mixture(X, result.mus, result.sigmas, result.pis),
    "plot_em_steps": lambda X, y, result: plot_em_steps(X, result),
}


def test_smoke_calls_cover_every_public_plotting_function():
    public_functions = {
        name for name in plotting.__all__ if not isinstance(getattr(plotting, name), type)
    }
    assert public_functions == set(SMOKE_CALLS)


@pytest.mark.parametrize("name", sorted(SMOKE_CALLS))
def test_smoke_every_public_function_draws_on_agg(fitted, name):
    X, y, result = fitted
    assert matplotlib.get_backend().lower() == "agg"
    plt.figure()
    drawn = SMOKE_CALLS[name](X, y, result)
    assert drawn is not None
    for number in plt.get_fignums():
        plt.figure(number).canvas.draw()


def test_render_plot_mixture_artifact(fitted):
    X, y, result = fitted
    fig, ax = plt.subplots(figsize=(6, 5))
    plot_mixture(X, result.mus, result.sigmas, result.pis, ax=ax)
    ax.scatter(*CENTERS.T, marker="*", s=260, color="black", label="true centres")
    ax.set_title("plot_mixture: fitted mixture, true centres as stars")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "plot_mixture.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
