"""gmm_teach: Gaussian mixtures and Expectation-Maximization, for teaching.

The reference implementations the notebooks compare against, the data sets,
plotting helpers, the EM stepper widget and the checks used in assignments.
"""

from .data import DatasetSize, load_old_faithful, make_ds
from .em import (
    ComponentCollapseError,
    ConvergenceWarning,
    EMResult,
    GMMParams,
    aic,
    bic,
    e_step,
    fit_gmm,
    gaussian_pdf,
    initialize,
    log_gaussian_pdf,
    log_likelihood,
    m_step,
    n_parameters,
)

__version__ = "0.1.0"

__all__ = [
    "DatasetSize",
    "make_ds",
    "load_old_faithful",
    "ComponentCollapseError",
    "ConvergenceWarning",
    "EMResult",
    "GMMParams",
    "aic",
    "bic",
    "e_step",
    "fit_gmm",
    "gaussian_pdf",
    "initialize",
    "log_gaussian_pdf",
    "log_likelihood",
    "m_step",
    "n_parameters",
]
