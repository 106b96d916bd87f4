"""Per-iteration time of gmm_teach.fit_gmm against scikit-learn's GaussianMixture.

Both fit the same data from the same start with ``tol=0``, so both run exactly
the requested number of EM iterations. Fixed costs (validation, scikit-learn's
initialisation, the final E-step) are removed by timing two run lengths and
dividing the difference by the number of extra iterations. Each timing is the
best of several repeats, which is the figure least disturbed by other work on a
shared machine.

Run: ``python benchmarks/bench_em.py`` (or ``make bench``); ``--quick`` for the
two smallest rows only. A ratio below 1 means gmm_teach is faster.

The functions are importable too (notebook 09 uses them): ``measure`` for one
row of the table, ``per_iteration`` for any ``fit(X, start, n_iter)``,
``profile_iteration`` for the time of each kernel of one iteration,
``matmul_gflops`` for what a large matrix product achieves on this machine, and
``blas_threads`` to limit the threads of the BLAS library.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from gmm_teach import em, fit_gmm, initialize

# (n_samples, n_features, n_components), as in the project's issue.
CASES = [
    (10_000, 2, 4),
    (100_000, 2, 4),
    (1_000_000, 2, 4),
    (20_000, 20, 8),
    (50_000, 50, 16),
]

HEADER = (
    f"{'N':>9} {'D':>3} {'K':>3} | {'gmm_teach ms/iter':>17} {'sklearn ms/iter':>15} | {'ratio':>5}"
    f" | {'sklearn, 1 BLAS thread':>22} {'ratio':>5}"
)


def make_data(n_samples, n_features, n_components, seed=0):
    """Samples of a random mixture with well-spread means and unit covariances.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    rng = np.random.default_rng(seed)
    mus = 5 * rng.standard_normal((n_components, n_features))
    labels = rng.integers(n_components, size=n_samples)
    return mus[labels] + rng.standard_normal((n_samples, n_features))


def fit_ours(X, start, n_iter):
    """``n_iter`` iterations of ``gmm_teach.fit_gmm`` from ``start = (mus, sigmas, pis)``."""
    fit_gmm(X, init=start, tol=0, max_iter=n_iter)


def fit_sklearn(X, start, n_iter):
    """``n_iter`` iterations of scikit-learn's ``GaussianMixture`` from the same start."""
    mus, sigmas, pis = start
    with warnings.catch_warnings():
        # With tol=0 it always runs max_iter iterations and then says it did not converge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        GaussianMixture(
            n_components=len(mus),
            covariance_type="full",
            tol=0,
            max_iter=n_iter,
            means_init=mus,
            weights_init=pis,
            precisions_init=np.linalg.inv(sigmas),
            init_params="random_from_data",
        ).fit(X)


def best_of(function, repeats):
    """The shortest of ``repeats`` wall-clock times of ``function()``, in seconds."""
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return min(times)


def best_time(fit, X, start, n_iter, repeats):
    """The shortest time of ``fit(X, start, n_iter)`` over ``repeats`` runs, in seconds."""
    return best_of(lambda: fit(X, start, n_iter), repeats)


def per_iteration(fit, X, start, short, long, repeats):
    """Seconds per EM iteration, with the fixed costs of a fit removed.

    ``fit(X, start, n_iter)`` is timed with ``n_iter = short`` and ``long``;
    the difference is divided by ``long - short``.
    """
    return (best_time(fit, X, start, long, repeats) - best_time(fit, X, start, short, repeats)) / (
        long - short
    )


def run_lengths(n_samples, n_features, n_components):
    """The two run lengths ``(short, long)`` timed for a case."""
    # Fewer iterations for the largest rows keep the whole run to a few minutes.
    return (2, 12) if n_samples * n_features * n_components < 5e6 else (2, 7)


def case(n_samples, n_features, n_components):
    """The data, the start and the two run lengths of one row of the table.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        From :func:`make_data`.
    start : GMMParams
        ``initialize(X, n_components, method="random", random_state=0)``.
    short, long : int
        From :func:`run_lengths`.
    """
    X = make_data(n_samples, n_features, n_components)
    start = initialize(X, n_components, method="random", random_state=0)
    return X, start, *run_lengths(n_samples, n_features, n_components)


def measure(n_samples, n_features, n_components, repeats=3):
    """One row of the table: seconds per iteration of gmm_teach and of scikit-learn.

    Returns
    -------
    ours, theirs : float
    """
    X, start, short, long = case(n_samples, n_features, n_components)
    ours = per_iteration(fit_ours, X, start, short, long, repeats)
    theirs = per_iteration(fit_sklearn, X, start, short, long, repeats)
    return ours, theirs


def format_row(n_samples, n_features, n_components, ours, theirs):
    """A line of the table, times in milliseconds."""
    return (
        f"{n_samples:>9} {n_features:>3} {n_components:>3} | "
        f"{1e3 * ours:>17.2f} {1e3 * theirs:>15.2f} | {ours / theirs:>5.2f}"
    )


def profile_iteration(X, params, reg_covar=1e-6, repeats=5):
    """Seconds spent in each kernel of one ``fit_gmm`` iteration (best of ``repeats``).

    Each kernel of ``gmm_teach.em`` is timed on its own, on the inputs it gets
    inside the EM loop at ``params = (mus, sigmas, pis)``.

    Returns
    -------
    times : dict
        ``"_precision_cholesky"``, ``"_weighted_log_prob"``, ``"_normalize"``
        and ``"_m_step"``: the four kernels of an iteration, in the order they
        run; and ``"_mahalanobis_sq"``, the part of ``_weighted_log_prob`` that
        computes the distances (not to be added to the others).
    """
    mus, sigmas, pis = params
    prec_chols = em._precision_cholesky(sigmas)
    log_prob = em._weighted_log_prob(X, mus, prec_chols, pis)
    _, responsibilities = em._normalize(log_prob)
    kernels = {
        "_precision_cholesky": lambda: em._precision_cholesky(sigmas),
        "_weighted_log_prob": lambda: em._weighted_log_prob(X, mus, prec_chols, pis),
        "_normalize": lambda: em._normalize(log_prob),
        "_m_step": lambda: em._m_step(X, responsibilities, reg_covar),
        "_mahalanobis_sq": lambda: em._mahalanobis_sq(X, mus, prec_chols),
    }
    return {name: best_of(kernel, repeats) for name, kernel in kernels.items()}


def blas_threads(n_threads):
    """Limit the BLAS libraries (numpy's and scipy's OpenBLAS, or MKL) to ``n_threads`` threads.

    On a machine shared with other work, a multi-threaded BLAS call waits for
    all its threads to get a core, and small matrix products can take
    milliseconds instead of microseconds; one thread gives repeatable timings.
    Use as a context manager (``with blas_threads(1): ...``), or call it once:
    the limit then holds until ``.restore_original_limits()`` is called on the
    object it returns. Uses ``threadpoolctl``, which scikit-learn depends on.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n_threads, user_api="blas")


def matmul_gflops(size=1000, repeats=5, seed=0):
    """What this machine's BLAS achieves on one large product, ``A @ B`` of two (size, size) matrices.

    Counts ``2 * size**3`` floating-point operations (a multiply and an add per term).

    Returns
    -------
    seconds : float
        The best of ``repeats`` times.
    gflops : float
        Billions of floating-point operations per second.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, size, size))
    a @ b  # warm-up: the first call may load BLAS or start its threads
    seconds = best_of(lambda: a @ b, repeats)
    return seconds, 2 * size**3 / seconds / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the two smallest rows")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = CASES[:2] if args.quick else CASES

    print(HEADER)
    print("-" * len(HEADER))
    for n_samples, n_features, n_components in cases:
        ours, theirs = measure(n_samples, n_features, n_components, args.repeats)
        # fit_gmm runs its loop on one BLAS thread; this column gives scikit-learn
        # the same setting, so that the ratio is not only about threads.
        X, start, short, long = case(n_samples, n_features, n_components)
        with blas_threads(1):
            theirs_1 = per_iteration(fit_sklearn, X, start, short, long, args.repeats)
        print(
            format_row(n_samples, n_features, n_components, ours, theirs)
            + f" | {1e3 * theirs_1:>22.2f} {ours / theirs_1:>5.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
