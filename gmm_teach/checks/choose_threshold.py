"""The check of lesson 14's first exercise: ``choose_threshold(log_densities, is_anomaly)``.

A point is flagged as an anomaly when its log-density is at most the threshold
``t``. The exercise returns a ``t`` that maximises the F1 score on labelled
(validation) data. Several thresholds flag the same points, and different
flagged sets can tie, so the check accepts ANY threshold whose F1 equals the
best achievable F1 on the case's data. Its oracle tries every score as the
threshold and scores each flagged set with scikit-learn's ``f1_score``.
"""

import numpy as np
from sklearn.metrics import f1_score

from ._compare import as_array
from ._harness import Failure, Student, numbered, run_check

#: Said when a threshold looks chosen by recall: a wrong F1 formula can lead there too.
_FORMULA = ("If you did compute F1, check your formula: F1 = 2 TP / (2 TP + FP + FN), the "
            "harmonic mean of precision and recall (FN, not TN; not their plain mean).")

#: Two F1 scores closer than this are equal (they are ratios of small whole numbers).
_F1_ATOL = 1e-12


def _scores(rng, n_normal, n_anomalies, anomaly_range, decimals=None):
    """Log-density-like scores: normal points near the top, anomalies spread lower."""
    normal = -2.6 - rng.exponential(1.0, n_normal)
    anomalies = rng.uniform(*anomaly_range, n_anomalies)
    if decimals is not None:
        normal, anomalies = np.round(normal, decimals), np.round(anomalies, decimals)
    return normal, anomalies


def _shuffled(rng, normal, anomalies):
    scores = np.concatenate([anomalies, normal])
    is_anomaly = np.r_[np.ones(len(anomalies), bool), np.zeros(len(normal), bool)]
    order = rng.permutation(len(scores))
    return scores[order], is_anomaly[order]


def _problems():
    rng = np.random.default_rng(14)
    problems = []

    # 1. Overlapping tails; the lowest score is a normal point's (an unusual normal point).
    normal, anomalies = _scores(rng, 180, 20, (-14.0, -4.0))
    normal[0] = -15.0
    problems.append(("200 scores, 20 anomalies whose scores overlap the normal points' tail",
                     *_shuffled(rng, normal, anomalies)))

    # 2. Scores rounded to 0.1: many ties. Just above the best threshold, an anomaly shares
    # its score with normal points: a threshold there flags them all together, which
    # cumulative counts over the sorted scores (the anomaly first) do not see.
    normal, anomalies = _scores(rng, 120, 24, (-12.0, -5.0), decimals=1)
    scores = np.concatenate([anomalies, normal])
    is_anomaly = np.r_[np.ones(len(anomalies), bool), np.zeros(len(normal), bool)]
    cut = max(np.unique(scores), key=lambda t: _f1(is_anomaly, scores <= t))
    tie = scores[scores > cut].min()
    scores = np.r_[tie, scores, tie, tie]          # not shuffled: the tied anomaly comes first
    is_anomaly = np.r_[True, is_anomaly, False, False]
    n_tied = int(np.sum(scores == tie))
    problems.append((f"{len(scores)} scores rounded to 0.1, so many share a score; "
                     f"{int(is_anomaly.sum())} anomalies, one of them tied with {n_tied - 1} "
                     f"normal points at {tie:g}", scores, is_anomaly))

    # 3. Perfectly separated: the best threshold is exactly the largest anomaly's score.
    normal, anomalies = _scores(rng, 90, 10, (-12.0, -7.0))
    normal = np.maximum(normal, -6.0)
    problems.append(("100 scores, 10 anomalies, every one scoring below every normal point "
                     "(F1 = 1 is achievable)", *_shuffled(rng, normal, anomalies)))

    # 4. Very few anomalies, inside the normal points' tail: flagging nothing is 99 % accurate.
    normal, _ = _scores(rng, 300, 0, (0.0, 1.0))
    tail = np.sort(normal)
    anomalies = np.array([tail[1] - 0.01, tail[4] - 0.01, tail[8] - 0.01])
    problems.append(("303 scores, only 3 anomalies, among the lowest normal scores",
                     *_shuffled(rng, normal, anomalies)))
    return numbered([(text, {"log_densities": s, "is_anomaly": a}) for text, s, a in problems])


# --------------------------------------------------------------------------
# The oracle and the counts a message quotes
# --------------------------------------------------------------------------


def _f1(is_anomaly, flagged):
    return float(f1_score(is_anomaly, flagged, zero_division=0.0))


def _best(scores, is_anomaly, rule=np.less_equal, score=_f1):
    """The best ``score`` over every threshold at a score (and one below them all)."""
    candidates = np.r_[-np.inf, np.unique(scores)]
    return max(score(is_anomaly, rule(scores, t)) for t in candidates)


def _accuracy(is_anomaly, flagged):
    return float(np.mean(is_anomaly == flagged))


def _precision(is_anomaly, flagged):
    return float(np.sum(flagged & is_anomaly) / np.sum(flagged)) if flagged.any() else 0.0


def _equal(a, b):
    return abs(a - b) <= _F1_ATOL


def _counts_text(scores, is_anomaly, t):
    flagged = scores <= t
    tp = int(np.sum(flagged & is_anomaly))
    fp = int(np.sum(flagged & ~is_anomaly))
    return (f"it flags {tp + fp} point{'s' if tp + fp != 1 else ''} ({tp} of the "
            f"{int(is_anomaly.sum())} anomalies and {fp} normal point{'s' if fp != 1 else ''}), "
            f"F1 = {_f1(is_anomaly, flagged):.4f}")


# --------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------


def check_choose_threshold(fn):
    """Check a student's ``choose_threshold(log_densities, is_anomaly)``: the best F1 threshold.

    A point is flagged when ``log_densities <= t``. The student's ``t`` passes
    when its F1 score on the case's data equals the best achievable F1, found by
    trying every score as the threshold with scikit-learn's ``f1_score`` (so any
    of several equally good thresholds passes). Four cases: overlapping scores
    whose lowest is a normal point's, scores with ties (an anomaly and three
    normal points share one score), perfectly separated scores (the best
    threshold is exactly the largest anomaly score), and only 3 anomalies among
    303 points.

    Parameters
    ----------
    fn : callable
        The student's ``choose_threshold(log_densities, is_anomaly)``: scores of
        shape (n_samples,) and a boolean array of the same shape, True for an
        anomaly; it returns one number.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: NaN, the
        flags (one value per point) instead of a threshold, the F1 score or an
        index instead of a threshold, the high scores flagged instead of the
        low ones, ``<`` instead of ``<=`` (the point at the threshold not
        flagged), F1 counted at a position of the sorted scores when several
        points share that score, and accuracy, recall or precision maximised
        instead of F1 (flagging nothing, everything, or only the surest few),
        a wrong F1 formula that ends up flagging every anomaly, the threshold
        returned on the scale of the negated scores, and a float32 threshold.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("choose_threshold", fn), _problems(), _check_case)


def _threshold(out, n):
    array = as_array(out, "your threshold")
    if array.shape == (n,):
        raise Failure(
            f"your function returned {n} values, one per point: the flags, or a score for "
            f"every candidate? Return one number, the threshold t (a point is flagged when "
            f"its log-density is <= t)."
        )
    if array.size != 1:
        raise Failure(f"your threshold has shape {array.shape}, but should be one number.")
    dtype = getattr(out, "dtype", None)
    if dtype is not None and dtype.kind == "f" and dtype.itemsize < 8:
        raise Failure(
            f"your threshold is {dtype}, which rounds it away from the score it came "
            f"from, so the point at the threshold may no longer be flagged: return it as a "
            f"float64 (the score itself, taken from log_densities)."
        )
    return float(array.ravel()[0])


def _check_case(student, case):
    scores, is_anomaly = case.data["log_densities"], case.data["is_anomaly"]
    n = len(scores)
    t = _threshold(student.call(("log_densities", "is_anomaly"), (scores, is_anomaly)), n)
    if np.isnan(t):
        raise Failure(
            "your threshold is NaN. Is a precision 0 / 0 (no point flagged) among the values "
            "you compare? np.argmax and max treat NaN as the largest; count F1 as "
            "2 TP / (2 TP + FP + FN), which is 0, not NaN, when nothing is flagged."
        )
    flagged = scores <= t
    best = _best(scores, is_anomaly)
    mine = _f1(is_anomaly, flagged)
    if _equal(mine, best):
        return
    if 0.0 <= t <= 1.0 and any(_equal(t, _f1(is_anomaly, scores <= s)) for s in scores):
        raise Failure(
            f"your function returned {t:.4g}, an F1 score, not a threshold. Return the "
            f"log-density t at which the F1 score is largest (scores here are negative)."
        )
    if t == round(t) and 0 <= t < n:
        raise Failure(
            f"your function returned {t:g}, a whole number between 0 and n - 1 = {n - 1}: a "
            f"position (in log_densities, or in the sorted scores), not a threshold. Return "
            f"the score at that position, e.g. log_densities[i]."
        )
    values, counts = np.unique(scores, return_counts=True)
    shared = values[counts > 1]
    if t in shared and is_anomaly[scores == t].any() and not is_anomaly[scores == t].all():
        k = int(np.sum(scores == t))
        raise Failure(
            f"{k} points share the score {t:g}, an anomaly and normal points: a threshold there "
            f"flags them all together, so {_counts_text(scores, is_anomaly, t)} (best: "
            f"{best:.4f}). Counting F1 at each position of the sorted scores (cumulative sums) "
            f"also counts splits of a tie that no threshold can make: evaluate each distinct "
            f"threshold with log_density <= t."
        )
    best_strict = _best(scores, is_anomaly, rule=np.less)
    if _equal(_f1(is_anomaly, scores < t), best_strict):
        raise Failure(
            f"with your threshold t = {t:.6g}, flagging log_density < t would be best, but the "
            f"rule is log_density <= t: the point whose score is exactly t is flagged too, and "
            f"{_counts_text(scores, is_anomaly, t)} (best: {best:.4f}). Use <= when you "
            f"count, and return the score of the last point you want flagged."
        )
    if not flagged.any():
        raise Failure(
            f"your threshold t = {t:.6g} flags no point at all (it is below every score), so "
            f"F1 = 0 (best: {best:.4f}). Maximising accuracy does that when anomalies are rare "
            f"(here flagging nothing is {1 - is_anomaly.mean():.1%} accurate): maximise F1. And "
            f"if your F1 values hold a NaN (precision 0 / 0 when nothing is flagged), np.argmax "
            f"picks it: count F1 = 2 TP / (2 TP + FP + FN), which is 0 then."
        )
    if _equal(_accuracy(is_anomaly, flagged), _best(scores, is_anomaly, score=_accuracy)):
        raise Failure(
            f"your threshold maximises accuracy: {_counts_text(scores, is_anomaly, t)} (best: "
            f"{best:.4f}). When anomalies are rare, flagging nothing is already "
            f"{1 - is_anomaly.mean():.1%} accurate; maximise F1 = 2 TP / (2 TP + FP + FN), "
            f"which leaves out the true negatives."
        )
    for rule in (np.greater_equal, np.greater):
        if _equal(_f1(is_anomaly, rule(scores, t)), _best(scores, is_anomaly, rule=rule)):
            raise Failure(
                f"your threshold would be best for flagging the HIGH scores "
                f"(log_density {'>=' if rule is np.greater_equal else '>'} t). Anomalies are "
                f"the points the model finds improbable: flag log_density <= t. With your "
                f"t = {t:.6g}, {_counts_text(scores, is_anomaly, t)} (best: {best:.4f})."
            )
    if flagged.all() and t > 0 >= scores.max():
        negated = _equal(_f1(is_anomaly, scores <= -t), best)
        raise Failure(
            f"your t = {t:.6g} is positive, above every log-density here (they are all "
            f"negative), so it flags every point and F1 = {mine:.4f} (best: {best:.4f})"
            f"{'; -t would be a best threshold' if negated else ''}. Did you negate the scores "
            f"(-log p)? Return t on the scale of log_densities: a point is flagged when its "
            f"log-density is <= t."
        )
    if flagged.all():
        raise Failure(
            f"your threshold t = {t:.6g} flags every point: recall is 1, but precision is only "
            f"the share of anomalies, {is_anomaly.mean():.3f}, and F1 = {mine:.4f} (best: "
            f"{best:.4f}). Recall alone is maximised by flagging everything; maximise F1. "
            f"{_FORMULA}"
        )
    if np.all(flagged[is_anomaly]):
        raise Failure(
            f"your threshold catches every anomaly (recall 1), but "
            f"{_counts_text(scores, is_anomaly, t)} (best: {best:.4f}). Recall alone is largest "
            f"as soon as every anomaly is flagged, however many normal points come with them: "
            f"maximise F1. {_FORMULA}"
        )
    if _equal(_precision(is_anomaly, flagged), _best(scores, is_anomaly, score=_precision)):
        raise Failure(
            f"your threshold maximises precision ({_precision(is_anomaly, flagged):.3f}), "
            f"but {_counts_text(scores, is_anomaly, t)} (best: {best:.4f}): precision alone "
            f"is largest when only the surest few are flagged. Maximise F1, which also counts "
            f"the anomalies missed."
        )
    raise Failure(
        f"with your threshold t = {t:.6g}, {_counts_text(scores, is_anomaly, t)}, but the best "
        f"achievable F1 on this case is {best:.4f}. Try every score as the threshold, flag "
        f"log_densities <= t, count TP, FP and FN, and keep the t with the largest "
        f"F1 = 2 TP / (2 TP + FP + FN)."
    )
