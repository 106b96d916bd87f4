"""gmm_teach.loops (EM with plain loops) against independent oracles.

scipy.stats.multivariate_normal for the densities, np.average / np.cov with
weights for the M-step, scikit-learn's GaussianMixture from the same start,
and gmm_teach.fit_gmm (a second, vectorised implementation of the same formulas).
"""

import warnings

import numpy as np
import pytest
from numpy.linalg import LinAlgError
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.mixture import GaussianMixture

from gmm_teach import fit_gmm
from gmm_teach.loops import fit_loop, loop_e_step, loop_em_iteration, loop_m_step
from problems import random_problem

# (n_samples, n_features, n_components): small, because the loops are slow.
SHAPES = [(1, 1, 1), (7, 1, 3), (30, 2, 4), (50, 3, 2), (40, 5, 3)]
SEEDS = range(3)
PROBLEMS = [(shape, seed) for shape in SHAPES for seed in SEEDS]


def make_problem(shape, seed):
    return random_problem(np.random.default_rng([seed, *shape]), *shape)


def scipy_log_prob(X, mus, sigmas, pis):
    """log pi_k + log N(x_i | mu_k, sigma_k), from scipy.stats: shape (n_samples, K)."""
    return np.column_stack(
        [np.log(pi) + multivariate_normal(mu, sigma).logpdf(X) for mu, sigma, pi in zip(mus, sigmas, pis)]
    ).reshape(len(X), len(mus))


def sklearn_fit(X, start, n_iter, reg_covar=1e-6):
    mus, sigmas, pis = start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        return GaussianMixture(
            n_components=len(mus),
            covariance_type="full",
            tol=0,
            max_iter=n_iter,
            reg_covar=reg_covar,
            means_init=mus,
            weights_init=pis,
            precisions_init=np.linalg.inv(sigmas),
        ).fit(X)


# --------------------------------------------------------------------------
# Against oracles
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "seed"), PROBLEMS)
def test_e_step_matches_scipy_densities(shape, seed):
    X, mus, sigmas, pis = make_problem(shape, seed)
    log_prob = scipy_log_prob(X, mus, sigmas, pis)
    log_norm = logsumexp(log_prob, axis=1)

    responsibilities, log_likelihood = loop_e_step(X, mus, sigmas, pis)

    assert responsibilities.shape == (shape[0], shape[2])
    np.testing.assert_allclose(responsibilities, np.exp(log_prob - log_norm[:, None]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(responsibilities.sum(axis=1), 1.0, rtol=1e-12)
    assert isinstance(log_likelihood, float)
    assert log_likelihood == pytest.approx(log_norm.sum(), rel=1e-10)


@pytest.mark.parametrize(("shape", "seed"), PROBLEMS)
def test_m_step_matches_weighted_averages(shape, seed):
    X, _, _, _ = make_problem(shape, seed)
    n_samples, n_features, n_components = shape
    responsibilities = np.random.default_rng(seed).dirichlet(np.ones(n_components), size=n_samples)

    mus, sigmas, pis = loop_m_step(X, responsibilities, reg_covar=1e-3)

    for k in range(n_components):
        weights = responsibilities[:, k]
        mu = np.average(X, axis=0, weights=weights)
        np.testing.assert_allclose(mus[k], mu, rtol=1e-9, atol=1e-12)
        # np.cov with aweights and bias=True is the weighted covariance about the weighted mean.
        sigma = np.atleast_2d(np.cov(X.T, aweights=weights, bias=True)) + 1e-3 * np.eye(n_features)
        np.testing.assert_allclose(sigmas[k], sigma, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(pis, responsibilities.mean(axis=0), rtol=1e-9)


@pytest.mark.parametrize(("shape", "seed"), PROBLEMS)
def test_one_iteration_matches_fit_gmm(shape, seed):
    X, mus, sigmas, pis = make_problem(shape, seed)

    (new_mus, new_sigmas, new_pis), log_likelihood = loop_em_iteration(X, mus, sigmas, pis)

    reference = fit_gmm(X, init=(mus, sigmas, pis), tol=0, max_iter=1)
    np.testing.assert_allclose(new_mus, reference.mus, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(new_sigmas, reference.sigmas, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(new_pis, reference.pis, rtol=1e-8, atol=1e-12)
    assert log_likelihood == pytest.approx(reference.log_likelihoods[0], rel=1e-10)


@pytest.mark.parametrize("n_iter", [1, 3])
@pytest.mark.parametrize(("shape", "seed"), [((30, 2, 4), 0), ((50, 3, 2), 1), ((40, 5, 3), 2)])
def test_fit_loop_matches_sklearn_from_the_same_start(shape, seed, n_iter):
    X, mus, sigmas, pis = make_problem(shape, seed)

    loop_mus, loop_sigmas, loop_pis = fit_loop(X, (mus, sigmas, pis), n_iter)

    model = sklearn_fit(X, (mus, sigmas, pis), n_iter)
    np.testing.assert_allclose(loop_mus, model.means_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(loop_sigmas, model.covariances_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(loop_pis, model.weights_, rtol=1e-6, atol=1e-8)


def test_loop_log_likelihood_never_decreases():
    X, mus, sigmas, pis = make_problem((60, 2, 3), 5)
    params, previous = (mus, sigmas, pis), -np.inf
    for _ in range(10):
        params, log_likelihood = loop_em_iteration(X, *params)
        assert log_likelihood >= previous - 1e-9
        previous = log_likelihood


def test_e_step_is_finite_where_densities_underflow():
    # 60 dimensions, a point 60 units away: every density is below 1e-308,
    # the log-space loop still gives responsibilities that sum to one.
    rng = np.random.default_rng(3)
    n_features = 60
    mus = np.stack([np.zeros(n_features), np.full(n_features, 1.0)])
    sigmas = np.stack([0.01 * np.eye(n_features)] * 2)
    X = np.vstack([rng.normal(size=(5, n_features)), np.full((1, n_features), 60.0)])
    responsibilities, log_likelihood = loop_e_step(X, mus, sigmas, [0.5, 0.5])
    assert np.all(np.isfinite(responsibilities))
    np.testing.assert_allclose(responsibilities.sum(axis=1), 1.0)
    assert np.isfinite(log_likelihood)


def test_a_weight_of_zero_gets_no_responsibility():
    X, mus, sigmas, _ = make_problem((20, 2, 2), 0)
    responsibilities, log_likelihood = loop_e_step(X, mus, sigmas, [1.0, 0.0])
    np.testing.assert_array_equal(responsibilities[:, 1], 0.0)
    assert log_likelihood == pytest.approx(multivariate_normal(mus[0], sigmas[0]).logpdf(X).sum())


def test_inputs_are_not_modified():
    X, mus, sigmas, pis = make_problem((20, 2, 2), 1)
    copies = [a.copy() for a in (X, mus, sigmas, pis)]
    fit_loop(X, (mus, sigmas, pis), 2)
    for before, after in zip(copies, (X, mus, sigmas, pis)):
        np.testing.assert_array_equal(before, after)


# --------------------------------------------------------------------------
# Bad input: clear errors that name the argument
# --------------------------------------------------------------------------


@pytest.fixture
def problem():
    return make_problem((10, 2, 2), 0)


@pytest.mark.parametrize(
    ("change", "exception", "match"),
    [
        (lambda X, m, s, p: (X.T, m, s, p), ValueError, "mus must have shape"),
        (lambda X, m, s, p: (X[0], m, s, p), ValueError, "X must be 2-D"),
        (lambda X, m, s, p: (None, m, s, p), TypeError, "X must be an array"),
        (lambda X, m, s, p: (np.where(X > 0, np.nan, X), m, s, p), ValueError, "X contains"),
        (lambda X, m, s, p: (X, m.T[:, :1], s, p), ValueError, "mus must have shape"),
        (lambda X, m, s, p: (X, m, s[:, :1], p), ValueError, "sigmas must have shape"),
        (lambda X, m, s, p: (X, m, -s, p), ValueError, r"sigmas\[0\] must be positive definite"),
        (lambda X, m, s, p: (X, m, s, p * 2), ValueError, "pis must sum to 1"),
        (lambda X, m, s, p: (X, m, s, p[:1]), ValueError, "pis must have 2 entries"),
        (lambda X, m, s, p: (X, m, s, "ab"), TypeError, "pis must be a numeric array"),
    ],
)
def test_e_step_rejects_bad_input(problem, change, exception, match):
    with pytest.raises(exception, match=match) as info:
        loop_e_step(*change(*problem))
    assert not isinstance(info.value, LinAlgError)


@pytest.mark.parametrize(
    ("responsibilities", "kwargs", "exception", "match"),
    [
        (np.full((10, 2), 0.3), {}, ValueError, "must sum to 1"),
        (np.full((9, 2), 0.5), {}, ValueError, "n_samples = 10 rows"),
        (np.full((10, 2), 0.5), {"reg_covar": -1.0}, ValueError, "reg_covar must be finite and >= 0"),
        (np.full((10, 2), 0.5), {"reg_covar": "small"}, TypeError, "reg_covar must be a real number"),
        (None, {}, TypeError, "responsibilities must be an array"),
    ],
)
def test_m_step_rejects_bad_input(problem, responsibilities, kwargs, exception, match):
    with pytest.raises(exception, match=match):
        loop_m_step(problem[0], responsibilities, **kwargs)


@pytest.mark.parametrize(
    ("start", "n_iter", "exception", "match"),
    [
        ("start", 1, TypeError, r"start must be a tuple \(mus, sigmas, pis\)"),
        (5, 1, TypeError, r"start must be a tuple \(mus, sigmas, pis\)"),
        (None, 0, ValueError, "n_iter must be an int >= 1"),
        (None, 1.5, ValueError, "n_iter must be an int >= 1"),
    ],
)
def test_fit_loop_rejects_bad_input(problem, start, n_iter, exception, match):
    X, mus, sigmas, pis = problem
    with pytest.raises(exception, match=match):
        fit_loop(X, (mus, sigmas, pis) if start is None else start, n_iter)
