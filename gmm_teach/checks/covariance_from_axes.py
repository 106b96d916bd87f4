"""The check of lesson 01's exercise: ``covariance_from_axes(lengths, angle)``, an ellipse's covariance."""

import numpy as np

from ._compare import as_array, check_shape
from ._harness import Failure, Student, numbered, run_check

_LAYOUT = "Return one 2 x 2 matrix (a numpy array of shape (2, 2))."

# (lengths, angle in radians): case 1 tells every typical mistake apart; the
# circle (case 3) and the axis-aligned ellipse (case 5) check the special cases.
_CASES = (
    ((3.0, 1.0), np.pi / 6),
    ((0.5, 2.0), -np.pi / 3),
    ((1.5, 1.5), 1.0),
    ((2.0, 0.25), 2.5),
    ((4.0, 0.1), 0.0),
    ((1.0, 3.0), 7.0),
)

_RTOL = 1e-9


def _problems():
    return numbered([
        (f"lengths = ({a:g}, {b:g}), angle = {angle:.4g} rad ({np.degrees(angle):.4g} degrees)",
         {"lengths": np.array([a, b]), "angle": float(angle)})
        for (a, b), angle in _CASES
    ])


def _covariance(a, b, angle):
    """The covariance of the ellipse, entry by entry (the check's oracle).

    Along the unit vector u = (cos t, sin t) the variance is a^2, across it
    (v = (-sin t, cos t)) b^2, with no covariance between the two: entry (i, j)
    is a^2 u_i u_j + b^2 v_i v_j.
    """
    c, s = np.cos(angle), np.sin(angle)
    return np.array([
        [a**2 * c * c + b**2 * s * s, (a**2 - b**2) * c * s],
        [(a**2 - b**2) * c * s, a**2 * s * s + b**2 * c * c],
    ])


def _close(out, ref):
    return bool(np.allclose(out, ref, rtol=_RTOL, atol=_RTOL * np.abs(ref).max()))


def _describe(matrix):
    """``"semi-axes 3 and 1, the longer at 30 degrees"``: the ellipse a covariance draws."""
    values, vectors = np.linalg.eigh(matrix)
    if values[0] < 0:
        return f"eigenvalues {values[0]:.4g} and {values[1]:.4g} (a negative one: no ellipse)"
    top = vectors[:, 1]
    degrees = np.degrees(np.arctan2(top[1], top[0])) % 180
    if np.isclose(values[0], values[1], rtol=1e-9):
        return f"a circle of radius {np.sqrt(values[1]):.4g}"
    return (f"semi-axes {np.sqrt(values[1]):.4g} and {np.sqrt(values[0]):.4g}, the longer at "
            f"{degrees:.4g} degrees")


def check_covariance_from_axes(fn):
    """Check a student's ``covariance_from_axes(lengths, angle)``: the covariance of a given ellipse.

    It must return the 2 x 2 covariance whose 1-sigma ellipse has semi-axes
    ``lengths[0]`` and ``lengths[1]``, the first along the unit vector
    ``(cos(angle), sin(angle))`` (``angle`` in radians, counter-clockwise from
    the x1-axis) and the second perpendicular to it. The oracle writes each
    entry out: variance ``a**2`` along that direction, ``b**2`` across it.
    Six cases: tilted ellipses (the second axis longer in two of them, angles
    beyond 90 and 360 degrees), a circle and an axis-aligned ellipse.

    Parameters
    ----------
    fn : callable
        The student's ``covariance_from_axes(lengths, angle)``; ``lengths`` is
        an array of two positive numbers, ``angle`` a float.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: lengths
        not squared, the rotation transposed (tilted the other way), the angle
        converted from degrees, the two lengths swapped, full axes in place of
        semi-axes, a matrix that is not symmetric; otherwise it describes the
        ellipse the student's matrix draws.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("covariance_from_axes", fn), _problems(), _check_case)


def _check_case(student, case):
    lengths, angle = case.data["lengths"], case.data["angle"]
    out = as_array(student.call(("lengths", "angle"), (lengths, angle)), "your covariance")
    check_shape(out, (2, 2), "your covariance", _LAYOUT)
    if not np.all(np.isfinite(out)):
        raise Failure(f"your covariance contains NaN or inf: {out.tolist()}.")
    a, b = lengths
    ref = _covariance(a, b, angle)
    if _close(out, ref):
        return
    if not np.isclose(out[0, 1], out[1, 0], rtol=1e-9, atol=1e-12 * np.abs(out).max()):
        raise Failure(
            f"your covariance is not symmetric: [0, 1] is {out[0, 1]:.6g} but [1, 0] is "
            f"{out[1, 0]:.6g}. A covariance is symmetric: rotate the diagonal matrix of variances "
            f"on both sides, with the rotation on one side and its transpose on the other."
        )
    mistakes = [
        (_covariance(np.sqrt(a), np.sqrt(b), angle),
         "its semi-axes are the square roots of the lengths asked for: you put the lengths "
         "themselves on the diagonal, but a covariance holds variances, so the eigenvalues "
         "must be the squared lengths (lengths**2)"),
        (_covariance(a, b, -angle),
         "your ellipse is tilted the other way (at -angle): the first axis must point along "
         "(cos(angle), sin(angle)); check the sign of the sines in your rotation, or whether "
         "you multiplied by its transpose first (R.T @ D @ R instead of R @ D @ R.T)"),
        (_covariance(a, b, np.radians(angle)),
         "you converted the angle from degrees, but it is already in radians (as np.cos and "
         "np.sin expect): use it as it is"),
        (_covariance(b, a, angle),
         "your two lengths are swapped: lengths[0] must lie along the direction angle and "
         "lengths[1] across it (the eigenvector (cos(angle), sin(angle)) gets lengths[0]**2)"),
        (_covariance(2 * a, 2 * b, angle),
         "your ellipse is twice as long in each direction: the lengths are semi-axes "
         "(half-widths, like a radius), so the variances are lengths**2, not (2 * lengths)**2"),
        (_covariance(a / 2, b / 2, angle),
         "your ellipse is half as long in each direction: the lengths are already semi-axes "
         "(half-widths, like a radius): do not halve them"),
    ]
    for wrong, diagnosis in mistakes:
        if _close(out, wrong):
            raise Failure(f"{diagnosis}.")
    raise Failure(
        f"your covariance {np.round(out, 4).tolist()} draws an ellipse with {_describe(out)}; "
        f"the one asked for has {_describe(ref)} (matrix {np.round(ref, 4).tolist()}). Its "
        f"eigenvectors are the axis directions and its eigenvalues the squared semi-axis lengths."
    )
