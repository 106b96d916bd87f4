"""Tests of gmm_teach.assignments: the student versions of the notebooks.

For every notebook (tests/data/exercise_notebook.ipynb, and every
notebooks/*.ipynb that exists): the student version holds no solution line and
no output; executed, it stops at the first exercise with NotImplementedError
(nbgrader's "validate --invert" idea); the solution notebook itself executes
and each of its check cells reports that all cases match the reference.
"""

import functools
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gmm_teach.assignments import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    main,
    make_student_version,
    mark_solution_cells,
    solution_cell_indices,
)

ROOT = Path(__file__).resolve().parents[1]
TEST_NOTEBOOK = ROOT / "tests" / "data" / "exercise_notebook.ipynb"
NOTEBOOKS = [TEST_NOTEBOOK, *sorted((ROOT / "notebooks").glob("*.ipynb"))]
CHECK_NAMES = ("gaussian_pdf", "log_likelihood", "e_step", "m_step", "gmm")

HAVE_NBGRADER = importlib.util.find_spec("nbgrader") is not None
needs_nbgrader = pytest.mark.skipif(
    not HAVE_NBGRADER, reason="nbgrader is the [instructor] extra: pip install -e .[instructor]"
)


def _have_kernel():
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return "python3" in KernelSpecManager().find_kernel_specs()
    except ImportError:
        return False


needs_kernel = pytest.mark.skipif(
    importlib.util.find_spec("nbclient") is None or not _have_kernel(),
    reason="executing notebooks needs nbclient and a python3 Jupyter kernel (ipykernel)",
)


def _id(path):
    return str(path.relative_to(ROOT))


# Executing a notebook starts a kernel (a few seconds). The course notebooks are
# also executed by nbval in `make test`, so here they are marked slow.
EXECUTED = [pytest.param(p, id=_id(p), marks=[] if p == TEST_NOTEBOOK else [pytest.mark.slow])
            for p in NOTEBOOKS]


def read(path):
    return nbformat.read(path, as_version=4)


def solution_lines(source):
    """The lines strictly between the markers, minus any that also occur outside them."""
    inside, outside, state = [], [], False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line:
            state = True
        elif "END SOLUTION" in line:
            state = False
        elif line.strip():
            (inside if state else outside).append(line.strip())
    return set(inside) - set(outside)


@functools.lru_cache(maxsize=None)
def execute(path, student):
    """Execute the solution notebook (or its student version) once per test session.

    Returns the executed notebook and the CellExecutionError, if any.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = read(path)
    if student:
        nb = make_student_version(nb)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        return nb, error
    return nb, None


def next_code_cell(nb, index):
    """The first code cell after ``index``: where the exercise is checked."""
    return next((c for c in nb.cells[index + 1 :] if c.cell_type == "code"), None)


def stdout_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


# --------------------------------------------------------------------------
# The authoring convention, for every notebook
# --------------------------------------------------------------------------


def test_the_test_notebook_has_two_exercises():
    assert len(solution_cell_indices(read(TEST_NOTEBOOK))) == 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_exercise_cells_follow_the_convention(path):
    nb = read(path)
    for index in solution_cell_indices(nb):
        cell = nb.cells[index]
        assert cell.cell_type == "code"
        meta = cell.metadata.get("nbgrader", {})
        assert meta.get("solution") is True, (
            f"cell {index} has a solution region but no nbgrader solution metadata: "
            f"run python -m gmm_teach.assignments --mark {_id(path)}"
        )
        assert meta.get("schema_version") == 3 and meta.get("grade_id")
        assert cell.source.count(BEGIN_SOLUTION) == cell.source.count(END_SOLUTION) >= 1
        # The next code cell checks the exercise: with the matching check for the five
        # EM functions, and at least by calling what the exercise defines otherwise.
        check_cell = next_code_cell(nb, index)
        assert check_cell is not None, f"cell {index}: no code cell after the exercise"
        defined = re.findall(r"^def (\w+)\(", cell.source, re.MULTILINE)
        for name in defined:
            if name in CHECK_NAMES:
                assert f"check_{name}({name})" in check_cell.source, (
                    f"cell {index} defines {name}: the next code cell should call "
                    f"check_{name}({name}), got {check_cell.source!r}"
                )
        assert any(re.search(rf"\b{name}\b", check_cell.source) for name in defined) or (
            re.search(r"\bcheck_\w+\(", check_cell.source)
        ), f"cell {index}: the next code cell does not check the exercise"


# --------------------------------------------------------------------------
# Student versions, for every notebook
# --------------------------------------------------------------------------


@needs_nbgrader
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_student_version_has_no_solution_and_no_output(path):
    nb = read(path)
    student = make_student_version(nb)
    assert len(student.cells) == len(nb.cells)
    for index, (original, cell) in enumerate(zip(nb.cells, student.cells)):
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        if index in solution_cell_indices(nb):
            assert "# YOUR CODE HERE" in cell.source
            assert "raise NotImplementedError()" in cell.source
            lines = {line.strip() for line in cell.source.splitlines()}
            leaked = solution_lines(original.source) & lines
            assert not leaked, f"cell {index} still holds solution lines {leaked}"
        else:
            assert cell.source == original.source
    assert nb == read(path), "make_student_version must not modify its input"


@needs_nbgrader
@needs_kernel
@pytest.mark.parametrize("path", EXECUTED)
def test_student_version_stops_at_the_first_exercise(path):
    indices = solution_cell_indices(read(path))
    if not indices:
        pytest.skip(f"{_id(path)} has no exercises")
    executed, error = execute(path, student=True)
    assert error is not None, "the student version ran to the end: a solution was left in"
    assert error.ename == "NotImplementedError", error
    failed = [i for i, c in enumerate(executed.cells)
              if any(o.output_type == "error" for o in c.get("outputs", []))]
    # The stub raises in the exercise cell itself (top-level code) or, for a
    # function, in the cell after it that calls the function or its check.
    first = indices[0]
    check_index = executed.cells.index(next_code_cell(executed, first))
    assert failed in ([first], [check_index]), (failed, first)


@needs_kernel
@pytest.mark.parametrize("path", EXECUTED)
def test_solution_notebook_passes_all_its_checks(path):
    executed, error = execute(path, student=False)
    assert error is None, f"{_id(path)} failed: {error}"
    checks_called = 0
    # The cell after each exercise checks it. (Other cells may show a check
    # failing on purpose, on the seed's code: those are not the exercises.)
    for index in solution_cell_indices(executed):
        cell = next_code_cell(executed, index)
        for name in re.findall(r"\bcheck_(\w+)\(", cell.source):
            if name in CHECK_NAMES:
                checks_called += 1
                assert re.search(rf"{name}: all \d+ cases match the reference",
                                 stdout_of(cell)), cell.source
    if path == TEST_NOTEBOOK:
        assert checks_called == 2


@needs_nbgrader
@needs_kernel
def test_outputs_of_an_executed_notebook_are_cleared():
    executed, _ = execute(TEST_NOTEBOOK, student=False)
    assert any(c.get("outputs") for c in executed.cells)  # there is something to clear
    executed = nbformat.from_dict(executed)
    executed.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    student = make_student_version(executed)
    for cell in student.cells:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
    assert "widgets" not in student.metadata
    assert student.metadata.kernelspec.name == "python3"


# --------------------------------------------------------------------------
# Marking cells, refusing unmarked ones, the missing extra
# --------------------------------------------------------------------------


def unmarked_notebook():
    nb = read(TEST_NOTEBOOK)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def test_mark_solution_cells_marks_exactly_the_exercise_cells():
    nb = unmarked_notebook()
    before = nbformat.writes(nb)
    marked = mark_solution_cells(nb, "01_densities.ipynb")
    assert nbformat.writes(nb) == before, "mark_solution_cells must not modify its input"
    exercises = solution_cell_indices(nb)
    ids = []
    for index, cell in enumerate(marked.cells):
        if index in exercises:
            meta = cell.metadata["nbgrader"]
            assert meta == {"solution": True, "grade": False, "locked": False,
                            "grade_id": f"01_densities-cell{index}", "schema_version": 3}
            ids.append(meta["grade_id"])
        else:
            assert "nbgrader" not in cell.metadata
    assert len(set(ids)) == len(ids) == 2
    assert mark_solution_cells(marked, "other") == marked  # marked cells keep their ids


@needs_nbgrader
def test_marked_notebook_is_valid_for_nbgrader():
    from nbgrader.nbgraderformat import MetadataValidator

    MetadataValidator().validate_nb(mark_solution_cells(unmarked_notebook(), "x"))
    MetadataValidator().validate_nb(read(TEST_NOTEBOOK))


@needs_nbgrader
def test_a_solution_region_in_an_unmarked_cell_is_refused():
    with pytest.raises(ValueError, match=r"cell 3 \(starting 'def log_densities.*'\) contains "
                                         r"'### BEGIN SOLUTION' but is not marked as an "
                                         r"nbgrader solution cell.*mark_solution_cells"):
        make_student_version(unmarked_notebook())


@needs_nbgrader
@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.replace(END_SOLUTION, "# end"), r"without its ### END SOLUTION"),
        (lambda s: s.replace(END_SOLUTION, BEGIN_SOLUTION), r"inside another one"),
        (lambda s: s.replace(BEGIN_SOLUTION, "# begin") + "\n" + BEGIN_SOLUTION,
         r"has an ### END SOLUTION without a BEGIN"),
    ],
)
def test_broken_markers_are_refused(edit, message):
    nb = read(TEST_NOTEBOOK)
    index = solution_cell_indices(nb)[0]
    nb.cells[index].source = edit(nb.cells[index].source)
    with pytest.raises(ValueError, match=message):
        make_student_version(nb)


@needs_nbgrader
def test_a_solution_region_in_markdown_is_refused():
    nb = read(TEST_NOTEBOOK)
    nb.cells[0].source += f"\n\n{BEGIN_SOLUTION}\nthe answer\n{END_SOLUTION}"
    with pytest.raises(ValueError, match=r"cell 0 .* is a markdown cell with a ### BEGIN "
                                         r"SOLUTION region; exercises are code cells"):
        make_student_version(nb)


def test_mark_solution_cells_avoids_a_grade_id_already_taken():
    nb = unmarked_notebook()
    nb.cells[1].metadata["nbgrader"] = {"solution": False, "grade": False, "locked": True,
                                        "grade_id": "nb-cell3", "schema_version": 3}
    marked = mark_solution_cells(nb, "nb")
    assert marked.cells[3].metadata["nbgrader"]["grade_id"] == "nb-cell3_"


@needs_nbgrader
def test_duplicate_grade_ids_are_refused():
    nb = read(TEST_NOTEBOOK)
    first, second = solution_cell_indices(nb)
    nb.cells[second].metadata["nbgrader"]["grade_id"] = (
        nb.cells[first].metadata["nbgrader"]["grade_id"]
    )
    with pytest.raises(ValueError, match=r"same nbgrader grade_id .* must be unique"):
        make_student_version(nb)


def test_missing_nbgrader_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "nbgrader", None)
    monkeypatch.setitem(sys.modules, "nbgrader.preprocessors", None)
    with pytest.raises(ImportError, match=r"pip install -e \.\[instructor\]"):
        make_student_version(read(TEST_NOTEBOOK))


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------


@needs_nbgrader
def test_main_writes_every_notebook(tmp_path, capsys):
    source, out = tmp_path / "notebooks", tmp_path / "build" / "assignments"
    source.mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        (source / name).write_text(TEST_NOTEBOOK.read_text())
    assert main([str(source), str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.ipynb")) == ["01_a.ipynb", "02_b.ipynb"]
    assert "raise NotImplementedError()" in (out / "01_a.ipynb").read_text()
    assert "BEGIN SOLUTION" not in (out / "02_b.ipynb").read_text()
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {out / '01_a.ipynb'} (2 exercises)",
        f"wrote {out / '02_b.ipynb'} (2 exercises)",
    ]


def test_main_without_nbgrader_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    (tmp_path / "nb.ipynb").write_text(TEST_NOTEBOOK.read_text())
    monkeypatch.setitem(sys.modules, "nbgrader", None)
    monkeypatch.setitem(sys.modules, "nbgrader.preprocessors", None)
    assert main([str(tmp_path), str(tmp_path / "out")]) == 1
    assert "pip install -e .[instructor]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_main_without_notebooks_fails(tmp_path, capsys):
    assert main([str(tmp_path), str(tmp_path / "out")]) == 1
    assert "no notebooks (*.ipynb) in" in capsys.readouterr().err


@needs_nbgrader
def test_main_names_the_notebook_it_cannot_convert(tmp_path, capsys):
    nbformat.write(unmarked_notebook(), tmp_path / "bad.ipynb")
    assert main([str(tmp_path), str(tmp_path / "out")]) == 1
    assert re.search(r"error: .*bad\.ipynb: cell 3 .* is not marked", capsys.readouterr().err)


def test_main_mark_adds_the_metadata_in_place(tmp_path):
    path = tmp_path / "03_e_step.ipynb"
    nbformat.write(unmarked_notebook(), path)
    assert main(["--mark", str(path)]) == 0
    marked = read(path)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in marked.cells if "nbgrader" in c.metadata]
    assert ids == ["03_e_step-cell3", "03_e_step-cell6"]


@needs_nbgrader
def test_module_runs_as_a_script(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "nb.ipynb").write_text(TEST_NOTEBOOK.read_text())
    result = subprocess.run(
        [sys.executable, "-m", "gmm_teach.assignments", "src", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "nb.ipynb").exists()
