"""Random mixture problems for the tests (imported by test modules as ``problems``)."""

import numpy as np


def random_spd(rng, n_features, scale=1.0):
    """A random symmetric positive-definite matrix with condition number below ~100."""
    q, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    eigenvalues = scale * rng.uniform(0.1, 2.0, size=n_features)
    return (q * eigenvalues) @ q.T


def random_problem(rng, n_samples, n_features, n_components, spread=4.0):
    """Data drawn from a random mixture, and that mixture's parameters.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    mus : ndarray of shape (n_components, n_features)
    sigmas : ndarray of shape (n_components, n_features, n_features)
    pis : ndarray of shape (n_components,)
    """
    mus = spread * rng.standard_normal((n_components, n_features))
    sigmas = np.array([random_spd(rng, n_features) for _ in range(n_components)])
    pis = rng.dirichlet(np.full(n_components, 5.0))
    labels = rng.choice(n_components, size=n_samples, p=pis)
    X = np.array([rng.multivariate_normal(mus[k], sigmas[k]) for k in labels])
    return X.reshape(n_samples, n_features), mus, sigmas, pis


SEED_CENTERS = np.array([[1, -1], [5, 5], [8, 7], [10, 0]])
