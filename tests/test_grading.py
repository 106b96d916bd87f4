"""nbgrader's real workflow on the course, for every notebook: the grades come out exactly right.

For each lesson, on a temporary course laid out by ``python -m
gmm_teach.assignments --course``: nbgrader generates the assignment, then
autogrades, through its own API, three kinds of submission: the solution (full
marks), the blank student version (0), and, for each exercise, the solution
with that exercise's typical wrong answer (0 for it, full marks for the
others). The gradebook's scores are compared exactly.

Needs the ``[instructor]`` extra (nbgrader); ``make test`` runs it when that is
installed, as ``.ci/run`` does.
"""

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from gmm_teach.assignments import (
    check_cell_index,
    exercise_points,
    solution_cell_indices,
    write_course,
)
from wrong_answers import WRONG_ANSWERS, with_wrong_answer

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None,
                       reason="nbgrader is the [instructor] extra: pip install -e .[instructor]"),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """nbgrader's API on a fresh course, configured by the course's own nbgrader_config.py."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    root = tmp_path_factory.mktemp("course")
    write_course(ROOT / "notebooks", root)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    # nbgrader runs its database migrations with the `alembic` of this environment.
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), path])
    try:
        yield NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    finally:
        os.environ["PATH"] = path


def _submit(api, assignment, student, nb):
    folder = Path(api.coursedir.root) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


def _scores(api, assignment, student):
    from nbgrader.api import Gradebook

    result = api.autograde(assignment, student)
    assert result["success"], result.get("error") or result.get("log")
    with Gradebook(api.coursedir.db_url) as gradebook:
        return {grade.name: grade.score
                for grade in gradebook.find_submission_notebook(assignment, assignment,
                                                                student).grades}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_autograding_gives_each_submission_exactly_its_points(api, lesson):
    assignment = lesson.stem
    source = nbformat.read(lesson, as_version=4)
    points = exercise_points(source)
    assert points and all(p > 0 for p in points.values()), "every exercise is worth points"
    result = api.generate_assignment(assignment)
    assert result["success"], result.get("error") or result.get("log")
    released = Path(api.coursedir.root) / "release" / assignment / lesson.name
    assert released.exists()

    _submit(api, assignment, "solution", source)
    assert _scores(api, assignment, "solution") == points

    _submit(api, assignment, "blank", nbformat.read(released, as_version=4))
    assert _scores(api, assignment, "blank") == dict.fromkeys(points, 0)

    for index in solution_cell_indices(source):
        solution_id = source.cells[index].metadata["nbgrader"]["grade_id"]
        check_id = source.cells[check_cell_index(source, index)].metadata["nbgrader"]["grade_id"]
        wrong = nbformat.from_dict(source)
        wrong.cells[index].source = with_wrong_answer(source.cells[index].source,
                                                      WRONG_ANSWERS[solution_id])
        student = f"wrong-{index}"
        _submit(api, assignment, student, wrong)
        assert _scores(api, assignment, student) == {**points, check_id: 0}
