"""Tests of the checks of lessons 00 and 06-09: right answers pass, each typical mistake is named.

The right answers are written here independently of the checks' oracles:
scipy's cdist and mahalanobis, scikit-learn's GaussianMixture.bic,
linear_sum_assignment, numpy's multivariate_normal sampler.
"""

import numpy as np
import pytest
from scipy.linalg import solve_triangular
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist, mahalanobis
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmm_teach import checks
from gmm_teach.checks import (
    check_align_labels,
    check_bic,
    check_mahalanobis_sq,
    check_nearest_center,
    check_sample_gmm,
)


def _name(value):
    return getattr(value, "__name__", "diagnosis")


# --------------------------------------------------------------------------
# 00 nearest_center
# --------------------------------------------------------------------------


def nearest_cdist(X, centers):
    return cdist(X, centers).argmin(axis=1)


def nearest_wrong_axis(X, centers):
    return cdist(X, centers).argmin(axis=0)


def nearest_distances(X, centers):
    return cdist(X, centers)


def nearest_farthest(X, centers):
    return cdist(X, centers).argmax(axis=1)


def nearest_first_feature_only(X, centers):
    return np.abs(X[:, :1] - centers[None, :, 0]).argmin(axis=1)


def test_nearest_center_passes_a_right_answer(capsys):
    check_nearest_center(nearest_cdist)
    assert capsys.readouterr().out == "nearest_center: all 4 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (nearest_wrong_axis, r"case 1 of 4: X \(105, 2\), centers \(4, 2\)\.\nYour labels have "
                         r"shape \(4,\), one per centre: you took the argmin over the points "
                         r"\(axis=0\)\. Take it over the centres instead, axis=1"),
    (nearest_distances, r"You returned all the distances, shape \(105, 4\)"),
    (nearest_farthest, r"Your labels are the FARTHEST centres: use argmin, not argmax"),
    (nearest_first_feature_only, r"\d+ of 105 points get the wrong centre; point \d+ is nearest "
                                 r"to centre \d, yours says \d"),
], ids=_name)
def test_nearest_center_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_nearest_center(fn)


# --------------------------------------------------------------------------
# 06 bic
# --------------------------------------------------------------------------


def _log_likelihood(X, mus, sigmas, pis):
    columns = [np.log(p) + multivariate_normal(m, s).logpdf(X) for m, s, p in zip(mus, sigmas, pis)]
    return logsumexp(np.column_stack(columns), axis=1).sum()


def bic_counting(n_params):
    def bic(X, mus, sigmas, pis):
        k, d = np.shape(mus)
        return -2 * _log_likelihood(X, mus, sigmas, pis) + n_params(k, d) * np.log(len(X))

    bic.__name__ = n_params.__name__
    return bic


def right_count(k, d):
    return k * d + k * d * (d + 1) // 2 + k - 1


def covariance_as_d_squared(k, d):
    return k * d + k * d * d + k - 1


def forgot_weights(k, d):
    return k * d + k * d * (d + 1) // 2


def k_weights(k, d):
    return k * d + k * d * (d + 1) // 2 + k


def covariance_as_d_squared_and_k_weights(k, d):
    return k * d + k * d * d + k


def means_only(k, d):
    return k * d


def means_as_d_squared(k, d):
    return k * d * d + k * d * (d + 1) // 2 + k - 1


def test_bic_passes_a_right_answer_that_matches_scikit_learn(capsys):
    from sklearn.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(80, 3))
    model = GaussianMixture(2, random_state=0).fit(X)
    bic = bic_counting(right_count)
    # The right answer written here agrees with scikit-learn's own BIC...
    assert np.isclose(bic(X, model.means_, model.covariances_, model.weights_), model.bic(X))
    # ... and the check accepts it.
    check_bic(bic)
    assert capsys.readouterr().out == "bic: all 4 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (bic_counting(covariance_as_d_squared),
     r"case 1 of 4: X \(105, 2\), K = 4\.\nYour BIC is .*: you counted D\^2 numbers for each "
     r"covariance"),
    (bic_counting(forgot_weights), r"(?s)case 1 of 4.*: you forgot the K - 1 free weights pis\. Here K = 4 and D = 2, so p = 23\."),
    (bic_counting(covariance_as_d_squared_and_k_weights),
     r"case 1 of 4.*\nYour BIC is .*: two of your counts are off\. First, you counted D\^2 numbers "
     r"for each covariance.*Second, you counted K weights; they sum to 1.*so p = 23\.$"),
    (bic_counting(means_only),
     r"two of your counts are off\. First, you forgot the K - 1 free weights pis\. Second, you "
     r"forgot the covariances"),
    (bic_counting(k_weights), r"you counted K weights; they sum to 1, so only K - 1"),
    (lambda X, m, s, p: -2 * _log_likelihood(X, m, s, p) + right_count(*np.shape(m)) * 2,
     r"that is AIC's penalty"),
    (lambda X, m, s, p: -2 * _log_likelihood(X, m, s, p) + right_count(*np.shape(m))
     * np.log10(len(X)), r"log\(N\) must be the natural log"),
    (lambda X, m, s, p: 2 * _log_likelihood(X, m, s, p), r"difference / log N = "),
], ids=_name)
def test_bic_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_bic(fn)


def test_an_unnamed_miscount_gets_the_parts_to_recount_not_the_formula():
    with pytest.raises(AssertionError) as info:
        check_bic(bic_counting(means_as_d_squared))
    message = str(info.value)
    assert "difference / log N = 8;" in message
    assert "count p again from the shapes, part by part: the means, the covariances" in message
    assert "D(D+1)/2" not in message and "K - 1" not in message


def test_the_two_miscounts_the_lesson_names_get_different_messages():
    messages = []
    for fn in (bic_counting(covariance_as_d_squared), bic_counting(forgot_weights)):
        with pytest.raises(AssertionError) as info:
            check_bic(fn)
        messages.append(str(info.value).split("\n")[1])
    assert messages[0] != messages[1]


# --------------------------------------------------------------------------
# 07 align_labels
# --------------------------------------------------------------------------


def align_right(reference_mus, mus):
    return linear_sum_assignment(cdist(reference_mus, mus))[1]


def align_swapped(reference_mus, mus):
    return linear_sum_assignment(cdist(mus, reference_mus))[1]


def align_nearest_first(reference_mus, mus):
    return cdist(reference_mus, mus).argmin(axis=1)


def align_identity(reference_mus, mus):
    return np.arange(len(mus))


def align_squared(reference_mus, mus):
    return linear_sum_assignment(cdist(reference_mus, mus, "sqeuclidean"))[1]


def test_align_labels_passes_a_right_answer(capsys):
    check_align_labels(align_right)
    assert capsys.readouterr().out == "align_labels: all 6 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (align_swapped, r"case 2 of 6: K = 3, a cycle of the labels\.\nYou returned the inverse "
                    r"permutation, \[1, 2, 0\] instead of \[2, 0, 1\]"),
    (align_nearest_first, r"case 1 of 6.*\n\[0, 0\] is not a permutation of 0\.\.1"),
    (align_identity, r"case 1 of 6.*\nYour matching \[0, 1\] has total distance 2\.6000; the "
                     r"best, \[1, 0\], has 1\.4000"),
    (lambda r, m: align_right(r, m)[None], r"has shape \(1, 2\) but should be \(2,\)"),
    (align_squared, r"case 3 of 6.*\nYour matching \[0, 1\] minimises the total squared distance"),
], ids=_name)
def test_align_labels_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_align_labels(fn)


# --------------------------------------------------------------------------
# 08 sample_gmm
# --------------------------------------------------------------------------


def sample_per_point(mus, sigmas, pis, n, rng):
    labels = rng.choice(len(pis), size=n, p=pis)
    X = np.array([rng.multivariate_normal(mus[k], sigmas[k]) for k in labels])
    return X, labels


def sample_cholesky(mus, sigmas, pis, n, rng, transpose=False):
    labels = rng.choice(len(pis), size=n, p=pis)
    chols = np.linalg.cholesky(sigmas)
    if transpose:
        chols = chols.transpose(0, 2, 1)
    return mus[labels] + np.einsum("nij,nj->ni", chols[labels], rng.standard_normal((n, len(mus[0])))), labels


def sample_transposed_factor(mus, sigmas, pis, n, rng):
    return sample_cholesky(mus, sigmas, pis, n, rng, transpose=True)


def sample_global_random(mus, sigmas, pis, n, rng):
    labels = rng.choice(len(pis), size=n, p=pis)
    chols = np.linalg.cholesky(sigmas)
    noise = np.random.standard_normal((n, len(mus[0])))  # not from rng
    return mus[labels] + np.einsum("nij,nj->ni", chols[labels], noise), labels


def sample_uniform_labels(mus, sigmas, pis, n, rng):
    X, _ = sample_cholesky(mus, sigmas, pis, n, rng)
    return X, rng.choice(len(pis), size=n)


def sample_no_mean(mus, sigmas, pis, n, rng):
    X, labels = sample_cholesky(mus, sigmas, pis, n, rng)
    return X - mus[labels], labels


def sample_one_point_at_a_time(mus, sigmas, pis, n, rng):
    # The slowest natural loop: a label and a point per iteration.
    X, labels = np.empty((n, len(mus[0]))), np.empty(n, dtype=int)
    for i in range(n):
        labels[i] = rng.choice(len(pis), p=pis)
        X[i] = rng.multivariate_normal(mus[labels[i]], sigmas[labels[i]])
    return X, labels


@pytest.mark.parametrize("fn", [sample_per_point, sample_one_point_at_a_time, sample_cholesky],
                         ids=_name)
def test_sample_gmm_passes_right_answers(fn, capsys):
    check_sample_gmm(fn)
    assert capsys.readouterr().out == "sample_gmm: all 2 cases match the reference\n"


def test_sample_gmm_says_a_loop_over_the_points_is_too_slow_not_a_loop_over_pairs():
    checks.set_time_limit(0.01)
    try:
        with pytest.raises(AssertionError, match=r"did not finish within 0\.01 s for n = 5000 "
                                                 r"points\. If it loops over the points") as info:
            check_sample_gmm(sample_one_point_at_a_time)
    finally:
        checks._harness._time_limit = None
    assert "pair" not in str(info.value)


@pytest.mark.parametrize("fn, expected", [
    (sample_transposed_factor, r"(?s)case 1 of 2.*have covariance.*Multiply by L, not L\.T"),
    (sample_global_random, r"The same seed gave different samples: draw every random number "
                           r"from rng"),
    (sample_uniform_labels, r"Component \d was drawn \d+ times, expected about \d+ = "
                            r"n \* pis\[\d\]"),
    (sample_no_mean, r"The points labelled 0 have mean .* add the component's own mean"),
    (lambda m, s, p, n, rng: sample_cholesky(m, s, p, n, rng)[0], r"should return the two "
                                                                  r"values \(X, labels\)"),
], ids=_name)
def test_sample_gmm_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_sample_gmm(fn)


# --------------------------------------------------------------------------
# 09 mahalanobis_sq
# --------------------------------------------------------------------------


def mahalanobis_cholesky(X, mu, sigma):
    z = solve_triangular(np.linalg.cholesky(sigma), (X - mu).T, lower=True)
    return (z**2).sum(axis=0)


def mahalanobis_not_squared(X, mu, sigma):
    return np.sqrt(mahalanobis_cholesky(X, mu, sigma))


def mahalanobis_all_pairs(X, mu, sigma):
    z = solve_triangular(np.linalg.cholesky(sigma), (X - mu).T, lower=True)
    return z.T @ z


def mahalanobis_without_centring(X, mu, sigma):
    z = solve_triangular(np.linalg.cholesky(sigma), X.T, lower=True)
    return (z**2).sum(axis=0)


def test_mahalanobis_sq_passes_a_right_answer_that_matches_scipy(capsys):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 4))
    sigma, mu, X = a @ a.T + np.eye(4), rng.normal(size=4), rng.normal(size=(10, 4))
    expected = [mahalanobis(x, mu, np.linalg.inv(sigma)) ** 2 for x in X]
    np.testing.assert_allclose(mahalanobis_cholesky(X, mu, sigma), expected)
    check_mahalanobis_sq(mahalanobis_cholesky)
    assert capsys.readouterr().out == "mahalanobis_sq: all 4 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (mahalanobis_not_squared, r"case 1 of 4.*\nYou returned the distances themselves: return "
                              r"their squares"),
    (mahalanobis_all_pairs, r"Your output has shape \(40, 40\): the products of every pair"),
    (mahalanobis_without_centring, r"Your distances are those of X itself, not of X - mu: subtract mu"),
], ids=_name)
def test_mahalanobis_sq_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_mahalanobis_sq(fn)


def sample_own_generator(mus, sigmas, pis, n, rng):
    return sample_cholesky(mus, sigmas, pis, n, np.random.default_rng(12345))


def sample_labels_in_order(mus, sigmas, pis, n, rng):
    labels = np.repeat(np.arange(len(pis)), np.round(np.asarray(pis) * n).astype(int))[:n]
    chols = np.linalg.cholesky(sigmas)
    noise = rng.standard_normal((n, len(mus[0])))
    return mus[labels] + np.einsum("nij,nj->ni", chols[labels], noise), labels


@pytest.mark.parametrize("fn, expected", [
    (sample_own_generator, r"Another seed gave the same sample: draw every random number from "
                           r"the rng you are given"),
    (sample_labels_in_order, r"Another seed gave the same labels"),
], ids=_name)
def test_sample_gmm_must_use_the_rng_it_is_given(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_sample_gmm(fn)


@pytest.mark.parametrize("check, fn, what", [
    (check_nearest_center, lambda X, c: [10**400] * len(X), "Your labels is a list, which numpy cannot"),
    (check_align_labels, lambda r, m: np.full(len(r), np.nan), "is not a permutation"),
])
def test_odd_return_values_get_a_sentence_not_a_traceback(check, fn, what):
    with pytest.raises(AssertionError, match=what):
        check(fn)


def test_float32_is_accepted_where_it_is_harmless(capsys):
    check_bic(lambda *args: np.float32(bic_counting(right_count)(*args)))
    check_mahalanobis_sq(lambda *args: mahalanobis_cholesky(*args).astype(np.float32))
    assert capsys.readouterr().out.count("cases match the reference") == 2
