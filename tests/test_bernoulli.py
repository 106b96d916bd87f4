"""The mixture of Bernoullis (gmm_teach.bernoulli) against a plain-loop oracle.

The oracle multiplies the probabilities of each pixel one at a time, in
Python, with ``math.log`` and no numpy vector operation: written from the
formulas, not from the code under test.
"""

import math

import numpy as np
import pytest

from gmm_teach import (
    BernoulliEMResult,
    BernoulliParams,
    ConvergenceWarning,
    bernoulli_e_step,
    bernoulli_log_likelihood,
    bernoulli_m_step,
    fit_bernoulli_mixture,
    load_binary_digits,
    log_bernoulli_pdf,
)

SEEDS = range(40)


def random_problem(rng, n_samples=None, n_features=None, n_components=None):
    """Binary data drawn from a random mixture of Bernoullis, and its parameters."""
    n = n_samples or int(rng.integers(5, 40))
    d = n_features or int(rng.integers(1, 12))
    k = n_components or int(rng.integers(1, 5))
    mus = rng.uniform(0.02, 0.98, size=(k, d))
    pis = rng.dirichlet(np.full(k, 3.0))
    z = rng.choice(k, size=n, p=pis)
    X = (rng.uniform(size=(n, d)) < mus[z]).astype(float)
    return X, mus, pis


def loop_log_prob(X, mus, pis):
    out = np.empty((len(X), len(mus)))
    for i, x in enumerate(X):
        for k, mu in enumerate(mus):
            total = math.log(pis[k]) if pis[k] > 0 else -math.inf
            for xd, m in zip(x, mu):
                p = m if xd == 1 else 1.0 - m
                total += math.log(p) if p > 0 else -math.inf
            out[i, k] = total
    return out


def loop_e_step(X, mus, pis):
    log_prob = loop_log_prob(X, mus, pis)
    out = np.empty_like(log_prob)
    for i, row in enumerate(log_prob):
        top = max(row)
        weights = [math.exp(a - top) for a in row]
        out[i] = [w / sum(weights) for w in weights]
    return out


def loop_log_likelihood(X, mus, pis):
    total = 0.0
    for row in loop_log_prob(X, mus, pis):
        top = max(row)
        total += top + math.log(sum(math.exp(a - top) for a in row))
    return total


def loop_m_step(X, responsibilities, min_prob):
    n, d = X.shape
    k = responsibilities.shape[1]
    mus, pis = np.empty((k, d)), np.empty(k)
    for j in range(k):
        nk = sum(responsibilities[i, j] for i in range(n))
        pis[j] = nk / n
        for f in range(d):
            mean = sum(responsibilities[i, j] * X[i, f] for i in range(n)) / nk
            mus[j, f] = min(max(mean, min_prob), 1 - min_prob)
    return mus, pis


@pytest.mark.parametrize("seed", SEEDS)
def test_log_pdf_e_step_and_log_likelihood_match_loops(seed):
    rng = np.random.default_rng(seed)
    X, mus, pis = random_problem(rng)
    np.testing.assert_allclose(log_bernoulli_pdf(X, mus, pis), loop_log_prob(X, mus, pis),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bernoulli_e_step(X, mus, pis), loop_e_step(X, mus, pis),
                               rtol=1e-10, atol=1e-14)
    assert bernoulli_log_likelihood(X, mus, pis) == pytest.approx(
        loop_log_likelihood(X, mus, pis), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_m_step_matches_loops(seed):
    rng = np.random.default_rng(seed)
    X, mus, pis = random_problem(rng)
    responsibilities = rng.dirichlet(np.ones(len(pis)), size=len(X))
    min_prob = float(rng.choice([0.0, 1e-3, 0.05]))
    got = bernoulli_m_step(X, responsibilities, min_prob=min_prob)
    want_mus, want_pis = loop_m_step(X, responsibilities, min_prob)
    assert isinstance(got, BernoulliParams)
    np.testing.assert_allclose(got.mus, want_mus, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got.pis, want_pis, rtol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_the_m_step_maximises_q_on_the_box(seed):
    # Q's Bernoulli part, written out; no perturbation inside [m, 1 - m] beats the M-step.
    rng = np.random.default_rng(seed)
    X, _, _ = random_problem(rng, n_samples=30)
    responsibilities = rng.dirichlet(np.ones(3), size=len(X))
    min_prob = float(rng.choice([1e-3, 0.05, 0.2]))
    mus, _ = bernoulli_m_step(X, responsibilities, min_prob=min_prob)

    def q(m):
        return np.sum(responsibilities * (X @ np.log(m).T + (1 - X) @ np.log1p(-m).T))

    for _ in range(50):
        other = np.clip(mus + rng.normal(0, 0.1, mus.shape), min_prob, 1 - min_prob)
        assert q(other) <= q(mus) + 1e-12 * abs(q(mus))


def test_the_floor_clips_both_ends():
    X = np.array([[0, 1], [0, 1], [1, 0.0]])
    responsibilities = np.array([[1, 0], [1, 0], [0, 1.0]])
    mus, pis = bernoulli_m_step(X, responsibilities, min_prob=0.01)
    np.testing.assert_array_equal(mus, [[0.01, 0.99], [0.99, 0.01]])
    np.testing.assert_allclose(pis, [2 / 3, 1 / 3])


def loop_em(X, mus, pis, n_iter, min_prob):
    log_likelihoods = [loop_log_likelihood(X, mus, pis)]
    for _ in range(n_iter):
        mus, pis = loop_m_step(X, loop_e_step(X, mus, pis), min_prob)
        log_likelihoods.append(loop_log_likelihood(X, mus, pis))
    return mus, pis, log_likelihoods


@pytest.mark.parametrize("seed", range(15))
def test_fit_follows_the_loop_oracle_from_the_same_start(seed):
    rng = np.random.default_rng(seed)
    X, _, _ = random_problem(rng, n_samples=30)
    k = int(rng.integers(1, 4))
    start = (rng.uniform(0.1, 0.9, size=(k, X.shape[1])), np.full(k, 1 / k))
    result = fit_bernoulli_mixture(X, init=start, tol=0, max_iter=6, min_prob=1e-3)
    mus, pis, log_likelihoods = loop_em(X, *start, 6, 1e-3)
    assert isinstance(result, BernoulliEMResult) and result.n_iter == 6
    np.testing.assert_allclose(result.mus, mus, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.pis, pis, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.log_likelihoods, log_likelihoods, rtol=1e-11)
    np.testing.assert_array_equal(result.history[0].mus, start[0])


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("min_prob", [0.0, 1e-3, 0.1])
def test_em_never_lowers_the_log_likelihood(seed, min_prob):
    rng = np.random.default_rng(seed)
    X, _, _ = random_problem(rng, n_samples=int(rng.integers(20, 80)),
                             n_features=int(rng.integers(2, 30)))
    result = fit_bernoulli_mixture(X, int(rng.integers(1, 6)), tol=0, max_iter=40,
                                   min_prob=min_prob, random_state=seed)
    steps = np.diff(result.log_likelihoods)
    assert np.all(steps >= -1e-9 * np.abs(result.log_likelihoods[1:])), steps.min()
    # Each entry is the log-likelihood of the stored parameters.
    for t in (0, 1, result.n_iter):
        params = result.history[t]
        assert result.log_likelihoods[t] == pytest.approx(
            bernoulli_log_likelihood(X, params.mus, params.pis), rel=1e-12)
    assert np.all((result.mus >= min_prob) & (result.mus <= 1 - min_prob))


def test_digits_fit_converges_and_the_result_is_consistent():
    X, y = load_binary_digits()
    result = fit_bernoulli_mixture(X, 10, random_state=0)
    assert result.converged and result.n_iter == len(result.history) - 1
    np.testing.assert_allclose(result.responsibilities,
                               bernoulli_e_step(X, result.mus, result.pis))
    np.testing.assert_array_equal(result.labels, result.responsibilities.argmax(axis=1))
    assert np.all(np.diff(result.log_likelihoods) >= 0)


def test_a_pixel_never_on_in_a_component_gets_the_floor_not_zero():
    # Component 0 is the only one; pixel 1 is 0 in every sample: without the
    # floor a new point with that pixel on would be impossible.
    X = np.array([[1, 0], [0, 0], [1, 0.0]])
    result = fit_bernoulli_mixture(X, 1, min_prob=1e-3, random_state=0)
    assert result.mus[0, 1] == 1e-3
    assert np.isfinite(bernoulli_log_likelihood([[1, 1]], result.mus, result.pis))


def test_random_start_is_reproducible_and_depends_on_the_seed():
    X, _ = load_binary_digits()
    X = X[:200]
    a = fit_bernoulli_mixture(X, 3, random_state=1, max_iter=3, tol=0)
    b = fit_bernoulli_mixture(X, 3, random_state=1, max_iter=3, tol=0)
    c = fit_bernoulli_mixture(X, 3, random_state=2, max_iter=3, tol=0)
    np.testing.assert_array_equal(a.mus, b.mus)
    assert not np.array_equal(a.mus, c.mus)
    gen = fit_bernoulli_mixture(X, 3, random_state=np.random.default_rng(1), max_iter=3, tol=0)
    np.testing.assert_array_equal(gen.mus, a.mus)


def test_mus_of_exactly_zero_and_one_are_exact_not_nan():
    X = np.array([[1, 0], [0, 1.0]])
    mus = np.array([[1.0, 0.0], [0.5, 0.5]])
    log_prob = log_bernoulli_pdf(X, mus, [0.5, 0.5])
    assert log_prob[0, 0] == pytest.approx(math.log(0.5))
    assert log_prob[1, 0] == -np.inf
    np.testing.assert_allclose(bernoulli_e_step(X, mus, [0.5, 0.5])[1], [0, 1])


def test_many_features_do_not_underflow():
    rng = np.random.default_rng(0)
    X = (rng.uniform(size=(5, 3000)) < 0.5).astype(float)
    mus = np.full((2, 3000), 0.5)
    mus[1, :10] = 0.4
    responsibilities = bernoulli_e_step(X, mus, [0.5, 0.5])
    assert np.all(np.isfinite(responsibilities))
    np.testing.assert_allclose(responsibilities.sum(axis=1), 1)
    assert bernoulli_log_likelihood(X, mus, [0.5, 0.5]) == pytest.approx(
        loop_log_likelihood(X, mus, [0.5, 0.5]), rel=1e-12)


def test_load_binary_digits():
    X, y = load_binary_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.shape == (1797,)
    assert set(np.unique(X)) == {0.0, 1.0} and set(np.unique(y)) == set(range(10))
    from sklearn.datasets import load_digits

    grey = load_digits().data
    np.testing.assert_array_equal(X, grey >= 8)
    np.testing.assert_array_equal(load_binary_digits(threshold=1)[0], grey >= 1)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda X, mus, pis: log_bernoulli_pdf(X * 0.5, mus, pis), ValueError,
         r"X must be binary .* X\[0, 0\] = 0\.5"),
        (lambda X, mus, pis: bernoulli_e_step(X, mus.T, pis), ValueError,
         r"mus must have shape \(n_components, n_features\) = \(4, 3\).*transposed"),
        (lambda X, mus, pis: bernoulli_e_step(X, mus + 1, pis), ValueError,
         r"mus must hold probabilities in \[0, 1\]"),
        (lambda X, mus, pis: bernoulli_e_step(X, mus, pis * 2), ValueError,
         r"pis must sum to 1"),
        (lambda X, mus, pis: bernoulli_e_step(X, mus, pis[:2]), ValueError,
         r"pis must have 4 entries"),
        (lambda X, mus, pis: bernoulli_m_step(X, np.ones((len(X), 2)), min_prob=1e-3),
         ValueError, r"each row of responsibilities must sum to 1"),
        (lambda X, mus, pis: bernoulli_m_step(X, np.full((len(X), 2), 0.5), min_prob=0.5),
         ValueError, r"min_prob must be in \[0, 0.5\), got 0.5"),
        (lambda X, mus, pis: bernoulli_m_step(X, np.full((len(X), 2), 0.5), min_prob="1e-3"),
         TypeError, r"min_prob must be a real number"),
        (lambda X, mus, pis: fit_bernoulli_mixture(X, 2, init="kmeans"), ValueError,
         r"init must be 'random' or a \(mus, pis\) tuple"),
        (lambda X, mus, pis: fit_bernoulli_mixture(X), ValueError,
         r"n_components is required"),
        (lambda X, mus, pis: fit_bernoulli_mixture(X, init=(mus * 0, pis)), ValueError,
         r"init: mus must lie in \[min_prob, 1 - min_prob\]"),
        (lambda X, mus, pis: fit_bernoulli_mixture(X, 3, init=(mus, pis)), ValueError,
         r"n_components = 3 disagrees with init"),
        (lambda X, mus, pis: fit_bernoulli_mixture(X, 2, random_state=-1), ValueError,
         r"random_state must be an int >= 0"),
        (lambda X, mus, pis: fit_bernoulli_mixture(X, 2, max_iter=0), ValueError,
         r"max_iter must be an int >= 1"),
        (lambda X, mus, pis: load_binary_digits(threshold=17), ValueError,
         r"threshold must be from 1 to 16"),
        (lambda X, mus, pis: load_binary_digits(threshold=8.0), TypeError,
         r"threshold must be an int"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, match):
    rng = np.random.default_rng(0)
    X, mus, pis = random_problem(rng, n_samples=20, n_features=3, n_components=4)
    with pytest.raises(error, match=match):
        call(X, mus, pis)


def test_a_point_impossible_under_every_component_is_an_error_not_nan():
    X = np.array([[1.0, 0.0]])
    mus = np.array([[0.0, 0.5], [0.0, 0.2]])
    for function in (bernoulli_e_step, bernoulli_log_likelihood):
        with pytest.raises(ValueError, match=r"X\[0\] has probability 0 under every component"):
            function(X, mus, [0.5, 0.5])


def test_not_converging_warns():
    X, _ = load_binary_digits()
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        fit_bernoulli_mixture(X[:300], 5, max_iter=2, random_state=0)


def test_verbose_prints_progress_like_fit_gmm(capsys):
    X, _ = load_binary_digits()
    result = fit_bernoulli_mixture(X[:300], 3, random_state=0, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Data Log-Likelihood at iteration: 5 = {result.log_likelihoods[5]:.6f}"
    assert lines[-1] == f"Converged to within 0.0001 after: {result.n_iter} iterations"
    fit_bernoulli_mixture(X[:300], 3, random_state=0)
    assert capsys.readouterr().out == ""
