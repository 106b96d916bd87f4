"""Tests of the checks of lessons 07 and 08: right answers pass, each typical mistake is named.

The right answers are written here independently of the checks' oracles: k-means++
by inverse-transform sampling with ``rng.random``; the number of restarts by the
closed form; the K that BIC picks from scipy's multivariate normal log-density.
The tests also recompute, with ``fit_gmm``, the counts the numeric checks hold.
(check_bic, lesson 08's first exercise, is tested in tests/test_exercise_checks.py.)
"""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmm_teach import fit_gmm, make_ds
from gmm_teach.checks import (
    check_k_chosen_by_bic,
    check_kmeans_plus_plus,
    check_n_random_restarts,
)
from gmm_teach.checks import k_chosen_by_bic as k_module
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
# 08 k_chosen_by_bic
# --------------------------------------------------------------------------


def _scipy_log_likelihood(X, mus, sigmas, pis):
    columns = [np.log(p) + multivariate_normal(m, s).logpdf(X) for m, s, p in zip(mus, sigmas, pis)]
    return logsumexp(np.column_stack(columns), axis=1).sum()


def _criteria(X, run):
    k, d = run.mus.shape
    p = k * d + k * d * (d + 1) // 2 + k - 1
    log_l = _scipy_log_likelihood(X, run.mus, run.sigmas, run.pis)
    return -2 * log_l + p * np.log(len(X)), -2 * log_l + 2 * p


@pytest.mark.slow
def test_the_k_values_the_check_holds_are_lesson_08s():
    X = four_blobs()
    centers = np.asarray([[1, -1], [5, 5], [8, 7], [10, 0]])
    X_420 = np.vstack([X] + [make_ds(centers, random_state=seed)[0][0] for seed in (1, 2, 3)])
    Ks = np.array(k_module.K_VALUES)
    runs = {k: [fit_gmm(X_420, k, init="kmeans", random_state=seed) for seed in range(5)]
            for k in Ks}
    best = [max(runs[k], key=lambda run: run.log_likelihoods[-1]) for k in Ks]
    bic_best = np.array([_criteria(X_420, run)[0] for run in best])
    aic_best = np.array([_criteria(X_420, run)[1] for run in best])
    bic_first = np.array([_criteria(X_420, runs[k][0])[0] for k in Ks])
    assert Ks[np.argmin(bic_best)] == k_module.EXPECTED
    assert Ks[np.argmax(bic_best)] == k_module.K_LARGEST_BIC
    assert Ks[np.argmin(aic_best)] == k_module.K_AIC
    assert Ks[np.argmin(bic_first)] == k_module.K_FIRST_RUN_ONLY


def test_k_chosen_by_bic_passes_the_right_k(capsys):
    check_k_chosen_by_bic(4)
    check_k_chosen_by_bic(np.int64(4))
    assert capsys.readouterr().out == "k_chosen_by_bic: 4 matches the reference\n" * 2


@pytest.mark.parametrize("value, expected", [
    (3, r"scored by one run, e\.g\. runs_420\[k\]\[0\].*Score each K by its BEST run"),
    (1, r"the K with the LARGEST BIC.*lower-is-better"),
    (8, r"where AIC and the training log-likelihood are best"),
    (0, r"K must be one of the values fitted, 1 to 8"),
    (5, r"keep the run in runs_420\[k\] with the highest final log-likelihood"),
    (np.array([4, 3]), r"should be one whole number"),
], ids=str)
def test_k_chosen_by_bic_diagnoses(value, expected):
    with pytest.raises(AssertionError, match=expected):
        check_k_chosen_by_bic(value)
