"""The check of lesson 13's exercise: ``bernoulli_e_step(X, mus, pis)``, a Bernoulli mixture's E-step.

Component ``k`` gives the binary vector ``x`` the probability
``p(x | mus[k]) = prod_d mus[k, d]^x_d (1 - mus[k, d])^(1 - x_d)``; the
responsibilities are ``gamma_ik = pis[k] p(x_i | mus[k]) / sum_j pis[j] p(x_i | mus[j])``.
With 1,500 pixels every ``p(x_i | mus[k])`` underflows to 0, so the last case
is passed only in log space.
"""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import bernoulli

from ._compare import as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, numbered, run_check

#: Nothing of gmm_teach may be called: its log_bernoulli_pdf and bernoulli_e_step do the work.
ALLOWED = ()

NAMES = ("X", "mus", "pis")
_RTOL = 1e-6
_ATOL = 1e-10
_LAYOUT = "One row per point, one column per component: shape (n_samples, K)."

#: The number of pixels of the case where every probability underflows.
MANY_PIXELS = 1500

_LOG_SPACE = (
    "Work in log space: a_ik = log pis[k] + sum_d [x_id log mus[k, d] + (1 - x_id) "
    "log(1 - mus[k, d])] is an ordinary number even where its exponential underflows; "
    "normalise each row with a log-sum-exp (lesson 03) before exponentiating"
)

#: What the student's output is called in messages.
_WHAT = "your responsibilities array"


def _mixture(rng, n, d, k, similar=False):
    """A Bernoulli mixture (mus strictly inside (0, 1)) and ``n`` binary points drawn from it.

    With ``similar``, the components differ by a few hundredths in every pixel,
    so that for several points the responsibilities stay far from 0 and 1.
    """
    if similar:
        base = rng.uniform(0.25, 0.75, size=d)
        mus = np.clip(base + rng.normal(0.0, 0.03, size=(k, d)), 0.05, 0.95)
    else:
        mus = np.clip(rng.beta(0.7, 0.7, size=(k, d)), 0.02, 0.98)
    pis = rng.dirichlet(np.full(k, 3.0))
    labels = rng.choice(k, size=n, p=pis)
    X = (rng.random((n, d)) < mus[labels]).astype(float)
    return X, mus, pis


def problems():
    """The four fixed problems: ``Case`` objects whose data holds X, mus and pis."""
    rng = np.random.default_rng(13)
    by_hand = {
        "X": np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0],
                       [0, 1, 0, 1], [1, 1, 1, 1], [0, 0, 0, 0]], dtype=float),
        "mus": np.array([[0.8, 0.7, 0.3, 0.2], [0.3, 0.4, 0.6, 0.9]]),
        "pis": np.array([0.7, 0.3]),
        "underflows": False,
    }
    out = [("X (6, 4) written by hand, K = 2, weights (0.7, 0.3)", by_hand)]
    sizes = [
        ("X (40, 16), K = 3", 40, 16, 3, False),
        ("X (30, 64), K = 5: as many pixels as a digit", 30, 64, 5, False),
        (f"X (12, {MANY_PIXELS}), K = 3: {MANY_PIXELS:,} pixels, so every p(x_i | mus[k]) "
         f"underflows to 0", 12, MANY_PIXELS, 3, True),
    ]
    for text, n, d, k, similar in sizes:
        X, mus, pis = _mixture(rng, n, d, k, similar=similar)
        out.append((text, {"X": X, "mus": mus, "pis": pis, "underflows": similar}))
    return numbered(out)


def log_bernoulli(X, mus):
    """``log p(x_i | mus[k])``, shape (n_samples, K), from scipy's Bernoulli, pixel by pixel."""
    return bernoulli.logpmf(X[:, None, :], mus[None, :, :]).sum(axis=2)


def _normalised(log_joint, axis=1):
    return np.exp(log_joint - logsumexp(log_joint, axis=axis, keepdims=True))


def _candidates(X, mus, pis):
    """The reference responsibilities, and what the typical mistakes give instead."""
    log_p = log_bernoulli(X, mus)
    right = _normalised(np.log(pis) + log_p)
    ones_only = X @ np.log(mus).T
    zeros_only = (1 - X) @ np.log(1 - mus).T
    mistakes = [
        (_normalised(log_p),
         "you seem to have forgotten the weights pis: add log pis[k] to column k of the "
         "log-probabilities before normalising (in probabilities: multiply column k by pis[k])."),
        (_normalised(pis + log_p),
         "you added pis itself to the log-probabilities; add its log, log pis[k]."),
        (_normalised(np.log(pis) + ones_only),
         "you kept only the pixels that are on, x_id log mus[k, d]: the pixels that are off "
         "count too, with (1 - x_id) log(1 - mus[k, d]), summed over d like the first term."),
        (_normalised(np.log(pis) + zeros_only),
         "you kept only the pixels that are off, (1 - x_id) log(1 - mus[k, d]): add the "
         "pixels that are on, x_id log mus[k, d], summed over d."),
        (_normalised(np.log(pis) + ones_only - zeros_only),
         "the term (1 - x_id) log(1 - mus[k, d]) has the wrong sign: both terms are added."),
        (_normalised(np.log(pis) + X @ np.log(1 - mus).T + (1 - X) @ np.log(mus).T),
         "you swapped mus and 1 - mus: pixel d is on (x_id = 1) with probability mus[k, d], "
         "so an ink pixel contributes log mus[k, d] and a blank one log(1 - mus[k, d])."),
    ]
    return right, mistakes


def check_bernoulli_e_step(fn):
    """Check a student's ``bernoulli_e_step(X, mus, pis)`` against the reference.

    It must return the responsibilities ``gamma_ik = p(z_i = k | x_i)``, shape
    (n_samples, K), every row summing to 1, for binary ``X`` (n_samples, D),
    ``mus`` (K, D) strictly inside (0, 1) and weights ``pis`` (K,). The
    reference adds scipy's Bernoulli log-probabilities pixel by pixel and
    normalises each row with ``scipy.special.logsumexp``. Four cases, the last
    with 1,500 pixels, where every ``p(x_i | mus[k])`` underflows to 0: dividing
    probabilities there is 0/0 = NaN, and the check says to work in log space.

    Parameters
    ----------
    fn : callable
        The student's ``bernoulli_e_step(X, mus, pis)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for:
        transposed or wrongly shaped output, NaN (or equal rows from a small
        number added) where the probabilities underflow, inf from a log-sum-exp
        without its shift, normalisation over the wrong axis, rows not
        normalised, log responsibilities, hard 0/1 rows, float32, the weights
        forgotten or added without their log, the ``(1 - x) log(1 - mu)`` term
        forgotten or with the wrong sign, only that term kept, ``mu`` and
        ``1 - mu`` swapped. No message holds a finished line of code. A call of
        gmm_teach's own ``bernoulli_e_step`` or ``log_bernoulli_pdf`` is refused.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("bernoulli_e_step", fn, ALLOWED), problems(), _check_case)


def _dtype(value):
    """The dtype numpy gives what the student returned (None if it cannot)."""
    try:
        return np.asarray(value).dtype
    except Exception:  # a student's object may raise anything here; as_array says why
        return None


def _check_case(student, case):
    X, mus, pis = case.data["X"], case.data["mus"], case.data["pis"]
    n, k = len(X), len(mus)
    returned = student.call(NAMES, (X, mus, pis))
    single = _dtype(returned) == np.float32
    out = as_array(returned, _WHAT)
    check_shape(out, (n, k), _WHAT, _LAYOUT)
    right, mistakes = _candidates(X, mus, pis)
    bad_rows = np.flatnonzero(~np.all(np.isfinite(out), axis=1))
    if len(bad_rows):
        what = "NaN" if np.isnan(out[bad_rows]).any() else "inf"
        rows = f"(row {bad_rows[0]}, and {len(bad_rows)} of {n} rows in all)"
        if case.data["underflows"] and what == "NaN":
            raise Failure(
                f"{_WHAT} contains NaN {rows}. With {X.shape[1]:,} pixels, p(x_i | mus[k]) is "
                f"a product of {X.shape[1]:,} numbers below 1 and underflows to 0, and 0/0 is "
                f"NaN. {_LOG_SPACE}."
            )
        if case.data["underflows"]:
            raise Failure(
                f"{_WHAT} contains inf {rows}. With {X.shape[1]:,} pixels every exp(a_ik) "
                f"underflows to 0, so the log of their sum is -inf and a_ik minus it is +inf: "
                f"pull the row maximum m_i = max_k a_ik out first, log sum_k exp(a_ik) = "
                f"m_i + log sum_k exp(a_ik - m_i) (lesson 03), or use scipy.special.logsumexp."
            )
        raise Failure(
            f"{_WHAT} contains {what} in row {bad_rows[0]}, although no probability "
            f"underflows in this case: a log of 0 or of a negative number, or a division by 0? "
            f"mus is strictly between 0 and 1 here."
        )
    if close(out, right, _RTOL, _ATOL):
        return
    if single and close(out, right, 1e-3, 1e-6):
        raise Failure(
            f"{_WHAT} is float32 (single precision, about 7 digits), and its entries miss the "
            f"reference by more than a relative 1e-6: compute in float64, numpy's default "
            f"(look for an astype(np.float32) or a dtype=np.float32)."
        )
    if case.data["underflows"] and np.allclose(out, 1.0 / k, rtol=1e-6, atol=1e-9):
        raise Failure(
            f"every row of {_WHAT} is 1/K = {1 / k:.4g}: the probabilities "
            f"underflowed to 0 and a small number added to avoid 0/0 made every component "
            f"equally likely. It hides the problem without solving it. {_LOG_SPACE}."
        )
    row_sums = out.sum(axis=1)
    rows_sum_to_1 = np.allclose(row_sums, 1.0, atol=1e-6)
    if not rows_sum_to_1 and np.allclose(out.sum(axis=0), 1.0, atol=1e-6):
        raise Failure(
            "your COLUMNS sum to 1, not your rows: you normalised over the points (axis 0). "
            "Each point's responsibilities are a distribution over the components: normalise "
            "each row, over the components (axis 1)."
        )
    if np.all(out <= 0) and close(np.exp(out), right, _RTOL, _ATOL):
        raise Failure(
            "these are the log responsibilities: return their exponential."
        )
    if not rows_sum_to_1:
        i = int(np.argmax(np.abs(row_sums - 1.0)))
        raise Failure(
            f"the rows of {_WHAT} do not sum to 1 (row {i} sums to "
            f"{row_sums[i]:.6g}): normalise over the components, subtracting each row's "
            f"log-sum-exp (over axis 1) before exponentiating."
        )
    if np.all((out == 0.0) | (out == 1.0)):
        raise Failure(
            f"every entry of {_WHAT} is 0 or 1 (row 0 is {out[0].tolist()}, the reference "
            f"{np.round(right[0], 4).tolist()}): the E-step keeps soft responsibilities, "
            f"gamma_ik = p(z_i = k | x_i); do not take the argmax or round."
        )
    for wrong, words in mistakes:
        if close(out, wrong, _RTOL, _ATOL):
            raise Failure(words)
    raise Failure(
        worst_entry(out, right, _RTOL, _ATOL, "responsibilities")
        + "\ngamma_ik = pis[k] p(x_i | mus[k]) / sum_j pis[j] p(x_i | mus[j]), with "
        "log p(x_i | mus[k]) = sum_d [x_id log mus[k, d] + (1 - x_id) log(1 - mus[k, d])]."
    )
