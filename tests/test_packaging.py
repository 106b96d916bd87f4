"""pyproject.toml and environment.yml must ask for the same packages."""

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

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
    extras = project["optional-dependencies"]
    requirements = project["dependencies"] + extras["lab"] + extras["dev"]
    # Every package has the same name on PyPI and conda-forge.
    assert conda_dependencies() == dict(split_requirement(r) for r in requirements)


def test_environment_yml_installs_the_package_itself():
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_old_faithful_is_declared_as_package_data():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "*.csv" in project["tool"]["setuptools"]["package-data"]["gmm_teach.datasets"]
    assert (ROOT / "gmm_teach" / "datasets" / "old_faithful.csv").exists()


@pytest.mark.slow
def test_a_wheel_holds_every_module_and_the_data_and_builds_without_warnings(tmp_path):
    """What `pip install gmm-teach` (not editable) would install, built as pip builds it."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path),
         str(ROOT)], capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    # The build's own warnings (licence, package discovery), not pip's about its indexes.
    for warning in ("BuildBackendWarning", "SetuptoolsDeprecationWarning", "is absent from"):
        assert warning not in result.stdout + result.stderr
    (wheel,) = tmp_path.glob("gmm_teach-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    sources = {str(p.relative_to(ROOT)) for p in (ROOT / "gmm_teach").rglob("*.py")}
    assert sources <= names, sources - names
    assert {"gmm_teach/datasets/old_faithful.csv", "gmm_teach/datasets/README.md"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_licences_and_citation_are_where_readme_says():
    readme = (ROOT / "README.md").read_text()
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^cff-version: 1\.2\.0$", citation, re.M)
    assert re.search(r"^title: .+$", citation, re.M) and re.search(r"^license: MIT$", citation, re.M)
    for name in ("LICENSE", "LICENSE-CONTENT.md", "CITATION.cff"):
        assert f"`{name}`" in readme


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_lesson_ends_with_its_licence(path):
    import nbformat

    last = nbformat.read(path, as_version=4).cells[-1]
    assert last.cell_type == "markdown"
    assert "CC BY 4.0" in last.source and "MIT" in last.source


def test_pytest_alone_runs_the_suite_make_test_runs():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests", "gmm_teach", "notebooks"]
    assert "--nbval" in options["addopts"] and "--doctest-modules" in options["addopts"]
    recipe = (ROOT / "Makefile").read_text().split("\ntest: setup\n", 1)[1].split("\n\n", 1)[0]
    assert recipe.strip() == "$(PY) -m pytest"


def test_runtime_dependencies_are_what_the_package_imports():
    import ast

    imported = set()
    for path in (ROOT / "gmm_teach").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported - sys.stdlib_module_names if name != "gmm_teach"}
    distribution = {"sklearn": "scikit-learn", "PIL": "pillow"}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # Imported only when an instructor's command runs, with a hint to install the extra.
    optional = {"nbgrader": "instructor"}
    for name, extra in optional.items():
        assert name in {split_requirement(r)[0] for r in project["optional-dependencies"][extra]}
    declared = {split_requirement(r)[0] for r in project["dependencies"]}
    assert {distribution.get(name, name) for name in third_party - set(optional)} == declared
