"""The check of lesson 00's exercise: ``nearest_center(X, centers)``, k-means' assignment step."""

import numpy as np

from ..data import DatasetSize, make_ds
from ._compare import as_array
from ._harness import Failure, Student, numbered, run_check

_LAYOUT = "Return one label per point of X: an integer array of shape (n_samples,)."


def _problems():
    rng = np.random.default_rng(0)
    (X, _), start_mus = make_ds([[1, -1], [5, 5], [8, 7], [10, 0]], DatasetSize.LARGE)
    sizes = [(50, 5, 3), (7, 1, 2), (30, 2, 6)]
    random = [(rng.normal(size=(n, d)), rng.normal(size=(k, d))) for n, d, k in sizes]
    return numbered([
        (f"X {points.shape}, centers {centers.shape}", {"X": points, "centers": centers})
        for points, centers in [(X, np.asarray(start_mus, dtype=float)), *random]
    ])


def _nearest(X, centers):
    """The nearest centre of every point, one point at a time (the check's oracle)."""
    labels = np.empty(len(X), dtype=int)
    for i, x in enumerate(X):
        labels[i] = min(range(len(centers)), key=lambda j: np.sum((x - centers[j]) ** 2))
    return labels


def check_nearest_center(fn):
    """Check a student's ``nearest_center(X, centers)``: the index of each point's nearest centre.

    Compared, on four problems (the lesson's four blobs and random 1-D to 5-D
    data), with a loop over the points that measures every squared Euclidean
    distance.

    Parameters
    ----------
    fn : callable
        The student's ``nearest_center(X, centers)``; ``X`` has shape
        (n_samples, n_features), ``centers`` (n_centers, n_features), and it
        returns an integer array of shape (n_samples,).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the
        argmin over the wrong axis, the distances returned instead of their
        argmin, the farthest centre instead of the nearest, labels that are
        not whole numbers.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("nearest_center", fn), _problems(), _check_case)


def _check_case(student, case):
    X, centers = case.data["X"], case.data["centers"]
    out = as_array(student.call(("X", "centers"), (X, centers)), "your labels")
    n, k = len(X), len(centers)
    if out.shape == (k,):
        raise Failure(
            f"your labels have shape ({k},), one per centre: you took the argmin over the "
            f"points (axis=0). Take it over the centres instead, axis=1 of the (n_samples, "
            f"n_centers) distances, to get one label per point."
        )
    if out.shape in ((n, k), (k, n)):
        raise Failure(
            f"you returned all the distances, shape {out.shape}. Return, for every point, the "
            f"index of the smallest one: .argmin(axis=1) of the (n_samples, n_centers) array."
        )
    if out.shape != (n,):
        raise Failure(f"your labels have shape {out.shape} but should be ({n},). {_LAYOUT}")
    if not np.all(out == np.round(out)):
        raise Failure(
            "your labels are not whole numbers: return the index of the nearest centre "
            "(argmin), not a distance."
        )
    expected = _nearest(X, centers)
    if np.array_equal(out, expected):
        return
    farthest = np.array([np.argmax(np.sum((x - centers) ** 2, axis=1)) for x in X])
    if np.array_equal(out, farthest):
        raise Failure("your labels are the FARTHEST centres: use argmin, not argmax.")
    wrong = np.flatnonzero(out != expected)
    i = wrong[0]
    raise Failure(
        f"{len(wrong)} of {n} points get the wrong centre; point {i} is nearest to centre "
        f"{expected[i]}, yours says {out[i]:g}. The distance between x_i and centre j is "
        f"sqrt(sum_d (x_id - c_jd)^2): sum the squared differences over the features."
    )
