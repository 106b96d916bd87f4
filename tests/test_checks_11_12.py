"""The checks of lessons 11 and 12: right answers written independently pass, typical mistakes get their sentence.

Lesson 11: ``to_original_units`` and ``choose_k``; lesson 12: ``class_posteriors``
(``sample_gmm``, also lesson 12's, is tested in tests/test_exercise_checks.py).
"""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmm_teach import e_step, fit_gmm, gaussian_pdf, log_likelihood
from gmm_teach.checks import check_choose_k, check_class_posteriors, check_to_original_units

# --------------------------------------------------------------------------
# 11 to_original_units
# --------------------------------------------------------------------------


def _to_original_units_loops(mus_z, sigmas_z, mean, scale):
    mus = np.array([[mean[d] + scale[d] * mu[d] for d in range(len(mean))] for mu in mus_z])
    sigmas = np.array([np.diag(scale) @ sigma @ np.diag(scale) for sigma in sigmas_z])
    return mus, sigmas


def _to_original_units_einsum(mus_z, sigmas_z, mean, scale):
    return mean + mus_z * scale, np.einsum("a,kab,b->kab", scale, sigmas_z, scale)


@pytest.mark.parametrize("fn", [_to_original_units_loops, _to_original_units_einsum])
def test_to_original_units_passes_right_answers(fn, capsys):
    check_to_original_units(fn)
    assert capsys.readouterr().out == "to_original_units: all 3 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (lambda m, s, mean, scale: (mean + scale * m, s * scale),
     "multiplied by scale \\(its column b by scale\\[b\\]\\) only"),
    (lambda m, s, mean, scale: (mean + scale * m, s * scale[:, None]),
     "multiplied by scale once \\(row a"),
    (lambda m, s, mean, scale: (mean + scale * m, s * scale**2), "not symmetric"),
    (lambda m, s, mean, scale: (mean + scale * m, np.outer(scale, scale) @ s), "matrix product"),
    (lambda m, s, mean, scale: (mean + scale * m, s), "returned unconverted"),
    (lambda m, s, mean, scale: (mean + scale * m, s * np.outer(scale, scale) + np.outer(mean, mean)),
     "a shift by the mean does not change a covariance"),
    (lambda m, s, mean, scale: (scale * m, s * np.outer(scale, scale)), "the mean was not added back"),
    (lambda m, s, mean, scale: ((m + mean) * scale, s * np.outer(scale, scale)),
     "added before multiplying by scale"),
    (lambda m, s, mean, scale: (mean + m / scale, s * np.outer(scale, scale)), "you divided by scale"),
    (lambda m, s, mean, scale: (s * np.outer(scale, scale), mean + scale * m), "\\(sigmas, mus\\)"),
    (lambda m, s, mean, scale: mean + scale * m, "two values \\(mus, sigmas\\)"),
    (lambda m, s, mean, scale: (mean + scale * m, (s * np.outer(scale, scale))[0]), "shape \\(K, D, D\\)"),
])
def test_to_original_units_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_to_original_units(fn)


def test_to_original_units_refuses_to_change_its_arguments():
    def in_place(mus_z, sigmas_z, mean, scale):
        sigmas_z *= np.outer(scale, scale)
        return mean + scale * mus_z, sigmas_z
    with pytest.raises(AssertionError, match="changed its argument sigmas_z in place"):
        check_to_original_units(in_place)


# --------------------------------------------------------------------------
# 11 choose_k
# --------------------------------------------------------------------------


def _bic_scipy(X, fit):
    """BIC from scipy's densities and a parameter count written out, not gmm_teach's bic."""
    n, d = X.shape
    k = len(fit.pis)
    log_weighted = np.column_stack([np.log(pi) + multivariate_normal(mu, sigma).logpdf(X)
                                    for mu, sigma, pi in zip(fit.mus, fit.sigmas, fit.pis)])
    p = k * d + k * d * (d + 1) // 2 + k - 1
    return -2 * logsumexp(log_weighted, axis=1).sum() + p * np.log(n)


def _runs(X, k_values, n_restarts):
    return [[fit_gmm(X, k, random_state=r) for r in range(n_restarts)] for k in k_values]


def _choose_k_scipy(X, k_values, n_restarts):
    bics = [min(_bic_scipy(X, run) for run in runs) for runs in _runs(X, k_values, n_restarts)]
    return k_values[int(np.argmin(bics))], bics


def _choose_k_by_best_log_likelihood(X, k_values, n_restarts):
    """The best run by log-likelihood (the same run as the lowest BIC), then its BIC."""
    best = [max(runs, key=lambda run: log_likelihood(X, run.mus, run.sigmas, run.pis))
            for runs in _runs(X, k_values, n_restarts)]
    bics = np.array([_bic_scipy(X, run) for run in best])
    return int(np.asarray(k_values)[np.argmin(bics)]), bics


@pytest.mark.parametrize("fn", [_choose_k_scipy, _choose_k_by_best_log_likelihood])
def test_choose_k_passes_right_answers(fn, capsys):
    check_choose_k(fn)
    assert capsys.readouterr().out == "choose_k: all 2 cases match the reference\n"


def _table(X, k_values, n_restarts, score):
    return np.array([[score(X, run) for run in runs] for runs in _runs(X, k_values, n_restarts)])


def _choose_from(rows):
    """A choose_k that keeps ``rows(table)`` of the BIC table (shape (len(k_values), n_restarts))."""
    def choose_k(X, k_values, n_restarts):
        bics = rows(_table(X, k_values, n_restarts, _bic_scipy))
        return k_values[int(np.argmin(bics))], bics
    return choose_k


def _log_likelihoods(X, k_values, n_restarts):
    score = lambda X, run: log_likelihood(X, run.mus, run.sigmas, run.pis)  # noqa: E731
    return _table(X, k_values, n_restarts, score).max(axis=1)


def _right_bics_then(choose):
    """A choose_k with the right bics that then chooses ``choose(k_values, bics)``."""
    def choose_k(X, k_values, n_restarts):
        bics = _choose_k_scipy(X, k_values, n_restarts)[1]
        return choose(k_values, bics), bics
    return choose_k


def _aic(X, run):
    n, d = X.shape
    k = len(run.pis)
    p = k * d + k * d * (d + 1) // 2 + k - 1
    return -2 * log_likelihood(X, run.mus, run.sigmas, run.pis) + 2 * p


@pytest.mark.parametrize("fn, expected", [
    (_choose_from(lambda table: table.max(axis=1)), "the highest BIC, the worst one"),
    (_choose_from(lambda table: table[:, -1]), "that of its last run"),
    (_choose_from(lambda table: table[:, 0]), "random_state = 0 alone"),
    (_choose_from(lambda table: table.mean(axis=1)), "you averaged"),
    (lambda X, ks, n: (ks[0], _log_likelihoods(X, ks, n)), "these are log-likelihoods, not BIC"),
    (lambda X, ks, n: (ks[0], -2 * _log_likelihoods(X, ks, n)), "without BIC's penalty"),
    (lambda X, ks, n: (ks[0], _table(X, ks, n, _aic).min(axis=1)), "these are AIC values"),
    (_right_bics_then(lambda ks, bics: ks[int(np.argmax(bics))]),
     "that K has the highest BIC; lower BIC is better"),
    (_right_bics_then(lambda ks, bics: int(np.argmin(bics))),
     "the position of the lowest BIC in k_values"),
    (_right_bics_then(lambda ks, bics: int(np.argmin(bics)) + 1),
     "the position of the lowest BIC in k_values \\(counted from 1\\)"),
    (lambda X, ks, n: (_choose_k_scipy(X, ks, n)[1], 3), "\\(bics, chosen_k\\)"),
    (lambda X, ks, n: 4, "two values \\(chosen_k, bics\\)"),
    (lambda X, ks, n: (4, np.zeros(len(ks) + 1)), "One BIC per entry of k_values"),
])
def test_choose_k_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_choose_k(fn)


def test_choose_k_names_the_k_whose_bic_is_off():
    def another_start(X, k_values, n_restarts):
        bics = [min(_bic_scipy(X, fit_gmm(X, k, init="random", random_state=r))
                    for r in range(n_restarts)) for k in k_values]
        return k_values[int(np.argmin(bics))], bics
    with pytest.raises(AssertionError, match="Use fit_gmm's default start"):
        check_choose_k(another_start)


def test_choose_k_case_one_is_lost_by_a_single_start_and_old_faithful_chooses_two():
    """The claims of the check's docstring: one start per K chooses 3, not 4; the typical
    wrong tables (first, last, worst run, mean) all differ, so each gets its own sentence."""
    from gmm_teach.checks.choose_k import _problems
    blobs, faithful = _problems()
    table = _table(blobs.data["X"], blobs.data["k_values"], blobs.data["n_restarts"], _bic_scipy)
    k_values = blobs.data["k_values"]
    assert k_values[int(np.argmin(table.min(axis=1)))] == 4
    assert k_values[int(np.argmin(table[:, 0]))] == 3
    rows = [table.min(axis=1), table[:, 0], table[:, -1], table.max(axis=1), table.mean(axis=1)]
    for i, row in enumerate(rows):
        for other in rows[i + 1:]:
            assert not np.allclose(row, other, rtol=1e-7)
    data = faithful.data
    assert _choose_k_scipy(data["X"], data["k_values"], data["n_restarts"])[0] == 2


# --------------------------------------------------------------------------
# 12 class_posteriors
# --------------------------------------------------------------------------


def _log_class_densities(X, class_mixtures):
    """log p(x | c) from scipy, one component at a time: shape (n_samples, n_classes)."""
    return np.column_stack([
        logsumexp(np.column_stack([np.log(pi) + multivariate_normal(mu, sigma).logpdf(X)
                                   for mu, sigma, pi in zip(mus, sigmas, pis)]), axis=1)
        for mus, sigmas, pis in class_mixtures
    ])


def _class_posteriors_scipy(X, class_mixtures, priors):
    log_joint = np.log(priors) + _log_class_densities(X, class_mixtures)
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


def _class_posteriors_by_one_e_step(X, class_mixtures, priors):
    """All components in one mixture, weighted priors[c] * pis[k]; a class's responsibilities summed."""
    mus = np.concatenate([m[0] for m in class_mixtures])
    sigmas = np.concatenate([m[1] for m in class_mixtures])
    weights = np.concatenate([prior * m[2] for m, prior in zip(class_mixtures, priors)])
    gamma = e_step(X, mus, sigmas, weights)
    owner = np.repeat(np.arange(len(priors)), [len(m[2]) for m in class_mixtures])
    return np.column_stack([gamma[:, owner == c].sum(axis=1) for c in range(len(priors))])


@pytest.mark.parametrize("fn", [_class_posteriors_scipy, _class_posteriors_by_one_e_step])
def test_class_posteriors_passes_right_answers(fn, capsys):
    check_class_posteriors(fn)
    assert capsys.readouterr().out == "class_posteriors: all 3 cases match the reference\n"


def _normalised(log_joint, axis=1):
    return np.exp(log_joint - logsumexp(log_joint, axis=axis, keepdims=True))


def _per_component(X, class_mixtures, reduce):
    return np.column_stack([
        reduce(np.column_stack([np.log(pi) + multivariate_normal(mu, sigma).logpdf(X)
                                for mu, sigma, pi in zip(mus, sigmas, pis)]))
        for mus, sigmas, pis in class_mixtures
    ])


def _in_probability_space(X, class_mixtures, priors):
    joint = np.column_stack([prior * gaussian_pdf(X, *mixture).sum(axis=1)
                             for mixture, prior in zip(class_mixtures, priors)])
    return joint / joint.sum(axis=1, keepdims=True)


def _no_weights(X, class_mixtures, priors):
    unweighted = [(mus, sigmas, np.ones(len(pis))) for mus, sigmas, pis in class_mixtures]
    return _normalised(np.log(priors) + _log_class_densities(X, unweighted))


@pytest.mark.parametrize("fn, expected", [
    (lambda X, m, p: _normalised(_log_class_densities(X, m)), "The priors are missing"),
    (lambda X, m, p: _normalised(p + _log_class_densities(X, m)), "add its log"),
    (_no_weights, "summed without their weights pis"),
    (lambda X, m, p: _normalised(np.log(p) + _per_component(X, m, lambda a: a.max(axis=1))),
     "its largest weighted component"),
    (lambda X, m, p: _normalised(np.log(p) + _per_component(X, m, lambda a: a.sum(axis=1))),
     "You added the components' log-densities"),
    (lambda X, m, p: np.exp(np.log(p) + _log_class_densities(X, m)), "do not sum to 1"),
    (lambda X, m, p: _normalised(np.log(p) + _log_class_densities(X, m), axis=0), "over the points"),
    (lambda X, m, p: np.log(_class_posteriors_scipy(X, m, p)), "These are log posteriors"),
    (_in_probability_space, "every density underflows to 0, and 0 / 0 is NaN"),
    (lambda X, m, p: _class_posteriors_scipy(X, m, p).argmax(axis=1), "the predictions\\?"),
    (lambda X, m, p: _class_posteriors_scipy(X, m, p).T, "transposed"),
    (lambda X, m, p: e_step(X, np.concatenate([c[0] for c in m]), np.concatenate([c[1] for c in m]),
                            np.concatenate([q * c[2] for c, q in zip(m, p)])),
     "one column per component"),
])
def test_class_posteriors_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_class_posteriors(fn)


def test_class_posteriors_says_nan_near_the_components_is_not_underflow():
    def log_of_negative(X, class_mixtures, priors):
        out = _class_posteriors_scipy(X, class_mixtures, priors)
        out[0] = np.nan
        return out
    with pytest.raises(AssertionError, match="for a point near the components"):
        check_class_posteriors(log_of_negative)
