"""The check of lesson 02's first exercise: ``log_sum_exp(a, axis)``, log-sum-exp along one axis."""

import numpy as np
import scipy.special

from ._compare import as_array, close, worst_entry
from ._harness import Failure, Student, does_the_work, numbered, run_check

#: Log-sum-exp in float64 is accurate to rounding error: a tight tolerance.
_RTOL = 1e-9
_ATOL = 1e-9

#: np.exp overflows to inf above this, and underflows to 0 below the other.
_EXP_OVERFLOWS = np.log(np.finfo(np.float64).max)  # 709.78
_EXP_UNDERFLOWS = -745.0

FORBIDDEN = ((scipy.special.logsumexp, does_the_work("scipy.special.logsumexp")),)

_RECIPE = ("With m the maximum along the axis (np.max(a, axis=axis, keepdims=True)), the answer is "
           "m + log(sum(exp(a - m))) along that axis, with the kept axis of m dropped again.")


def _problems():
    """The arrays and axes, each with how a message names it."""
    rng = np.random.default_rng(2)
    problems = [
        ("a (4,) of moderate numbers, axis = 0",
         {"a": np.array([0.5, -1.2, 2.0, 0.3]), "axis": 0}),
        ("a (4, 4) of moderate numbers, axis = 1",
         {"a": np.round(rng.normal(scale=3.0, size=(4, 4)), 2), "axis": 1}),
        ("a (3, 5) of moderate numbers, axis = 0",
         {"a": np.round(rng.normal(scale=3.0, size=(3, 5)), 2), "axis": 0}),
        ("a (3, 4) with very negative entries (down to -3690), axis = 1",
         {"a": np.array([[-1000.0, -1001.5, -1003.0, -1010.0],
                         [-3690.9, -3100.6, -2702.3, -3011.3],
                         [-800.0, -2.0, -760.0, -1500.0]]), "axis": 1}),
        ("a (3, 3) with very large entries (up to 1000), axis = 1",
         {"a": np.array([[1000.0, 999.0, 998.0],
                         [800.0, -800.0, 0.0],
                         [1.0, 2.0, 3.0]]), "axis": 1}),
        ("a (3, 3) with -inf entries in rows whose maximum is finite, axis = -1",
         {"a": np.array([[-np.inf, 0.5, -3.0],
                         [-np.inf, -np.inf, 2.0],
                         [1.0, 2.0, 3.0]]), "axis": -1}),
        ("a (2, 3, 4) of moderate numbers, axis = 1",
         {"a": np.round(rng.normal(scale=3.0, size=(2, 3, 4)), 2), "axis": 1}),
    ]
    return numbered(problems)


def check_log_sum_exp(fn):
    """Check a student's ``log_sum_exp(a, axis)`` against ``scipy.special.logsumexp``.

    The contract: ``log_sum_exp(a, axis)`` returns ``log(sum(exp(a)))`` along
    ``axis`` of a float array ``a`` of any shape, computed stably (subtract the
    maximum along the axis, add it back after the log), with the shape of
    ``a.sum(axis=axis)``: the axis removed; one number for a 1-D ``a``. The
    cases include rows near -1000 and +1000 (where ``exp`` underflows or
    overflows), rows with ``-inf`` entries but a finite maximum, and a 3-D
    array. Calling ``scipy.special.logsumexp`` itself is refused.

    Parameters
    ----------
    fn : callable
        The student's ``log_sum_exp(a, axis)``.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: no
        maximum subtracted (``inf`` from overflow, ``-inf`` from underflow),
        the maximum not added back, NaN from a ``-inf`` entry (the mean
        subtracted, not the maximum), the maximum of the wrong rows (no
        ``keepdims``), the maximum of the whole array (``np.max(a)`` with no
        axis), the wrong axis, the summed axis kept (``keepdims``) or
        broadcast into a square, the log forgotten.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("log_sum_exp", fn, forbidden=FORBIDDEN), _problems(), _check_case)


def _reduced_shape(shape, axis):
    return tuple(n for i, n in enumerate(shape) if i != axis)


def _check_shape(out, a, axis, expected):
    if out.shape == expected:
        return
    kept = np.expand_dims(np.empty(expected), axis).shape
    if out.shape == kept:
        raise Failure(
            f"your output has shape {out.shape}, but should be {expected}: you kept the summed "
            f"axis as length 1 (keepdims). Drop it from the maximum before adding it back, "
            f"e.g. np.squeeze(m, axis=axis), as a.sum(axis=axis) does."
        )
    try:
        square = np.broadcast_shapes(kept, expected)
    except ValueError:
        square = None
    if out.shape == square:
        raise Failure(
            f"your output has shape {out.shape}, but should be {expected}: the maximum m with "
            f"keepdims (shape {kept}) added to a sum without it (shape {expected}) broadcasts "
            f"to {square}. Drop m's kept axis (np.squeeze(m, axis=axis)) before adding it back."
        )
    if out.shape == a.shape:
        raise Failure(
            f"your output has the shape of a, {a.shape}, but should be {expected}: sum the "
            f"exponentials along axis {axis} before taking the log."
        )
    if out.size == 1 and expected != ():
        raise Failure(
            f"your output is one number, but should have shape {expected}: you summed over the "
            f"whole array. Pass axis=axis to np.max and np.sum."
        )
    others = [i for i in range(a.ndim) if _reduced_shape(a.shape, i) == out.shape]
    if others:
        raise Failure(
            f"your output has shape {out.shape}, but should be {expected}: you reduced axis "
            f"{others[0]} of a {a.shape}, not axis = {axis}. Use the axis argument in both "
            f"np.max and np.sum rather than a fixed number."
        )
    raise Failure(
        f"your output has shape {out.shape}, but should be {expected}: a {a.shape} with axis "
        f"{axis} removed, as a.sum(axis=axis) gives."
    )



def _at(index):
    return f"[{', '.join(str(int(i)) for i in index)}]" if index else ""


def _check_whole_array_maximum(student, out, ref, a, axis):
    """Raise a Failure if ``out`` is log-sum-exp with the maximum of the whole array subtracted.

    That is exact in theory, and fails only where a slice lies far below the
    largest entry of ``a``: every exp there underflows. Subtracting nothing
    (the naive formula) can give the same numbers, so the slice that goes wrong
    is passed alone, where its maximum is the whole array's: the mistake gets
    it right.
    """
    if a.ndim < 2:
        return
    top = np.max(a)
    with np.errstate(all="ignore"):
        whole = top + np.log(np.sum(np.exp(a - top), axis=axis))
    if not (out.shape == whole.shape
            and np.all(np.isclose(out, whole, rtol=_RTOL, atol=_ATOL, equal_nan=True))):
        return
    wrong = ~np.isclose(out, ref, rtol=_RTOL, atol=_ATOL, equal_nan=True)
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    where = list(index)
    where.insert(axis % a.ndim, slice(None))
    alone = np.expand_dims(a[tuple(where)], [i for i in range(a.ndim) if i != axis % a.ndim])
    try:
        again = as_array(student.call(("a", "axis"), (alone, axis)), "your output")
    except Failure:
        return
    if again.size != 1 or not np.isclose(again.ravel()[0], ref[index], rtol=_RTOL, atol=_ATOL):
        return
    raise Failure(
        f"you subtracted the maximum of the whole array (np.max(a) with no axis), not of each "
        f"slice along axis = {axis}: your result{_at(index)} is {out[index]} where the "
        f"reference gives {ref[index]:.6g}, because that slice's largest entry, "
        f"{np.max(a[tuple(where)]):g}, lies {top - np.max(a[tuple(where)]):g} below the array's "
        f"maximum {top:g}, and its exponentials underflow (passed alone, the same slice comes "
        f"out right). Take m = np.max(a, axis=axis, keepdims=True), so that each slice has its "
        f"own maximum."
    )


def _check_case(student, case):
    a, axis = case.data["a"], case.data["axis"]
    out = as_array(student.call(("a", "axis"), (a, axis)), "your output")
    ref = np.asarray(scipy.special.logsumexp(a, axis=axis))
    _check_shape(out, a, axis, ref.shape)
    if close(out, ref, _RTOL, _ATOL):
        return
    m = np.max(a, axis=axis)
    _check_whole_array_maximum(student, out, ref, a, axis)
    bad = ~np.isfinite(out) & np.isfinite(ref)
    if bad.any():
        index = tuple(np.argwhere(bad)[0])
        value, expected = out[index], ref[index]
        largest = m[index]
        where = f"your result{_at(index)} is {value} where the reference gives {expected:.6g}"
        if value == np.inf:
            if largest > _EXP_OVERFLOWS:
                cause = (f"exp of the entry {largest:g} overflows to inf (np.exp gives inf above "
                         f"about 709.8)")
            else:
                cause = (f"an exponential overflowed to inf, though no entry there is above "
                         f"{largest:g}: what you subtracted (the mean? the minimum?) lies more "
                         f"than 709.8 below the largest entry")
            raise Failure(
                f"{where}: {cause}. Subtract the maximum m along the axis before "
                f"exponentiating, so that every exponent is <= 0, and add m back after the log."
            )
        if value == -np.inf:
            if largest < _EXP_UNDERFLOWS:
                cause = (f"every exp(a) there underflows to 0 (np.exp returns 0 below about "
                         f"-745; the largest entry is {largest:g}), and log(0) = -inf")
            else:
                cause = (f"every exponential there came out 0, though the largest entry is "
                         f"{largest:g}: was what you subtracted larger than the maximum?")
            raise Failure(
                f"{where}: {cause}. Subtract the maximum m along the axis before "
                f"exponentiating, so that one term is exp(0) = 1, and add m back after the log."
            )
        if np.isneginf(a).any():
            raise Failure(
                f"{where}, in a row with -inf entries: -inf - (-inf) and inf - inf are NaN. "
                f"Subtract the row's maximum (finite here), not its mean or sum, and leave the "
                f"-inf entries alone: exp(-inf) = 0 is exactly right."
            )
        raise Failure(
            f"{where}: NaN comes from inf - inf, 0 * inf or log of a negative number. "
            + _RECIPE
        )
    if close(out, ref - m, _RTOL, _ATOL):
        raise Failure(
            "your result is the reference minus the maximum m: you subtracted m before "
            "exponentiating but did not add it back after the log: m + log(sum(exp(a - m)))."
        )
    if close(out, m, _RTOL, _ATOL):
        raise Failure(
            "you returned the maximum m alone: add log(sum(exp(a - m))) to it; it lies between "
            "0 and log(n), n the length of the axis."
        )
    if close(out, m + np.sum(np.exp(a - np.expand_dims(m, axis)), axis=axis), _RTOL, _ATOL):
        raise Failure(
            "you added the sum of exp(a - m) to m, not its log: m + log(sum(exp(a - m)))."
        )
    try:
        unkept = m + np.log(np.sum(np.exp(a - m), axis=axis))
    except ValueError:  # the shapes do not broadcast
        unkept = None
    if unkept is not None and close(out, unkept, _RTOL, _ATOL):
        raise Failure(
            "you subtracted the maxima of the wrong rows: a - np.max(a, axis=axis) lines the "
            "maxima up with the LAST axis of a. Take m = np.max(a, axis=axis, keepdims=True), "
            "so that a - m subtracts each row's own maximum, then drop the kept axis when "
            "you add m back."
        )
    for other in range(a.ndim):
        if other != axis % a.ndim and _reduced_shape(a.shape, other) == ref.shape:
            if close(out, np.asarray(scipy.special.logsumexp(a, axis=other)), _RTOL, _ATOL):
                raise Failure(
                    f"you reduced axis {other}, not axis = {axis}: use the axis argument in both "
                    f"np.max and np.sum rather than a fixed number."
                )
    if out.ndim == 0:
        text = f"your output is {float(out):.6g} but the reference gives {float(ref):.6g}."
    else:
        text = worst_entry(out, ref, _RTOL, _ATOL, "output")
    raise Failure(text + "\n" + _RECIPE)
