"""The check of lesson 13's exercise: ``bernoulli_m_step(X, responsibilities, min_prob)``, with its floor.

With ``N_k = sum_i gamma_ik``, the step returns ``mus[k, d] = sum_i gamma_ik x_id / N_k``
clipped to ``[min_prob, 1 - min_prob]``, and ``pis[k] = N_k / n``. Every case holds
a pixel that is off in every point a component is responsible for and one that is
on in all of them, so the floor matters at both ends.
"""

import re

import numpy as np

from ._compare import as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, numbered, run_check

#: Nothing of gmm_teach may be called: its bernoulli_m_step (and the fit) do the work.
ALLOWED = ()

NAMES = ("X", "responsibilities", "min_prob")
_RTOL = 1e-8
_ATOL = 1e-12  # far below every floor of the cases, so an unclipped 0 is seen

_FORMULAS = (
    "With N_k = sum_i gamma_ik: mus[k, d] = sum_i gamma_ik x_id / N_k, clipped to "
    "[min_prob, 1 - min_prob], and pis[k] = N_k / n."
)


def _soft(rng, n, k, concentration):
    return rng.dirichlet(np.full(k, concentration), size=n)


def problems():
    """The four fixed problems: ``Case`` objects whose data holds X, responsibilities, min_prob."""
    rng = np.random.default_rng(1313)

    # 1: soft responsibilities; pixel 0 is off in every point, pixel 3 on in every point.
    X1 = (rng.random((8, 5)) < 0.5).astype(float)
    X1[:, 0], X1[:, 3] = 0.0, 1.0
    X1[0, [1, 2, 4]], X1[1, [1, 2, 4]] = 1.0, 0.0  # no other pixel is constant
    gamma1 = _soft(rng, 8, 2, 1.0)

    # 2: hard responsibilities (0 or 1); in each component, pixel 2k is off in all its
    # points and pixel 2k + 1 on in all of them, while the other components vary there.
    k2, n2, d2 = 3, 60, 20
    labels2 = np.arange(n2) % k2
    X2 = (rng.random((n2, d2)) < 0.5).astype(float)
    for k in range(k2):
        X2[labels2 == k, 2 * k], X2[labels2 == k, 2 * k + 1] = 0.0, 1.0
    gamma2 = np.eye(k2)[labels2]

    # 3: digit-sized, soft, with a larger floor; the first and last pixels are constant.
    X3 = (rng.random((50, 64)) < rng.uniform(0.1, 0.9, size=64)).astype(float)
    X3[:, 0], X3[:, 63] = 0.0, 1.0
    gamma3 = _soft(rng, 50, 4, 0.5)

    # 4: soft responsibilities with exact zeros: component 0 is responsible only for the
    # first half, where pixel 1 is off and pixel 2 on (the other half varies there).
    n4, d4, k4 = 40, 12, 3
    X4 = (rng.random((n4, d4)) < 0.5).astype(float)
    X4[: n4 // 2, 1], X4[: n4 // 2, 2] = 0.0, 1.0
    X4[n4 // 2:, 1], X4[n4 // 2:, 2] = np.tile([0.0, 1.0], n4 // 4), np.tile([1.0, 0.0], n4 // 4)
    gamma4 = _soft(rng, n4, k4, 1.0)
    gamma4[n4 // 2:, 0] = 0.0
    gamma4 /= gamma4.sum(axis=1, keepdims=True)

    return numbered([
        ("X (8, 5), K = 2, soft responsibilities, min_prob = 0.001; pixel 0 is off in every "
         "point and pixel 3 on in every point", {"X": X1, "gamma": gamma1, "min_prob": 1e-3}),
        ("X (60, 20), K = 3, hard responsibilities (0 or 1), min_prob = 0.001; in each "
         "component one pixel is off in all its points and one on in all of them",
         {"X": X2, "gamma": gamma2, "min_prob": 1e-3}),
        ("X (50, 64), K = 4, soft responsibilities, min_prob = 0.01; pixel 0 is off and "
         "pixel 63 on in every point", {"X": X3, "gamma": gamma3, "min_prob": 1e-2}),
        ("X (40, 12), K = 3, component 0 responsible only for the first 20 points, "
         "min_prob = 1e-06; there pixel 1 is off and pixel 2 on",
         {"X": X4, "gamma": gamma4, "min_prob": 1e-6}),
    ])


def raw_means(X, gamma):
    """``sum_i gamma_ik x_id / N_k`` for every k and d, one pixel at a time (the oracle, no floor)."""
    n, d = X.shape
    k_count = gamma.shape[1]
    mus = np.zeros((k_count, d))
    for k in range(k_count):
        n_k = sum(gamma[i, k] for i in range(n))
        for j in range(d):
            mus[k, j] = sum(gamma[i, k] * X[i, j] for i in range(n)) / n_k
    return mus


def reference(X, gamma, min_prob):
    """The oracle's ``(mus, pis)``: loops, then the floor at both ends."""
    mus = raw_means(X, gamma)
    mus = np.array([[min(max(m, min_prob), 1.0 - min_prob) for m in row] for row in mus])
    return mus, gamma.sum(axis=0) / len(X)


def check_bernoulli_m_step(fn):
    """Check a student's ``bernoulli_m_step(X, responsibilities, min_prob)`` against loops.

    It must return ``(mus, pis)``: ``mus`` of shape (K, D), each
    ``sum_i gamma_ik x_id / N_k`` clipped to ``[min_prob, 1 - min_prob]``, and
    ``pis = N_k / n`` of K entries (shape (K, 1) or (1, K) is accepted). Four
    cases: soft, hard (0 or 1) and partly zero responsibilities, floors of
    0.001, 0.01 and 1e-6; in every case some pixel is off in all the points a
    component is responsible for and another on in all of them.

    Parameters
    ----------
    fn : callable
        The student's ``bernoulli_m_step(X, responsibilities, min_prob)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the
        wrong number or order of values, transposed or wrongly shaped
        ``mus``, the floor forgotten (exact 0s and 1s), only the lower or only
        the upper floor, a floor other than ``min_prob``, ``min_prob`` added
        (or a shrink towards 1/2, or Laplace smoothing) instead of a clip, only
        the exact 0s and 1s floored, the clip before the division, N_k without
        its second axis (a broadcasting error), dividing by n instead of N_k,
        hard assignments (unweighted means), one mean of all points for every
        component, float32, and weights that are counts N_k (or do not sum to
        1). No message holds a finished line of code. A call of gmm_teach's
        own ``bernoulli_m_step`` or fit is refused.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("bernoulli_m_step", fn, ALLOWED), problems(), _check_case)


_SINGLE = (
    "your {name} are float32 (single precision, about 7 digits), which misses the reference "
    "by more than a relative 1e-8: compute in float64, numpy's default (look for an "
    "astype(np.float32) or a dtype=np.float32)."
)

_CLIP_NOT_ADD = (
    " Here clip, don't add: values already inside [min_prob, 1 - min_prob] stay unchanged, "
    "and only those outside move to the nearest end."
)


def _dtype(value):
    """The dtype numpy gives what the student returned (None if it cannot)."""
    try:
        return np.asarray(value).dtype
    except Exception:  # a student's object may raise anything here; as_array says why
        return None


def _article(word):
    return "an" if word[:1].lower() in "aeiou" or word == "ndarray" else "a"


def _unpack(out, k, d):
    """``(mus, pis, mus_single, pis_single)``: the arrays, and whether each was float32."""
    if not isinstance(out, (tuple, list)):
        kind = type(out).__name__
        raise Failure(f"your function returned {_article(kind)} {kind}; it should return the "
                      f"two values (mus, pis).")
    if len(out) != 2:
        raise Failure(f"your function returned {len(out)} values; it should return the two "
                      f"values (mus, pis), in that order.")
    singles = [_dtype(value) == np.float32 for value in out]
    first, second = as_array(out[0], "your mus array"), as_array(out[1], "your pis array")
    if first.size == k and second.shape == (k, d):
        raise Failure("your function returned (pis, mus): return (mus, pis), in that order.")
    check_shape(first, (k, d), "your mus array", "One row per component, one column per pixel: "
                                                "shape (K, D).")
    if second.size != k or second.ndim > 2:
        raise Failure(f"your pis array has shape {second.shape} but should have K = {k} "
                      f"entries, one weight per component.")
    return first, second.ravel(), singles[0], singles[1]


def _clip(mus, low, high):
    return np.clip(mus, low, high)


def _check_mus(mus, X, gamma, min_prob, right, single=False):
    if close(mus, right, _RTOL, _ATOL):
        return
    if single and close(mus, right, 1e-5, 1e-9):
        raise Failure(_SINGLE.format(name="mus"))
    raw = raw_means(X, gamma)
    low, high = min_prob, 1.0 - min_prob
    if np.any(mus == 0.0) or np.any(mus == 1.0):
        k, d = np.argwhere((mus == 0.0) | (mus == 1.0))[0]
        value = "0" if mus[k, d] == 0.0 else "1"
        if close(mus, raw, _RTOL, _ATOL):
            raise Failure(
                f"your mus[{k}, {d}] is exactly {value}: the floor is missing. Pixel {d} is "
                f"{'off' if value == '0' else 'on'} in every point component {k} is responsible "
                f"for, and a new point with that pixel {'on' if value == '0' else 'off'} would "
                f"get probability 0 (log -inf) under component {k}. Clip every mean to "
                f"[min_prob, 1 - min_prob]."
            )
        if close(mus, _clip(raw, low, None), _RTOL, _ATOL):
            raise Failure(
                f"your mus[{k}, {d}] is exactly 1: only the lower floor is there. A pixel on "
                f"in every point of a component needs the upper one too, 1 - min_prob (else a "
                f"new point with that pixel off gets probability 0)."
            )
        if close(mus, _clip(raw, None, high), _RTOL, _ATOL):
            raise Failure(
                f"your mus[{k}, {d}] is exactly 0: only the upper floor is there. Clip at "
                f"min_prob from below too."
            )
    floor = min(float(mus.min()), 1.0 - float(mus.max()))
    if (0.0 < floor < 0.5 and not np.isclose(floor, min_prob, rtol=1e-6)
            and close(mus, _clip(raw, floor, 1.0 - floor), _RTOL, _ATOL)):
        raise Failure(
            f"your floor is {floor:.6g}, but this case has min_prob = {min_prob:g}: clip to "
            f"[min_prob, 1 - min_prob] with the argument, not a fixed number."
        )
    n = len(X)
    n_k = gamma.sum(axis=0)[:, None]
    sums = gamma.T @ X
    labels = gamma.argmax(axis=1)
    hard = np.array([X[labels == k].mean(axis=0) if np.any(labels == k) else np.full(X.shape[1], np.nan)
                     for k in range(gamma.shape[1])])
    inside = (raw > 0.0) & (raw < low) | (raw > high) & (raw < 1.0)
    example = ""
    if inside.any():
        i, j = np.argwhere(inside)[0]
        example = f", e.g. your mus[{i}, {j}] = {mus[i, j]:.3g}, which the clip makes {right[i, j]:g}"
    added = "you added min_prob to every mean, as reg_covar adds its epsilon to every variance."
    smoothed = ("you smoothed the counts, (sum_i gamma_ik x_id + a) / (N_k + 2a), as Laplace "
                "smoothing does, so every mean moves.")
    mistakes = [
        (raw + min_prob, added + _CLIP_NOT_ADD),
        (_clip(raw + min_prob, low, high), added + _CLIP_NOT_ADD),
        (raw * (1.0 - 2.0 * min_prob) + min_prob,
         "you shrank every mean towards 1/2, mus (1 - 2 min_prob) + min_prob, so every mean "
         "moves." + _CLIP_NOT_ADD),
        ((sums + min_prob) / (n_k + 2.0 * min_prob), smoothed + _CLIP_NOT_ADD),
        ((sums + 1.0) / (n_k + 2.0), smoothed + _CLIP_NOT_ADD),
        (np.where(raw == 0.0, low, np.where(raw == 1.0, high, raw)),
         f"you replaced only the exact 0s and 1s by the floor: means strictly between 0 and "
         f"min_prob, or between 1 - min_prob and 1, stay ({int(inside.sum())} here{example}). "
         f"Clip every entry to [min_prob, 1 - min_prob]."),
        (_clip(sums, low, high) / n_k,
         "you clipped before dividing by N_k: the floor is for the means, so divide the "
         "weighted sums by N_k first and clip the result."),
        (_clip(sums / n, low, high),
         "your mus are divided by n, the number of points: divide component k's weighted sum "
         "by its own N_k = sum_i gamma_ik."),
        (_clip(hard, low, high),
         "your mus are the plain means of the points each component is most responsible for "
         "(hard assignments): weight every point by its responsibility gamma_ik, "
         "mus[k, d] = sum_i gamma_ik x_id / N_k."),
        (_clip(np.repeat(X.mean(axis=0)[None], gamma.shape[1], axis=0), low, high),
         "every component got the same mus, the mean of all the points: weight each point by "
         "its responsibility for component k, sum_i gamma_ik x_id / N_k."),
        (_clip(sums, low, high),
         "your mus are weighted sums, not weighted means: divide row k by N_k = sum_i gamma_ik."),
    ]
    for wrong, words in mistakes:
        if close(mus, wrong, _RTOL, _ATOL):
            raise Failure(words)
    raise Failure(worst_entry(mus, right, _RTOL, _ATOL, "mus") + "\n" + _FORMULAS)


def _check_pis(pis, gamma, right, single=False):
    if close(pis, right, _RTOL, _ATOL):
        return
    if single and close(pis, right, 1e-5, 1e-9):
        raise Failure(_SINGLE.format(name="pis"))
    n = len(gamma)
    if close(pis, gamma.sum(axis=0), _RTOL, _ATOL):
        raise Failure(
            f"your pis are the counts N_k (they sum to n = {n}): divide them by n, "
            f"pis[k] = N_k / n."
        )
    if not np.isclose(pis.sum(), 1.0, atol=1e-6):
        raise Failure(f"your pis sum to {pis.sum():.6g}, not 1. " + _FORMULAS)
    raise Failure(worst_entry(pis, right, _RTOL, _ATOL, "pis") + "\n" + _FORMULAS)


def _broadcast_hint(text, n, k, d):
    """A sentence for numpy's "could not be broadcast" when N_k is the culprit ("" if not)."""
    if "could not be broadcast" not in text:
        return ""
    shapes = re.findall(r"\(([\d, ]*)\)", text.split(" on input of shape")[0])
    shapes = {tuple(int(part) for part in shape.replace(" ", "").split(",") if part)
              for shape in shapes}
    if (k,) in shapes:
        return (f"\nN_k has shape ({k},) and the weighted sums ({k}, {d}): numpy lines up the "
                f"LAST axes, so give N_k a second axis of length 1, shape ({k}, 1), to divide "
                f"row k by N_k.")
    if (n,) in shapes:
        return (f"\nAn array of n = {n} entries, one per point: is that your N_k? Sum the "
                f"responsibilities over the points (axis 0) to get one N_k per component.")
    return ""


def _check_case(student, case):
    X, gamma, min_prob = case.data["X"], case.data["gamma"], case.data["min_prob"]
    n, k, d = X.shape[0], gamma.shape[1], X.shape[1]
    try:
        out = student.call(NAMES, (X, gamma, min_prob))
    except Failure as exc:
        hint = _broadcast_hint(str(exc), n, k, d)
        if not hint:
            raise
        raise Failure(str(exc) + hint) from None
    mus, pis, mus_single, pis_single = _unpack(out, k, d)
    if not np.all(np.isfinite(mus)):
        raise Failure(
            "your mus contain NaN or inf: a division by a zero N_k? Every component has "
            "N_k > 0 here; divide component k's weighted sum by its N_k = sum_i gamma_ik."
        )
    right_mus, right_pis = reference(X, gamma, min_prob)
    _check_mus(mus, X, gamma, min_prob, right_mus, mus_single)
    _check_pis(pis, gamma, right_pis, pis_single)
