"""Tests of the checks of lessons 09 and 10: right answers pass, each typical mistake is named.

The right answers are written here independently of the checks' oracles:
scipy's multivariate_normal for the spike, numpy's weighted np.cov for the
scatter, scikit-learn's contingency_matrix for the overlap, the number of
restarts by trying n = 1, 2, ... in turn. (align_labels, which moved from
lesson 07 to 10, is tested in test_exercise_checks.py.)
"""

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.metrics.cluster import contingency_matrix

from gmm_teach.checks import (
    check_map_covariances,
    check_overlap_matrix,
    check_spike_gain,
)


def _name(value):
    return getattr(value, "__name__", "diagnosis")


# --------------------------------------------------------------------------
# 09 spike_gain
# --------------------------------------------------------------------------


def _log_peak(eps, d):
    return multivariate_normal(mean=np.zeros(d), cov=eps * np.eye(d)).logpdf(np.zeros(d))


def gain_right(eps_before, eps_after, n_features):
    return _log_peak(eps_after, n_features) - _log_peak(eps_before, n_features)


def test_spike_gain_passes_a_right_answer(capsys):
    check_spike_gain(gain_right)
    assert capsys.readouterr().out == "spike_gain: all 4 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (lambda b, a, d: -gain_right(b, a, d), r"case 1 of 4.*\nYour gain is -6\.90776, the reference "
                                           r"6\.90776: the sign is wrong"),
    (lambda b, a, d: d * np.log(b / a), r"as if eps were the standard deviation sigma"),
    (lambda b, a, d: 0.5 * np.log(b / a), r"that is the gain in one dimension"),
    (lambda b, a, d: 0.5 * d * np.log10(b / a), r"base-10 logarithms"),
    (lambda b, a, d: (b / a) ** (d / 2), r"the ratio of the two densities"),
    (lambda b, a, d: abs(gain_right(b, a, d)), r"case 4 of 4: eps_before = 1e-06, eps_after = "
                                               r"0\.001, n_features = 3\.\nYour gain is .*the "
                                               r"sign is wrong"),
    (lambda b, a, d: 5.0, r"Your gain is 5 but the reference gives 6\.90776"),
    (lambda b, a, d: np.log(b) - np.log(a),
     r"case 2 of 4: eps_before = 0\.01, eps_after = 0\.0001, n_features = 1\.\nYour gain is 4\.60517, "
     r"the reference 2\.30259: that is the gain in D = 2 dimensions, but here n_features = 1\. Your "
     r"function seems to ignore n_features"),
    (lambda b, a, d: [1.0, 2.0], r"should be one number"),
], ids=_name)
def test_spike_gain_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_spike_gain(fn)


# --------------------------------------------------------------------------
# 09 map_covariances
# --------------------------------------------------------------------------


def map_right(X, responsibilities, mus, prior_scale, nu0):
    """np.cov with aweights gives S_k / N_k; the posterior mode rescales it."""
    d = X.shape[1]
    out = []
    for k in range(responsibilities.shape[1]):
        r = responsibilities[:, k]
        n_k = r.sum()
        if np.count_nonzero(r) > 1:
            # np.cov centres on the weighted mean, which is the mus given by the check.
            assert np.allclose(np.average(X, axis=0, weights=r), mus[k])
            scatter = np.atleast_2d(np.cov(X.T, aweights=r, bias=True)) * n_k
        else:
            scatter = np.zeros((d, d))
        out.append((scatter + prior_scale) / (n_k + nu0 + d + 1))
    return np.array(out)


def _scatter(X, r, mu):
    diff = X - mu
    return (r[:, None] * diff).T @ diff


def map_with(count, with_prior=True):
    def fn(X, responsibilities, mus, prior_scale, nu0):
        n, d = X.shape
        out = []
        for k in range(responsibilities.shape[1]):
            r = responsibilities[:, k]
            s = _scatter(X, r, mus[k]) + (prior_scale if with_prior else 0)
            out.append(s / count(r.sum(), nu0, d, n))
        return np.array(out)
    return fn


def map_added_mode(X, responsibilities, mus, prior_scale, nu0):
    d = X.shape[1]
    return np.array([_scatter(X, r, mu) / r.sum() + prior_scale / (nu0 + d + 1)
                     for r, mu in zip(responsibilities.T, mus)])


def map_unweighted(X, responsibilities, mus, prior_scale, nu0):
    d = X.shape[1]
    return np.array([((X - mu).T @ (X - mu) + prior_scale) / (r.sum() + nu0 + d + 1)
                     for r, mu in zip(responsibilities.T, mus)])


def test_map_covariances_passes_a_right_answer(capsys):
    check_map_covariances(map_right)
    assert capsys.readouterr().out == "map_covariances: all 4 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (map_with(lambda nk, nu0, d, n: nk, with_prior=False), r"case 1 of 4.*\nThese are the "
                                                          r"maximum-likelihood covariances"),
    (map_with(lambda nk, nu0, d, n: nk + nu0 + d + 1, with_prior=False),
     r"prior's scale S0 is missing from the numerator"),
    (map_with(lambda nk, nu0, d, n: nk), r"the denominator lacks the prior's nu0 \+ D \+ 1"),
    (map_with(lambda nk, nu0, d, n: nk + nu0), r"The denominator is N_k \+ nu0; the prior's"),
    (map_with(lambda nk, nu0, d, n: nk + nu0 - d - 1), r"belongs to a posterior mean"),
    (map_with(lambda nk, nu0, d, n: nk + nu0 + d), r"The denominator is one short"),
    (map_with(lambda nk, nu0, d, n: nk + nu0 + d + 2), r"the means have a prior too"),
    (map_with(lambda nk, nu0, d, n: n + nu0 + d + 1), r"N the number of all points"),
    (map_added_mode, r"You added the prior's mode"),
    (map_unweighted, r"must weigh each point by its responsibility"),
    (lambda X, r, m, s, nu0: map_right(X, r, m, s, nu0)[0],
     r"has shape \(1, 1\) but should be \(2, 1, 1\)"),
    (lambda X, r, m, s, nu0: 1.01 * map_right(X, r, m, s, nu0),
     r"case 1 of 4.*\nYour covariances\[.*\] is .* but the reference gives"),
], ids=_name)
def test_map_covariances_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_map_covariances(fn)


def test_map_covariances_names_the_collapsed_case():
    # Right except for a component of one point, whose scatter it sets to the prior's mode.
    def fn(X, responsibilities, mus, prior_scale, nu0):
        out = map_right(X, responsibilities, mus, prior_scale, nu0)
        lonely = responsibilities.sum(axis=0) < 1.5
        out[lonely] = prior_scale / (nu0 + X.shape[1] + 1)
        return out
    with pytest.raises(AssertionError, match=r"case 4 of 4: .*one far point only"):
        check_map_covariances(fn)


# --------------------------------------------------------------------------
# 10 overlap_matrix
# --------------------------------------------------------------------------


def overlap_right(labels_a, labels_b, n_components):
    counts = np.zeros((n_components, n_components), dtype=int)
    present_a, present_b = np.unique(labels_a), np.unique(labels_b)
    counts[np.ix_(present_a, present_b)] = contingency_matrix(labels_a, labels_b)
    return counts


def overlap_fancy_increment(labels_a, labels_b, n_components):
    counts = np.zeros((n_components, n_components), dtype=int)
    counts[labels_a, labels_b] += 1
    return counts


def overlap_sized_by_labels(labels_a, labels_b, n_components):
    counts = np.zeros((labels_a.max() + 1, labels_b.max() + 1), dtype=int)
    np.add.at(counts, (labels_a, labels_b), 1)
    return counts


def overlap_sized_by_largest_label(labels_a, labels_b, n_components):
    size = max(labels_a.max(), labels_b.max()) + 1
    counts = np.zeros((size, size), dtype=int)
    np.add.at(counts, (labels_a, labels_b), 1)
    return counts


def test_overlap_matrix_passes_a_right_answer(capsys):
    check_overlap_matrix(overlap_right)
    assert capsys.readouterr().out == "overlap_matrix: all 5 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (lambda a, b, k: overlap_right(a, b, k).T, r"case 1 of 5.*\nYour matrix is transposed"),
    (lambda a, b, k: overlap_right(a, b, k) / len(a), r"fractions of the 40 points"),
    (overlap_fancy_increment, r"Every entry is 0 or 1.*np\.add\.at"),
    (overlap_sized_by_labels, r"(?s)case 2 of 5.*shape \(4, 3\) but should be \(4, 4\).*use "
                              r"n_components"),
    (overlap_sized_by_largest_label, r"(?s)case 3 of 5.*shape \(3, 3\) but should be \(4, 4\).*"
                                     r"max\(labels\) \+ 1 = 3: here no point has label 3 in "
                                     r"either run.*use n_components"),
    (lambda a, b, k: overlap_right(a, b, k) + np.eye(k, dtype=int),
     r"case 1 of 5.*\nYour overlap\[0, 0\] is \d+ but \d+ points have label 0"),
], ids=_name)
def test_overlap_matrix_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_overlap_matrix(fn)
