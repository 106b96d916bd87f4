"""Tests of the checks of lessons 04 (the M-step's divisor and ridge; Q) and 06 (the ELBO,
the generalised M-step). The other m_step tests are in test_checks.py.

Right answers are written here independently of the checks' oracles: log-densities
from slogdet and solve (or Cholesky factors), the entropy
from scipy.special.xlogy, covariances from np.cov with weights. Every typical
mistake gets its own message.
"""

import numpy as np
import pytest
from scipy.linalg import solve_triangular
from scipy.special import logsumexp, xlogy

import gmm_teach
from gmm_teach.checks import (
    check_elbo,
    check_expected_complete_log_likelihood,
    check_gem_m_step,
    check_m_step,
)


def log_densities(X, mus, sigmas):
    """log N(x_i | mus[k], sigmas[k]) by slogdet and solve, shape (n, K)."""
    out = np.empty((len(X), len(mus)))
    for k, (mu, sigma) in enumerate(zip(mus, sigmas)):
        diff = X - mu
        _, log_det = np.linalg.slogdet(sigma)
        maha = np.sum(diff * np.linalg.solve(sigma, diff.T).T, axis=1)
        out[:, k] = -0.5 * (X.shape[1] * np.log(2 * np.pi) + log_det + maha)
    return out


# --------------------------------------------------------------------------
# 04 m_step: the divisor N_k - 1, and a reg_covar told only when it is one
# --------------------------------------------------------------------------


def m_step_np_cov(X, responsibilities, ddof_divisor=None, ridge=lambda k: 0.0):
    """The M-step from np.average and np.cov with weights; the keywords make mistakes."""
    d = X.shape[1]
    n_k = responsibilities.sum(axis=0)
    mus = np.array([np.average(X, axis=0, weights=w) for w in responsibilities.T])
    sigmas = []
    for k, w in enumerate(responsibilities.T):
        sigma = np.atleast_2d(np.cov(X.T, aweights=w, bias=True)).reshape(d, d)
        if ddof_divisor is not None:
            sigma = sigma * n_k[k] / ddof_divisor(n_k[k], w)
        sigmas.append(sigma + ridge(k) * np.eye(d))
    return mus, np.array(sigmas), n_k / len(X)


def m_by_n_k_minus_1(X, responsibilities):
    return m_step_np_cov(X, responsibilities, ddof_divisor=lambda n_k, w: n_k - 1)


def m_np_cov_aweights(X, responsibilities):
    """np.cov's default ddof=1 with aweights: the divisor N_k - sum w^2 / N_k."""
    d = X.shape[1]
    mus, _, pis = m_step_np_cov(X, responsibilities)
    sigmas = np.array([np.atleast_2d(np.cov(X.T, aweights=w)).reshape(d, d)
                       for w in responsibilities.T])
    return mus, sigmas, pis


def m_np_cov_aweights_beyond_one_component(X, responsibilities):
    """Right with one component, np.cov's default with aweights otherwise: reaches case 2."""
    if responsibilities.shape[1] == 1:
        return m_step_np_cov(X, responsibilities)
    return m_np_cov_aweights(X, responsibilities)


def m_with_reg_covar(X, responsibilities):
    return m_step_np_cov(X, responsibilities, ridge=lambda k: 1e-3)


def m_by_n_k_minus_2(X, responsibilities):
    """Too large a variance, but not by a constant: in case 1 it looks like a ridge."""
    return m_step_np_cov(X, responsibilities, ddof_divisor=lambda n_k, w: n_k - 2)


def m_ridge_per_component(X, responsibilities):
    """A different amount on each component's diagonal: not a reg_covar."""
    return m_step_np_cov(X, responsibilities, ridge=lambda k: 0.01 * (k + 1))


def test_m_step_passes_an_np_cov_answer(capsys):
    check_m_step(m_step_np_cov)
    assert capsys.readouterr().out == "m_step: all 6 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (m_by_n_k_minus_1, r"case 1 of 6: X \(5, 1\), K = 1\.\nYour covariances are the right ones "
                       r"times N_k / \(N_k - 1\): you divided by N_k - 1.*divide by N_k \(with "
                       r"np.cov, pass bias=True\)\.$"),
    (m_np_cov_aweights, r"case 1 of 6: .*\nYour covariances are the right ones times "
                        r"N_k / \(N_k - 1\).*also with aweights=\.\.\."),
    (m_np_cov_aweights_beyond_one_component,
     r"case 2 of 6: .*\nYour covariances are np.cov\(\.\.\., aweights=\.\.\.\) without "
     r"bias=True: that divides by N_k - sum_i gamma_ik\^2 / N_k"),
    (m_with_reg_covar, r"case 1 of 6: .*\nYour covariances are the right ones plus 0.001 on every "
                       r"diagonal: .*no reg_covar added\.$"),
    (m_by_n_k_minus_2, r"case 1 of 6: .*\nYour sigmas\[0, 0, 0\] is .* but the reference gives"),
    (m_ridge_per_component, r"case 1 of 6: .*\nYour sigmas\[0, 0, 0\] is .* but the reference "
                            r"gives"),
], ids=lambda v: getattr(v, "__name__", "message"))
def test_m_step_names_the_divisor_and_a_genuine_ridge(fn, expected):
    with pytest.raises(AssertionError, match="(?s)" + expected):
        check_m_step(fn)


def test_m_step_does_not_call_a_mistake_a_ridge():
    # Case 1 has one variance, so any error looks like "plus c"; only a constant
    # confirmed on several components is named reg_covar.
    for fn in (m_by_n_k_minus_2, m_ridge_per_component):
        with pytest.raises(AssertionError) as failure:
            check_m_step(fn)
        assert "reg_covar" not in str(failure.value)


# --------------------------------------------------------------------------
# 04 expected_complete_log_likelihood
# --------------------------------------------------------------------------


def q_right(X, responsibilities, mus, sigmas, pis):
    return float(np.sum(responsibilities * (np.log(pis) + log_densities(X, mus, sigmas))))


def q_einsum(X, responsibilities, mus, sigmas, pis):
    return np.einsum("ik,ik->", responsibilities, np.log(pis)[None] + log_densities(X, mus, sigmas))


def q_log_likelihood(X, responsibilities, mus, sigmas, pis):
    return logsumexp(np.log(pis) + log_densities(X, mus, sigmas), axis=1).sum()


def q_with_entropy(X, responsibilities, mus, sigmas, pis):
    return q_right(X, responsibilities, mus, sigmas, pis) - xlogy(responsibilities, responsibilities).sum()


def q_unweighted(X, responsibilities, mus, sigmas, pis):
    return np.sum(np.log(pis) + log_densities(X, mus, sigmas))


def q_no_log_pis(X, responsibilities, mus, sigmas, pis):
    return np.sum(responsibilities * log_densities(X, mus, sigmas))


def q_mean(X, responsibilities, mus, sigmas, pis):
    return q_right(X, responsibilities, mus, sigmas, pis) / len(X)


def q_rows(X, responsibilities, mus, sigmas, pis):
    logs = log_densities(X, mus, sigmas)
    return sum(np.sum(responsibilities[k] * (np.log(pis[k]) + logs[:, k])) for k in range(len(mus)))


def q_log_of_pdf(X, responsibilities, mus, sigmas, pis):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(responsibilities * np.log(pis * np.exp(log_densities(X, mus, sigmas))))


def test_expected_complete_log_likelihood_passes_right_answers(capsys):
    for fn in (q_right, q_einsum):
        check_expected_complete_log_likelihood(fn)
        assert capsys.readouterr().out == (
            "expected_complete_log_likelihood: all 6 cases match the reference\n")


@pytest.mark.parametrize("fn, expected", [
    (q_log_likelihood, r"case 2 of 6: X \(30, 1\), K = 3\.\n.*you computed the log-likelihood"),
    (q_with_entropy, r"case 2 of 6: .*you added the entropy"),
    (q_unweighted, r"case 2 of 6: .*your sum is not weighted"),
    (q_no_log_pis, r"case 2 of 6: .*you forgot the log-weights"),
    (q_mean, r"case 1 of 6: .*divided by n = 5: Q is a sum"),
    (q_rows, r"case 2 of 6: .*could not be broadcast.*\nresponsibilities has shape "
             r"\(n_samples, K\): .*column responsibilities\[:, k\]"),
    (q_log_of_pdf, r"case 6 of 6: X \(51, 2\), K = 3, with one point far from every component\."
                   r"\n.*underflows to 0, and log\(0\) = -inf"),
], ids=lambda v: getattr(v, "__name__", "message"))
def test_expected_complete_log_likelihood_names_each_mistake(fn, expected):
    with pytest.raises(AssertionError, match="(?s)" + expected):
        check_expected_complete_log_likelihood(fn)


def test_expected_complete_log_likelihood_may_not_call_the_package():
    def with_package(X, responsibilities, mus, sigmas, pis):
        return np.sum(responsibilities * gmm_teach.log_gaussian_pdf(X, mus, sigmas, pis))

    with pytest.raises(AssertionError, match=r"calls gmm_teach's own log_gaussian_pdf"):
        check_expected_complete_log_likelihood(with_package)


def test_expected_complete_log_likelihood_equals_the_bound_minus_the_entropy():
    # log L(theta_old) = Q(theta_old, theta_old) + H(gamma_old): the identity of lesson 06.
    X, _ = gmm_teach.make_ds(np.array([[0.0, 0.0], [4.0, 4.0]]))[0]
    mus, sigmas, pis = np.array([[0.5, 0.0], [3.0, 3.5]]), np.array([np.eye(2)] * 2), np.array([0.4, 0.6])
    gamma = gmm_teach.e_step(X, mus, sigmas, pis)
    total = q_right(X, gamma, mus, sigmas, pis) - xlogy(gamma, gamma).sum()
    assert np.isclose(total, gmm_teach.log_likelihood(X, mus, sigmas, pis), rtol=1e-10)


# --------------------------------------------------------------------------
# 06 elbo
# --------------------------------------------------------------------------


def elbo_right(X, q, mus, sigmas, pis):
    return float(np.sum(q * (np.log(pis) + log_densities(X, mus, sigmas))) - xlogy(q, q).sum())


def elbo_cholesky(X, q, mus, sigmas, pis):
    """The log-densities from Cholesky factors, the entropy with a mask."""
    a = np.empty(q.shape)
    for k in range(len(mus)):
        chol = np.linalg.cholesky(sigmas[k])
        z = solve_triangular(chol, (X - mus[k]).T, lower=True)
        log_det = 2 * np.log(np.diag(chol)).sum()
        a[:, k] = np.log(pis[k]) - 0.5 * (X.shape[1] * np.log(2 * np.pi) + log_det + (z**2).sum(axis=0))
    mask = q > 0
    return float(np.sum(q * a) - np.sum(q[mask] * np.log(q[mask])))


def elbo_with_package(X, q, mus, sigmas, pis):
    a = gmm_teach.log_gaussian_pdf(X, mus, sigmas, pis)
    return float(np.sum(q * a) - xlogy(q, q).sum())


def elbo_no_entropy(X, q, mus, sigmas, pis):
    return np.sum(q * (np.log(pis) + log_densities(X, mus, sigmas)))


def elbo_entropy_sign(X, q, mus, sigmas, pis):
    return elbo_no_entropy(X, q, mus, sigmas, pis) + xlogy(q, q).sum()


def elbo_nan(X, q, mus, sigmas, pis):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(q * (np.log(pis) + log_densities(X, mus, sigmas) - np.log(q)))


def elbo_no_log_pis(X, q, mus, sigmas, pis):
    return np.sum(q * log_densities(X, mus, sigmas)) - xlogy(q, q).sum()


def elbo_unweighted(X, q, mus, sigmas, pis):
    return np.sum(np.log(pis) + log_densities(X, mus, sigmas)) - xlogy(q, q).sum()


def elbo_log_likelihood(X, q, mus, sigmas, pis):
    return logsumexp(np.log(pis) + log_densities(X, mus, sigmas), axis=1).sum()


def elbo_plus_one(X, q, mus, sigmas, pis):
    return elbo_right(X, q, mus, sigmas, pis) + 1e4


def test_elbo_passes_right_answers(capsys):
    for fn in (elbo_right, elbo_cholesky, elbo_with_package):
        check_elbo(fn)
        assert capsys.readouterr().out == "elbo: all 6 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (elbo_no_entropy, r"case 1 of 6: X \(30, 1\), K = 3, q a random soft assignment\.\n"
                      r".*you forgot the entropy term"),
    (elbo_entropy_sign, r"case 1 of 6: .*the entropy has the wrong sign"),
    (elbo_nan, r"case 2 of 6: X \(40, 3\), K = 2, q a hard assignment.*\n.*Your ELBO is NaN.*"
               r"0 \* log\(0\)"),
    (elbo_no_log_pis, r"case 1 of 6: .*you forgot the log-weights"),
    (elbo_unweighted, r"case 1 of 6: .*the first sum is not weighted"),
    (elbo_log_likelihood, r"case 1 of 6: .*you returned the log-likelihood"),
    (elbo_plus_one, r"case 1 of 6: .*above the log-likelihood"),
], ids=lambda v: getattr(v, "__name__", "message"))
def test_elbo_names_each_mistake(fn, expected):
    with pytest.raises(AssertionError, match="(?s)" + expected):
        check_elbo(fn)


def test_elbo_may_not_call_log_likelihood():
    def via_log_likelihood(X, q, mus, sigmas, pis):
        return gmm_teach.log_likelihood(X, mus, sigmas, pis)

    with pytest.raises(AssertionError, match=r"calls gmm_teach's own log_likelihood"):
        check_elbo(via_log_likelihood)


# --------------------------------------------------------------------------
# 06 gem_m_step
# --------------------------------------------------------------------------


def gem_right(X, responsibilities, old_mus):
    n_k = responsibilities.sum(axis=0)
    mus = np.array([np.average(X, axis=0, weights=w) for w in responsibilities.T])
    sigmas = np.array([
        np.atleast_2d(np.cov(X.T, aweights=w, bias=True)) + np.outer(m - old, m - old)
        for w, m, old in zip(responsibilities.T, mus, old_mus)
    ])
    return mus, sigmas, n_k / len(X)


def gem_via_m_step(X, responsibilities, old_mus):
    mus, sigmas, pis = gmm_teach.m_step(X, responsibilities)  # reg_covar 1e-6 is forgiven
    delta = mus - old_mus
    return mus, sigmas + delta[:, :, None] * delta[:, None, :], pis


def gem_new_means(X, responsibilities, old_mus):
    mus, sigmas, pis = gmm_teach.m_step(X, responsibilities, reg_covar=0.0)
    return mus, sigmas, pis


def gem_old_means_everywhere(X, responsibilities, old_mus):
    _, sigmas, pis = gem_right(X, responsibilities, old_mus)
    return old_mus, sigmas, pis


def gem_divided_by_n(X, responsibilities, old_mus):
    mus, sigmas, pis = gem_right(X, responsibilities, old_mus)
    return mus, sigmas * pis[:, None, None], pis


def gem_unnormalised_weights(X, responsibilities, old_mus):
    mus, sigmas, pis = gem_right(X, responsibilities, old_mus)
    return mus, sigmas, pis * len(X)


def test_gem_m_step_passes_right_answers(capsys):
    for fn in (gem_right, gem_via_m_step):
        check_gem_m_step(fn)
        assert capsys.readouterr().out == "gem_m_step: all 6 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (gem_new_means, r"case 1 of 6: X \(5, 1\), K = 1\.\n.*around the NEW means: that is EM's own"),
    (gem_old_means_everywhere, r"case 1 of 6: .*Your means are the old means"),
    (gem_divided_by_n, r"case 2 of 6: .*divided by n = 30"),
    (gem_unnormalised_weights, r"case 1 of 6: .*forgot to divide N_k by n"),
], ids=lambda v: getattr(v, "__name__", "message"))
def test_gem_m_step_names_each_mistake(fn, expected):
    with pytest.raises(AssertionError, match="(?s)" + expected):
        check_gem_m_step(fn)


def test_gem_m_step_never_lowers_the_log_likelihood():
    # The claim of lesson 06, on the four blobs from a rough start, float64.
    (X, _), start_mus = gmm_teach.make_ds(np.asarray([[1, -1], [5, 5], [8, 7], [10, 0]]))
    params = (start_mus, np.array([np.eye(2)] * 4), np.full(4, 0.25))
    curve = [gmm_teach.log_likelihood(X, *params)]
    for _ in range(60):
        params = gem_right(X, gmm_teach.e_step(X, *params), params[0])
        curve.append(gmm_teach.log_likelihood(X, *params))
    assert np.min(np.diff(curve)) >= -1e-9
