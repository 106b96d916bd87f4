"""The check of lesson 10's exercise: ``align_labels(reference_mus, mus)``, matching components."""

import itertools

import numpy as np

from ._compare import as_array
from ._harness import Failure, Student, numbered, run_check


def _problems():
    rng = np.random.default_rng(7)
    problems = [
        # The nearest component of each reference component is the same one here.
        ("two components on a line, where nearest-first fails",
         (np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[0.6, 0.0], [-1.0, 0.0]]))),
        # A 3-cycle is not its own inverse, so swapped arguments are caught.
        ("K = 3, a cycle of the labels",
         (np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]]),
          np.array([[5.1, 0.2], [0.1, 4.9], [-0.2, 0.1]]))),
        # Distances 1 + 8.49 < 5 + 5.02, but squared 1 + 72.0 > 25 + 25.2.
        ("K = 2, where squared distances would choose the other matching",
         (np.array([[0.0, 0.0], [5.9, -1.1]]), np.array([[0.0, 5.0], [1.0, 0.0]]))),
    ]
    for k, d in [(4, 2), (5, 2), (6, 3)]:
        reference = rng.normal(scale=3.0, size=(k, d))
        shuffled = reference[rng.permutation(k)] + rng.normal(scale=0.3, size=(k, d))
        problems.append((f"K = {k}, D = {d}", (reference, shuffled)))
    return numbered([(text, {"reference_mus": r, "mus": m}) for text, (r, m) in problems])


def _total(cost, permutation):
    return cost[np.arange(len(permutation)), permutation].sum()


def _best(cost):
    """The best permutation by trying all K! of them (the check's oracle)."""
    return np.array(min(itertools.permutations(range(len(cost))), key=lambda p: _total(cost, p)))


def check_align_labels(fn):
    """Check a student's ``align_labels(reference_mus, mus)`` against a search over all permutations.

    ``permutation[j]`` must be the component of ``mus`` matched with component
    ``j`` of ``reference_mus``, minimising the total Euclidean distance between
    matched means.

    Parameters
    ----------
    fn : callable
        The student's ``align_labels(reference_mus, mus)``; both arguments have
        shape (K, D); it returns an integer array of shape (K,).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: a wrong
        shape, a result that is not a permutation (nearest-first matching), the
        inverse permutation (the arguments of ``cdist`` swapped), a matching
        that minimises the squared distances, and a matching that is not the
        cheapest.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("align_labels", fn), _problems(), _check_case)


def _check_case(student, case):
    reference, mus = case.data["reference_mus"], case.data["mus"]
    out = as_array(student.call(("reference_mus", "mus"), (reference, mus)), "your permutation")
    k = len(mus)
    if out.shape != (k,):
        raise Failure(
            f"your permutation has shape {out.shape} but should be ({k},): one index into mus "
            f"for each row of reference_mus (the second array linear_sum_assignment returns)."
        )
    if sorted(out.tolist()) != list(range(k)):
        shown = [int(i) if np.isfinite(i) and i == int(i) else i for i in out.tolist()]
        raise Failure(
            f"{shown} is not a permutation of 0..{k - 1}: two reference components were "
            f"matched with the same component. Choosing the nearest component for each one is "
            f"not enough; linear_sum_assignment finds the best one-to-one matching."
        )
    permutation = out.astype(int)
    cost = np.linalg.norm(reference[:, None, :] - mus[None, :, :], axis=2)
    best = _best(cost)
    if np.array_equal(permutation, best):
        return
    if np.array_equal(permutation, np.argsort(best)):
        raise Failure(
            f"you returned the inverse permutation, {permutation.tolist()} instead of "
            f"{best.tolist()}: permutation[j] must be the index in mus of the component matched "
            f"with reference component j. Build the cost as cdist(reference_mus, mus) (rows are "
            f"the reference) and return the column indices of the matching."
        )
    if np.array_equal(permutation, _best(cost**2)):
        raise Failure(
            f"your matching {permutation.tolist()} minimises the total squared distance; the "
            f"exercise minimises the total distance, which the best, {best.tolist()}, makes "
            f"{_total(cost, best):.4f} against your {_total(cost, permutation):.4f}. Use the "
            f"distances themselves (cdist's default metric), not their squares."
        )
    raise Failure(
        f"your matching {permutation.tolist()} has total distance {_total(cost, permutation):.4f}; "
        f"the best, {best.tolist()}, has {_total(cost, best):.4f}. Minimise the total with "
        f"linear_sum_assignment on the cost matrix cdist(reference_mus, mus)."
    )
