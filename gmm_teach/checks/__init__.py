"""Checks that grade a student's exercise and say what is wrong.

Every exercise of the lessons has one check here, in a module named for the
exercise; the check cell after the exercise is one call::

    >>> from gmm_teach.checks import check_e_step
    >>> check_e_step(e_step)                                  # doctest: +SKIP
    e_step: all 6 cases match the reference

A check runs the student's function on a handful of fixed, generated problems
(every student sees the same ones) and compares the result with an oracle: the
reference in :mod:`gmm_teach.em`, a loop, a search over all permutations, or
the moments of a distribution. It prints one line and returns ``None`` when
every case matches; otherwise it raises ``AssertionError`` naming the first case
that failed and, for a common mistake, what is wrong and where to look.

The harness every check shares (:mod:`gmm_teach.checks._harness`):

- the student's function gets fresh float64 copies of the inputs; changing
  one in place is reported;
- each call may run for :func:`time_limit` seconds (10 by default; an
  instructor changes it with :func:`set_time_limit` or the environment
  variable ``GMM_TEACH_CHECK_TIME_LIMIT``);
- what the function prints is captured and summarised in one line;
- a function that hands the work to ``gmm_teach`` (any of its functions but
  the few an exercise allows, such as ``e_step`` in the EM loop) or to
  scikit-learn's ``GaussianMixture`` fails with one sentence;
- whatever the function raises is reported in one sentence with the line of
  the student's code, not as a traceback into the checker;
- the stub's ``NotImplementedError`` stays a ``NotImplementedError``: it is
  how nbgrader tells an unanswered exercise from a wrong one.

Adding an exercise: write ``checks/<name>.py`` with its problems, a
``check_<name>(fn)`` that calls ``run_check(Student(...), problems, check_case)``,
and export it below.
"""

from ._harness import TIME_LIMIT_VARIABLE, set_time_limit, time_limit
from .align_labels import check_align_labels
from .bernoulli_e_step import check_bernoulli_e_step
from .bernoulli_m_step import check_bernoulli_m_step
from .bic import check_bic
from .bic_threshold import check_bic_threshold
from .choose_k import check_choose_k
from .choose_threshold import check_choose_threshold
from .class_posteriors import check_class_posteriors
from .covariance_from_axes import check_covariance_from_axes
from .e_step import check_e_step
from .e_step_with_labels import check_e_step_with_labels
from .elbo import check_elbo
from .em_loop import check_gmm
from .expected_complete_log_likelihood import check_expected_complete_log_likelihood
from .gaussian_pdf import check_gaussian_pdf
from .gem_m_step import check_gem_m_step
from .gmm_until_converged import check_gmm_until_converged
from .iteration_flops import check_iteration_flops
from .kmeans_plus_plus import check_kmeans_plus_plus
from .log_likelihood import check_log_likelihood
from .log_sum_exp import check_log_sum_exp
from .m_step import check_m_step
from .mahalanobis_sq import check_mahalanobis_sq
from .map_covariances import check_map_covariances
from .n_random_restarts import check_n_random_restarts
from .nearest_center import check_nearest_center
from .responsibility_entropy import check_responsibility_entropy
from .overlap_matrix import check_overlap_matrix
from .sample_gmm import check_sample_gmm
from .spike_gain import check_spike_gain
from .to_original_units import check_to_original_units

__all__ = [
    "check_nearest_center",
    "check_covariance_from_axes",
    "check_gaussian_pdf",
    "check_log_sum_exp",
    "check_log_likelihood",
    "check_e_step",
    "check_responsibility_entropy",
    "check_m_step",
    "check_expected_complete_log_likelihood",
    "check_elbo",
    "check_gem_m_step",
    "check_gmm",
    "check_gmm_until_converged",
    "check_bic",
    "check_kmeans_plus_plus",
    "check_n_random_restarts",
    "check_bic_threshold",
    "check_align_labels",
    "check_spike_gain",
    "check_map_covariances",
    "check_overlap_matrix",
    "check_to_original_units",
    "check_choose_k",
    "check_sample_gmm",
    "check_class_posteriors",
    "check_choose_threshold",
    "check_e_step_with_labels",
    "check_bernoulli_e_step",
    "check_bernoulli_m_step",
    "check_mahalanobis_sq",
    "check_iteration_flops",
    "set_time_limit",
    "time_limit",
    "TIME_LIMIT_VARIABLE",
]
