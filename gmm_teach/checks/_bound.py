"""What the checks of lessons 04 and 06 share: Q, the entropy and the ELBO, by loops.

The oracle is independent of :mod:`gmm_teach.em`: log-densities from
``scipy.stats.multivariate_normal``, one component at a time, and the entropy
with ``0 log 0 = 0`` written out.
"""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

#: Relative tolerance for Q and the ELBO (sums of hundreds of log-densities).
BOUND_RTOL = 1e-6


def log_joint(X, mus, sigmas, pis):
    """``a[i, k] = log pis[k] + log N(x_i | mus[k], sigmas[k])``, shape (n, K)."""
    a = np.empty((len(X), len(mus)))
    for k in range(len(mus)):
        a[:, k] = np.log(pis[k]) + np.atleast_1d(
            multivariate_normal(mus[k], sigmas[k]).logpdf(X))
    return a


def log_likelihood(X, mus, sigmas, pis):
    return float(logsumexp(log_joint(X, mus, sigmas, pis), axis=1).sum())


def expected_complete(q, a):
    """``sum_i sum_k q[i, k] a[i, k]``, with ``0 * a = 0`` whatever ``a`` is."""
    return float(np.where(q > 0, q * a, 0.0).sum())


def entropy(q):
    """``H(q) = -sum_i sum_k q[i, k] log q[i, k]``, with ``0 log 0 = 0``."""
    total = 0.0
    for row in q:
        for value in row:
            if value > 0:
                total -= value * np.log(value)
    return total


def bound_atol(reference):
    return BOUND_RTOL * max(1.0, abs(reference))


def near(value, reference):
    return bool(np.isfinite(value) and abs(value - reference) <= bound_atol(reference))


def broadcast_hint(failure):
    """The Failure's text, plus where to look if numpy could not broadcast."""
    text = str(failure)
    if "could not be broadcast" in text:
        text += (
            "\nresponsibilities has shape (n_samples, K): the weights of component k are the "
            "column responsibilities[:, k], not the row responsibilities[k]."
        )
    return text
