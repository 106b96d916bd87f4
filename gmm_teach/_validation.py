"""Input checks shared by the public functions.

Every public function validates its arguments once, at its entry, with these
helpers, so that a wrong shape or a NaN is reported in words that name the
argument instead of surfacing as a NaN or a numpy traceback later on. The EM
loop itself calls only private functions and validates nothing.
"""

import numbers

import numpy as np

# Tolerances for "sums to one" and "is symmetric". They are loose enough to
# accept float32 parameters (as float32 code produces) and tight enough to
# catch a real mistake such as unnormalised weights or a transposed factor.
SUM_TO_ONE_ATOL = 1e-5
SYMMETRY_RTOL = 1e-6


def as_float_array(value, name, ndim, shape_text):
    """Convert ``value`` to a float64 array with ``ndim`` dimensions.

    Parameters
    ----------
    value : array-like
        The argument as the user passed it.
    name : str
        The argument's name, used in error messages.
    ndim : int or None
        The number of dimensions expected; ``None`` accepts any.
    shape_text : str
        How the expected shape is written in messages, e.g. ``"(n_samples, n_features)"``.

    Returns
    -------
    array : ndarray of float64 with ``ndim`` dimensions, all entries finite.
    """
    if value is None:
        raise TypeError(f"{name} must be an array of shape {shape_text}, got None")

    def not_numeric(detail):
        return TypeError(
            f"{name} must be a numeric array of shape {shape_text}, "
            f"got {type(value).__name__} that numpy cannot convert to float ({detail})"
        )

    # Convert before looking at the dtype: a ragged list makes np.asarray itself
    # fail, and that failure deserves the same message as any other bad value.
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise not_numeric(exc) from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must be real-valued, got a complex array")
    if array.dtype.kind not in "biufO":  # strings, dates, records
        raise not_numeric(f"an array of dtype {array.dtype}")
    try:
        array = array.astype(np.float64, copy=False)
    except (TypeError, ValueError, OverflowError) as exc:
        raise not_numeric(exc) from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-D of shape {shape_text}, "
            f"got an array of shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got an array of shape {array.shape}")
    if not np.all(np.isfinite(array)):
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); remove or impute them first"
        )
    return array


def check_X(X):
    """Validate the data matrix.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
    """
    return as_float_array(X, "X", 2, "(n_samples, n_features)")


def check_params(mus, sigmas, pis, n_features):
    """Validate the mixture's parameters against each other and the data.

    Parameters
    ----------
    mus : array-like of shape (n_components, n_features)
    sigmas : array-like of shape (n_components, n_features, n_features)
        Symmetric positive-definite covariance matrices.
    pis : array-like with n_components entries
        Non-negative weights that sum to one; any shape with ``n_components``
        entries is accepted, e.g. a column of shape (n_components, 1).
    n_features : int
        The number of columns of ``X``.

    Whether each covariance is positive definite is not checked here: that is
    decided by the Cholesky factorisation the computation itself uses
    (``gmm_teach.em._checked_precision_cholesky``), so the check and the
    computation cannot disagree.

    Returns
    -------
    mus : ndarray of shape (n_components, n_features)
    sigmas : ndarray of shape (n_components, n_features, n_features)
    pis : ndarray of shape (n_components,)
    """
    mus = as_float_array(mus, "mus", 2, "(n_components, n_features)")
    n_components = mus.shape[0]
    if mus.shape[1] != n_features:
        hint = " (is it transposed?)" if mus.shape[0] == n_features else ""
        raise ValueError(
            f"mus must have shape (n_components, n_features) = ({n_components}, {n_features}) "
            f"to match X's {n_features} features, got {mus.shape}{hint}"
        )
    expected = (n_components, n_features, n_features)
    sigmas = as_float_array(sigmas, "sigmas", 3, "(n_components, n_features, n_features)")
    if sigmas.shape != expected:
        raise ValueError(
            f"sigmas must have shape (n_components, n_features, n_features) = {expected}, "
            f"got {sigmas.shape}"
        )
    pis = as_float_array(pis, "pis", None, f"({n_components},)").ravel()
    if pis.size != n_components:
        raise ValueError(
            f"pis must have {n_components} entries (one per component in mus), "
            f"got {pis.size} entries"
        )
    if np.any(pis < 0):
        raise ValueError(f"pis must be non-negative, got {pis}")
    if abs(pis.sum() - 1.0) > SUM_TO_ONE_ATOL:
        raise ValueError(f"pis must sum to 1, got sum(pis) = {pis.sum():.6g}")
    check_symmetric(sigmas)
    return mus, sigmas, pis


def check_symmetric(sigmas, name="sigmas"):
    """Raise ValueError unless every ``sigmas[k]`` is symmetric.

    Parameters
    ----------
    sigmas : ndarray of shape (n_components, n_features, n_features)
    name : str
        How the stack is named in messages.
    """
    for k, sigma in enumerate(sigmas):
        scale = np.max(np.abs(sigma))
        if np.max(np.abs(sigma - sigma.T)) > SYMMETRY_RTOL * scale:
            raise ValueError(f"{name}[{k}] must be symmetric, got\n{sigma}")


def check_n_components(n_components, n_samples):
    """Validate a number of components against the number of samples.

    Parameters
    ----------
    n_components : int
    n_samples : int

    Returns
    -------
    n_components : int
    """
    if isinstance(n_components, bool) or not isinstance(n_components, numbers.Integral):
        raise TypeError(f"n_components must be an int, got {n_components!r}")
    if not 1 <= n_components <= n_samples:
        raise ValueError(
            f"n_components must be between 1 and n_samples = {n_samples}, got {n_components}"
        )
    return int(n_components)


def check_count(value, name):
    """Validate a whole number >= 1 such as ``max_iter``.

    Parameters
    ----------
    value : int
    name : str

    Returns
    -------
    value : int
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


def check_random_state(random_state):
    """Validate a seed and turn it into a generator.

    Parameters
    ----------
    random_state : None, int >= 0 or numpy.random.Generator

    Returns
    -------
    rng : numpy.random.Generator
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is not None and (
        isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral)
    ):
        raise TypeError(
            f"random_state must be None, an int >= 0 or a numpy.random.Generator, "
            f"got {random_state!r}"
        )
    if random_state is not None and random_state < 0:
        raise ValueError(f"random_state must be an int >= 0, got {random_state!r}")
    return np.random.default_rng(random_state)


def check_responsibilities(responsibilities, n_samples):
    """Validate a responsibility matrix.

    Parameters
    ----------
    responsibilities : array-like of shape (n_samples, n_components)
        Non-negative; each row sums to one.
    n_samples : int
        The number of rows of ``X``.

    Returns
    -------
    responsibilities : ndarray of shape (n_samples, n_components)
    """
    resp = as_float_array(
        responsibilities, "responsibilities", 2, "(n_samples, n_components)"
    )
    if resp.shape[0] != n_samples:
        raise ValueError(
            f"responsibilities must have shape (n_samples, n_components) with "
            f"n_samples = {n_samples} rows like X, got {resp.shape}"
        )
    if np.any(resp < 0):
        raise ValueError("responsibilities must be non-negative")
    row_sums = resp.sum(axis=1)
    worst = int(np.argmax(np.abs(row_sums - 1.0)))
    if abs(row_sums[worst] - 1.0) > SUM_TO_ONE_ATOL:
        raise ValueError(
            f"each row of responsibilities must sum to 1 (normalise over components), "
            f"but row {worst} sums to {row_sums[worst]:.6g}"
        )
    return resp


def check_positive(value, name, allow_zero=True):
    """Validate a non-negative (or positive) real number such as ``tol``.

    Parameters
    ----------
    value : float
    name : str
    allow_zero : bool

    Returns
    -------
    value : float
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return float(value)
