"""Issue 10: numerics and inputs at the edges.

Each test names the finding it covers. A clear error is a ValueError or
TypeError that names the argument; numpy's LinAlgError is a ValueError too, so
the tests reject it explicitly.
"""

import time
import warnings

import matplotlib
import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture

from gmm_teach import (
    ComponentCollapseError,
    DatasetSize,
    aic,
    bic,
    e_step,
    fit_gmm,
    gaussian_pdf,
    initialize,
    log_gaussian_pdf,
    log_likelihood,
    m_step,
    make_ds,
    n_parameters,
    plot_data,
    plot_em_steps,
)
from problems import SEED_CENTERS

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LinAlgError = np.linalg.LinAlgError
RANK_ONE = [[[9.0, 3.0], [3.0, 1.0]]]  # eigenvalues 10 and 0


def raises_clearly(error, match, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` raises ``error`` matching ``match``, and not numpy's LinAlgError."""
    with pytest.raises(error, match=match) as info:
        fn(*args, **kwargs)
    assert not isinstance(info.value, LinAlgError), repr(info.value)
    return info.value


@pytest.fixture
def seed_data():
    (X, y), _ = make_ds(SEED_CENTERS, DatasetSize.LARGE)
    return X, y


@pytest.fixture
def two_blobs():
    rng = np.random.default_rng(1)
    X = np.r_[rng.standard_normal((100, 2)), rng.standard_normal((100, 2)) + [8.0, 0.0]]
    return X, np.repeat([0, 1], 100)


def agreement(labels, truth):
    """Fraction of samples grouped as in ``truth``, up to renaming the two labels."""
    same = np.mean(labels == truth)
    return max(same, 1 - same)


# --------------------------------------------------------------------------
# Raw LinAlgError where README promises advice
# --------------------------------------------------------------------------


def test_collinear_features_get_advice_not_linalgerror():
    x = np.arange(50.0) * 1e5
    error = raises_clearly(ComponentCollapseError, "component 0", fit_gmm, np.c_[x, 2 * x], 1)
    assert "reg_covar" in str(error)


def test_rank_one_start_is_rejected_by_name():
    (X, _), _ = make_ds(SEED_CENTERS)
    raises_clearly(ValueError, r"init: sigmas\[0\] must be positive definite", fit_gmm, X,
                   init=([[0.0, 0.0]], RANK_ONE, [1.0]))


@pytest.mark.parametrize("fn", [log_gaussian_pdf, gaussian_pdf, log_likelihood, e_step, bic, aic])
def test_validation_uses_the_cholesky_the_maths_uses(fn):
    # eigvalsh calls this matrix positive definite (1.1e-16 > 0); Cholesky does not.
    raises_clearly(ValueError, r"sigmas\[0\] must be positive definite", fn,
                   [[0.0, 0.0]], [[0.0, 0.0]], RANK_ONE, [1.0])


@pytest.mark.parametrize("seed", range(10))
def test_a_far_outlier_never_gives_linalgerror(seed):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.standard_normal((100, 2)), 1e10 * rng.standard_normal((1, 2))]
    try:
        result = fit_gmm(X, 2, random_state=seed)
    except ComponentCollapseError as error:
        assert not isinstance(error, LinAlgError)
    else:
        e_step(X, *result.history[-1])


@pytest.mark.parametrize("seed", range(24))
def test_a_fit_with_reg_covar_0_returns_only_covariances_e_step_accepts(seed):
    """Duplicated and collinear points, reg_covar=0: a collapse must raise during the fit."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 30))
    base = rng.standard_normal((n, 1))
    X = np.c_[base, rng.choice([1.0, 2.0]) * base + rng.choice([0, 1e-9]) * rng.standard_normal((n, 1))]
    X = np.r_[X, np.repeat(X[:1], int(rng.integers(0, 5)), axis=0)]
    init = ["kmeans++", "kmeans", "random"][seed % 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = fit_gmm(X, int(rng.integers(1, 4)), init=init, reg_covar=0.0,
                             random_state=seed, max_iter=50)
        except ComponentCollapseError as error:
            assert not isinstance(error, LinAlgError)
            return
    for params in result.history:
        np.testing.assert_allclose(e_step(X, *params).sum(axis=1), 1.0)
        assert np.isfinite(log_likelihood(X, *params))
    if X.shape[1] == 2:
        plt.close(plot_em_steps(X, result, iterations=(0, -1)))


# --------------------------------------------------------------------------
# Silent NaN
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [log_gaussian_pdf, gaussian_pdf, log_likelihood, e_step, bic, aic])
def test_a_point_at_1e160_is_an_error_naming_x_not_nan(fn, seed_data):
    X, _ = seed_data
    params = fit_gmm(X, 4, random_state=0).history[-1]
    raises_clearly(ValueError, r"X\[105\] is so far from every component.*X's entries reach 1e\+160",
                   fn, np.r_[X, [[1e160, 1e160]]], *params)


def test_a_far_point_that_is_representable_stays_finite(seed_data):
    """Up to where float64 holds the log-density, the answer is a number (scipy agrees)."""
    X, _ = seed_data
    params = fit_gmm(X, 4, random_state=0).history[-1]
    X_far = np.r_[X, [[1e100, 1e100]]]
    expected = logsumexp(
        [np.log(params.pis[k]) + multivariate_normal(params.mus[k], params.sigmas[k]).logpdf(X_far)
         for k in range(4)], axis=0).sum()
    assert log_likelihood(X_far, *params) == pytest.approx(expected, rel=1e-9)


def test_m_step_and_initialize_on_data_near_1e155_raise_naming_the_scale():
    rng = np.random.default_rng(0)
    X = 1e155 * rng.standard_normal((60, 2))
    match = r"X's spread is .*e\+155.*overflow float64.*Rescale X"
    raises_clearly(ValueError, match, m_step, X, np.full((60, 2), 0.5))
    raises_clearly(ValueError, match, initialize, X, 2)
    raises_clearly(ValueError, match, fit_gmm, X, 2)
    # Near 1e155 but with an ordinary spread, everything is representable.
    result = fit_gmm(1e155 + 1e140 * rng.standard_normal((60, 2)), 2, random_state=0)
    assert np.all(np.isfinite(result.sigmas))


# --------------------------------------------------------------------------
# Starts (and fits) that do not depend on where the data sit
# --------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["kmeans++", "kmeans"])
def test_starts_find_shifted_clusters_from_every_seed(init, two_blobs):
    X, truth = two_blobs
    for seed in range(20):
        labels = fit_gmm(X + 1e9, 2, init=init, random_state=seed).labels
        assert agreement(labels, truth) > 0.97, seed


def test_reg_covar_reaches_the_start_on_tiny_data():
    rng = np.random.default_rng(1)
    X = 1e-8 * np.r_[rng.standard_normal((100, 2)), rng.standard_normal((100, 2)) + [4.0, 0.0]]
    truth = np.repeat([0, 1], 100)
    found = {"sklearn": 0, "gmm_teach": 0}
    for seed in range(10):
        sk = GaussianMixture(2, reg_covar=1e-22, random_state=seed).fit(X)
        found["sklearn"] += agreement(sk.predict(X), truth) > 0.95
        result = fit_gmm(X, 2, reg_covar=1e-22, random_state=seed)
        found["gmm_teach"] += agreement(result.labels, truth) > 0.95
        # The start's covariances are the clusters' (about 1e-16), not swamped by 1e-6.
        assert result.history[0].sigmas.max() < 1e-14
    assert found["gmm_teach"] >= found["sklearn"] == 10, found


def test_initialize_adds_the_reg_covar_it_is_given(two_blobs):
    X, _ = two_blobs
    with_reg = initialize(X, 2, reg_covar=0.5, random_state=0)
    without = initialize(X, 2, reg_covar=0.0, random_state=0)
    np.testing.assert_allclose(with_reg.sigmas - without.sigmas, [0.5 * np.eye(2)] * 2, atol=1e-12)


@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random"])
@pytest.mark.parametrize("a, b", [(1.0, 1e9), (1e-8, 0.0), (3.7e5, -2.5e7), (2.0**-30, 1.0)])
def test_a_fit_is_invariant_to_shifting_and_rescaling(init, a, b, seed_data):
    X, _ = seed_data
    plain = fit_gmm(X, 4, init=init, tol=0, max_iter=25, random_state=3)
    moved = fit_gmm(a * X + b, 4, init=init, tol=0, max_iter=25, reg_covar=1e-6 * a**2,
                    random_state=3)
    # Shifting by b rounds X to |b| * 1e-16; relative to the spread a, that is the accuracy.
    rtol = 1e-7 + 1e-15 * abs(b) / a
    np.testing.assert_allclose((moved.mus - b) / a, plain.mus, rtol=rtol, atol=rtol * 10)
    np.testing.assert_allclose(moved.sigmas / a**2, plain.sigmas, rtol=rtol, atol=rtol * 10)
    np.testing.assert_allclose(moved.pis, plain.pis, rtol=rtol, atol=rtol)
    # The density of a*X+b is that of X divided by a^D at every point.
    np.testing.assert_allclose(moved.log_likelihoods + X.size * np.log(a),
                               plain.log_likelihoods, rtol=rtol)


# --------------------------------------------------------------------------
# Smaller findings
# --------------------------------------------------------------------------


def test_plot_data_draws_per_distinct_label(seed_data):
    X, y = seed_data
    labels = np.where(y == 3, 10**9, y)
    fig, ax = plt.subplots()
    begin = time.perf_counter()
    artists = plot_data(X, labels, ax=ax)
    assert time.perf_counter() - begin < 5
    assert len(artists.points) == 4
    np.testing.assert_array_equal(artists.points[3].get_offsets(), X[y == 3])
    plt.close(fig)


@pytest.mark.parametrize("random_state", ["abc", 1.5, -1, True])
@pytest.mark.parametrize(
    "call",
    [
        lambda rs: fit_gmm(np.eye(3), 2, random_state=rs),
        lambda rs: initialize(np.eye(3), 2, random_state=rs),
        lambda rs: make_ds(SEED_CENTERS, random_state=rs),
    ],
    ids=["fit_gmm", "initialize", "make_ds"],
)
def test_bad_random_state_is_named(call, random_state):
    raises_clearly((ValueError, TypeError), "random_state must be", call, random_state)


@pytest.mark.parametrize("fn", [fit_gmm, initialize])
def test_ragged_X_gets_the_friendly_message(fn):
    raises_clearly(TypeError, r"X must be a numeric array of shape \(n_samples, n_features\)",
                   fn, [[1.0, 2.0], [3.0]], 1)


@pytest.mark.parametrize(
    "args, match",
    [
        ((-1, 2), "n_components must be an int >= 1, got -1"),
        ((2.5, 2), "n_components must be an int >= 1, got 2.5"),
        (("2", 2), "n_components must be an int >= 1, got '2'"),
        ((2, 0), "n_features must be an int >= 1, got 0"),
    ],
)
def test_n_parameters_rejects_bad_counts(args, match):
    raises_clearly((ValueError, TypeError), match, n_parameters, *args)


def test_n_parameters_counts_like_sklearn():
    X = np.random.default_rng(0).standard_normal((50, 3))
    sk = GaussianMixture(2, covariance_type="full").fit(X)
    assert n_parameters(2, 3) == sk._n_parameters()


def test_a_one_component_collapse_does_not_advise_zero_components():
    X = np.r_[np.zeros((5, 2)), [[1.0, 1.0]]]
    start = ([[0.0, 0.0]], [np.eye(2)], [1.0])
    error = raises_clearly(ComponentCollapseError, "collapsed", fit_gmm, X, init=start,
                           reg_covar=0.0, max_iter=50)
    assert "n_components=0" not in str(error) and "fewer components" not in str(error)


def test_fit_gmm_copies_the_callers_start(seed_data):
    X, _ = seed_data
    mus, sigmas, pis = SEED_CENTERS.astype(float), np.array([np.eye(2)] * 4), np.full(4, 0.25)
    result = fit_gmm(X, init=(mus, sigmas, pis), max_iter=3, tol=0)
    mus[:] = 0.0
    sigmas[:] = 0.0
    pis[:] = 0.0
    np.testing.assert_array_equal(result.history[0].mus, SEED_CENTERS)
    np.testing.assert_array_equal(result.history[0].sigmas, [np.eye(2)] * 4)
    np.testing.assert_array_equal(result.history[0].pis, 0.25)
