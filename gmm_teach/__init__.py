"""gmm_teach: Gaussian mixtures and Expectation-Maximization, for teaching.

The reference implementations the notebooks compare against, the data sets,
plotting helpers, the EM stepper widget and the checks used in assignments.
"""

from .checks import (
    check_align_labels,
    check_bic,
    check_e_step,
    check_gaussian_pdf,
    check_gmm,
    check_log_likelihood,
    check_m_step,
    check_mahalanobis_sq,
    check_map_covariances,
    check_nearest_center,
    check_overlap_matrix,
    check_sample_gmm,
    check_spike_gain,
)
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
from .plotting import (
    EMFrame,
    EMFrames,
    confidence_ellipse,
    plot_data,
    plot_em_steps,
    plot_mixture,
    plot_training,
)
from .widgets import em_stepper

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
    "EMFrame",
    "EMFrames",
    "confidence_ellipse",
    "plot_data",
    "plot_em_steps",
    "plot_mixture",
    "plot_training",
    "em_stepper",
    "check_nearest_center",
    "check_gaussian_pdf",
    "check_log_likelihood",
    "check_e_step",
    "check_m_step",
    "check_gmm",
    "check_bic",
    "check_align_labels",
    "check_spike_gain",
    "check_map_covariances",
    "check_overlap_matrix",
    "check_sample_gmm",
    "check_mahalanobis_sq",
]
