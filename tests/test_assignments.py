"""Tests of gmm_teach.assignments: student versions, a learner's workspace, a course.

For every notebook (tests/data/exercise_notebook.ipynb, and every
notebooks/*.ipynb): every exercise is followed by one graded, locked check cell
that calls its check; the student version holds no solution line and no output;
copied alone into an empty folder and executed there, it stops at the first
exercise with NotImplementedError (nbgrader's "validate --invert" idea), and the
solution notebook runs to the end with every check passing. The command line
never loses work and answers every bad input in one line with exit status 2.
"""

import functools
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import gmm_teach.checks
from gmm_teach.assignments import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    check_cell_index,
    exercise_points,
    main,
    make_student_version,
    mark_exercise_cells,
    solution_cell_indices,
)
from wrong_answers import WRONG_ANSWERS

ROOT = Path(__file__).resolve().parents[1]
TEST_NOTEBOOK = ROOT / "tests" / "data" / "exercise_notebook.ipynb"
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOTEBOOKS = [TEST_NOTEBOOK, *LESSONS]

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

    The notebook is copied alone into an empty folder and runs there, as it does
    when it is handed out: nothing of the repository is on its path.
    Returns the executed notebook and the CellExecutionError, if any.
    """
    import tempfile

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = read(path)
    if student:
        nb = make_student_version(nb)
    alone = Path(tempfile.mkdtemp(prefix="alone-"))
    nbformat.write(nb, alone / path.name)
    assert [p.name for p in alone.iterdir()] == [path.name]
    client = NotebookClient(
        read(alone / path.name), timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(alone)}},
    )
    nb = client.nb
    try:
        client.execute()
    except CellExecutionError as error:
        return nb, error
    finally:
        shutil.rmtree(alone)
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


CHECK_CALL = re.compile(r"check_(\w+)\((\w+)\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_exercise_cells_follow_the_convention(path):
    nb = read(path)
    assert solution_cell_indices(nb), f"{_id(path)} has no exercise"
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
        # The next code cell is one call of the exercise's check, graded and locked.
        check = nb.cells[check_cell_index(nb, index)]
        call = CHECK_CALL.fullmatch(check.source.strip())
        # A function to write, or a number to work out (a judgement): `name = ...`.
        defined = re.findall(r"^def (\w+)\(|^(\w+) = ", cell.source, re.MULTILINE)
        defined = [function or number for function, number in defined]
        assert call and call.group(1) == call.group(2) and call.group(2) in defined, (
            f"cell {index} defines {defined}: the next code cell should be one call "
            f"check_<name>(<name>), got {check.source!r}"
        )
        assert f"check_{call.group(1)}" in gmm_teach.checks.__all__, check.source
        test_meta = check.metadata.get("nbgrader", {})
        assert test_meta.get("grade") is True and test_meta.get("solution") is False
        assert test_meta.get("locked") is True and test_meta.get("points", 0) > 0
        assert test_meta.get("schema_version") == 3 and test_meta.get("grade_id")
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_every_exercise_has_a_typical_wrong_answer_for_the_grading_test(path):
    nb = read(path)
    for index in solution_cell_indices(nb):
        assert nb.cells[index].metadata["nbgrader"]["grade_id"] in WRONG_ANSWERS


def test_grade_ids_are_unique_across_the_course():
    ids = [c.metadata["nbgrader"]["grade_id"] for path in LESSONS for c in read(path).cells
           if "nbgrader" in c.metadata]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_no_lesson_imports_the_reference_under_an_inviting_name(path):
    code = "\n".join(c.source for c in read(path).cells if c.cell_type == "code")
    assert not re.search(r"\bas reference_\w+", code)
    for index in solution_cell_indices(read(path)):
        for name in re.findall(r"^def (\w+)\(", read(path).cells[index].source, re.MULTILINE):
            assert not re.search(rf"^from gmm_teach[\w.]* import .*\b{name}\b", code, re.M), (
                f"{_id(path)} imports gmm_teach's {name} next to the exercise that writes it")


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
    # What the student reads: the check's sentence, no frame of the checker.
    shown = "".join(line for o in executed.cells[failed[0]].outputs if o.output_type == "error"
                    for line in o.traceback)
    assert "is not written yet" in shown
    assert "gmm_teach/checks" not in shown and "_harness.py" not in shown, shown


@needs_kernel
@pytest.mark.parametrize("path", EXECUTED)
def test_solution_notebook_runs_alone_and_passes_all_its_checks(path):
    executed, error = execute(path, student=False)
    assert error is None, f"{_id(path)} failed: {error}"
    for index in solution_cell_indices(executed):
        cell = next_code_cell(executed, index)
        name = CHECK_CALL.fullmatch(cell.source.strip()).group(1)
        passed = rf"^{name}: (all \d+ cases match|\S+ matches) the reference$"
        assert re.search(passed, stdout_of(cell), re.M), stdout_of(cell)
        # Nothing nbgrader could misread as a score: no execute_result.
        assert all(o.output_type == "stream" for o in cell.outputs), cell.outputs


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


def test_mark_exercise_cells_marks_exactly_the_exercise_cells():
    nb = unmarked_notebook()
    before = nbformat.writes(nb)
    marked = mark_exercise_cells(nb, "01_densities.ipynb")
    assert nbformat.writes(nb) == before, "mark_exercise_cells must not modify its input"
    exercises = solution_cell_indices(nb)
    checks = [check_cell_index(nb, index) for index in exercises]
    assert exercises == [3, 6] and checks == [4, 7]
    for index, cell in enumerate(marked.cells):
        if index in exercises:
            assert cell.metadata["nbgrader"] == {
                "solution": True, "grade": False, "locked": False,
                "grade_id": f"01_densities-cell{index}", "schema_version": 3}
        elif index in checks:
            assert cell.metadata["nbgrader"] == {
                "solution": False, "grade": True, "locked": True, "points": 1,
                "grade_id": f"01_densities-cell{index - 1}-check", "schema_version": 3}
        else:
            assert "nbgrader" not in cell.metadata
    assert exercise_points(marked) == {"01_densities-cell3-check": 1,
                                       "01_densities-cell6-check": 1}
    assert mark_exercise_cells(marked, "other", points=5) == marked  # marked cells keep theirs


@needs_nbgrader
def test_marked_notebook_is_valid_for_nbgrader():
    from nbgrader.nbgraderformat import MetadataValidator

    MetadataValidator().validate_nb(mark_exercise_cells(unmarked_notebook(), "x"))
    MetadataValidator().validate_nb(read(TEST_NOTEBOOK))


@needs_nbgrader
def test_a_solution_region_in_an_unmarked_cell_is_refused():
    with pytest.raises(ValueError, match=r"cell 3 \(starting 'def log_densities.*'\) contains "
                                         r"'### BEGIN SOLUTION' but is not marked as an "
                                         r"nbgrader solution cell.*mark_exercise_cells"):
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


def test_mark_exercise_cells_avoids_a_grade_id_already_taken():
    nb = unmarked_notebook()
    nb.cells[1].metadata["nbgrader"] = {"solution": False, "grade": False, "locked": True,
                                        "grade_id": "nb-cell3", "schema_version": 3}
    marked = mark_exercise_cells(nb, "nb")
    assert marked.cells[3].metadata["nbgrader"]["grade_id"] == "nb-cell3_"
    assert marked.cells[4].metadata["nbgrader"]["grade_id"] == "nb-cell3_-check"


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


def course_source(tmp_path, names=("01_a.ipynb", "02_b.ipynb")):
    source = tmp_path / "notebooks"
    source.mkdir()
    for name in names:
        (source / name).write_text(TEST_NOTEBOOK.read_text())
    return source


@needs_nbgrader
def test_main_writes_every_notebook(tmp_path, capsys):
    source, out = course_source(tmp_path), tmp_path / "build" / "assignments"
    assert main([str(source), str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.ipynb")) == ["01_a.ipynb", "02_b.ipynb"]
    assert "raise NotImplementedError()" in (out / "01_a.ipynb").read_text()
    assert "BEGIN SOLUTION" not in (out / "02_b.ipynb").read_text()
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {out / '01_a.ipynb'} (2 exercises)",
        f"wrote {out / '02_b.ipynb'} (2 exercises)",
    ]
    assert main([str(source), str(out)]) == 0  # student versions may be refreshed


def _fails_in_one_line(capsys, argv, pattern):
    """``main(argv)`` exits with 2 and says ``pattern`` in one line on stderr."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert re.search(pattern, err), err


def _untouched(source):
    return {p.name: p.read_bytes() for p in source.iterdir()}


@pytest.mark.parametrize("out", [".", "./", "sub", "sub/deeper", "link", "link/sub"])
def test_main_refuses_to_write_into_the_source_folder(tmp_path, capsys, monkeypatch, out):
    source = course_source(tmp_path)
    (tmp_path / "link").symlink_to(source, target_is_directory=True)
    before = _untouched(source)
    monkeypatch.chdir(tmp_path)
    target = {".": "notebooks", "./": "./notebooks/"}.get(out, out)
    if not target.startswith(("notebooks", "./notebooks", "link")):
        target = f"notebooks/{target}"
    for mode in ([], ["--course"], ["--workspace"]):
        _fails_in_one_line(capsys, [*mode, "notebooks", target],
                           r"^error: .*: is (the source folder|inside the source folder) "
                           r"notebooks \(after resolving links\)")
    assert _untouched(source) == before


@needs_nbgrader
def test_main_refuses_to_overwrite_a_notebook_that_holds_solutions(tmp_path, capsys):
    source = course_source(tmp_path)
    out = tmp_path / "copy"
    out.mkdir()
    (out / "02_b.ipynb").write_text(TEST_NOTEBOOK.read_text())
    _fails_in_one_line(capsys, [str(source), str(out)],
                       r"02_b\.ipynb: holds solutions \(### BEGIN SOLUTION\); refusing to "
                       r"overwrite it")
    assert (out / "02_b.ipynb").read_text() == TEST_NOTEBOOK.read_text()
    assert not (out / "01_a.ipynb").exists(), "nothing is written when one target is refused"


@needs_nbgrader
def test_main_refuses_to_overwrite_a_learners_work(tmp_path, capsys):
    source = course_source(tmp_path)
    work = tmp_path / "my-work"
    assert main(["--workspace", str(source), str(work)]) == 0
    mine = read(work / "01_a.ipynb")
    mine.cells[3].source = "def log_densities(X, mus, sigmas, pis):\n    return 42  # my work"
    nbformat.write(mine, work / "01_a.ipynb")
    saved = (work / "01_a.ipynb").read_bytes()
    _fails_in_one_line(capsys, [str(source), str(work)],
                       r"01_a\.ipynb: differs from the student version \(someone's work\?\); "
                       r"refusing to overwrite it")
    assert (work / "01_a.ipynb").read_bytes() == saved


@needs_nbgrader
def test_main_never_writes_through_a_link(tmp_path, capsys):
    source = course_source(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_a.ipynb").symlink_to(source / "new_in_source.ipynb")  # dangling, into source
    _fails_in_one_line(capsys, [str(source), str(out)], r"01_a\.ipynb: is a symbolic link")
    assert main(["--workspace", str(source), str(out)]) == 0  # the link counts as the learner's
    assert not (source / "new_in_source.ipynb").exists()
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    _fails_in_one_line(capsys, [str(source), str(loop)], r"loop: cannot be resolved")
    _fails_in_one_line(capsys, [str(loop), str(out)], r"loop: a symbolic link to nothing")


@needs_nbgrader
@pytest.mark.parametrize("damage, pattern", [
    (lambda nb: nb.cells[3].metadata["nbgrader"].update(grade=True), r"nbgrader metadata"),
    (lambda nb: nb.cells[4].metadata["nbgrader"].pop("grade_id"), r"nbgrader metadata"),
    (lambda nb: nb.cells[3].metadata.update(nbgrader="yes"),
     r"nbgrader metadata is a str, not a dict"),
])
def test_main_reports_broken_nbgrader_metadata_in_one_line(tmp_path, capsys, damage, pattern):
    source = tmp_path / "src"
    source.mkdir()
    nb = read(TEST_NOTEBOOK)
    damage(nb)
    (source / "bad.ipynb").write_text(nbformat.writes(nb, version=nbformat.NO_CONVERT))
    for mode in ([], ["--course"], ["--workspace"]):
        _fails_in_one_line(capsys, [*mode, str(source), str(tmp_path / "out")],
                           rf"^error: .*bad\.ipynb: .*{pattern}")


@pytest.mark.parametrize("content, pattern", [
    ("{ not json", r"not a valid Jupyter notebook"),
    ('{"cells": 3}', r"not a valid Jupyter notebook"),
    ("plain text, not a notebook", r"not a valid Jupyter notebook"),
    (b"\xff\xfe\x00binary", r"not a valid Jupyter notebook"),
])
def test_main_reports_a_broken_notebook_in_one_line(tmp_path, capsys, content, pattern):
    source = course_source(tmp_path, names=("01_a.ipynb",))
    broken = source / "02_broken.ipynb"
    broken.write_bytes(content if isinstance(content, bytes) else content.encode())
    for mode in ([], ["--course"], ["--workspace"]):
        _fails_in_one_line(capsys, [*mode, str(source), str(tmp_path / "out")],
                           rf"^error: .*02_broken\.ipynb: {pattern}")
    _fails_in_one_line(capsys, ["--mark", str(broken)], rf"02_broken\.ipynb: {pattern}")


def test_main_reports_missing_and_wrong_paths_in_one_line(tmp_path, capsys):
    source = course_source(tmp_path)
    _fails_in_one_line(capsys, [str(tmp_path / "nowhere"), str(tmp_path / "out")],
                       r"nowhere: no such folder")
    _fails_in_one_line(capsys, [str(source / "01_a.ipynb"), str(tmp_path / "out")],
                       r"01_a\.ipynb: not a folder")
    (tmp_path / "afile").write_text("x")
    _fails_in_one_line(capsys, [str(source), str(tmp_path / "afile")],
                       r"afile: exists and is not a folder")
    _fails_in_one_line(capsys, ["--mark", str(tmp_path / "missing.ipynb")],
                       r"missing\.ipynb: cannot read it")
    empty = tmp_path / "empty"
    empty.mkdir()
    _fails_in_one_line(capsys, [str(empty), str(tmp_path / "out")], r"no notebooks \(\*\.ipynb\)")


def test_main_without_nbgrader_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    source = course_source(tmp_path)
    monkeypatch.setitem(sys.modules, "nbgrader", None)
    monkeypatch.setitem(sys.modules, "nbgrader.preprocessors", None)
    _fails_in_one_line(capsys, [str(source), str(tmp_path / "out")],
                       r"pip install -e \.\[instructor\]")
    assert not (tmp_path / "out").exists()


@needs_nbgrader
def test_main_names_the_notebook_it_cannot_convert(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    nbformat.write(unmarked_notebook(), tmp_path / "src" / "bad.ipynb")
    _fails_in_one_line(capsys, [str(tmp_path / "src"), str(tmp_path / "out")],
                       r"error: .*bad\.ipynb: cell 3 .* is not marked")


def test_main_mark_adds_the_metadata_in_place(tmp_path):
    path = tmp_path / "03_e_step.ipynb"
    nbformat.write(unmarked_notebook(), path)
    assert main(["--mark", str(path)]) == 0
    marked = read(path)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in marked.cells if "nbgrader" in c.metadata]
    assert ids == ["03_e_step-cell3", "03_e_step-cell3-check",
                   "03_e_step-cell6", "03_e_step-cell6-check"]


@needs_nbgrader
def test_workspace_adds_missing_lessons_and_never_touches_the_learners(tmp_path, capsys):
    source = course_source(tmp_path)
    work = tmp_path / "my-work"
    assert main(["--workspace", str(source), str(work)]) == 0
    assert sorted(p.name for p in work.iterdir()) == ["01_a.ipynb", "02_b.ipynb"]
    assert "BEGIN SOLUTION" not in (work / "01_a.ipynb").read_text()
    # The learner works on 01 and deletes 02; a new lesson appears.
    mine = read(work / "01_a.ipynb")
    mine.cells[3].source = "def log_densities(X, mus, sigmas, pis):\n    return 42  # my try"
    nbformat.write(mine, work / "01_a.ipynb")
    saved = (work / "01_a.ipynb").read_bytes()
    (work / "02_b.ipynb").unlink()
    (source / "03_c.ipynb").write_text(TEST_NOTEBOOK.read_text())
    capsys.readouterr()
    assert main(["--workspace", str(source), str(work)]) == 0
    assert (work / "01_a.ipynb").read_bytes() == saved
    assert sorted(p.name for p in work.iterdir()) == ["01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]
    assert "added 2 lesson(s) with blank exercises, kept your 1 notebook(s)" in (
        capsys.readouterr().out)


@needs_nbgrader
def test_course_lays_out_nbgrader_and_keeps_an_instructors_edits(tmp_path, capsys):
    source = course_source(tmp_path)
    course = tmp_path / "course"
    assert main(["--course", str(source), str(course)]) == 0
    config = (course / "nbgrader_config.py").read_text()
    assert 'c.CourseDirectory.course_id = "gmm-teach"' in config
    for name in ("01_a", "02_b"):
        copy = course / "source" / name / f"{name}.ipynb"
        assert copy.read_bytes() == (source / f"{name}.ipynb").read_bytes()
    assert "01_a: 2 points" in capsys.readouterr().out
    assert main(["--course", str(source), str(course)]) == 0  # unchanged copies: fine again
    edited = course / "source" / "01_a" / "01_a.ipynb"
    edited.write_text(edited.read_text().replace("Two exercises", "Two exercises, edited"))
    (course / "nbgrader_config.py").write_text(config + "# mine\n")
    _fails_in_one_line(capsys, ["--course", str(source), str(course)],
                       r"01_a\.ipynb: differs from .*; refusing to overwrite your edited copy")
    assert "edited" in edited.read_text()
    assert (course / "nbgrader_config.py").read_text().endswith("# mine\n")


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
    result = subprocess.run(
        [sys.executable, "-m", "gmm_teach.assignments", "src", "src"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2 and result.stderr.startswith("error: ")


def test_readme_states_the_points_of_every_lesson_and_the_total():
    readme = (ROOT / "README.md").read_text()
    total = 0
    for path in LESSONS:
        points = sum(exercise_points(read(path)).values())
        total += points
        row = re.search(rf"^\| \[[^\]]*\]\(notebooks/{path.name}\) \|.*\| (\d+) \|$", readme, re.M)
        assert row and int(row.group(1)) == points, f"README's row for {path.name}"
    stated = re.search(r"with the points in the table above\s+\((\d+)", readme)
    assert stated and int(stated.group(1)) == total


# What `pip install gmm-teach` brings (pyproject's dependencies), by import name.
RUNTIME_MODULES = {"gmm_teach", "numpy", "scipy", "matplotlib", "sklearn", "threadpoolctl",
                   "ipywidgets", "IPython"}


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_lessons_import_only_what_installing_gmm_teach_brings(path):
    import ast

    for cell in read(path).cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse("\n".join(line for line in cell.source.splitlines()
                                   if not line.lstrip().startswith(("%", "!"))))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in RUNTIME_MODULES or top in sys.stdlib_module_names, (
                    f"{_id(path)} imports {name}, which installing gmm_teach does not bring")
