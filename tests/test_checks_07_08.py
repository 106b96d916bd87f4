"""Tests of the checks of lessons 07 and 08: right answers pass, each typical mistake is named.

The right answers are written here independently of the checks' oracles: k-means++
by inverse-transform sampling with ``rng.random``; the number of restarts by the
closed form; the BIC threshold from scikit-learn's own BIC of fitted mixtures.
The tests also recompute, with ``fit_gmm``, the counts the numeric checks hold.
(check_bic, lesson 08's first exercise, is tested in tests/test_exercise_checks.py.)
"""

import functools

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from gmm_teach import fit_gmm, make_ds
from gmm_teach.checks import (
    check_bic_threshold,
    check_kmeans_plus_plus,
    check_n_random_restarts,
)
from gmm_teach.checks import n_random_restarts as restarts_module


def _name(value):
    return getattr(value, "__name__", "diagnosis")


# --------------------------------------------------------------------------
# 07 kmeans_plus_plus
# --------------------------------------------------------------------------


def kpp_inverse_transform(X, n_components, rng):
    """k-means++ by the cumulative sum of D^2 and one uniform number per draw."""
    X = np.asarray(X, dtype=float)
    chosen = [int(rng.random() * len(X))]
    for _ in range(1, n_components):
        d2 = cdist(X, X[chosen], "sqeuclidean").min(axis=1)
        cumulative = np.cumsum(d2)
        chosen.append(int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right")))
    return X[chosen]


def kpp_weighted(weight=lambda d2: d2, nearest=True, farthest=False, first=None):
    def kmeans_plus_plus(X, n_components, rng):
        X = np.asarray(X, dtype=float)
        chosen = [rng.integers(len(X)) if first is None else first]
        for _ in range(1, n_components):
            d2 = cdist(X, X[chosen], "sqeuclidean")
            d2 = d2.min(axis=1) if nearest else d2[:, -1]
            w = weight(d2)
            chosen.append(int(np.argmax(w)) if farthest else rng.choice(len(X), p=w / w.sum()))
        return X[chosen]

    return kmeans_plus_plus


def kpp_proportional_to_d(X, n_components, rng):
    return kpp_weighted(np.sqrt)(X, n_components, rng)


def kpp_d_to_the_fourth(X, n_components, rng):
    return kpp_weighted(lambda d2: d2 ** 2)(X, n_components, rng)


def kpp_farthest_point(X, n_components, rng):
    return kpp_weighted(farthest=True)(X, n_components, rng)


def kpp_first_always_x0(X, n_components, rng):
    return kpp_weighted(first=0)(X, n_components, rng)


def kpp_uniform_without_repeats(X, n_components, rng):
    return np.asarray(X)[rng.choice(len(X), size=n_components, replace=False)]


def kpp_uniform_over_other_positions(X, n_components, rng):
    return kpp_weighted(lambda d2: (d2 > 0).astype(float))(X, n_components, rng)


def kpp_last_centre_only(X, n_components, rng):
    return kpp_weighted(nearest=False)(X, n_components, rng)


def kpp_with_replacement(X, n_components, rng):
    return np.asarray(X)[rng.choice(len(X), size=n_components)]


def kpp_indices(X, n_components, rng):
    chosen = [rng.integers(len(X))]
    for _ in range(1, n_components):
        d2 = cdist(X, X[chosen], "sqeuclidean").min(axis=1)
        chosen.append(rng.choice(len(X), p=d2 / d2.sum()))
    return np.array(chosen)


def kpp_global_generator(X, n_components, rng):
    return kpp_inverse_transform(X, n_components, np.random.default_rng())


def kpp_means_not_points(X, n_components, rng):
    return kpp_inverse_transform(X, n_components, rng) + 0.01


def test_kmeans_plus_plus_passes_a_right_answer(capsys):
    check_kmeans_plus_plus(kpp_inverse_transform)
    assert capsys.readouterr().out == "kmeans_plus_plus: all 3 cases match the reference\n"


def test_kmeans_plus_plus_passes_the_lessons_answer(capsys):
    def kmeans_plus_plus(X, n_components, rng):
        X = np.asarray(X, dtype=float)
        n_samples = len(X)
        chosen = [rng.integers(n_samples)]
        closest_sq = np.sum((X - X[chosen[0]]) ** 2, axis=1)
        for _ in range(1, n_components):
            new = rng.choice(n_samples, p=closest_sq / closest_sq.sum())
            chosen.append(new)
            closest_sq = np.minimum(closest_sq, np.sum((X - X[new]) ** 2, axis=1))
        return X[chosen]

    check_kmeans_plus_plus(kmeans_plus_plus)
    assert capsys.readouterr().out == "kmeans_plus_plus: all 3 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (kpp_proportional_to_d, r"(?s)case 3 of 3: X \(5, 2\), K = 3, 4000 draws.*proportional to D, "
                            r"the distance, not to D\^2"),
    (kpp_d_to_the_fourth, r"proportional to D\^4: you squared distances that were already squared"),
    (kpp_farthest_point, r"you took the farthest point\. k-means\+\+ DRAWS the next centre"),
    (kpp_first_always_x0, r"Your first centre is not uniform over the 5 points: X\[0\] came first "
                          r"in 4000 of 4000 draws"),
    (kpp_uniform_over_other_positions, r"uniformly among the points not chosen yet"),
    (kpp_uniform_without_repeats, r"case 2 of 3: X \(6, 1\), three positions repeated.*\nTwo of "
                                  r"your centres are the same point, or sit at the same position"),
    (kpp_last_centre_only, r"Two of your centres are the same point.*not to the last one"),
    (kpp_with_replacement, r"Two of your centres are the same point"),
    (kpp_indices, r"case 1 of 3.*\nYou returned 4 whole numbers, shape \(4,\): indices, it seems\. "
                  r"Return the centres themselves, X\[chosen\]"),
    (kpp_global_generator, r"Make every random choice with the rng argument"),
    (kpp_means_not_points, r"is not a point of X\. k-means\+\+ only chooses data points"),
], ids=_name)
def test_kmeans_plus_plus_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_kmeans_plus_plus(fn)


def test_kmeans_plus_plus_stub_stays_not_implemented():
    def kmeans_plus_plus(X, n_components, rng):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="kmeans_plus_plus is not written yet"):
        check_kmeans_plus_plus(kmeans_plus_plus)


# --------------------------------------------------------------------------
# 07 n_random_restarts
# --------------------------------------------------------------------------


def test_n_random_restarts_passes_the_closed_form(capsys):
    answer = int(np.ceil(np.log(0.01) / np.log(1 - 7 / 20)))
    check_n_random_restarts(answer)
    check_n_random_restarts(float(answer))
    check_n_random_restarts(np.int64(answer))
    assert capsys.readouterr().out == "n_random_restarts: 11 matches the reference\n" * 3


@pytest.mark.parametrize("value, expected", [
    (np.log(0.01) / np.log(0.65), r"that is the bound .* = 10\.69 itself; .*round up"),
    (10, r"n_random_restarts = 10 is not right: with 10 starts all of them miss with probability "
         r"0\.0135, more than 0\.01: round UP"),
    (5, r"the probability that a start FINDS the best model, as the probability that it misses"),
    (8, r'the answer for init="kmeans\+\+"'),
    (6, r'the answer for init="kmeans"'),
    (3, r"adding the chances, n q, is not a probability"),
    (20, r"all n independent starts miss it with probability \(1 - q\)\^n"),
    (True, r"should be a whole number, not True"),
    ("11", r"should be a number, not the text '11': write it without quotes"),
], ids=str)
def test_n_random_restarts_diagnoses(value, expected):
    with pytest.raises(AssertionError, match=expected):
        check_n_random_restarts(value)


def four_blobs():
    (X, _), _ = make_ds(np.asarray([[1, -1], [5, 5], [8, 7], [10, 0]]))
    return X


@pytest.mark.slow
def test_the_restart_counts_are_lesson_07s():
    X = four_blobs()
    finals = {method: np.array([fit_gmm(X, 4, init=method, random_state=seed).log_likelihoods[-1]
                                for seed in range(restarts_module.N_RUNS)])
              for method in restarts_module.N_BEST}
    best = max(values.max() for values in finals.values())
    assert {method: int(np.sum(values > best - 0.01)) for method, values in finals.items()} \
        == restarts_module.N_BEST


# --------------------------------------------------------------------------
# 08 bic_threshold
# --------------------------------------------------------------------------


@functools.cache
def _sklearn_new_parameters(n_features):
    """Free parameters one more component adds, read off scikit-learn's BIC of two fits."""
    from sklearn.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(60, n_features))
    counts = []
    for k in (2, 3):
        model = GaussianMixture(k, random_state=0).fit(X)
        # sklearn: bic = -2 * score * N + p * log(N)
        counts.append((model.bic(X) + 2 * model.score(X) * len(X)) / np.log(len(X)))
    return round(counts[1] - counts[0])


def threshold_right(n_features, n_samples):
    return _sklearn_new_parameters(n_features) * np.log(n_samples) / 2


def threshold_counting(count, log=np.log, factor=0.5):
    def bic_threshold(n_features, n_samples):
        return count(n_features) * log(n_samples) * factor

    bic_threshold.__name__ = count.__name__ if factor == 0.5 and log is np.log else "threshold"
    return bic_threshold


def covariance_as_d_squared(d):
    return d + d * d + 1


def weight_forgotten(d):
    return d + d * (d + 1) / 2


def diagonal_only(d):
    return d + d + 1


def mean_forgotten(d):
    return d * (d + 1) / 2 + 1


def right_count(d):
    return d + d * (d + 1) / 2 + 1


def test_the_sklearn_count_is_a_mean_a_covariance_and_a_weight():
    assert [_sklearn_new_parameters(d) for d in (1, 2, 4)] == [3, 6, 15]


def test_bic_threshold_passes_a_right_answer(capsys):
    for d in (4, 2, 1, 10):
        _sklearn_new_parameters(d)  # fitted here, before the check watches for scikit-learn
    check_bic_threshold(threshold_right)
    check_bic_threshold(lambda d, n: np.float32(threshold_right(d, n)))
    assert capsys.readouterr().out == "bic_threshold: all 4 cases match the reference\n" * 2


@pytest.mark.parametrize("fn, expected", [
    (threshold_counting(right_count, factor=1.0),
     r"case 1 of 4: n_features = 4, n_samples = 420\.\nYour threshold is 90\.6.*how much BIC's "
     r"penalty grows.*half of that"),
    (lambda d, n: right_count(d), r"that is AIC's threshold"),
    (threshold_counting(right_count, log=np.log10), r"natural log \(np\.log\), not log10"),
    (lambda d, n: -threshold_right(d, n), r"the sign is wrong"),
    (lambda d, n: threshold_right(d, n) / n, r"that is per point"),
    (threshold_counting(covariance_as_d_squared), r"you counted D\^2 numbers for the new covariance"),
    (threshold_counting(weight_forgotten), r"you left out the new component's weight"),
    (threshold_counting(diagonal_only), r"you counted only the D variances"),
    (threshold_counting(mean_forgotten), r"you left out the new component's mean"),
    (lambda d, n: (d * d + 1) * np.log(n) / 2,
     r"Yours is 17 x log\(N\) / 2, as if one more component brought 17 free parameters.*recount "
     r"what a new component brings here \(D = 4\)"),
    (lambda d, n: np.log(n) ** 2, r"Write BIC\(K \+ 1\) < BIC\(K\)"),
    (lambda d, n: [1.0, 2.0], r"should be one number"),
], ids=_name)
def test_bic_threshold_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_bic_threshold(fn)


def test_bic_threshold_refuses_n_parameters():
    from gmm_teach import n_parameters

    def bic_threshold(n_features, n_samples):
        return (n_parameters(2, n_features) - n_parameters(1, n_features)) * np.log(n_samples) / 2

    with pytest.raises(AssertionError, match=r"n_parameters"):
        check_bic_threshold(bic_threshold)


def test_bic_threshold_stub_stays_not_implemented():
    def bic_threshold(n_features, n_samples):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="bic_threshold is not written yet"):
        check_bic_threshold(bic_threshold)
