"""The check of lesson 07's exercise: ``kmeans_plus_plus(X, n_components, rng)``, k-means++.

k-means++ is random, so one call proves little. The check calls the student's
function thousands of times on a five-point data set and compares how often
each ordered choice of three centres comes up with the exact probabilities of
D^2 sampling, and with those of the typical mistakes (D instead of D^2, the
farthest point, the distance to the last centre only, uniform choice), computed
by enumerating every ordered choice (the check's oracle).
"""

import itertools

import numpy as np

from ._compare import as_array
from ._harness import Failure, Student, numbered, run_check

#: How many calls the statistical case makes.
N_DRAWS = 4000
#: Total variation distance, between the observed frequencies of the ordered
#: choices and D^2 sampling's probabilities, above which a function fails. With
#: 4000 draws over the 60 possible choices, a right answer stays below 0.065
#: (the largest of 500 simulated runs: 0.060); D instead of D^2 lies 0.25 away.
TV_LIMIT = 0.1
#: The same for the first centre alone (5 cells): a right answer stays below 0.04.
FIRST_TV_LIMIT = 0.05

# Five points, chosen so that the typical mistakes lie far (in total variation)
# from D^2 sampling; no two pairs are at the same distance from a third point.
_TINY = np.array([[1.0, 0.0], [5.0, 6.0], [1.0, 1.0], [2.0, 0.0], [4.0, 2.0]])


def _problems():
    rng = np.random.default_rng(7)
    blobs = np.vstack([rng.normal(c, 0.5, size=(10, 2)) for c in ([0, 0], [6, 0], [3, 5])])
    repeated = np.repeat([[0.0], [5.0], [9.0]], [3, 2, 1], axis=0)
    return numbered([
        ("X (30, 2), K = 4: the centres are distinct data points, drawn with rng",
         {"X": blobs, "n_components": 4, "kind": "structure"}),
        ("X (6, 1), three positions repeated, K = 3: one centre at each position",
         {"X": repeated, "n_components": 3, "kind": "repeated"}),
        (f"X (5, 2), K = 3, {N_DRAWS} draws: how often each ordered choice of centres comes up",
         {"X": _TINY, "n_components": 3, "kind": "statistics"}),
    ])


def check_kmeans_plus_plus(fn):
    """Check a student's ``kmeans_plus_plus(X, n_components, rng)``: k-means++ seeding.

    The function returns ``n_components`` centres, rows of ``X``, chosen by D^2
    sampling: the first uniformly at random, each next one with probability
    proportional to its squared distance to the nearest centre already chosen.
    Three cases: the shape, that the centres are distinct data points and that
    the same ``rng`` state gives the same centres; a data set with repeated
    points (a point on a chosen centre has D = 0 and is never drawn); and a
    statistical test, 4000 draws on five points, against the exact probability
    of each ordered choice of three centres.

    Parameters
    ----------
    fn : callable
        The student's ``kmeans_plus_plus(X, n_components, rng)``; ``X`` has
        shape (n_samples, n_features), ``rng`` is a ``numpy.random.Generator``;
        it returns an array of shape (n_components, n_features).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: indices
        returned instead of points, centres that are not data points, a point
        chosen twice, ignoring ``rng``, a first centre that is not uniform,
        probabilities proportional to D (not D^2) or to D^4, the farthest point
        taken deterministically, the distance to the last centre only, and a
        uniform choice.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("kmeans_plus_plus", fn), _problems(), _check_case)


_NAMES = ("X", "n_components", "rng")


def _indices(student, X, n_components, rng):
    """The student's centres as row indices of X (first match), after checking their layout."""
    out = as_array(student.call(_NAMES, (X, n_components, rng)), "your centres")
    n_features = X.shape[1]
    if out.shape == (n_components,) and np.all(out == np.round(out)) and n_features != 1:
        raise Failure(
            f"you returned {n_components} whole numbers, shape {out.shape}: indices, it seems. "
            f"Return the centres themselves, X[chosen], shape ({n_components}, {n_features})."
        )
    if out.shape == (n_components,) and n_features == 1:
        out = out[:, None]
    if out.shape != (n_components, n_features):
        raise Failure(
            f"your centres have shape {out.shape} but should be ({n_components}, {n_features}): "
            f"one row of X per component."
        )
    indices = []
    for row in out:
        matches = np.flatnonzero(np.all(X == row, axis=1))
        if len(matches) == 0:
            raise Failure(
                f"your centre {np.round(row, 4).tolist()} is not a point of X. k-means++ only "
                f"chooses data points: return X[chosen], not means or shifted points."
            )
        indices.append(int(matches[0]))
    return indices


def _same_point_twice(X, indices):
    rows = [tuple(X[i]) for i in indices]
    return len(set(rows)) < len(rows)


_TWICE = (
    "two of your centres are the same point, or sit at the same position (centres {centres}). "
    "A point at a chosen centre is at distance 0 from it, so D^2 sampling never draws it; if "
    "yours did, "
    "check that D is the distance to the NEAREST chosen centre (a minimum over all of them), "
    "not to the last one, and that you sample with those probabilities, not uniformly."
)


def _check_case(student, case):
    X, n_components, kind = case.data["X"], case.data["n_components"], case.data["kind"]
    if kind == "statistics":
        _check_statistics(student, X, n_components)
        return
    draws = []
    for seed in range(20):
        indices = _indices(student, X, n_components, np.random.default_rng(seed))
        if _same_point_twice(X, indices):
            raise Failure(_TWICE.format(centres=np.round(X[indices], 3).tolist()))
        again = _indices(student, X, n_components, np.random.default_rng(seed))
        if again != indices:
            raise Failure(
                "two calls with generators in the same state, np.random.default_rng("
                f"{seed}), gave different centres. Make every random choice with the rng "
                "argument (rng.integers, rng.choice), not with np.random or a new generator."
            )
        draws.append(tuple(X[indices].ravel()))
    if len(set(draws)) == 1 and kind == "structure":
        raise Failure(
            "20 different generators all gave the same centres: the choice must be random, "
            "drawn with rng (the first centre uniformly, the next ones by D^2 sampling)."
        )


def _exact(X, n_components, weight, nearest=True, farthest=False):
    """Probability of each ordered tuple of indices under one way of choosing."""
    n = len(X)
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)

    def next_probabilities(chosen):
        d = d2[:, chosen].min(axis=1) if nearest else d2[:, chosen[-1]]
        w = weight(d)
        if farthest:
            p = np.zeros(n)
            p[np.argmax(w)] = 1.0
            return p
        return w / w.sum()

    probabilities = {}
    for first in range(n):
        stack = [((first,), 1.0 / n)]
        while stack:
            chosen, p = stack.pop()
            if len(chosen) == n_components:
                probabilities[chosen] = probabilities.get(chosen, 0.0) + p
                continue
            for j, q in enumerate(next_probabilities(list(chosen))):
                if q > 0:
                    stack.append((chosen + (j,), p * q))
    return probabilities


def _models(X, n_components):
    """The right probabilities and those of the typical mistakes, each with its diagnosis."""
    return [
        (_exact(X, n_components, lambda d: d), None),
        (_exact(X, n_components, np.sqrt),
         "they match choosing each next centre with probability proportional to D, the distance, "
         "not to D^2, its square: weight every point by its SQUARED distance to the nearest "
         "chosen centre"),
        (_exact(X, n_components, lambda d: d ** 2),
         "they match probabilities proportional to D^4: you squared distances that were already "
         "squared. Weight every point by D^2, the squared distance itself"),
        (_exact(X, n_components, lambda d: d, farthest=True),
         "after the first centre they are always the same: you took the farthest point. "
         "k-means++ DRAWS the next centre at random, with probability proportional to D^2 "
         "(rng.choice with p=...), which keeps it away from a lone outlier"),
        (_exact(X, n_components, lambda d: d, nearest=False),
         "they match weighting by the squared distance to the LAST centre chosen. D must be the "
         "distance to the NEAREST of all the centres chosen so far (a minimum over them)"),
        (_exact(X, n_components, lambda d: (d > 0).astype(float)),
         "they match choosing the next centres uniformly among the points not chosen yet. "
         "Weight each point by D^2, its squared distance to the nearest chosen centre"),
    ]


def _tv(counts, probabilities, total):
    keys = set(counts) | set(probabilities)
    return 0.5 * sum(abs(counts.get(k, 0) / total - probabilities.get(k, 0.0)) for k in keys)


def _check_statistics(student, X, n_components):
    rng = np.random.default_rng(2007)
    counts = {}
    for _ in range(N_DRAWS):
        indices = _indices(student, X, n_components, rng)
        if _same_point_twice(X, indices):
            raise Failure(_TWICE.format(centres=np.round(X[indices], 3).tolist()))
        key = tuple(indices)
        counts[key] = counts.get(key, 0) + 1
    n = len(X)
    first = np.bincount([key[0] for key in counts for _ in range(counts[key])], minlength=n)
    first_tv = 0.5 * np.abs(first / N_DRAWS - 1.0 / n).sum()
    if first_tv > FIRST_TV_LIMIT:
        top = int(np.argmax(first))
        raise Failure(
            f"your first centre is not uniform over the {n} points: X[{top}] came first in "
            f"{first[top]} of {N_DRAWS} draws, where each point should come first about "
            f"{N_DRAWS // n} times. Choose the first centre with rng.integers(n_samples), with no "
            f"weights."
        )
    models = _models(X, n_components)
    distances = [_tv(counts, probabilities, N_DRAWS) for probabilities, _ in models]
    closest = int(np.argmin(distances))
    if closest == 0 and distances[0] <= TV_LIMIT:
        return
    summary = (
        f"Over {N_DRAWS} draws, the frequencies of your ordered choices of {n_components} "
        f"centres lie {distances[0]:.2f} (total variation) from D^2 sampling's probabilities"
    )
    if closest != 0:
        raise Failure(f"{summary}; {models[closest][1]}.")
    top = max(models[0][0], key=lambda k: abs(counts.get(k, 0) / N_DRAWS - models[0][0][k]))
    raise Failure(
        f"{summary}, more than chance explains (at most {TV_LIMIT}). For example, the centres "
        f"X{list(top)} came up {counts.get(top, 0)} times where D^2 sampling expects about "
        f"{models[0][0][top] * N_DRAWS:.0f}. The next centre is x with probability "
        f"D(x)^2 / sum_j D(x_j)^2, D the distance to the nearest centre already chosen."
    )
