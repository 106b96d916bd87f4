"""Tests of the checks of lessons 09 and 10: right answers pass, each typical mistake is named.

The right answers are written here independently of the checks' oracles:
scipy's multivariate_normal for the spike, numpy's weighted np.cov for the
scatter, scikit-learn's contingency_matrix for the overlap. (align_labels,
which moved from lesson 07 to 10, is tested in test_exercise_checks.py.)
"""

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.metrics.cluster import contingency_matrix

from gmm_teach.checks import check_map_covariances, check_overlap_matrix, check_spike_gain


def _name(value):
    return getattr(value, "__name__", "diagnosis")


# --------------------------------------------------------------------------
# 09 spike_gain
# --------------------------------------------------------------------------


def _log_spike(eps):
    return multivariate_normal(mean=[0.0, 0.0], cov=eps * np.eye(2)).logpdf([0.0, 0.0])


def test_spike_gain_passes_the_right_number(capsys):
    check_spike_gain(_log_spike(1e-6) - _log_spike(1e-3))
    assert capsys.readouterr().out == "spike_gain: right, log(1e-3 / 1e-6) = log 1000 = 6.908\n"


def test_spike_gain_passes_a_rounded_working(capsys):
    check_spike_gain(1.5 * 4.6)
    assert capsys.readouterr().out.startswith("spike_gain: right")


@pytest.mark.parametrize("answer, expected", [
    (-6.908, r"the sign is wrong"),
    (13.8, r"if eps were the standard deviation sigma"),
    (3.45, r"that is half the gain: in D dimensions"),
    (3.0, r"base-10 logarithms"),
    (1000, r"ratio of the densities"),
    (5.0, r"spike_gain = 5 is not right\. Start from the log-density"),
    ("6.9", r"should be one number \(a float\), but it is a str"),
    (np.array([6.9, 6.9]), r"should be one number"),
])
def test_spike_gain_diagnoses(answer, expected):
    with pytest.raises(AssertionError, match=expected):
        check_spike_gain(answer)


def test_spike_gain_unanswered_is_not_implemented():
    with pytest.raises(NotImplementedError, match="not answered yet"):
        check_spike_gain(None)


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


def test_overlap_matrix_passes_a_right_answer(capsys):
    check_overlap_matrix(overlap_right)
    assert capsys.readouterr().out == "overlap_matrix: all 4 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (lambda a, b, k: overlap_right(a, b, k).T, r"case 1 of 4.*\nYour matrix is transposed"),
    (lambda a, b, k: overlap_right(a, b, k) / len(a), r"fractions of the 40 points"),
    (overlap_fancy_increment, r"Every entry is 0 or 1.*np\.add\.at"),
    (overlap_sized_by_labels, r"(?s)case 2 of 4.*shape \(4, 3\) but should be \(4, 4\).*use "
                              r"n_components"),
    (lambda a, b, k: overlap_right(a, b, k) + np.eye(k, dtype=int),
     r"case 1 of 4.*\nYour overlap\[0, 0\] is \d+ but \d+ points have label 0"),
], ids=_name)
def test_overlap_matrix_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_overlap_matrix(fn)
