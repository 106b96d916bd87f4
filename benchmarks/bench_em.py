"""Per-iteration time of gmm_teach.fit_gmm against scikit-learn's GaussianMixture.

Both fit the same data from the same start with ``tol=0``, so both run exactly
the requested number of EM iterations. Fixed costs (validation, scikit-learn's
initialisation, the final E-step) are removed by timing two run lengths and
dividing the difference by the number of extra iterations. Each timing is the
best of several repeats, which is the figure least disturbed by other work on a
shared machine.

Run: ``python benchmarks/bench_em.py`` (or ``make bench``); ``--quick`` for the
two smallest rows only. A ratio below 1 means gmm_teach is faster.

The timing itself is in the package, in :mod:`gmm_teach.timing` (``measure``
gives one row of the table); this script only chooses the problems and prints.
"""

import argparse

from gmm_teach.timing import blas_threads, fit_sklearn_iterations, make_problem, measure, per_iteration

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


def format_row(n_samples, n_features, n_components, ours, theirs, theirs_1):
    """A line of the table, times in milliseconds."""
    return (
        f"{n_samples:>9} {n_features:>3} {n_components:>3} | "
        f"{1e3 * ours:>17.2f} {1e3 * theirs:>15.2f} | {ours / theirs:>5.2f}"
        f" | {1e3 * theirs_1:>22.2f} {ours / theirs_1:>5.2f}"
    )


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
        X, start, short, long = make_problem(n_samples, n_features, n_components)
        with blas_threads(1):
            theirs_1 = per_iteration(fit_sklearn_iterations, X, start, short, long, args.repeats)
        print(format_row(n_samples, n_features, n_components, ours, theirs, theirs_1), flush=True)


if __name__ == "__main__":
    main()
