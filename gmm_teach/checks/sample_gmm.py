"""The check of lesson 12's exercise: ``sample_gmm(mus, sigmas, pis, n, rng)``, ancestral sampling."""

import numpy as np

from ._compare import as_array
from ._harness import Failure, Student, numbered, run_check, time_limit

#: Points in the one sample whose counts and moments are compared: few enough
#: that a correct loop over the points (rng.multivariate_normal per point)
#: finishes in a second or two.
_N = 5_000
#: Points in the samples drawn twice and with another seed, to test the use of rng.
_N_SMALL = 200
#: How many standard errors a count, mean or covariance entry may be off: a
#: correct sampler misses by more with probability below one in a million.
_Z = 5.0


def _problems():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 3, 3))
    eruptions = (np.array([[2.04, 54.5], [4.29, 80.0]]),
                 np.array([[[0.07, 0.45], [0.45, 34.0]], [[0.17, 0.94], [0.94, 36.0]]]),
                 np.array([0.36, 0.64]))
    correlated = (3 * rng.normal(size=(3, 3)), a @ a.transpose(0, 2, 1) + 0.1 * np.eye(3),
                  np.array([0.6, 0.3, 0.1]))
    return numbered([
        ("two 2-D components like Old Faithful's, in minutes", eruptions),
        ("3-D, correlated, weights 0.6 / 0.3 / 0.1", correlated),
    ])


def check_sample_gmm(fn):
    """Check a student's ``sample_gmm(mus, sigmas, pis, n, rng)`` against the mixture's moments.

    With ``n = 5 000`` draws, component ``k`` must be chosen about
    ``n * pis[k]`` times, and the points labelled ``k`` must have mean
    ``mus[k]`` and covariance ``sigmas[k]``, each within 5 standard errors
    (binomial for the counts; ``sqrt(S_aa / n_k)`` for a mean and
    ``sqrt((S_aa S_bb + S_ab^2) / n_k)`` for a covariance entry). The same seed
    must give the same sample (and another seed another one), tested on samples
    of 200 points.

    Parameters
    ----------
    fn : callable
        The student's ``sample_gmm(mus, sigmas, pis, n, rng)`` returning
        ``(X, labels)`` of shapes (n, D) and (n,).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: wrong
        shapes, numbers not drawn from ``rng``, counts that do not follow
        ``pis``, means that are off, and covariances that are off (with the
        transposed Cholesky factor named), and a call that runs out of time
        (with the advice to draw all the points at once).
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("sample_gmm", fn), _problems(), _check_case)


def _draw(student, params, seed, n=_N):
    names = ("mus", "sigmas", "pis", "n", "rng")
    try:
        out = student.call(names, (*params, n, np.random.default_rng(seed)))
    except Failure as failure:
        if not str(failure).startswith("your function did not finish"):
            raise
        raise Failure(
            f"your function did not finish within {time_limit() or 0:g} s for n = {n} points. "
            f"If it loops over the points in Python, that is too slow here: draw all the "
            f"labels and all the standard normals at once (rng.choice(K, size=n, p=pis), "
            f"rng.standard_normal((n, D))) and transform them together. Otherwise look for "
            f"a loop that never ends."
        ) from None
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise Failure("your function should return the two values (X, labels).")
    return as_array(out[0], "your X"), as_array(out[1], "your labels")


def _covariance_matches(cov, sigma, count):
    spread = _Z * np.sqrt((np.outer(np.diag(sigma), np.diag(sigma)) + sigma**2) / count)
    return bool(np.all(np.abs(cov - sigma) <= spread))


def _check_case(student, case):
    mus, sigmas, pis = case.data
    k, d = mus.shape
    X, labels = _draw(student, case.data, 0)
    if X.shape != (_N, d):
        raise Failure(f"your X has shape {X.shape} but should be (n, D) = {(_N, d)}.")
    if labels.shape != (_N,):
        raise Failure(f"your labels have shape {labels.shape} but should be (n,) = {(_N,)}.")
    small_X, small_labels = _draw(student, case.data, 0, _N_SMALL)
    if not np.array_equal(small_X, _draw(student, case.data, 0, _N_SMALL)[0]):
        raise Failure(
            "the same seed gave different samples: draw every random number from rng "
            "(rng.choice, rng.standard_normal), not from np.random."
        )
    other_X, other_labels = _draw(student, case.data, 1, _N_SMALL)
    if np.array_equal(other_X, small_X):
        raise Failure(
            "another seed gave the same sample: draw every random number from the rng you "
            "are given, not from a generator of your own."
        )
    if np.array_equal(other_labels, small_labels):
        raise Failure(
            "another seed gave the same labels: draw each label at random with probability "
            "pis[k] (rng.choice(K, size=n, p=pis)), not in a fixed order."
        )
    for j in range(k):
        members = X[labels == j]
        count, expected = len(members), _N * pis[j]
        if abs(count - expected) > _Z * np.sqrt(_N * pis[j] * (1 - pis[j])):
            raise Failure(
                f"component {j} was drawn {count} times, expected about {expected:.0f} = "
                f"n * pis[{j}]: choose each label with probability pis[k] "
                f"(rng.choice(K, size=n, p=pis))."
            )
        mean, cov, sigma = members.mean(axis=0), np.cov(members.T).reshape(d, d), sigmas[j]
        # The covariance first: np.cov centres on the sample mean, and a wrong spread
        # would make the mean's test (which trusts sigma) blame the mean.
        if not _covariance_matches(cov, sigma, count):
            chol = np.linalg.cholesky(sigma)
            hint = ("Multiply by L, not L.T: x = mu + L @ e has covariance L L^T = sigma."
                    if _covariance_matches(cov, chol.T @ chol, count) else
                    "Multiply standard normal draws by the Cholesky factor L of the point's "
                    "own component (L @ L.T = sigma): x = mu + L @ e.")
            raise Failure(
                f"the points labelled {j} have covariance\n{np.round(cov, 3)}\nexpected "
                f"sigmas[{j}] =\n{np.round(sigma, 3)}\n{hint}"
            )
        if np.any(np.abs(mean - mus[j]) > _Z * np.sqrt(np.diag(sigma) / count)):
            raise Failure(
                f"the points labelled {j} have mean {np.round(mean, 3)}, expected mus[{j}] = "
                f"{np.round(mus[j], 3)}: add the component's own mean, mus[labels]."
            )
