"""The check of lesson 16's exercise: ``iteration_flops(N, D, K)``, the flops of an iteration's products.

The count asked for is that of the two families of matrix products of one
``fit_gmm`` iteration, two flops (a multiplication and an addition) per term of
every dot product:

- E-step: ``X @ W``, shapes (N, D) and (D, K D): ``2 N K D^2``;
- M-step: ``A_k.T @ A_k`` for each of the K components, ``A_k`` of shape
  (N, D), of which numpy computes only one triangle, diagonal included:
  D (D + 1) / 2 entries, ``K D (D + 1) N`` flops in all.
"""

from ._compare import scalar
from ._harness import Failure, Student, numbered, run_check

# Whole numbers, exact in float64 at these sizes; a float answer is fine.
_RTOL = 1e-12


def _problems():
    # The first case tells every mistake below apart; the others vary the sizes.
    sizes = [(500, 10, 3), (1_000, 2, 4), (20_000, 20, 8), (7, 1, 1)]
    return numbered([(f"N = {n}, D = {d}, K = {k}", {"N": n, "D": d, "K": k}) for n, d, k in sizes])


def _e_step(n, d, k):
    return 2 * n * d * (k * d)


def _m_step(n, d, k):
    return k * (d * (d + 1) // 2) * 2 * n


def _mistakes(n, d, k):
    """(the count a typical mistake gives, what the mistake is), most specific first."""
    e, m = _e_step(n, d, k), _m_step(n, d, k)
    return [
        (e + 2 * n * d * d * k,
         "you counted every entry of each A_k.T @ A_k (2 N D^2 flops); numpy computes only "
         "one triangle of that symmetric matrix, diagonal included: D (D + 1) / 2 entries"),
        (e + n * d * d * k,
         "3 N K D^2 is the approximation for large D; the exact count has D (D + 1) / 2 "
         "entries per scatter matrix, not D^2 / 2"),
        (e + k * d * (d - 1) * n,
         "you counted the D (D - 1) / 2 entries off the diagonal in one triangle; the "
         "diagonal is computed too: D (D + 1) / 2 entries"),
        ((e + m) // 2,
         "that is half the count: each term of a dot product is a multiplication AND an "
         "addition, two flops"),
        (e + m // k,
         "the M-step part is K times too small: there is one scatter matrix A_k.T @ A_k per "
         "component"),
        (e // k + m,
         "the E-step part is K times too small: W has K D columns, one block of D per "
         "component"),
        (e // d + m,
         "the E-step part is D times too small: X @ W has N x K D entries, each a dot product "
         "of length D"),
        (e, "you counted only the E-step's product X @ W; add the M-step's K scatter matrices"),
        (m, "you counted only the M-step's scatter matrices; add the E-step's product X @ W"),
    ]


def check_iteration_flops(fn):
    """Check a student's ``iteration_flops(N, D, K)``: the flops of one iteration's matrix products.

    The reference is ``2 N K D^2`` (the E-step's ``X @ W``) plus
    ``K D (D + 1) N`` (the M-step's K symmetric scatter matrices, of which only
    one triangle, diagonal included, is computed), on four sizes that
    tell the typical miscounts apart.

    Parameters
    ----------
    fn : callable
        The student's ``iteration_flops(N, D, K)``, returning one number.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the full
        scatter matrix counted, the large-D approximation 3 N K D^2 (D^2 / 2
        entries) or D (D - 1) / 2 entries instead of D (D + 1) / 2, one flop per term instead of two, a factor K or D
        missing, and one of the two families left out.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("iteration_flops", fn), _problems(), _check_case)


def _close(a, b):
    return abs(a - b) <= _RTOL * abs(b)


def _check_case(student, case):
    n, d, k = case.data["N"], case.data["D"], case.data["K"]
    out = scalar(student.call(("N", "D", "K"), (n, d, k)), "your count")
    expected = _e_step(n, d, k) + _m_step(n, d, k)
    if _close(out, expected):
        return
    for value, mistake in _mistakes(n, d, k):
        if value != expected and _close(out, value):
            raise Failure(f"your count is {out:.6g}, the reference {expected:.6g}: {mistake}.")
    raise Failure(
        f"your count is {out:.6g} but the reference gives {expected:.6g} "
        f"(ratio {out / expected:.3g}). Count 2 flops per term of each dot product: the E-step's "
        f"X @ W has N x K D entries, each a dot product of length D; each of the K scatter "
        f"matrices has D (D + 1) / 2 computed entries, each a dot product of length N."
    )
