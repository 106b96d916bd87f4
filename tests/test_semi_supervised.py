"""Semi-supervised EM (gmm_teach.semi_supervised): its two limits, and a loop oracle in between.

No labels must give exactly ``fit_gmm``'s fit; every point labelled must give
the supervised estimate, computed here with ``np.mean``/``np.cov`` per class;
in between, the trajectory must follow EM written with scipy.stats and loops.
"""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmm_teach import e_step_with_labels, fit_gmm, fit_gmm_semi_supervised, make_ds
from problems import SEED_CENTERS, random_problem

SEEDS = range(25)


def scipy_log_prob(X, mus, sigmas, pis):
    return np.column_stack([
        np.log(pis[k]) + multivariate_normal(mus[k], sigmas[k]).logpdf(X)
        for k in range(len(mus))
    ])


def oracle_e_step(X, mus, sigmas, pis, labels):
    log_prob = scipy_log_prob(X, mus, sigmas, pis)
    out = np.exp(log_prob - logsumexp(log_prob, axis=1, keepdims=True))
    for i, label in enumerate(labels):
        if label >= 0:
            out[i] = 0.0
            out[i, label] = 1.0
    return out


def oracle_objective(X, mus, sigmas, pis, labels):
    log_prob = scipy_log_prob(X, mus, sigmas, pis)
    return sum(log_prob[i, y] if y >= 0 else logsumexp(log_prob[i])
               for i, y in enumerate(labels))


def oracle_m_step(X, responsibilities, reg_covar):
    mus, sigmas = [], []
    for w in responsibilities.T:
        mu = (w[:, None] * X).sum(axis=0) / w.sum()
        sigma = sum(wi * np.outer(x - mu, x - mu) for wi, x in zip(w, X)) / w.sum()
        mus.append(mu)
        sigmas.append(sigma + reg_covar * np.eye(X.shape[1]))
    nk = responsibilities.sum(axis=0)
    return np.array(mus), np.array(sigmas), nk / nk.sum()


def labelled_problem(seed, fraction):
    rng = np.random.default_rng(seed)
    k, d = int(rng.integers(2, 5)), int(rng.integers(1, 4))
    X, mus, sigmas, pis = random_problem(rng, int(rng.integers(40, 90)), d, k)
    truth = scipy_log_prob(X, mus, sigmas, pis).argmax(axis=1)
    labels = np.where(rng.uniform(size=len(X)) < fraction, truth, -1)
    return rng, X, labels, (mus, sigmas, pis)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random"])
def test_no_labels_is_exactly_fit_gmm(seed, init):
    rng, X, _, (mus, _, _) = labelled_problem(seed, 0.0)
    kwargs = dict(init=init, random_state=seed, max_iter=300)
    plain = fit_gmm(X, len(mus), **kwargs)
    semi = fit_gmm_semi_supervised(X, np.full(len(X), -1), len(mus), **kwargs)
    for name in ("mus", "sigmas", "pis", "responsibilities", "log_likelihoods"):
        np.testing.assert_array_equal(getattr(semi, name), getattr(plain, name), err_msg=name)
    assert (semi.n_iter, semi.converged) == (plain.n_iter, plain.converged)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_point_labelled_is_the_supervised_estimate(seed):
    rng = np.random.default_rng(seed)
    k, d = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    X, _, _, _ = random_problem(rng, 25 * k, d, k)
    # Every class gets enough points for a full covariance.
    labels = rng.permutation(np.arange(len(X)) % k)
    reg_covar = float(rng.choice([0.0, 1e-6, 1e-2]))
    result = fit_gmm_semi_supervised(X, labels, k, reg_covar=reg_covar, random_state=seed)
    assert result.converged and result.n_iter == 2
    for c in range(k):
        members = X[labels == c]
        np.testing.assert_allclose(result.mus[c], members.mean(axis=0), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            result.sigmas[c], np.cov(members.T, bias=True).reshape(d, d) + reg_covar * np.eye(d),
            rtol=1e-10, atol=1e-12)
        assert result.pis[c] == pytest.approx(np.mean(labels == c), rel=1e-12)
    np.testing.assert_array_equal(result.labels, labels)


@pytest.mark.parametrize("seed", SEEDS)
def test_partly_labelled_fit_follows_the_oracle_and_never_goes_down(seed):
    rng, X, labels, (mus, sigmas, pis) = labelled_problem(seed, 0.3)
    start = (mus + 0.3 * rng.standard_normal(mus.shape), sigmas, pis)
    result = fit_gmm_semi_supervised(X, labels, init=start, tol=0, max_iter=5, reg_covar=1e-6)
    params = tuple(np.array(a) for a in start)
    for t in range(6):
        np.testing.assert_allclose(result.history[t].mus, params[0], rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(result.history[t].sigmas, params[1], rtol=1e-7, atol=1e-9)
        assert result.log_likelihoods[t] == pytest.approx(
            oracle_objective(X, *params, labels), rel=1e-9)
        params = oracle_m_step(X, oracle_e_step(X, *params, labels), 1e-6)
    assert np.all(np.diff(result.log_likelihoods) >= -1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_e_step_with_labels_matches_the_oracle(seed):
    _, X, labels, params = labelled_problem(seed, 0.5)
    np.testing.assert_allclose(e_step_with_labels(X, *params, labels),
                               oracle_e_step(X, *params, labels), rtol=1e-9, atol=1e-12)


def test_labels_on_the_blobs_fix_which_component_is_which():
    (X, y), _ = make_ds(SEED_CENTERS)
    labels = np.full(len(X), -1)
    for c in range(4):
        labels[np.flatnonzero(y == c)[:2]] = c
    result = fit_gmm_semi_supervised(X, labels, 4, random_state=0)
    # Component k ends on blob k: the labels name the components.
    nearest = np.linalg.norm(result.mus[:, None] - SEED_CENTERS[None], axis=2).argmin(axis=1)
    np.testing.assert_array_equal(nearest, np.arange(4))
    assert np.mean(result.labels == y) > 0.9


@pytest.mark.parametrize(
    "labels, error, match",
    [
        (None, TypeError, r"labels must be an array of integers"),
        (np.array(["a"] * 20), TypeError, r"labels must be integers .* dtype <U1"),
        (np.zeros(19, int), ValueError, r"labels must have shape \(n_samples,\) = \(20,\)"),
        (np.zeros((20, 1), int), ValueError, r"labels must have shape \(n_samples,\)"),
        (np.full(20, 0.5), ValueError, r"labels must be whole numbers"),
        (np.full(20, np.nan), ValueError, r"labels must be whole numbers"),
        (np.full(20, -2), ValueError, r"labels must be -1 or a component index.*, got -2"),
        (np.full(20, 3), ValueError, r"labels must be -1 or a component index 0 to 2, got 3"),
    ],
)
def test_bad_labels_are_a_clear_error(labels, error, match):
    rng = np.random.default_rng(0)
    X, mus, sigmas, pis = random_problem(rng, 20, 2, 3)
    with pytest.raises(error, match=match):
        fit_gmm_semi_supervised(X, labels, 3, random_state=0)
    if labels is not None:
        with pytest.raises(error, match=match):
            e_step_with_labels(X, mus, sigmas, pis, labels)


def test_whole_float_labels_are_accepted():
    rng = np.random.default_rng(1)
    X, mus, sigmas, pis = random_problem(rng, 20, 2, 3)
    labels = np.where(np.arange(20) < 5, np.arange(20) % 3, -1)
    np.testing.assert_array_equal(e_step_with_labels(X, mus, sigmas, pis, labels.astype(float)),
                                  e_step_with_labels(X, mus, sigmas, pis, labels))


def test_start_weights_that_sum_to_one_only_within_tolerance_are_normalised():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 2))
    start = (X.mean(axis=0, keepdims=True), np.cov(X.T, bias=True)[None], np.array([1 + 4e-6]))
    result = fit_gmm(X, init=start, tol=0, max_iter=2, reg_covar=0.0)
    assert result.history[0].pis[0] == 1.0
    assert np.all(np.diff(result.log_likelihoods) >= -1e-9)


def test_a_labelled_point_beyond_float64_from_its_own_component_is_named_so():
    # Component 0 is a spike at 0; the point labelled 0 sits 1e155 of its
    # standard deviations away: a squared distance beyond float64.
    X = np.r_[np.random.default_rng(4).standard_normal((30, 1)), [[1e5]]]
    labels = np.full(len(X), -1)
    labels[-1] = 0
    start = (np.array([[0.0], [1e5]]), np.array([[[1e-300]], [[1.0]]]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match=r"sample 30 is so far from its own component 0 \(its label\)"):
        fit_gmm_semi_supervised(X, labels, init=start, reg_covar=0.0)
