"""The numerical core against independent oracles: scipy.stats, scikit-learn, plain loops."""

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.mixture import GaussianMixture

import gmm_teach
from gmm_teach import (
    ComponentCollapseError,
    ConvergenceWarning,
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
)
from problems import SEED_CENTERS, random_problem

# (n_samples, n_features, n_components) for the randomised oracle comparisons.
SHAPES = [(1, 1, 1), (7, 1, 3), (30, 2, 4), (50, 3, 2), (80, 5, 3), (40, 8, 5), (200, 2, 1)]
SEEDS = range(4)


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)


CASES = [
    pytest.param(seed, *shape, id=f"seed{seed}-n{shape[0]}-d{shape[1]}-k{shape[2]}")
    for seed in SEEDS
    for shape in SHAPES
]


def oracle_log_prob(X, mus, sigmas, pis):
    """log pi_k + log N(x | mu_k, Sigma_k) from scipy.stats, one component at a time."""
    return np.column_stack(
        [
            np.log(pis[k]) + multivariate_normal(mus[k], sigmas[k]).logpdf(X).reshape(len(X))
            for k in range(len(mus))
        ]
    )


def sklearn_model(mus, sigmas, pis, max_iter, reg_covar=1e-6):
    return GaussianMixture(
        n_components=len(mus),
        covariance_type="full",
        tol=0.0,
        max_iter=max_iter,
        reg_covar=reg_covar,
        means_init=mus,
        weights_init=pis,
        precisions_init=np.linalg.inv(sigmas),
        init_params="random_from_data",
        random_state=0,
    )


# --------------------------------------------------------------------------
# Densities, log-likelihood, E-step and M-step against oracles
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed, n, d, k", CASES)
def test_log_gaussian_pdf_matches_scipy(seed, n, d, k):
    X, mus, sigmas, pis = random_problem(np.random.default_rng(seed), n, d, k)
    expected = oracle_log_prob(X, mus, sigmas, pis)
    result = log_gaussian_pdf(X, mus, sigmas, pis)
    assert result.shape == (n, k)
    np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gaussian_pdf(X, mus, sigmas, pis), np.exp(expected), rtol=1e-9)


@pytest.mark.parametrize("seed, n, d, k", CASES)
def test_log_likelihood_matches_loop_over_points(seed, n, d, k):
    X, mus, sigmas, pis = random_problem(np.random.default_rng(seed), n, d, k)
    expected = sum(
        logsumexp([np.log(pis[j]) + multivariate_normal(mus[j], sigmas[j]).logpdf(x) for j in range(k)])
        for x in X
    )
    assert log_likelihood(X, mus, sigmas, pis) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed, n, d, k", CASES)
def test_e_step_is_bayes_rule(seed, n, d, k):
    X, mus, sigmas, pis = random_problem(np.random.default_rng(seed), n, d, k)
    weighted = np.exp(oracle_log_prob(X, mus, sigmas, pis))
    expected = weighted / weighted.sum(axis=1, keepdims=True)
    responsibilities = e_step(X, mus, sigmas, pis)
    np.testing.assert_allclose(responsibilities, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(responsibilities.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("seed, n, d, k", [c for c in CASES if c.values[1] > c.values[2]])
def test_m_step_matches_weighted_numpy_statistics(seed, n, d, k):
    rng = np.random.default_rng(seed)
    X, *_ = random_problem(rng, n, d, k)
    responsibilities = rng.dirichlet(np.ones(k), size=n)
    reg = 1e-3
    mus, sigmas, pis = m_step(X, responsibilities, reg_covar=reg)
    for j in range(k):
        r = responsibilities[:, j]
        np.testing.assert_allclose(mus[j], np.average(X, axis=0, weights=r), rtol=1e-10)
        # np.cov with aweights and bias=True is the weighted covariance about the
        # weighted (new) mean: an oracle written by someone else.
        cov = np.atleast_2d(np.cov(X, rowvar=False, aweights=r, bias=True))
        np.testing.assert_allclose(sigmas[j], cov + reg * np.eye(d), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(pis, responsibilities.mean(axis=0), rtol=1e-10)


def test_m_step_uses_new_means_not_old():
    """The seed's bug: covariances about the old means are larger than the EM update."""
    (X, _), _ = make_ds(SEED_CENTERS)
    far_start = np.array([[0.0, 0.0], [3, 3], [6, 6], [9, 9]])
    responsibilities = e_step(X, far_start, np.array([np.eye(2)] * 4), np.full(4, 0.25))
    mus, sigmas, _ = m_step(X, responsibilities, reg_covar=0.0)
    for k in range(4):
        r = responsibilities[:, k]
        about_new = (r[:, None] * (X - mus[k])).T @ (X - mus[k]) / r.sum()
        about_old = (r[:, None] * (X - far_start[k])).T @ (X - far_start[k]) / r.sum()
        np.testing.assert_allclose(sigmas[k], about_new, rtol=1e-10)
        assert not np.allclose(sigmas[k], about_old, rtol=1e-3)


def test_float32_and_int_inputs_are_computed_in_float64(rng):
    X, mus, sigmas, pis = random_problem(rng, 60, 3, 3)
    X_int = np.round(X * 10).astype(int)
    expected = log_gaussian_pdf(X_int.astype(np.float64), mus, sigmas, pis)
    result = log_gaussian_pdf(X_int, mus.astype(np.float32), sigmas.astype(np.float32), pis)
    assert result.dtype == np.float64
    np.testing.assert_allclose(
        result,
        log_gaussian_pdf(X_int, mus.astype(np.float32).astype(np.float64),
                         sigmas.astype(np.float32).astype(np.float64), pis),
        rtol=1e-12,
    )
    assert np.abs(result - expected).max() < 1e-3  # only float32 rounding of the parameters
    # The seed keeps pis as a (K, 1) float32 column.
    column = pis.astype(np.float32).reshape(-1, 1)
    np.testing.assert_allclose(
        e_step(X, mus, sigmas, column), e_step(X, mus, sigmas, column.ravel().astype(np.float64)),
        rtol=1e-12,
    )


# --------------------------------------------------------------------------
# fit_gmm against scikit-learn, and EM's properties
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seed, n, d, k, iters",
    [(0, 300, 2, 3, 1), (1, 300, 2, 4, 7), (2, 500, 3, 3, 20), (3, 400, 5, 2, 15),
     (4, 800, 4, 5, 30), (5, 105, 2, 4, 50)],
)
def test_fit_gmm_matches_sklearn_after_m_iterations(seed, n, d, k, iters):
    rng = np.random.default_rng(seed)
    X, *_ = random_problem(rng, n, d, k)
    start = initialize(X, k, method="random", random_state=seed)
    result = fit_gmm(X, init=start, tol=0, max_iter=iters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        sk = sklearn_model(*start, max_iter=iters).fit(X)
    assert result.n_iter == sk.n_iter_ == iters
    np.testing.assert_allclose(result.mus, sk.means_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(result.sigmas, sk.covariances_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(result.pis, sk.weights_, rtol=1e-6)
    assert result.log_likelihoods[-1] / n == pytest.approx(sk.score(X), rel=1e-6)
    np.testing.assert_allclose(result.responsibilities, sk.predict_proba(X), rtol=1e-6, atol=1e-9)


def test_bic_and_aic_match_sklearn(rng):
    X, *_ = random_problem(rng, 300, 3, 3)
    sk = GaussianMixture(3, covariance_type="full", random_state=0).fit(X)
    params = (sk.means_, sk.covariances_, sk.weights_)
    assert bic(X, *params) == pytest.approx(sk.bic(X), rel=1e-10)
    assert aic(X, *params) == pytest.approx(sk.aic(X), rel=1e-10)


@pytest.mark.parametrize("seed", range(25))
def test_log_likelihood_never_decreases(seed):
    rng = np.random.default_rng(seed)
    d, k = rng.integers(1, 5), rng.integers(1, 5)
    X, *_ = random_problem(rng, 300, d, k, spread=2.0)
    result = fit_gmm(X, k, init="random", reg_covar=0.0, tol=0, max_iter=40, random_state=seed)
    steps = np.diff(result.log_likelihoods)
    assert np.all(steps >= -1e-9 * np.abs(result.log_likelihoods[1:])), steps.min()


def test_history_is_consistent_with_the_steps(rng):
    X, *_ = random_problem(rng, 250, 2, 3)
    reg = 1e-4
    result = fit_gmm(X, 3, init="kmeans++", reg_covar=reg, random_state=1)
    assert len(result.history) == result.n_iter + 1 == len(result.log_likelihoods)
    assert result.converged
    for t, params in enumerate(result.history):
        assert result.log_likelihoods[t] == pytest.approx(log_likelihood(X, *params), rel=1e-12)
        if t > 0:
            expected = m_step(X, e_step(X, *result.history[t - 1]), reg_covar=reg)
            for got, want in zip(params, expected):
                np.testing.assert_allclose(got, want, rtol=1e-12)
    final = result.history[-1]
    np.testing.assert_array_equal(result.mus, final.mus)
    np.testing.assert_array_equal(result.sigmas, final.sigmas)
    np.testing.assert_array_equal(result.pis, final.pis)
    np.testing.assert_allclose(result.responsibilities, e_step(X, *final), rtol=1e-12)
    np.testing.assert_array_equal(result.labels, result.responsibilities.argmax(axis=1))


def test_convergence_uses_mean_per_sample_change(rng):
    X, *_ = random_problem(rng, 400, 2, 3)
    tol = 1e-3
    result = fit_gmm(X, 3, tol=tol, random_state=0)
    changes = np.abs(np.diff(result.log_likelihoods)) / len(X)
    assert result.converged
    assert changes[-1] < tol
    assert np.all(changes[:-1] >= tol)


def test_seed_problem_from_known_start_recovers_the_blobs():
    (X, y), start_mus = make_ds(SEED_CENTERS)
    start = (start_mus, np.array([np.eye(2)] * 4), np.full((4, 1), 0.25, dtype=np.float32))
    result = fit_gmm(X, init=start)
    assert result.converged
    assert np.abs(result.mus - SEED_CENTERS).max() < 0.8
    # The soft assignments agree with the true labels for almost every point.
    assert np.mean(result.labels == y) > 0.9


def test_verbose_prints_progress_in_the_seeds_words(capsys):
    (X, _), start_mus = make_ds(SEED_CENTERS)
    fit_gmm(X, init=(start_mus, np.array([np.eye(2)] * 4), np.full(4, 0.25)), verbose=True)
    out = capsys.readouterr().out
    assert "Data Log-Likelihood at iteration: 5 = " in out
    assert "Converged to within 0.0001 after: " in out


def test_not_converging_warns_unless_tol_is_zero(rng):
    X, *_ = random_problem(rng, 200, 2, 3)
    with pytest.warns(ConvergenceWarning, match="did not converge .* max_iter=2"):
        result = fit_gmm(X, 3, max_iter=2, random_state=0)
    assert not result.converged and result.n_iter == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_gmm(X, 3, max_iter=2, tol=0, random_state=0)


# --------------------------------------------------------------------------
# Numerical stability: finite inputs give finite outputs
# --------------------------------------------------------------------------


def test_far_point_gives_finite_log_likelihood_and_responsibilities():
    (X, _), start_mus = make_ds(SEED_CENTERS)
    X_far = np.vstack([X, [60.0, 60.0]])
    params = (start_mus, np.array([np.eye(2)] * 4), np.full(4, 0.25))
    # Probability space gives exactly 0 for the far point: the seed's -inf.
    assert np.all(gaussian_pdf(X_far, *params)[-1] == 0.0)
    ll = log_likelihood(X_far, *params)
    oracle = logsumexp(oracle_log_prob(X_far, *params), axis=1).sum()
    assert np.isfinite(ll) and ll == pytest.approx(oracle, rel=1e-12)
    responsibilities = e_step(X_far, *params)
    assert np.all(np.isfinite(responsibilities))
    np.testing.assert_allclose(responsibilities.sum(axis=1), 1.0)
    # The far point belongs to the component whose mean is nearest to it.
    nearest = np.argmin(((start_mus - [60, 60]) ** 2).sum(axis=1))
    assert responsibilities[-1].argmax() == nearest


def test_far_point_fit_stays_finite():
    """FACTS.md: with the seed's code one component collapses onto (60, 60) and inv() fails."""
    (X, _), start_mus = make_ds(SEED_CENTERS)
    X_far = np.vstack([X, [60.0, 60.0]])
    result = fit_gmm(X_far, init=(start_mus, np.array([np.cov(X.T)] * 4), np.full(4, 0.25)))
    assert np.all(np.isfinite(result.log_likelihoods))
    assert np.all(np.isfinite(result.responsibilities))


@pytest.mark.parametrize("n_features", [30, 60])
def test_high_dimension_tight_clusters_stay_finite(n_features):
    rng = np.random.default_rng(n_features)
    mus = 3 * rng.standard_normal((4, n_features))
    labels = rng.integers(4, size=400)
    X = mus[labels] + 0.05 * rng.standard_normal((400, n_features))
    log_prob = log_gaussian_pdf(X, mus, np.array([np.eye(n_features)] * 4), np.full(4, 0.25))
    assert np.all(np.isfinite(log_prob))
    result = fit_gmm(X, 4, init="kmeans", random_state=0)
    assert np.all(np.isfinite(result.log_likelihoods))
    assert np.all(np.isfinite(result.responsibilities))
    assert np.all(np.diff(result.log_likelihoods) > -1e-6 * np.abs(result.log_likelihoods[1:]))


def test_collapse_raises_a_teachers_error():
    rng = np.random.default_rng(0)
    blob = rng.standard_normal((50, 2))
    X = np.vstack([blob, np.repeat([[100.0, 100.0]], 3, axis=0)])
    start = ([[0.0, 0.0], [100.0, 100.0]], [np.eye(2), 1e-4 * np.eye(2)], [0.5, 0.5])
    with pytest.raises(ComponentCollapseError, match=r"component 1 collapsed.* only 3 data points,") as info:
        fit_gmm(X, init=start, reg_covar=0.0)
    message = str(info.value)
    for advice in ("more data", "fewer components", "reg_covar", "scale the features"):
        assert advice in message
    assert isinstance(info.value, ValueError)
    # The same problem fits once reg_covar keeps the covariance positive definite.
    assert fit_gmm(X, init=start, reg_covar=1e-3).converged


# --------------------------------------------------------------------------
# Initialisation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["kmeans++", "kmeans", "random"])
def test_initialize_returns_valid_parameters(method, rng):
    X, *_ = random_problem(rng, 120, 3, 4)
    mus, sigmas, pis = initialize(X, 4, method=method, random_state=3)
    assert mus.shape == (4, 3) and sigmas.shape == (4, 3, 3) and pis.shape == (4,)
    assert np.all(np.linalg.eigvalsh(sigmas) > 0)
    assert pis.sum() == pytest.approx(1.0)
    again = initialize(X, 4, method=method, random_state=3)
    np.testing.assert_array_equal(mus, again.mus)
    if method != "kmeans":
        # Means are distinct data points.
        assert all(any(np.array_equal(m, x) for x in X) for m in mus)
        assert len(np.unique(mus, axis=0)) == 4


def test_kmeans_plusplus_spreads_over_well_separated_blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [1000, 0], [0, 1000], [1000, 1000]])
    X = np.repeat(centers, 50, axis=0) + rng.standard_normal((200, 2))
    for seed in range(20):
        mus = initialize(X, 4, method="kmeans++", random_state=seed).mus
        nearest = np.argmin(((mus[:, None] - centers[None]) ** 2).sum(axis=2), axis=1)
        assert sorted(nearest) == [0, 1, 2, 3]


def test_kmeans_init_matches_sklearn_kmeans(rng):
    X, *_ = random_problem(rng, 300, 2, 3, spread=8.0)
    mus, sigmas, pis = initialize(X, 3, method="kmeans", random_state=0)
    km = KMeans(3, n_init=10, random_state=0).fit(X)
    order = [np.argmin(((km.cluster_centers_ - m) ** 2).sum(axis=1)) for m in mus]
    np.testing.assert_allclose(mus, km.cluster_centers_[order], rtol=1e-8)
    for k, j in enumerate(order):
        cluster_cov = np.cov(X[km.labels_ == j], rowvar=False, bias=True)
        np.testing.assert_allclose(sigmas[k], cluster_cov + 1e-6 * np.eye(2), rtol=1e-8)
    np.testing.assert_allclose(pis, 1 / 3)


@pytest.mark.parametrize("method", ["kmeans++", "random"])
def test_seeded_inits_take_the_covariance_of_the_nearest_points(method, rng):
    X, *_ = random_problem(rng, 200, 3, 3)
    mus, sigmas, _ = initialize(X, 3, method=method, random_state=5)
    nearest = np.array([np.argmin([np.sum((x - m) ** 2) for m in mus]) for x in X])
    for k in range(3):
        expected = np.cov(X[nearest == k], rowvar=False, bias=True) + 1e-6 * np.eye(3)
        np.testing.assert_allclose(sigmas[k], expected, rtol=1e-8, atol=1e-12)


def test_default_init_finds_the_seed_blobs_from_most_starts():
    """Whole-data covariances (the seed's start) merge the two middle blobs from most starts."""
    (X, _), _ = make_ds(SEED_CENTERS)
    finals = np.array([fit_gmm(X, 4, random_state=s).log_likelihoods[-1] for s in range(20)])
    # Runs stop once the mean log-likelihood moves by < tol = 1e-4, i.e. 0.01 in total here.
    assert np.sum(finals > finals.max() - 0.05) >= 5


@pytest.mark.parametrize("method", ["kmeans++", "kmeans", "random"])
def test_initialize_handles_duplicate_points(method):
    """Two distinct points, three components: one k-means cluster must stay empty."""
    X = np.repeat([[1.0, 2.0], [3.0, 4.0]], 5, axis=0)
    mus, sigmas, pis = initialize(X, 3, method=method, random_state=0)
    # No component is left at the origin (0 / N_k) with an empty covariance.
    assert all(any(np.allclose(m, x) for x in X) for m in mus)
    assert np.all(np.linalg.eigvalsh(sigmas) > 0) and np.all(np.isfinite(pis))
    data_sigma = np.cov(X, rowvar=False, bias=True) + 1e-6 * np.eye(2)
    assert any(np.allclose(sigma, data_sigma) for sigma in sigmas)


# --------------------------------------------------------------------------
# Bad input: a ValueError or TypeError that names the argument
# --------------------------------------------------------------------------

GOOD = dict(
    X=np.zeros((5, 2)) + np.arange(5)[:, None],
    mus=np.zeros((3, 2)),
    sigmas=np.array([np.eye(2)] * 3),
    pis=np.full(3, 1 / 3),
)


def with_(**changes):
    return {**GOOD, **changes}


BAD_PARAMS = [
    (with_(X=np.zeros(5)), ValueError, r"X must be 2-D of shape \(n_samples, n_features\), got an array of shape \(5,\)"),
    (with_(X=np.zeros((0, 2))), ValueError, "X must not be empty"),
    (with_(X=np.array([[0.0, np.nan]] * 5)), ValueError, "X contains 5 NaN or infinite"),
    (with_(X=np.array([[0.0, np.inf]] * 5)), ValueError, "X contains 5 NaN or infinite"),
    (with_(X=[["a", "b"]]), TypeError, "X must be a numeric array"),
    (with_(X=np.zeros((5, 2)) * 1j), TypeError, "X must be real-valued"),
    (with_(X=None), TypeError, "X must be an array of shape"),
    (with_(mus=np.zeros((3, 3))), ValueError, r"mus must have shape .* = \(3, 2\) .* got \(3, 3\)"),
    (with_(mus=np.zeros((2, 3))), ValueError, r"mus must have shape .* = \(2, 2\) .* got \(2, 3\) \(is it transposed\?"),
    (with_(sigmas=np.array([np.eye(2)] * 2)), ValueError, r"sigmas must have shape .* = \(3, 2, 2\), got \(2, 2, 2\)"),
    (with_(sigmas=np.eye(2)), ValueError, r"sigmas must be 3-D"),
    (with_(sigmas=np.array([[[1.0, 0.5], [0.0, 1.0]]] * 3)), ValueError, r"sigmas\[0\] must be symmetric"),
    (with_(sigmas=np.array([np.eye(2), -np.eye(2), np.eye(2)])), ValueError, r"sigmas\[1\] must be positive definite"),
    (with_(sigmas=np.array([np.eye(2), np.eye(2), np.zeros((2, 2))])), ValueError, r"sigmas\[2\] must be positive definite"),
    (with_(pis=[0.5, 0.5]), ValueError, r"pis must have 3 entries .* got 2"),
    (with_(pis=[1.5, -0.5, 0.0]), ValueError, "pis must be non-negative"),
    (with_(pis=[0.5, 0.5, 0.5]), ValueError, r"pis must sum to 1, got sum\(pis\) = 1.5"),
    (with_(pis=[np.nan, 0.5, 0.5]), ValueError, "pis contains 1 NaN"),
]


@pytest.mark.parametrize("fn", [log_gaussian_pdf, gaussian_pdf, log_likelihood, e_step, bic, aic])
@pytest.mark.parametrize("kwargs, error, match", BAD_PARAMS)
def test_bad_parameters_are_rejected_by_name(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(responsibilities=np.full((4, 3), 1 / 3)), ValueError, r"responsibilities must have shape .* n_samples = 5 rows like X, got \(4, 3\)"),
        (dict(responsibilities=np.full((3, 5), 1 / 5).T.T), ValueError, r"got \(3, 5\)"),
        (dict(responsibilities=np.full((5, 3), 0.5)), ValueError, r"row 0 sums to 1.5"),
        (dict(responsibilities=np.full((5, 2), [1.5, -0.5])), ValueError, "must be non-negative"),
        (dict(responsibilities=np.full(5, 1.0)), ValueError, r"responsibilities must be 2-D"),
        (dict(responsibilities=np.full((5, 2), 0.5), reg_covar=-1.0), ValueError, r"reg_covar must be finite and >= 0, got -1.0"),
        (dict(responsibilities=np.full((5, 2), 0.5), reg_covar="big"), TypeError, r"reg_covar must be a real number"),
    ],
)
def test_m_step_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        m_step(GOOD["X"], **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_components=0), ValueError, r"n_components must be between 1 and n_samples = 5, got 0"),
        (dict(n_components=6), ValueError, r"n_components must be between 1 and n_samples = 5, got 6"),
        (dict(n_components=2.5), TypeError, r"n_components must be an int, got 2.5"),
        (dict(n_components=2, method="best"), ValueError, r"method must be one of .*kmeans.*got 'best'"),
    ],
)
def test_initialize_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        initialize(GOOD["X"], **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(), ValueError, r"n_components is required when init is a method name \('kmeans\+\+'\)"),
        (dict(n_components=9), ValueError, r"n_components must be between 1 and n_samples = 5, got 9"),
        (dict(n_components=2, init="magic"), ValueError, r"init must be one of .* got 'magic'"),
        (dict(init=np.zeros((3, 2))), TypeError, r"init must be a method name .* or a \(mus, sigmas, pis\) tuple, got ndarray"),
        (dict(init=(GOOD["mus"], GOOD["sigmas"], [0.2, 0.2, 0.2])), ValueError, r"pis must sum to 1"),
        (dict(n_components=2, init=(GOOD["mus"], GOOD["sigmas"], GOOD["pis"])), ValueError, r"n_components = 2 disagrees with init, which has 3"),
        (dict(n_components=2, tol=-1), ValueError, r"tol must be finite and >= 0, got -1"),
        (dict(n_components=2, tol=np.nan), ValueError, r"tol must be finite and >= 0"),
        (dict(n_components=2, max_iter=0), ValueError, r"max_iter must be an int >= 1, got 0"),
        (dict(n_components=2, max_iter=2.0), ValueError, r"max_iter must be an int >= 1, got 2.0"),
        (dict(n_components=2, reg_covar=-1e-6), ValueError, r"reg_covar must be finite and >= 0"),
    ],
)
def test_fit_gmm_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        fit_gmm(GOOD["X"], **kwargs)


def test_every_public_name_is_reexported():
    from gmm_teach import data, em

    for module in (em, data):
        for name in module.__all__:
            assert getattr(gmm_teach, name) is getattr(module, name)
            assert name in gmm_teach.__all__
