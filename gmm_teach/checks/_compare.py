"""Comparing what the student returned with the reference, in words."""

import numpy as np

from ._harness import Failure

#: Relative tolerance for densities, responsibilities and log-likelihoods.
RTOL = 1e-6

LOG_SPACE = (
    "Work in log space: with a_ik = log(pis[k]) + log N(x_i | mus[k], sigmas[k]) and "
    "m_i = max_k a_ik, subtract the row maximum before exponentiating (log-sum-exp)"
)

FORGOT_WEIGHTS = (
    "You seem to have forgotten the weights pis[k]: each column k must be multiplied by "
    "pis[k] (in log space: add log(pis[k]))."
)


def as_array(value, what):
    """``value`` as a float64 array, or a :class:`Failure` naming ``what`` it is.

    Parameters
    ----------
    value : object
        What the student returned.
    what : str
        How a message names it, e.g. ``"your output"``.

    Returns
    -------
    array : ndarray of float64
    """
    try:
        array = np.asarray(value)
        if np.iscomplexobj(array):
            raise Failure(
                f"{what} contains complex numbers: a square root or log of a negative "
                f"number? Covariances and densities are real."
            )
        return array.astype(np.float64)
    except Failure:
        raise
    except Exception:  # whatever the conversion of a student's object raises
        raise Failure(
            f"{what} is a {type(value).__name__}, which numpy cannot turn into an "
            f"array of numbers."
        ) from None


def check_shape(array, expected, what, layout):
    """Raise a :class:`Failure` unless ``array.shape == expected`` (and say if transposed)."""
    if array.shape == expected:
        return
    if array.ndim == len(expected) and array.shape == expected[::-1]:
        raise Failure(
            f"{what} has shape {array.shape} but should be {expected}: it looks "
            f"transposed. {layout}"
        )
    raise Failure(f"{what} has shape {array.shape} but should be {expected}. {layout}")


def close(a, b, rtol, atol):
    """Same shape and every entry within ``atol + rtol * |b|``."""
    return a.shape == b.shape and bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol)))


def params_close(params, reference, rtol):
    """Every array of ``params`` (mus, sigmas, pis) close to its match in ``reference``.

    Each entry within ``rtol`` of its reference, or of the array's largest
    magnitude when that is above 1 (so near-zero entries are not held to a
    relative tolerance).
    """
    return all(
        close(mine, theirs, rtol, _params_atol(theirs, rtol))
        for mine, theirs in zip(params, reference)
    )


def params_mismatch(params, reference, rtol):
    """Describe the first of mus, sigmas, pis not close to ``reference``, or None.

    The same tolerance as :func:`params_close`; the description is
    :func:`worst_entry`'s, naming the parameter. Shapes must already match.
    """
    for name, mine, theirs in zip(("mus", "sigmas", "pis"), params, reference):
        atol = _params_atol(theirs, rtol)
        if not close(mine, theirs, rtol, atol):
            return worst_entry(mine, theirs, rtol, atol, name)
    return None


def _params_atol(reference, rtol):
    return rtol * max(1.0, float(np.abs(reference).max()))


def worst_entry(out, ref, rtol, atol, name):
    """Describe the entry of ``out`` farthest from ``ref`` (NaN counts as farthest).

    When the two numbers agree to six digits, they are shown to twelve, with
    their relative difference; and if ``out`` holds only float32 values (and
    ``ref`` does not), the message says so: single precision is the likely cause.
    """
    with np.errstate(all="ignore"):
        score = np.abs(out - ref) / (atol + rtol * np.abs(ref))
    score = np.where(np.isnan(score), np.inf, score)
    index = np.unravel_index(int(np.argmax(score)), out.shape)
    n_bad = int(np.count_nonzero(~np.isclose(out, ref, rtol=rtol, atol=atol)))
    where = f"[{', '.join(str(int(i)) for i in index)}]" if index else ""
    mine, theirs = out[index], ref[index]
    shown_mine, shown_ref, gap, note = f"{mine:.6g}", f"{theirs:.6g}", "", ""
    if shown_mine == shown_ref:
        shown_mine, shown_ref = f"{mine:.12g}", f"{theirs:.12g}"
        if theirs != 0:
            gap = f"relative difference {abs(mine - theirs) / abs(theirs):.1g}; "
        else:
            gap = f"difference {abs(mine - theirs):.1g}; "
        if _single_precision(out, ref):
            note = (" Your numbers are float32 (single precision, about 7 digits): compute "
                    "in float64, numpy's default, and look for an astype(np.float32) or a "
                    "dtype=np.float32.")
    return (
        f"your {name}{where} is {shown_mine} but the reference gives {shown_ref} "
        f"({gap}{n_bad} of {out.size} entries differ).{note}"
    )


def _single_precision(out, ref):
    """Is ``out`` float32, or float64 holding only float32 values, while ``ref`` is not?"""
    if out.dtype == np.float32:
        return True
    if not (np.issubdtype(out.dtype, np.floating) and np.issubdtype(ref.dtype, np.floating)):
        return False
    with np.errstate(all="ignore"):
        same = out == out.astype(np.float32).astype(out.dtype)
        ref_same = ref == ref.astype(np.float32).astype(ref.dtype)
    return bool(np.all(same)) and not bool(np.all(ref_same))


def scalar(value, what="your output"):
    """One number from what the student returned, or a :class:`Failure` saying why not."""
    array = as_array(value, what)
    if array.size != 1:
        raise Failure(f"{what} has shape {array.shape}, but should be one number.")
    return float(array.ravel()[0])
