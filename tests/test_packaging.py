"""pyproject.toml and environment.yml must ask for the same packages."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def split_requirement(requirement):
    """``"numpy>=1.26"`` -> ``("numpy", ">=1.26")``."""
    name, spec = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", requirement).groups()
    return name.lower(), spec.replace(" ", "")


def conda_dependencies():
    """Conda packages of environment.yml, without python, pip and the pip: block."""
    text = (ROOT / "environment.yml").read_text()
    block = text.split("\ndependencies:\n", 1)[1]
    entries = re.findall(r"^  - ([^\n#]+)", block, flags=re.MULTILINE)
    packages = dict(split_requirement(e) for e in entries if not e.startswith("pip:"))
    packages.pop("python")
    packages.pop("pip")
    return packages


def test_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    # Every package has the same name on PyPI and conda-forge.
    assert conda_dependencies() == dict(split_requirement(r) for r in requirements)


def test_environment_yml_installs_the_package_itself():
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_old_faithful_is_declared_as_package_data():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "datasets/*.csv" in project["tool"]["setuptools"]["package-data"]["gmm_teach"]
    assert (ROOT / "gmm_teach" / "datasets" / "old_faithful.csv").exists()
