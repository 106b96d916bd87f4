"""The checks of lesson 14: right answers written independently pass, mistakes get their sentence.

``choose_threshold`` (the F1-best anomaly threshold) and ``e_step_with_labels``
(semi-supervised EM's E-step). The right answers here are written apart from
the checks' oracles: F1 from counts in a loop or from scikit-learn's
``precision_recall_curve``; responsibilities from slogdet and solve, one point
at a time, or from ``e_step`` and ``np.where``.
"""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import accuracy_score, f1_score, precision_recall_curve, precision_score

from gmm_teach import e_step
from gmm_teach.checks import check_choose_threshold, check_e_step_with_labels
from gmm_teach.checks.choose_threshold import _problems as threshold_problems

# --------------------------------------------------------------------------
# 14 choose_threshold
# --------------------------------------------------------------------------


def _threshold_by_counts(log_densities, is_anomaly):
    best_t, best_f1 = None, -1.0
    for t in np.unique(log_densities):
        flagged = log_densities <= t
        tp = np.sum(flagged & is_anomaly)
        fp = np.sum(flagged & ~is_anomaly)
        fn = np.sum(~flagged & is_anomaly)
        f1 = 2 * tp / (2 * tp + fp + fn)
        if f1 > best_f1:
            best_t, best_f1 = t, f1
    return best_t


def _threshold_by_curve(log_densities, is_anomaly):
    """scikit-learn's curve on -log p (high = anomalous): the last of the tied best."""
    precision, recall, thresholds = precision_recall_curve(is_anomaly, -log_densities)
    with np.errstate(invalid="ignore"):
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))[:-1]
    return -thresholds[len(f1) - 1 - np.argmax(f1[::-1])]


def _threshold_midway(log_densities, is_anomaly):
    """Halfway between the last flagged score and the next: another threshold, the same flags."""
    t = _threshold_by_counts(log_densities, is_anomaly)
    above = log_densities[log_densities > t]
    return (t + above.min()) / 2 if len(above) else t


@pytest.mark.parametrize("fn", [_threshold_by_counts, _threshold_by_curve, _threshold_midway])
def test_choose_threshold_passes_right_answers(fn, capsys):
    check_choose_threshold(fn)
    assert capsys.readouterr().out == "choose_threshold: all 4 cases match the reference\n"


def _arg_best(metric, rule=lambda s, t: s <= t, candidates=np.unique, returns=None):
    """A choose_threshold that keeps the candidate maximising ``metric`` (first of the ties)."""
    def choose_threshold(log_densities, is_anomaly):
        c = candidates(log_densities)
        values = [metric(is_anomaly, rule(log_densities, t)) for t in c]
        i = int(np.argmax(values))
        return returns(c, values, i, log_densities) if returns else c[i]
    return choose_threshold


def _f1(a, flagged):
    return f1_score(a, flagged, zero_division=0)


def _recall(a, flagged):
    return np.sum(flagged & a) / np.sum(a)


def _with_nothing_flagged(s):
    return np.r_[s.min() - 1.0, np.unique(s)]


def _cumulative_counts(log_densities, is_anomaly):
    """F1 at each position of the sorted scores: splits of a tie count as thresholds."""
    order = np.argsort(log_densities, kind="stable")
    a = is_anomaly[order]
    tp, fp = np.cumsum(a), np.cumsum(~a)
    f1 = 2 * tp / (2 * tp + fp + (a.sum() - tp))
    return log_densities[order][np.argmax(f1)]


def _nan_when_nothing_flagged(log_densities, is_anomaly):
    candidates = np.r_[log_densities.min() - 1.0, np.sort(log_densities)]
    values = []
    for t in candidates:
        flagged = log_densities <= t
        with np.errstate(invalid="ignore"):
            precision = np.sum(flagged & is_anomaly) / np.sum(flagged)
        recall = np.sum(flagged & is_anomaly) / np.sum(is_anomaly)
        values.append(2 * precision * recall / (precision + recall))
    return candidates[int(np.argmax(values))]


def _mean_of_precision_and_recall(a, flagged):
    """A wrong F1: the plain mean of precision and recall."""
    return (precision_score(a, flagged, zero_division=0) + _recall(a, flagged)) / 2


def _f1_with_tn(a, flagged):
    """A wrong F1: true negatives in place of the false negatives."""
    tp, fp, tn = np.sum(flagged & a), np.sum(flagged & ~a), np.sum(~flagged & ~a)
    return 2 * tp / (2 * tp + fp + tn)


@pytest.mark.parametrize("fn, expected", [
    (_arg_best(_f1, rule=lambda s, t: s < t), "(?s)case 1 of 4.*the rule is log_density <= t"),
    (_arg_best(_f1, rule=lambda s, t: s >= t), "flagging the HIGH scores \\(log_density >= t\\)"),
    (_arg_best(_f1, rule=lambda s, t: s > t), "flagging the HIGH scores \\(log_density > t\\)"),
    (_arg_best(accuracy_score, candidates=_with_nothing_flagged),
     "(?s)case 4 of 4.*flags no point at all.*99.0% accurate"),
    (_arg_best(accuracy_score), "(?s)case 4 of 4.*maximises accuracy"),
    (_arg_best(_recall), "catches every anomaly \\(recall 1\\)"),
    (_arg_best(_recall, candidates=lambda s: np.unique(s)[::-1]), "flags every point"),
    (_arg_best(lambda a, f: precision_score(a, f, zero_division=0)), "maximises precision"),
    (_arg_best(_f1, returns=lambda c, v, i, s: i), "a position .* not a threshold"),
    (_arg_best(_f1, returns=lambda c, v, i, s: int(np.flatnonzero(s == c[i])[0])),
     "a position .* not a threshold"),
    (_arg_best(_f1, returns=lambda c, v, i, s: v[i]), "an F1 score, not a threshold"),
    (lambda s, a: s <= _threshold_by_counts(s, a), "one per point"),
    (lambda s, a: np.nan, "Your threshold is NaN"),
    (_cumulative_counts, "(?s)case 2 of 4.*4 points share the score"),
    (_nan_when_nothing_flagged, "np.argmax picks it"),
    (lambda s, a: _threshold_by_counts(s, a) - 0.3, "the best achievable F1 on this case is"),
    (_arg_best(_mean_of_precision_and_recall), "(?s)catches every anomaly.*FN, not TN"),
    (_arg_best(_f1_with_tn), "(?s)catches every anomaly.*FN, not TN"),
    (lambda s, a: -_threshold_by_counts(s, a), "(?s)is positive.*-t would be a best.*negate"),
    (lambda s, a: np.float32(_threshold_by_counts(s, a)), "Your threshold is float32, which rounds it away"),
])
def test_choose_threshold_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_choose_threshold(fn)


def test_choose_threshold_cases_are_what_their_descriptions_say():
    cases = threshold_problems()
    scores, anomalies = [(c.data["log_densities"], c.data["is_anomaly"]) for c in cases][2]
    # Case 3: separated, and the best threshold is exactly the largest anomaly score.
    assert scores[anomalies].max() < scores[~anomalies].min()
    assert _threshold_by_counts(scores, anomalies) == scores[anomalies].max()
    # Case 1: the lowest score is a normal point's; case 4: 3 anomalies among 303.
    s1, a1 = cases[0].data["log_densities"], cases[0].data["is_anomaly"]
    assert not a1[np.argmin(s1)] and a1.sum() == 20 and len(s1) == 200
    s4, a4 = cases[3].data["log_densities"], cases[3].data["is_anomaly"]
    assert a4.sum() == 3 and len(s4) == 303
    for case in cases:
        assert np.all(case.data["log_densities"] < 0)


def test_choose_threshold_returns_nothing_and_accepts_a_python_float(capsys):
    assert check_choose_threshold(lambda s, a: float(_threshold_by_counts(s, a))) is None


def test_choose_threshold_stub_is_not_written():
    def choose_threshold(log_densities, is_anomaly):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError, match="not written yet"):
        check_choose_threshold(choose_threshold)


# --------------------------------------------------------------------------
# 14 e_step_with_labels
# --------------------------------------------------------------------------


def _log_density(x, mu, sigma):
    diff = x - mu
    _, log_det = np.linalg.slogdet(sigma)
    return -0.5 * (len(x) * np.log(2 * np.pi) + log_det + diff @ np.linalg.solve(sigma, diff))


def _e_step_with_labels_loops(X, mus, sigmas, pis, labels):
    out = np.zeros((len(X), len(mus)))
    for i, x in enumerate(X):
        if labels[i] >= 0:
            out[i, labels[i]] = 1.0
            continue
        a = np.array([np.log(pi) + _log_density(x, mu, sigma)
                      for mu, sigma, pi in zip(mus, sigmas, pis)])
        out[i] = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
    return out


def _e_step_with_labels_where(X, mus, sigmas, pis, labels):
    one_hot = np.zeros((len(X), len(mus)))
    one_hot[np.arange(len(X)), labels] = 1.0     # the rows labelled -1 are discarded below
    return np.where(labels[:, None] >= 0, one_hot, e_step(X, mus, sigmas, pis))


@pytest.mark.parametrize("fn", [_e_step_with_labels_loops, _e_step_with_labels_where])
def test_e_step_with_labels_passes_right_answers(fn, capsys):
    check_e_step_with_labels(fn)
    assert capsys.readouterr().out == "e_step_with_labels: all 5 cases match the reference\n"


def _from_e_step(change):
    """e_step's responsibilities, then ``change(r, labels, labelled rows)``, returned."""
    def e_step_with_labels(X, mus, sigmas, pis, labels):
        r = e_step(X, mus, sigmas, pis)
        rows = np.flatnonzero(labels >= 0)
        out = change(r, labels, rows)
        return r if out is None else out
    return e_step_with_labels


def _set_rows(shift):
    def change(r, labels, rows):
        r[rows] = 0.0
        r[rows, labels[rows] + shift] = 1.0
    return change


def _all_rows_lit(r, labels, rows):
    r[rows] = 0.0
    r[np.arange(len(r)), labels] = 1.0


def _zero_unlabelled(r, labels, rows):
    out = np.zeros_like(r)
    out[rows, labels[rows]] = 1.0
    return out


def _added(r, labels, rows):
    r[rows, labels[rows]] += 1.0


def _added_normalised(r, labels, rows):
    r[rows, labels[rows]] += 1.0
    return r / r.sum(axis=1, keepdims=True)


def _only_the_one(r, labels, rows):
    r[rows, labels[rows]] = 1.0


def _in_place(X, mus, sigmas, pis, labels):
    r = e_step(X, mus, sigmas, pis)
    rows = np.flatnonzero(labels >= 0)
    r[rows] = 0.0
    r[rows, labels[rows]] = 1.0
    labels[labels < 0] = 0
    return r


def _e_step_on_the_unlabelled_rows(X, mus, sigmas, pis, labels):
    """Right, except that e_step is also called when no row is unlabelled."""
    out = np.zeros((len(X), len(mus)))
    unlabelled = labels < 0
    out[unlabelled] = e_step(X[unlabelled], mus, sigmas, pis)
    out[~unlabelled, labels[~unlabelled]] = 1.0
    return out


@pytest.mark.parametrize("fn, expected", [
    (_from_e_step(_all_rows_lit), "UNLABELLED points \\(label -1\\) have a 1 in the LAST column"),
    (lambda X, mus, sigmas, pis, labels: np.eye(len(mus))[labels],
     "LAST column \\(k = K - 1 = 2\\).*np.eye\\(K\\)\\[labels\\]"),
    (_from_e_step(_zero_unlabelled), "unlabelled points \\(label -1\\) are all 0"),
    (_from_e_step(_added), "PLUS the one-hot"),
    (_from_e_step(_added_normalised), "sum to 1 but are not one-hot"),
    (_from_e_step(_only_the_one), "only the label's column was set to 1"),
    (_from_e_step(_set_rows(-1)), "column label - 1"),
    (_from_e_step(_set_rows(+1)),
     "(?s)IndexError.*\nThe labels are.*label k's one-hot has its 1 in column k"),
    (_from_e_step(lambda r, labels, rows: None), "labelled rows are the ordinary responsibilities"),
    (_from_e_step(lambda r, labels, rows: _set_rows(0)(r, labels, rows[labels[rows] > 0])),
     "rows labelled 0 kept their ordinary responsibilities.*not labels > 0"),
    (_e_step_on_the_unlabelled_rows,
     "(?s)case 5 of 5.*X must not be empty.*refuses an empty X: when every point is labelled "
     "there is nothing to infer; skip the call"),
    (lambda X, mus, sigmas, pis, labels: _e_step_with_labels_loops(X, mus, sigmas, pis, labels).T,
     "looks transposed"),
    (_in_place, "changed its argument labels in place"),
    (lambda X, mus, sigmas, pis, labels: np.full((len(X), len(mus)), 1 / len(mus)),
     "differs from the ordinary E-step"),
])
def test_e_step_with_labels_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_e_step_with_labels(fn)


@pytest.mark.parametrize("name", ["e_step_with_labels", "fit_gmm_semi_supervised"])
def test_e_step_with_labels_refuses_the_package_s_own(name):
    import gmm_teach

    def hand_over(X, mus, sigmas, pis, labels):
        if name == "e_step_with_labels":
            return gmm_teach.e_step_with_labels(X, mus, sigmas, pis, labels)
        gmm_teach.fit_gmm_semi_supervised(X, labels, init=(mus, sigmas, pis), max_iter=1, tol=0)
        return _e_step_with_labels_loops(X, mus, sigmas, pis, labels)
    with pytest.raises(AssertionError, match=f"calls gmm_teach's own {name}, which does"):
        check_e_step_with_labels(hand_over)


def test_e_step_with_labels_cases_hold_the_labels_they_describe():
    from gmm_teach.checks.e_step_with_labels import _problems

    cases = _problems()
    for case in cases[:3]:
        labels, k = case.data["labels"], len(case.data["params"][0])
        assert {0, k - 1} <= set(labels.tolist()) and (labels == -1).any()
    assert np.all(cases[3].data["labels"] == -1)
    assert np.all(cases[4].data["labels"] >= 0)


def test_e_step_with_labels_stub_is_not_written():
    def e_step_with_labels(X, mus, sigmas, pis, labels):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError, match="not written yet"):
        check_e_step_with_labels(e_step_with_labels)


# --------------------------------------------------------------------------
# Claims of lesson 14's prose that its cells do not print
# --------------------------------------------------------------------------


def _hard_blobs():
    from gmm_teach import make_ds

    centers = np.array([[1, -1], [5, 5], [8, 7], [10, 0]])
    draws = [make_ds(centers, random_state=seed, cluster_std=1.5)[0] for seed in range(4)]
    return np.vstack([X for X, _ in draws]), np.concatenate([y for _, y in draws])


def test_lesson_14_the_best_threshold_flags_an_anomaly_last():
    """Question 1: at an F1-best threshold, the highest flagged score is an anomaly's."""
    for case in threshold_problems():
        scores, anomalies = case.data["log_densities"], case.data["is_anomaly"]
        t = _threshold_by_counts(scores, anomalies)
        assert anomalies[scores == t].any()


def test_lesson_14_one_label_per_class_from_the_default_start():
    """Question 2 and the text after the curve: one label per class, the default start
    (random_state 0 to 9): accuracy on the unlabelled points averages 0.755, from 0.50 to 0.92;
    the bad runs start two components on one blob. And with no labels the bad runs merge the two
    upper blobs (the text after the curve)."""
    import warnings

    from gmm_teach import fit_gmm, fit_gmm_semi_supervised

    X, y = _hard_blobs()
    accuracy = []
    for draw in range(10):
        rng = np.random.default_rng(draw)
        labels = np.full(len(X), -1)
        for k in range(4):
            labels[rng.choice(np.flatnonzero(y == k), size=1, replace=False)] = k
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run = fit_gmm_semi_supervised(X, labels, 4, random_state=draw)
        accuracy.append(np.mean(run.labels[labels == -1] == y[labels == -1]))
    accuracy = np.array(accuracy)
    assert round(accuracy.mean(), 3) == 0.755
    assert round(accuracy.min(), 2) == 0.50 and round(accuracy.max(), 2) == 0.92
    upper = np.array([6.5, 6.0])       # midway between the blobs at (5, 5) and (8, 7)
    for draw in range(10):
        run = fit_gmm(X, 4, random_state=draw)
        merged = np.linalg.norm(run.mus - upper, axis=1).min() < 0.3
        counts = np.array([[np.sum((y == c) & (run.labels == k)) for k in range(4)]
                           for c in range(4)])
        rows, cols = linear_sum_assignment(-counts)
        assert merged == (counts[rows, cols].sum() / len(X) < 0.8), draw


def test_lesson_14_the_anomaly_scores_and_the_missed_anomalies():
    """Cells 7 and 13: half the validation anomalies score below every normal validation point,
    the others below the normal points' median; the two missed test anomalies lie below the
    centre of the blob nearest them, each at a different blob."""
    from scipy.special import logsumexp
    from sklearn.model_selection import train_test_split

    from gmm_teach import fit_gmm, log_gaussian_pdf, make_ds

    centers = np.array([[1, -1], [5, 5], [8, 7], [10, 0]])
    X_normal = np.vstack([make_ds(centers, random_state=seed)[0][0] for seed in range(6)])
    X_planted = np.random.default_rng(14).uniform([-4, -6], [15, 12], size=(30, 2))
    X_all = np.vstack([X_normal, X_planted])
    anomaly_all = np.r_[np.zeros(len(X_normal), dtype=bool), np.ones(30, dtype=bool)]
    X_train, X_rest, _, anomaly_rest = train_test_split(
        X_all, anomaly_all, train_size=0.5, stratify=anomaly_all, random_state=0)
    X_val, X_test, anomaly_val, anomaly_test = train_test_split(
        X_rest, anomaly_rest, test_size=0.5, stratify=anomaly_rest, random_state=0)
    fit = fit_gmm(X_train, 4, random_state=0)

    def log_density(X):
        return logsumexp(log_gaussian_pdf(X, fit.mus, fit.sigmas, fit.pis), axis=1)

    scores_val, scores_test = log_density(X_val), log_density(X_test)
    normal = scores_val[~anomaly_val]
    anomalies = scores_val[anomaly_val]
    assert np.sum(anomalies < normal.min()) == len(anomalies) // 2
    assert np.all(anomalies < np.median(normal))
    t = _threshold_by_counts(scores_val, anomaly_val)
    missed = X_test[anomaly_test & (scores_test > t)]
    nearest = np.linalg.norm(missed[:, None] - centers[None], axis=2).argmin(axis=1)
    assert len(missed) == 2 and len(set(nearest)) == 2
    assert np.all(missed[:, 1] < centers[nearest, 1])
