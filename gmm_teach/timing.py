"""Timing EM: per-iteration times, a kernel-by-kernel profile, the machine's matrix-product rate.

The helpers behind lessons 15 and 16 ("Vectorising EM", "Performance") and ``benchmarks/bench_em.py``.

A *fit function* here is any ``fit(X, start, n_iter)`` that runs ``n_iter`` EM
iterations on ``X`` from ``start = (mus, sigmas, pis)``:
:func:`fit_gmm_iterations` (``gmm_teach.fit_gmm``), :func:`fit_sklearn_iterations`
(scikit-learn's ``GaussianMixture``) and :func:`gmm_teach.loops.fit_loop` (plain
Python loops). :func:`per_iteration` times any of them the same way.

Every time is the best of several repeats: on a shared machine the other work
only ever adds time, so the shortest run is the one least disturbed by it.
Nothing here prints; times are in seconds.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from . import _validation as v
from . import em

__all__ = [
    "make_data",
    "fit_gmm_iterations",
    "fit_sklearn_iterations",
    "best_of",
    "best_time",
    "per_iteration",
    "run_lengths",
    "make_problem",
    "measure",
    "profile_iteration",
    "PROFILE_KERNELS",
    "blas_threads",
    "matmul_gflops",
]

# The keys of profile_iteration's result that add up to one iteration, in the
# order they run, with the kernel of gmm_teach/em.py that each one times.
PROFILE_KERNELS = {
    "cholesky": "_precision_cholesky",
    "log_densities": "_weighted_log_prob",
    "log_sum_exp": "_normalize",
    "m_step": "_m_step",
}


# --------------------------------------------------------------------------
# Argument checks shared by the functions below
# --------------------------------------------------------------------------


def _check_callable(value, name):
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {type(value).__name__} {value!r}")
    return value


def _check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed must be an int or None, got {seed!r}")
    return seed


def _check_run_lengths(short, long):
    short = v.check_count(short, "short")
    long = v.check_count(long, "long")
    if long <= short:
        raise ValueError(
            f"long must be larger than short (the time per iteration is the difference of the "
            f"two runs divided by long - short), got short = {short}, long = {long}"
        )
    return short, long


# --------------------------------------------------------------------------
# Data and fit functions
# --------------------------------------------------------------------------


def make_data(n_samples, n_features, n_components, seed=0):
    """Samples of a random mixture with well-spread means and unit covariances.

    The means are drawn with standard deviation 5 in every feature, so the
    components are mostly well separated and EM behaves the same way at every size.

    Parameters
    ----------
    n_samples, n_features, n_components : int
        Each at least 1.
    seed : int or None, default=0
        For ``numpy.random.default_rng``; the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> make_data(500, 3, 4).shape
    (500, 3)
    """
    n_samples = v.check_count(n_samples, "n_samples")
    n_features = v.check_count(n_features, "n_features")
    n_components = v.check_count(n_components, "n_components")
    rng = np.random.default_rng(_check_seed(seed))
    mus = 5 * rng.standard_normal((n_components, n_features))
    labels = rng.integers(n_components, size=n_samples)
    return mus[labels] + rng.standard_normal((n_samples, n_features))


def fit_gmm_iterations(X, start, n_iter):
    """Exactly ``n_iter`` iterations of :func:`gmm_teach.fit_gmm` from ``start``.

    ``tol=0`` turns off the convergence test, so every call does the same work.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    start : tuple (mus, sigmas, pis)
        mus of shape (n_components, n_features), sigmas of shape
        (n_components, n_features, n_features), pis of shape (n_components,).
    n_iter : int
        At least 1.

    Returns
    -------
    result : EMResult
        What ``fit_gmm`` returns.
    """
    # fit_gmm validates X, start and n_iter itself, with its own messages.
    return em.fit_gmm(X, init=start, tol=0, max_iter=n_iter)


def fit_sklearn_iterations(X, start, n_iter):
    """Exactly ``n_iter`` iterations of scikit-learn's ``GaussianMixture`` from ``start``.

    The same start as :func:`fit_gmm_iterations` gets: the means, the weights,
    and the covariances given as their inverses (scikit-learn's
    ``precisions_init``). ``tol=0`` makes it run all ``max_iter`` iterations.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    start : tuple (mus, sigmas, pis)
        mus of shape (n_components, n_features), sigmas of shape
        (n_components, n_features, n_features), pis of shape (n_components,).
    n_iter : int
        At least 1.

    Returns
    -------
    model : sklearn.mixture.GaussianMixture
        The fitted model.
    """
    X = v.check_X(X)
    mus, sigmas, pis = _check_start(start, X.shape[1])
    n_iter = v.check_count(n_iter, "n_iter")
    with warnings.catch_warnings():
        # With tol=0 it always runs max_iter iterations and then says it did not converge.
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        return GaussianMixture(
            n_components=len(mus),
            covariance_type="full",
            tol=0,
            max_iter=n_iter,
            means_init=mus,
            weights_init=pis,
            precisions_init=np.linalg.inv(sigmas),
            # Ignored when all three *_init are given, but it skips the k-means
            # that the default "kmeans" would run first.
            init_params="random_from_data",
        ).fit(X)


def _check_start(start, n_features):
    try:
        mus, sigmas, pis = start
    except (TypeError, ValueError):
        raise TypeError(
            f"start must be a tuple (mus, sigmas, pis) such as initialize() returns, got {start!r}"
        ) from None
    mus, sigmas, pis = v.check_params(mus, sigmas, pis, n_features)
    em._checked_precision_cholesky(sigmas)
    return mus, sigmas, pis


# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


def best_of(function, repeats):
    """The shortest of ``repeats`` wall-clock times of ``function()``, in seconds.

    Parameters
    ----------
    function : callable
        Called with no arguments; its result is ignored.
    repeats : int
        At least 1.

    Returns
    -------
    seconds : float

    Examples
    --------
    >>> best_of(lambda: sum(range(1000)), repeats=3) > 0
    True
    """
    _check_callable(function, "function")
    repeats = v.check_count(repeats, "repeats")
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return min(times)


def best_time(fit, X, start, n_iter, repeats):
    """The shortest time of ``fit(X, start, n_iter)`` over ``repeats`` runs, in seconds.

    Parameters
    ----------
    fit : callable
        A fit function ``fit(X, start, n_iter)``, e.g. :func:`fit_gmm_iterations`.
    X : array-like of shape (n_samples, n_features)
    start : tuple (mus, sigmas, pis)
    n_iter : int
        At least 1.
    repeats : int
        At least 1.

    Returns
    -------
    seconds : float
        Fixed costs of a fit included.
    """
    _check_callable(fit, "fit")
    n_iter = v.check_count(n_iter, "n_iter")
    return best_of(lambda: fit(X, start, n_iter), repeats)


def per_iteration(fit, X, start, short, long, repeats):
    """Seconds per EM iteration of ``fit``, with the fixed costs of a fit removed.

    ``fit(X, start, n_iter)`` is timed with ``n_iter = short`` and ``n_iter =
    long``; the difference is divided by ``long - short``. What a fit does once
    (checking its input, scikit-learn's set-up, and an E-step that is not part
    of any iteration: ``fit_gmm``'s at the start, scikit-learn's final one) is
    in both runs and cancels.

    Parameters
    ----------
    fit : callable
        A fit function ``fit(X, start, n_iter)``.
    X : array-like of shape (n_samples, n_features)
    start : tuple (mus, sigmas, pis)
    short, long : int
        The two run lengths, ``1 <= short < long``.
    repeats : int
        Each run length is timed ``repeats`` times and the shortest time kept.

    Returns
    -------
    seconds : float
        A difference of two measured times: on a busy machine with runs that
        are too short it can even come out negative. Longer runs and more
        repeats make it steadier.
    """
    _check_callable(fit, "fit")
    short, long = _check_run_lengths(short, long)
    repeats = v.check_count(repeats, "repeats")
    long_time = best_time(fit, X, start, long, repeats)
    short_time = best_time(fit, X, start, short, repeats)
    return (long_time - short_time) / (long - short)


def run_lengths(n_samples, n_features, n_components):
    """The two run lengths ``(short, long)`` that :func:`measure` times for a problem.

    Parameters
    ----------
    n_samples, n_features, n_components : int

    Returns
    -------
    short, long : int

    Examples
    --------
    >>> run_lengths(10_000, 2, 4)
    (2, 12)
    """
    n_samples = v.check_count(n_samples, "n_samples")
    n_features = v.check_count(n_features, "n_features")
    n_components = v.check_count(n_components, "n_components")
    # Fewer iterations for the largest problems keep the whole benchmark to a few minutes.
    return (2, 12) if n_samples * n_features * n_components < 5e6 else (2, 7)


def make_problem(n_samples, n_features, n_components):
    """The data, the start and the two run lengths that :func:`measure` uses.

    Parameters
    ----------
    n_samples, n_features, n_components : int
        Each at least 1, and ``n_components <= n_samples``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        ``make_data(n_samples, n_features, n_components)``.
    start : GMMParams
        ``initialize(X, n_components, method="random", random_state=0)``.
    short, long : int
        ``run_lengths(n_samples, n_features, n_components)``.
    """
    X = make_data(n_samples, n_features, n_components)
    start = em.initialize(X, n_components, method="random", random_state=0)
    return X, start, *run_lengths(n_samples, n_features, n_components)


def measure(n_samples, n_features, n_components, repeats=3):
    """Seconds per EM iteration of gmm_teach and of scikit-learn on one problem.

    One row of the table of ``benchmarks/bench_em.py``: both libraries fit the
    data of :func:`make_problem` from the same start, timed by
    :func:`per_iteration`.

    Parameters
    ----------
    n_samples, n_features, n_components : int
        Each at least 1, and ``n_components <= n_samples``.
    repeats : int, default=3
        Each run is timed ``repeats`` times and the shortest time kept.

    Returns
    -------
    gmm_teach_seconds, sklearn_seconds : float
        Per iteration, of :func:`fit_gmm_iterations` and :func:`fit_sklearn_iterations`.
    """
    repeats = v.check_count(repeats, "repeats")
    X, start, short, long = make_problem(n_samples, n_features, n_components)
    ours = per_iteration(fit_gmm_iterations, X, start, short, long, repeats)
    theirs = per_iteration(fit_sklearn_iterations, X, start, short, long, repeats)
    return ours, theirs


def profile_iteration(X, params, reg_covar=1e-6, repeats=5):
    """Seconds spent in each step of one ``fit_gmm`` iteration (best of ``repeats``).

    Each kernel of ``gmm_teach/em.py`` that an iteration of ``fit_gmm`` runs is
    timed on its own, on the inputs it gets inside the EM loop at ``params``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : tuple (mus, sigmas, pis)
        mus of shape (n_components, n_features), sigmas of shape
        (n_components, n_features, n_features), pis of shape (n_components,).
    reg_covar : float, default=1e-6
        As in ``fit_gmm``.
    repeats : int, default=5

    Returns
    -------
    times : dict of str to float
        The keys of :data:`PROFILE_KERNELS`, in the order they run, which add
        up to one iteration:

        - ``"cholesky"``: the Cholesky factors of the covariances (``_precision_cholesky``);
        - ``"log_densities"``: ``log pi_k + log N(x_i | mu_k, sigma_k)`` for all
          points and components (``_weighted_log_prob``);
        - ``"log_sum_exp"``: the log-sum-exp over components and the
          responsibilities (``_normalize``);
        - ``"m_step"``: the new means, covariances and weights (``_m_step``);

        and ``"distances"``, the squared Mahalanobis distances
        (``_mahalanobis_sq``), which are part of ``"log_densities"`` (not to be
        added to the others).
    """
    X = v.check_X(X)
    mus, sigmas, pis = _check_start(params, X.shape[1])
    reg_covar = v.check_positive(reg_covar, "reg_covar")
    repeats = v.check_count(repeats, "repeats")
    # The inputs each kernel gets in the loop, computed once outside the timing.
    prec_chols = em._precision_cholesky(sigmas)
    log_prob = em._weighted_log_prob(X, mus, prec_chols, pis)
    _, responsibilities = em._normalize(log_prob)
    kernels = {
        "cholesky": lambda: em._precision_cholesky(sigmas),
        "log_densities": lambda: em._weighted_log_prob(X, mus, prec_chols, pis),
        # _normalize does not modify its input, so every repeat sees the same log_prob.
        "log_sum_exp": lambda: em._normalize(log_prob),
        "m_step": lambda: em._m_step(X, responsibilities, reg_covar),
        "distances": lambda: em._mahalanobis_sq(X, mus, prec_chols),
    }
    return {name: best_of(kernel, repeats) for name, kernel in kernels.items()}


# --------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------


def blas_threads(n_threads):
    """Limit the BLAS libraries (numpy's and scipy's OpenBLAS, or MKL) to ``n_threads`` threads.

    On a machine shared with other work, a multi-threaded BLAS call waits for
    all its threads to get a core, and small matrix products can take
    milliseconds instead of microseconds; one thread gives repeatable timings.

    Parameters
    ----------
    n_threads : int
        At least 1.

    Returns
    -------
    limits : threadpoolctl.threadpool_limits
        Use it as a context manager (``with blas_threads(1): ...``), or call
        ``blas_threads(1)`` once: the limit then holds until
        ``.restore_original_limits()`` is called on the returned object.

    Examples
    --------
    >>> with blas_threads(1):
    ...     product = np.ones((3, 3)) @ np.ones((3, 3))
    """
    n_threads = v.check_count(n_threads, "n_threads")
    # threadpoolctl is a dependency of scikit-learn (and of gmm_teach).
    return threadpool_limits(limits=n_threads, user_api="blas")


def matmul_gflops(size=1000, repeats=5, seed=0):
    """What this machine's BLAS achieves on one large product, ``A @ B`` of two (size, size) matrices.

    Counts ``2 * size**3`` floating-point operations (a multiply and an add per
    term of each of the ``size**2`` dot products).

    Parameters
    ----------
    size : int, default=1000
        At least 1; a few hundred or more for a rate near the machine's best.
    repeats : int, default=5
    seed : int or None, default=0
        For the random matrices.

    Returns
    -------
    seconds : float
        The best of ``repeats`` times of one product.
    gflops : float
        Billions of floating-point operations per second.

    Examples
    --------
    >>> seconds, gflops = matmul_gflops(size=100, repeats=2)
    >>> seconds > 0 and gflops > 0
    True
    """
    size = v.check_count(size, "size")
    repeats = v.check_count(repeats, "repeats")
    rng = np.random.default_rng(_check_seed(seed))
    a, b = rng.standard_normal((2, size, size))
    a @ b  # warm-up: the first call may load BLAS or start its threads
    seconds = best_of(lambda: a @ b, repeats)
    return seconds, 2 * size**3 / seconds / 1e9
