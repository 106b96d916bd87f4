"""The check of lesson 11's exercise: ``to_original_units(mus_z, sigmas_z, mean, scale)``.

A mixture fitted on standardised data ``z = (x - mean) / scale`` has, in the
data's own units, means ``mean + scale * mus_z`` and covariances whose entry
``(a, b)`` is ``scale[a] * sigmas_z[k, a, b] * scale[b]``.
"""

import numpy as np

from ._compare import as_array, check_shape, close, worst_entry
from ._harness import Failure, Student, numbered, run_check

_RTOL = 1e-9
_ATOL = 1e-12


def _spd(rng, k, d):
    a = rng.normal(size=(k, d, d))
    return a @ a.transpose(0, 2, 1) / d + 0.3 * np.eye(d)


def _problems():
    rng = np.random.default_rng(11)
    # Old Faithful's standardisation (eruption, waiting), two components.
    faithful = {
        "mus_z": np.array([[-1.27, -1.21], [0.70, 0.67]]),
        "sigmas_z": np.array([[[0.053, 0.028], [0.028, 0.183]],
                              [[0.131, 0.061], [0.061, 0.196]]]),
        "mean": np.array([3.4878, 70.8971]),
        "scale": np.array([1.1393, 13.5700]),
    }
    three_d = {
        "mus_z": rng.normal(size=(3, 3)),
        "sigmas_z": _spd(rng, 3, 3),
        "mean": np.array([-4.0, 0.5, 250.0]),
        "scale": np.array([0.02, 3.0, 40.0]),
    }
    one_d = {
        "mus_z": np.array([[-0.8], [1.1]]),
        "sigmas_z": np.array([[[0.25]], [[0.6]]]),
        "mean": np.array([12.0]),
        "scale": np.array([5.0]),
    }
    return numbered([
        ("K = 2, D = 2, Old Faithful's mean (3.49, 70.90) and scale (1.14, 13.57)", faithful),
        ("K = 3, D = 3, scales 0.02, 3 and 40", three_d),
        ("K = 2, D = 1, mean 12, scale 5", one_d),
    ])


def check_to_original_units(fn):
    """Check a student's ``to_original_units(mus_z, sigmas_z, mean, scale)``.

    The reference, written as loops: ``mus[k] = mean + scale * mus_z[k]`` and
    ``sigmas[k] = S @ sigmas_z[k] @ S`` with ``S = np.diag(scale)``, on three
    problems (Old Faithful's units; 3-D with scales from 0.02 to 40; 1-D).

    Parameters
    ----------
    fn : callable
        The student's ``to_original_units(mus_z, sigmas_z, mean, scale)``
        returning ``(mus, sigmas)`` of shapes (K, D) and (K, D, D).

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the mean
        not added back, the scale forgotten or divided by, the mean added
        before scaling, a covariance multiplied by ``scale`` (or ``scale**2``
        along one axis) instead of ``scale[a] * scale[b]``, a matrix product
        in place of the entrywise one, covariances left unconverted or
        shifted by the mean, and swapped return values.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("to_original_units", fn), _problems(), _check_case)


def _reference(mus_z, sigmas_z, mean, scale):
    mus = np.array([mean + scale * m for m in mus_z])
    S = np.diag(scale)
    sigmas = np.array([S @ s @ S for s in sigmas_z])
    return mus, sigmas


_MEAN_UNITS = ("x = mean + scale * z feature by feature, so each mean is "
               "mean + scale * mus_z[k] (scale first, then add the mean).")
_COV_UNITS = ("with A = diag(scale), a covariance becomes A Sigma A^T: entry (a, b) is "
              "scale[a] * sigmas_z[k, a, b] * scale[b], so multiply by np.outer(scale, scale) "
              "entrywise.")


def _mean_mistakes(mus_z, mean, scale):
    return [
        (scale * mus_z, "the mean was not added back: " + _MEAN_UNITS),
        (mean + mus_z, "the means were not multiplied by scale: " + _MEAN_UNITS),
        ((mus_z + mean) * scale, "the mean was added before multiplying by scale: " + _MEAN_UNITS),
        (mean + mus_z / scale, "you divided by scale; standardising divides, so going back "
                               "multiplies: " + _MEAN_UNITS),
        ((mus_z - mean) / scale, "that standardises again: " + _MEAN_UNITS),
    ]


def _cov_mistakes(sigmas_z, mean, scale):
    outer = np.outer(scale, scale)
    return [
        (sigmas_z * scale, "each covariance was multiplied by scale (its column b by "
                           "scale[b]) only; a covariance is in units squared: " + _COV_UNITS),
        (sigmas_z * scale[:, None], "each covariance was multiplied by scale once (row a by "
                                    "scale[a]), as diag(scale) @ Sigma; " + _COV_UNITS),
        (sigmas_z * scale**2, "column b was multiplied by scale[b]**2, so the result is not "
                              "symmetric: " + _COV_UNITS),
        (sigmas_z * (scale**2)[:, None], "row a was multiplied by scale[a]**2, so the result "
                                         "is not symmetric: " + _COV_UNITS),
        (outer @ sigmas_z, "np.outer(scale, scale) @ sigmas_z is a matrix product; the "
                           "conversion is entrywise (*): " + _COV_UNITS),
        (sigmas_z @ outer, "sigmas_z @ np.outer(scale, scale) is a matrix product; the "
                           "conversion is entrywise (*): " + _COV_UNITS),
        (sigmas_z, "the covariances were returned unconverted: " + _COV_UNITS),
        (sigmas_z / outer, "you divided by scale[a] * scale[b]; going back multiplies: "
                           + _COV_UNITS),
        (sigmas_z * outer + np.outer(mean, mean), "a shift by the mean does not change a "
                                                  "covariance: " + _COV_UNITS),
        (sigmas_z * np.outer(scale, scale) ** 2, "entry (a, b) was multiplied by "
                                                 "(scale[a] scale[b])^2; once is enough: "
                                                 + _COV_UNITS),
    ]


def _close(a, b):
    return close(a, b, _RTOL, _ATOL)


def _check_case(student, case):
    data = case.data
    mus_z, sigmas_z, mean, scale = data["mus_z"], data["sigmas_z"], data["mean"], data["scale"]
    k, d = mus_z.shape
    out = student.call(("mus_z", "sigmas_z", "mean", "scale"), (mus_z, sigmas_z, mean, scale))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise Failure("your function should return the two values (mus, sigmas).")
    mus, sigmas = as_array(out[0], "your mus"), as_array(out[1], "your sigmas")
    ref_mus, ref_sigmas = _reference(mus_z, sigmas_z, mean, scale)
    if mus.shape == (k, d, d) and sigmas.shape == (k, d) and d > 1:
        raise Failure("your function returned (sigmas, mus); return them in the order "
                      "(mus, sigmas).")
    check_shape(mus, (k, d), "your mus", "One mean per component: shape (K, D).")
    check_shape(sigmas, (k, d, d), "your sigmas", "One covariance per component: shape (K, D, D).")
    if not _close(mus, ref_mus):
        for wrong, words in _mean_mistakes(mus_z, mean, scale):
            if _close(mus, wrong):
                raise Failure(f"your means are off: {words}")
        raise Failure(worst_entry(mus, ref_mus, _RTOL, _ATOL, "mus") + " " + _MEAN_UNITS)
    if not _close(sigmas, ref_sigmas):
        for wrong, words in _cov_mistakes(sigmas_z, mean, scale):
            if _close(sigmas, wrong):
                raise Failure(f"your covariances are off: {words}")
        raise Failure(worst_entry(sigmas, ref_sigmas, _RTOL, _ATOL, "sigmas") + " "
                      + _COV_UNITS[0].upper() + _COV_UNITS[1:])
