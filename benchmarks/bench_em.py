"""Per-iteration time of gmm_teach.fit_gmm against scikit-learn's GaussianMixture.

Both fit the same data from the same start with ``tol=0``, so both run exactly
the requested number of EM iterations. Fixed costs (validation, scikit-learn's
initialisation, the final E-step) are removed by timing two run lengths and
dividing the difference by the number of extra iterations. Each timing is the
best of several repeats, which is the figure least disturbed by other work on a
shared machine.

Run: ``python benchmarks/bench_em.py`` (or ``make bench``); ``--quick`` for the
two smallest rows only. A ratio below 1 means gmm_teach is faster.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from gmm_teach import fit_gmm, initialize

# (n_samples, n_features, n_components), as in the project's issue.
CASES = [
    (10_000, 2, 4),
    (100_000, 2, 4),
    (1_000_000, 2, 4),
    (20_000, 20, 8),
    (50_000, 50, 16),
]


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
    fit_gmm(X, init=start, tol=0, max_iter=n_iter)


def fit_sklearn(X, start, n_iter):
    mus, sigmas, pis = start
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


def best_time(fit, X, start, n_iter, repeats):
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        fit(X, start, n_iter)
        times.append(time.perf_counter() - begin)
    return min(times)


def per_iteration(fit, X, start, short, long, repeats):
    """Seconds per EM iteration, with the fixed costs of a fit removed."""
    return (best_time(fit, X, start, long, repeats) - best_time(fit, X, start, short, repeats)) / (
        long - short
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the two smallest rows")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = CASES[:2] if args.quick else CASES
    warnings.simplefilter("ignore", ConvergenceWarning)

    header = f"{'N':>9} {'D':>3} {'K':>3} | {'gmm_teach ms/iter':>17} {'sklearn ms/iter':>15} | {'ratio':>5}"
    print(header)
    print("-" * len(header))
    for n_samples, n_features, n_components in cases:
        X = make_data(n_samples, n_features, n_components)
        start = initialize(X, n_components, method="random", random_state=0)
        # Fewer iterations for the largest rows keep the whole run to a few minutes.
        short, long = (2, 12) if n_samples * n_features * n_components < 5e6 else (2, 7)
        ours = per_iteration(fit_ours, X, start, short, long, args.repeats)
        theirs = per_iteration(fit_sklearn, X, start, short, long, args.repeats)
        print(
            f"{n_samples:>9} {n_features:>3} {n_components:>3} | "
            f"{1e3 * ours:>17.2f} {1e3 * theirs:>15.2f} | {ours / theirs:>5.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
