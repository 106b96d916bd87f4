"""The check of lesson 10's exercise: ``overlap_matrix(labels_a, labels_b, n_components)``.

The counts that compare two labellings of the same points.
"""

import numpy as np

from ._compare import as_array
from ._harness import Failure, Student, numbered, run_check


def _problems():
    rng = np.random.default_rng(10)
    problems = []
    # Two labellings of the same clusters, numbered differently, a few points disagreeing.
    truth = rng.integers(0, 3, size=40)
    relabelled = np.array([2, 0, 1])[truth]
    relabelled[:4] = (relabelled[:4] + 1) % 3
    problems.append(("40 points, K = 3, the same clusters numbered differently",
                     truth, relabelled, 3))
    # Component 3 of run b (the last) has no point: its column must still be there.
    a = rng.integers(0, 4, size=25)
    b = rng.integers(0, 3, size=25)
    problems.append(("25 points, K = 4, component 3 of labels_b has no point", a, b, 4))
    # Unrelated labellings of more points: many repeated pairs.
    problems.append(("200 points, K = 5, two unrelated labellings",
                     rng.integers(0, 5, size=200), rng.integers(0, 5, size=200), 5))
    # One component only.
    problems.append(("6 points, K = 1", np.zeros(6, dtype=int), np.zeros(6, dtype=int), 1))
    # The last component labels no point in either run: max(labels) + 1 is too small.
    problems.insert(2, ("30 points, K = 4, component 3 labels no point in either run",
                        rng.integers(0, 3, size=30), rng.integers(0, 3, size=30), 4))
    return numbered([
        (text, {"labels_a": a, "labels_b": b, "n_components": k}) for text, a, b, k in problems
    ])


def _counts(labels_a, labels_b, k):
    """overlap[j, l] = #{i : labels_a[i] = j and labels_b[i] = l}, by a loop (the oracle)."""
    out = np.zeros((k, k), dtype=int)
    for j in range(k):
        for l in range(k):
            out[j, l] = sum(1 for a, b in zip(labels_a, labels_b) if a == j and b == l)
    return out


def check_overlap_matrix(fn):
    """Check a student's ``overlap_matrix(labels_a, labels_b, n_components)``.

    ``overlap[j, k]`` must be the number of points that run A labels ``j`` and
    run B labels ``k``; the reference counts them pair by pair, on five problems
    (one with a component that labels no point in one run, one with the last
    component labelling no point in either run).

    Parameters
    ----------
    fn : callable
        The student's ``overlap_matrix(labels_a, labels_b, n_components)``:
        two integer arrays of shape (N,) with values in 0..K-1, and K; it
        returns an array of shape (K, K).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the
        transposed matrix, a shape taken from the labels instead of
        ``n_components`` (for each run, or ``max(labels) + 1`` for both),
        fractions instead of counts, and entries that stop at 1
        (``overlap[labels_a, labels_b] += 1``, which does not add up repeated
        pairs).
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("overlap_matrix", fn), _problems(), _check_case)


def _check_case(student, case):
    a, b, k = case.data["labels_a"], case.data["labels_b"], case.data["n_components"]
    out = as_array(student.call(("labels_a", "labels_b", "n_components"), (a, b, k)),
                   "your overlap matrix")
    if out.shape != (k, k):
        used = (int(a.max()) + 1, int(b.max()) + 1)
        hint = ""
        if out.shape == (max(used), max(used)) and max(used) < k:
            empty = (f"label {k - 1}" if max(used) == k - 1 else
                     f"labels {max(used)} to {k - 1}")
            hint = (f" It looks sized by the largest label, max(labels) + 1 = {max(used)}: here "
                    f"no point has {empty} in either run, yet every component has its row and "
                    f"column, so use n_components.")
        elif out.shape in (used, used[::-1]):
            hint = (" It looks sized by the largest label; a component with no point still "
                    "needs its row or column, so use n_components.")
        raise Failure(f"your overlap matrix has shape {out.shape} but should be ({k}, {k}): "
                      f"one row per component of run A, one column per component of run B."
                      f"{hint}")
    expected = _counts(a, b, k)
    if np.array_equal(out, expected):
        return
    if np.array_equal(out, expected.T):
        raise Failure("your matrix is transposed: rows must be run A's labels (labels_a) and "
                      "columns run B's, overlap[labels_a[i], labels_b[i]].")
    if np.allclose(out * len(a), expected):
        raise Failure(f"your entries are fractions of the {len(a)} points; return the counts "
                      f"themselves (whole numbers).")
    if np.array_equal(out, (expected > 0).astype(int)):
        raise Failure("every entry is 0 or 1: a pair (j, k) that occurs many times was counted "
                      "once. `overlap[labels_a, labels_b] += 1` does that, since numpy's fancy "
                      "indexing adds only once per repeated index; count with a loop over the "
                      "points or with np.add.at.")
    j, l = np.unravel_index(int(np.argmax(np.abs(out - expected))), expected.shape)
    raise Failure(f"your overlap[{j}, {l}] is {out[j, l]:g} but {expected[j, l]} points have "
                  f"label {j} in labels_a and label {l} in labels_b.")
