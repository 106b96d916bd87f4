"""The check of lesson 12's exercise: ``class_posteriors(X, class_mixtures, priors)``, Bayes' rule.

Class ``c`` has prior ``priors[c]`` and density ``p(x | c)``, itself a mixture
``class_mixtures[c] = (mus, sigmas, pis)``. The posterior is
``p(c | x) = priors[c] p(x | c) / sum_c' priors[c'] p(x | c')``.
"""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from .. import em
from ._compare import as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, numbered, run_check

#: The package's densities may be used: the exercise is Bayes' rule on top of them.
ALLOWED = (em.log_gaussian_pdf, em.gaussian_pdf, em.e_step)

_RTOL = 1e-6
_ATOL = 1e-9
#: How far (in standard deviations of every component) the far points lie.
_FAR_STD = 60.0


def _spd(rng, d, size):
    a = rng.normal(size=(d, d))
    return size * (a @ a.T / d + 0.4 * np.eye(d))


def _class(rng, d, k, centre, size):
    mus = centre + size * rng.normal(size=(k, d))
    sigmas = np.array([_spd(rng, d, size) for _ in range(k)])
    pis = rng.dirichlet(np.full(k, 2.0))
    return mus, sigmas, pis


def _points(rng, mixtures, n):
    mus = np.concatenate([m[0] for m in mixtures])
    spread = np.sqrt(np.max([np.max(np.diagonal(m[1], axis1=1, axis2=2)) for m in mixtures]))
    low, high = mus.min(axis=0) - 2 * spread, mus.max(axis=0) + 2 * spread
    return rng.uniform(low, high, size=(n, mus.shape[1]))


def _problems():
    rng = np.random.default_rng(12)
    two = [_class(rng, 2, 2, np.array([0.0, 0.0]), 1.0),
           _class(rng, 2, 2, np.array([1.5, 1.0]), 1.5)]
    three = [_class(rng, 3, 1, np.zeros(3), 1.0),
             _class(rng, 3, 3, np.array([2.0, 0.0, 1.0]), 1.0),
             _class(rng, 3, 2, np.array([0.0, 2.5, -1.0]), 0.7)]
    near = [_class(rng, 2, 2, np.array([-2.0, 0.0]), 0.5),
            _class(rng, 2, 3, np.array([2.0, 0.0]), 0.5)]
    far = np.array([[0.0, 1.0], [0.0, -1.0]]) * _FAR_STD * 2.5
    return numbered([
        ("2 classes in 2-D, 2 components each, priors (0.3, 0.7)",
         {"X": _points(rng, two, 40), "mixtures": two, "priors": np.array([0.3, 0.7])}),
        ("3 classes in 3-D with 1, 3 and 2 components, priors (0.5, 0.2, 0.3)",
         {"X": _points(rng, three, 60), "mixtures": three, "priors": np.array([0.5, 0.2, 0.3])}),
        ("2 classes in 2-D, with 2 points so far away that every density underflows to 0",
         {"X": np.vstack([_points(rng, near, 20), far]), "mixtures": near,
          "priors": np.array([0.6, 0.4]), "far_rows": (20, 21)}),
    ])


def check_class_posteriors(fn):
    """Check a student's ``class_posteriors(X, class_mixtures, priors)`` against Bayes' rule.

    The reference computes ``log priors[c] + logsumexp_k(log pis_ck +
    log N(x | mus_ck, sigmas_ck))`` with ``scipy.stats.multivariate_normal``
    and normalises each row over the classes in log space, on three
    problems: 2-D and 3-D, classes of 1 to 3 components, and one with points so
    far away that every density underflows to 0.

    Parameters
    ----------
    fn : callable
        The student's ``class_posteriors(X, class_mixtures, priors)``, where
        ``class_mixtures[c] = (mus, sigmas, pis)``, returning the posteriors
        of shape (n_samples, n_classes).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: hard
        predictions instead of probabilities, posteriors per component instead
        of per class, the transpose, the priors or the weights forgotten, the
        prior added without its log, the largest component (or the sum of the
        log densities) in place of the mixture's density, rows not normalised
        or normalised over the points, log posteriors, and NaN from
        exponentiating before normalising.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("class_posteriors", fn, ALLOWED), _problems(), _check_case)


def _log_densities(X, mus, sigmas):
    """``log N(x_i | mus[k], sigmas[k])``, shape (n_samples, K), one component at a time."""
    return np.column_stack([multivariate_normal(mu, sigma).logpdf(X).reshape(len(X))
                            for mu, sigma in zip(mus, sigmas)])


def _normalised(log_joint):
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


def _candidates(X, mixtures, priors):
    """The reference posteriors, and what the typical mistakes give instead."""
    log_n = [_log_densities(X, mus, sigmas) for mus, sigmas, _ in mixtures]
    log_pis = [np.log(pis) for _, _, pis in mixtures]
    log_class = np.column_stack([logsumexp(a + b, axis=1) for a, b in zip(log_n, log_pis)])
    log_joint = np.log(priors) + log_class
    right = _normalised(log_joint)
    max_component = np.column_stack([(a + b).max(axis=1) for a, b in zip(log_n, log_pis)])
    sum_of_logs = np.column_stack([(a + b).sum(axis=1) for a, b in zip(log_n, log_pis)])
    no_weights = np.column_stack([logsumexp(a, axis=1) for a in log_n])
    mistakes = [
        (_normalised(log_class), "the priors are missing: multiply p(x | c) by priors[c] (in "
                                 "log space, add np.log(priors[c])) before normalising."),
        (_normalised(priors + log_class), "you added priors[c] itself to a log-density; add "
                                          "its log, np.log(priors[c])."),
        (_normalised(np.log(priors) + no_weights),
         "each class's components were summed without their weights pis: a class's density "
         "is p(x | c) = sum_k pis[k] N(x | mus[k], sigmas[k])."),
        (_normalised(np.log(priors) + max_component),
         "each class's density is its largest weighted component, not their sum: "
         "p(x | c) = sum_k pis[k] N(x | mus[k], sigmas[k]), in log space a logsumexp over k "
         "(not a max)."),
        (_normalised(np.log(priors) + sum_of_logs),
         "you added the components' log-densities; the density of a class is the sum of its "
         "weighted components, so in log space take logsumexp over k, not sum."),
        (np.exp(log_joint), "your rows do not sum to 1: these are priors[c] p(x | c) before "
                            "normalising; divide each row by its sum over the classes."),
        (np.exp(log_joint - logsumexp(log_joint, axis=0, keepdims=True)),
         "you normalised each column, over the points; the posterior of a point sums to 1 "
         "over the classes: normalise each row (axis=1)."),
        (np.log(right), "these are log posteriors; return the probabilities (np.exp)."),
    ]
    return right, mistakes


def _check_case(student, case):
    X, mixtures, priors = case.data["X"], case.data["mixtures"], case.data["priors"]
    n, n_classes = len(X), len(priors)
    copies = [tuple(np.array(a) for a in mixture) for mixture in mixtures]
    out = as_array(student.call(("X", "class_mixtures", "priors"), (X, copies, priors)),
                   "your posteriors")
    n_components = sum(len(m[2]) for m in mixtures)
    if out.shape == (n,):
        raise Failure(
            f"your function returned shape {out.shape}, one value per point: the predictions? "
            f"Return the posterior probabilities, shape (n_samples, n_classes) = "
            f"{(n, n_classes)}; the prediction is their argmax."
        )
    if out.shape == (n, n_components) and n_components != n_classes:
        raise Failure(
            f"your posteriors have one column per component ({n_components}), not per class "
            f"({n_classes}): a class's density is the weighted sum of its components."
        )
    check_shape(out, (n, n_classes), "your posteriors",
                "One row per point, one column per class.")
    right, mistakes = _candidates(X, mixtures, priors)
    if close(out, right, _RTOL, _ATOL):
        return
    nan_rows = np.flatnonzero(np.isnan(out).any(axis=1))
    if len(nan_rows) and set(nan_rows) <= set(case.data.get("far_rows", ())):
        raise Failure(
            f"your row {nan_rows[0]} holds NaN: that point is so far from every component "
            f"that every density underflows to 0, and 0 / 0 is NaN. Stay in log space: "
            f"log priors[c] + logsumexp over k of (log pis[k] + log N), then subtract each "
            f"row's logsumexp over the classes before exponentiating."
        )
    if len(nan_rows):
        raise Failure(f"your row {nan_rows[0]} holds NaN, for a point near the components: "
                      f"a log of 0 or of a negative number, or 0 / 0?")
    for wrong, words in mistakes:
        if close(out, wrong, _RTOL, _ATOL):
            raise Failure(words)
    raise Failure(
        worst_entry(out, right, _RTOL, _ATOL, "posteriors")
        + " p(c | x) = priors[c] p(x | c) / sum_c' priors[c'] p(x | c'), with "
          "p(x | c) = sum_k pis[k] N(x | mus[k], sigmas[k]) of class c's mixture."
    )
