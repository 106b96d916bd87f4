"""The check of lesson 14's second exercise: ``e_step_with_labels(X, mus, sigmas, pis, labels)``.

Semi-supervised EM's E-step. ``labels[i] = -1`` marks an unlabelled point
(scikit-learn's convention), whose row is the ordinary E-step's
responsibilities; ``labels[i] = k >= 0`` fixes the point's component, and its
row is the one-hot vector of ``k``.
"""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from .. import em, semi_supervised
from ._compare import as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, does_the_work, numbered, run_check
from ._problems import mixture

#: The ordinary E-step and the log weighted densities may be used: the exercise is the clamping.
ALLOWED = (em.e_step, em.log_gaussian_pdf)

_RTOL = 1e-6
_ATOL = 1e-10
_LAYOUT = "One row per point, one column per component: shape (n_samples, K)."


#: The package's own semi-supervised E-step and fit do the work the exercise asks for.
FORBIDDEN = tuple(
    (function, does_the_work(f"gmm_teach's own {function.__name__}"))
    for function in (semi_supervised.e_step_with_labels, semi_supervised.fit_gmm_semi_supervised)
)


def _labels(rng, n, k, share):
    """Labels with about ``share`` of the points labelled, 0 and K - 1 among them."""
    labels = np.full(n, -1)
    chosen = rng.choice(n, size=max(2, int(round(share * n))), replace=False)
    labels[chosen] = rng.integers(0, k, size=len(chosen))
    labels[chosen[:2]] = [0, k - 1]
    return labels


def _problems():
    rng = np.random.default_rng(1414)
    problems = []
    for n, d, k, share, text in [
        (40, 2, 3, 0.3, "a third of the points labelled"),
        (60, 3, 4, 0.5, "half of the points labelled"),
        (25, 1, 2, 0.2, "a fifth of the points labelled"),
    ]:
        X, mus, sigmas, pis = mixture(rng, n, d, k)
        labels = _labels(rng, n, k, share)
        problems.append((f"X ({n}, {d}), K = {k}, {text} (labels 0 and {k - 1} among them)",
                         X, (mus, sigmas, pis), labels))
    X, mus, sigmas, pis = mixture(rng, 30, 2, 3)
    problems.append(("X (30, 2), K = 3, every label -1 (nothing labelled: the ordinary E-step)",
                     X, (mus, sigmas, pis), np.full(30, -1)))
    X, mus, sigmas, pis = mixture(rng, 20, 2, 3)
    problems.append(("X (20, 2), K = 3, every point labelled", X, (mus, sigmas, pis),
                     rng.integers(0, 3, size=20)))
    return numbered([(text, {"X": X, "params": params, "labels": labels})
                     for text, X, params, labels in problems])


def _responsibilities(X, mus, sigmas, pis):
    """The ordinary E-step from scipy's densities, normalised in log space (the oracle's half)."""
    log_weighted = np.column_stack([np.log(pi) + multivariate_normal(mu, sigma).logpdf(X)
                                    .reshape(len(X)) for mu, sigma, pi in zip(mus, sigmas, pis)])
    return np.exp(log_weighted - logsumexp(log_weighted, axis=1, keepdims=True))


def _one_hot(labels, k):
    out = np.zeros((len(labels), k))
    for i, label in enumerate(labels):
        out[i, label] = 1.0
    return out


def check_e_step_with_labels(fn):
    """Check a student's ``e_step_with_labels(X, mus, sigmas, pis, labels)``.

    Rows of labelled points (``labels[i] = k >= 0``) must be the one-hot vector
    of ``k``; rows of unlabelled points (``labels[i] = -1``) the ordinary
    responsibilities. The oracle computes those with ``scipy.stats``'
    densities and a log-sum-exp, and writes the one-hot rows in a loop. Five
    cases: three random problems (1-D to 3-D, K = 2 to 4) with some points
    labelled, labels 0 and K - 1 among them; one with no label at all; one with
    every point labelled.

    Parameters
    ----------
    fn : callable
        The student's ``e_step_with_labels(X, mus, sigmas, pis, labels)``;
        ``labels`` is an integer array of shape (n_samples,), -1 for an
        unlabelled point. It may call ``e_step`` and ``log_gaussian_pdf``, not
        ``gmm_teach``'s own ``e_step_with_labels`` or
        ``fit_gmm_semi_supervised``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the
        one-hot also written in the rows labelled -1 (which index the LAST
        column), the one-hot added to the responsibilities (or only its 1
        written) instead of replacing the row, the unlabelled rows zeroed, the
        labels not used at all, the labels shifted by one, the rows labelled 0
        treated as unlabelled (``labels > 0``), ``e_step`` called on no row
        at all when every point is labelled, the transposed output, and
        ``labels`` changed in place.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("e_step_with_labels", fn, ALLOWED, forbidden=FORBIDDEN), _problems(),
              _check_case)


def _row(array, i):
    return "[" + ", ".join(f"{value:.3g}" for value in array[i]) + "]"


def _check_case(student, case):
    X, (mus, sigmas, pis), labels = case.data["X"], case.data["params"], case.data["labels"]
    n, k = len(X), len(mus)
    try:
        out = student.call(("X", "mus", "sigmas", "pis", "labels"),
                           (X, mus, sigmas, pis, labels))
    except Failure as failure:
        if "IndexError" in str(failure) and f"index {k} is out of bounds" in str(failure):
            raise Failure(
                f"{failure}\nThe labels are component numbers 0 to K - 1 = {k - 1}, as the "
                f"columns are: label k's one-hot has its 1 in column k (not k + 1)."
            ) from None
        if "must not be empty" in str(failure) and np.all(labels >= 0):
            raise Failure(
                f"{failure}\ngmm_teach's e_step refuses an empty X: when every point is "
                f"labelled there is nothing to infer; skip the call."
            ) from None
        raise
    out = as_array(out, "your output")
    check_shape(out, (n, k), "your output", _LAYOUT)
    soft = _responsibilities(X, mus, sigmas, pis)
    labelled, unlabelled = labels >= 0, labels < 0
    right = np.where(labelled[:, None], _one_hot(np.where(labelled, labels, 0), k), soft)
    if close(out, right, _RTOL, _ATOL):
        return
    if np.isnan(out).any():
        i = int(np.flatnonzero(np.isnan(out).any(axis=1))[0])
        raise Failure(f"your row {i} holds NaN (label {labels[i]}): {_row(out, i)}.")

    # The unlabelled rows.
    rows = np.flatnonzero(unlabelled)
    if len(rows) and np.allclose(out[rows, k - 1], 1.0, atol=1e-9) and not np.allclose(
            soft[rows, k - 1], 1.0, atol=1e-9):
        i = rows[0]
        raise Failure(
            f"the rows of the UNLABELLED points (label -1) have a 1 in the LAST column "
            f"(k = K - 1 = {k - 1}): row {i} is {_row(out, i)}. Indexing with -1 counts from "
            f"the end, so one_hot[np.arange(n), labels] = 1 (or np.eye(K)[labels]) treats "
            f"label -1 as label {k - 1}. Write the one-hot only in the rows where labels >= 0, "
            f"and keep e_step's responsibilities in the others."
        )
    if len(rows) and np.allclose(out[rows], 0.0, atol=1e-12):
        raise Failure(
            f"the rows of the unlabelled points (label -1) are all 0, e.g. row {rows[0]}: they "
            f"must keep the ordinary responsibilities of e_step (start from them and replace "
            f"only the labelled rows)."
        )
    if len(rows) and not close(out[rows], soft[rows], _RTOL, _ATOL):
        i = rows[int(np.argmax(np.abs(out[rows] - soft[rows]).max(axis=1)))]
        raise Failure(
            f"the row of an unlabelled point (label -1) differs from the ordinary E-step: row "
            f"{i} is {_row(out, i)}, e_step gives {_row(soft, i)}. A point without a label "
            f"keeps its responsibilities gamma_ik."
        )

    # The labelled rows (the unlabelled ones are right).
    rows = np.flatnonzero(labelled)
    if not len(rows):
        raise Failure(worst_entry(out, right, _RTOL, _ATOL, "responsibilities"))
    mine, hot, labs = out[rows], right[rows], labels[rows]
    i = rows[int(np.argmax(np.abs(mine - hot).max(axis=1)))]
    if close(mine, soft[rows], _RTOL, _ATOL):
        raise Failure(
            f"your labelled rows are the ordinary responsibilities: row {i} (label "
            f"{labels[i]}) is {_row(out, i)}. A labelled point belongs to its component: its "
            f"row is the one-hot vector of its label, 1 in column labels[i], 0 elsewhere."
        )
    if close(mine, soft[rows] + hot, _RTOL, _ATOL):
        raise Failure(
            f"your labelled rows are the responsibilities PLUS the one-hot (row {i}, label "
            f"{labels[i]}, is {_row(out, i)} and sums to {out[i].sum():.3g}): replace the row "
            f"by the one-hot vector, do not add to it."
        )
    set_one = soft[rows].copy()
    set_one[np.arange(len(rows)), labs] = 1.0
    if close(mine, set_one, _RTOL, _ATOL):
        raise Failure(
            f"in your labelled rows only the label's column was set to 1; the other columns "
            f"kept their responsibilities (row {i}, label {labels[i]}, is {_row(out, i)}, "
            f"summing to {out[i].sum():.3g}). Replace the whole row: 1 in column labels[i], "
            f"0 in the others."
        )
    zero = labs == 0
    if zero.any() and (~zero).any() and close(mine[zero], soft[rows][zero], _RTOL, _ATOL) \
            and close(mine[~zero], hot[~zero], _RTOL, _ATOL):
        j = rows[zero][int(np.argmax(np.abs(mine[zero] - hot[zero]).max(axis=1)))]
        raise Failure(
            f"your rows labelled 0 kept their ordinary responsibilities (row {j} is "
            f"{_row(out, j)}); the other labelled rows are right. Label 0 is a component too: "
            f"the labelled rows are those with labels >= 0, not labels > 0 (and `if labels[i]:` "
            f"is False for label 0)."
        )
    if np.allclose(mine.sum(axis=1), 1.0, atol=1e-9) and not np.allclose(
            np.sort(mine, axis=1)[:, -1], 1.0, atol=1e-9):
        raise Failure(
            f"your labelled rows sum to 1 but are not one-hot: row {i} (label {labels[i]}) is "
            f"{_row(out, i)}. Mixing the one-hot with the responsibilities (adding, then "
            f"normalising) keeps some doubt; a label removes it: replace the row by the "
            f"one-hot vector."
        )
    for shift in (1, -1):
        if close(mine, _one_hot((labs + shift) % k, k), _RTOL, _ATOL):
            raise Failure(
                f"your one-hot rows put the 1 in column label {'+' if shift > 0 else '-'} 1 "
                f"(row {i}, label {labels[i]}, is {_row(out, i)}). Labels are component "
                f"numbers 0 to K - 1, the same as the columns: label k's 1 goes in column k."
            )
    raise Failure(
        worst_entry(out, right, _RTOL, _ATOL, "responsibilities")
        + f" Row {i} has label {labels[i]}: its row should be {_row(right, i)}. Labelled rows "
          f"are the one-hot vectors of their labels; rows labelled -1 keep e_step's "
          f"responsibilities."
    )
