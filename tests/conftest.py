"""Shared pytest hooks: the property tests report how many cases they tried."""

import tempfile
from pathlib import Path

from hypothesis import configuration

# Hypothesis keeps caches in ./.hypothesis; put them outside the work tree.
configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "gmm_teach_hypothesis")

# Filled by tests/test_properties.py: test name -> number of examples run.
PROPERTY_CASES = {}


def pytest_terminal_summary(terminalreporter):
    if not PROPERTY_CASES:
        return
    terminalreporter.section("property tests (hypothesis)")
    for name, count in sorted(PROPERTY_CASES.items()):
        terminalreporter.write_line(f"{name}: {count} cases")
    terminalreporter.write_line(f"total: {sum(PROPERTY_CASES.values())} cases")
