"""The generated problems the checks run the student's functions on.

They are drawn from fixed seeds, so every run (and every student) sees the same
cases: 1-D to 5-D, 1 to 4 components, 5 to 200 points, and one problem with a
point far away from every component.
"""

from dataclasses import dataclass

import numpy as np

SEED = 20240917
# For check_gmm: with this seed, EM with hard assignments (argmax responsibilities)
# lowers the log-likelihood in case 1, so that mistake is caught at once.
GMM_SEED = 14

#: How far (in standard deviations of every component) the far-away point lies.
FAR_STD = 60.0

# (n_samples, n_features, n_components, with a far-away point)
CASE_SIZES = (
    (5, 1, 1, False),
    (30, 1, 3, False),
    (40, 3, 2, False),
    (105, 2, 4, False),
    (200, 5, 4, False),
    (50, 2, 3, True),
)

# (n_samples, n_features, n_components, n_iter)
GMM_CASE_SIZES = (
    (60, 1, 2, 15),
    (105, 2, 4, 25),
    (90, 3, 3, 15),
    (200, 5, 2, 10),
)

@dataclass
class MixtureCase:
    """One generated problem, and how to describe it in a message."""

    number: int
    total: int
    X: np.ndarray
    mus: np.ndarray
    sigmas: np.ndarray
    pis: np.ndarray
    far_rows: tuple = ()
    n_iter: int = None
    old: tuple = None  # for the M-step: the parameters before the step

    def describe(self):
        text = f"case {self.number} of {self.total}: X {self.X.shape}, K = {len(self.mus)}"
        if self.far_rows:
            text += ", with one point far from every component"
        if self.n_iter is not None:
            text += f", n_iter = {self.n_iter}"
        return text

    @property
    def params(self):
        return self.mus, self.sigmas, self.pis

def _random_covariance(rng, n_features):
    a = rng.normal(size=(n_features, n_features))
    sigma = a @ a.T / n_features + 0.5 * np.eye(n_features)
    return sigma * rng.uniform(0.5, 2.0)


def mixture(rng, n_samples, n_features, n_components):
    """Parameters of a random mixture and ``n_samples`` points drawn from it."""
    mus = rng.normal(scale=4.0, size=(n_components, n_features))
    sigmas = np.array([_random_covariance(rng, n_features) for _ in range(n_components)])
    pis = rng.dirichlet(np.full(n_components, 4.0))
    chols = np.linalg.cholesky(sigmas)
    labels = rng.choice(n_components, size=n_samples, p=pis)
    noise = rng.standard_normal((n_samples, n_features))
    X = mus[labels] + np.einsum("nij,nj->ni", chols[labels], noise)
    return X, mus, sigmas, pis


def _mahalanobis(x, mus, sigmas):
    diffs = x - mus
    return np.sqrt(np.einsum("kd,kd->k", diffs, np.linalg.solve(sigmas, diffs[..., None])[..., 0]))


def _far_point(rng, mus, sigmas):
    """A point at least ``FAR_STD`` standard deviations from every component."""
    direction = rng.normal(size=mus.shape[1])
    direction /= np.linalg.norm(direction)
    centre = mus.mean(axis=0)
    step = 1.0
    while _mahalanobis(centre + step * direction, mus, sigmas).min() < FAR_STD:
        step *= 1.1
    return centre + step * direction


def cases():
    """The six problems for the density, log-likelihood, E-step and M-step checks."""
    rng = np.random.default_rng(SEED)
    cases = []
    for number, (n, d, k, far) in enumerate(CASE_SIZES, start=1):
        X, mus, sigmas, pis = mixture(rng, n, d, k)
        far_rows = ()
        if far:
            X = np.vstack([X, _far_point(rng, mus, sigmas)])
            far_rows = (len(X) - 1,)
        cases.append(MixtureCase(number, len(CASE_SIZES), X, mus, sigmas, pis, far_rows))
    return cases


def m_step_start(case, rng):
    """Parameters one EM iteration "before" the case: the M-step's old parameters.

    The means are moved by about one standard deviation and the covariances
    widened, so the responsibilities they give are those of an EM run part way
    to convergence, and the new means differ clearly from the old ones.
    """
    scale = np.sqrt(np.einsum("kdd->kd", case.sigmas))
    mus = case.mus + rng.normal(size=case.mus.shape) * scale
    sigmas = case.sigmas * 1.5
    pis = np.full(len(case.mus), 1.0 / len(case.mus))
    return mus, sigmas, pis


def gmm_cases():
    """The four problems for the EM-loop check, each with its start.

    A start is K distinct data points as means, the data's covariance for every
    component and equal weights: drawn here rather than by
    :func:`gmm_teach.em.initialize`, so that the cases stay the same when the
    package's own initialisation changes.
    """
    rng = np.random.default_rng(GMM_SEED)
    cases = []
    for number, (n, d, k, n_iter) in enumerate(GMM_CASE_SIZES, start=1):
        X, _, _, _ = mixture(rng, n, d, k)
        mus = X[rng.choice(n, size=k, replace=False)]
        sigmas = np.repeat(np.atleast_2d(np.cov(X.T, bias=True))[None], k, axis=0)
        start = (mus, sigmas, np.full(k, 1.0 / k))
        cases.append(MixtureCase(number, len(GMM_CASE_SIZES), X, *start, n_iter=n_iter))
    return cases
