"""The course as a whole: lesson length, exercises per lesson, and README's table of lessons.

A lesson is one sitting (at most about 1,500 words of prose); every lesson from 01 to the last
core-and-practice lesson has at least two graded exercises; README says, for every lesson, how
long it takes and which lessons it builds on, and marks the optional ones.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_WORDS = 1_500
# Lessons that may have fewer than two exercises: the introduction and the optional ones.
OPTIONAL = {"15", "16"}
ONE_EXERCISE_IS_ENOUGH = {"00"} | OPTIONAL


def _id(path):
    return path.stem


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _markdown_words(path):
    return sum(len(cell.source.split()) for cell in _cells(path) if cell.cell_type == "markdown")


def _exercises(path):
    return [cell for cell in _cells(path)
            if cell.metadata.get("nbgrader", {}).get("solution", False)]


def _readme_rows():
    readme = (ROOT / "README.md").read_text()
    return {match.group(2): [match.group(1), *(part.strip() for part in match.group(3).split("|"))]
            for match in re.finditer(r"^\| \[([^\]]*)\]\(notebooks/([^)]+)\) \|(.*)\|$", readme, re.M)}


def test_the_course_has_its_seventeen_lessons_numbered_in_order():
    assert [path.name[:2] for path in LESSONS] == [f"{n:02d}" for n in range(len(LESSONS))]
    assert len(LESSONS) >= 17


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_a_lesson_is_one_sitting_of_prose(path):
    words = _markdown_words(path)
    assert words <= MAX_WORDS, f"{path.name} has {words} words of markdown (at most {MAX_WORDS})"


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_a_lesson_has_its_exercises(path):
    least = 1 if path.name[:2] in ONE_EXERCISE_IS_ENOUGH else 2
    assert len(_exercises(path)) >= least, f"{path.name}: fewer than {least} graded exercises"


def test_the_course_has_at_least_twenty_graded_exercises():
    assert sum(len(_exercises(path)) for path in LESSONS) >= 20


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_a_lesson_has_a_numbered_title_and_optional_lessons_say_so(path):
    title = _cells(path)[0].source.splitlines()[0]
    assert title.startswith(f"# {path.name[:2]} · "), title
    assert ("(optional)" in title) == (path.name[:2] in OPTIONAL), title


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_readme_gives_each_lesson_a_time_and_what_it_builds_on(path):
    rows = _readme_rows()
    assert path.name in rows, f"README's table has no row for {path.name}"
    name, _, minutes, builds_on, _ = rows[path.name]
    assert re.fullmatch(r"\d{2,3} min", minutes), f"{path.name}: time {minutes!r}"
    number = int(path.name[:2])
    if number == 0:
        assert builds_on == "-"
    else:
        needed = [int(n) for n in re.findall(r"\d{2}", builds_on)]
        assert needed and all(n < number for n in needed), f"{path.name}: builds on {builds_on!r}"
    assert ("(optional)" in name) == (path.name[:2] in OPTIONAL), name


@pytest.mark.parametrize("path", [*LESSONS, ROOT / "README.md"], ids=_id)
def test_no_lesson_mentions_a_notebook_the_learner_never_saw(path):
    text = path.read_text().lower()
    for phrase in ("seed notebook", "seed's", "seed problem", "seed-style", "original notebook"):
        assert phrase not in text, f"{path.name} mentions {phrase!r}"


def test_readme_lists_every_check_with_its_lesson():
    import importlib

    import gmm_teach.checks

    readme = (ROOT / "README.md").read_text()
    listed = dict(re.findall(r"^\| `(check_\w+)` \((\d{2})\) \|", readme, re.M))
    names = [name for name in gmm_teach.checks.__all__ if name.startswith("check_")]
    assert sorted(listed) == sorted(names)
    for name in names:
        module = importlib.import_module(getattr(gmm_teach.checks, name).__module__)
        lesson = re.match(r"The check of lesson (\d{2})'s", module.__doc__).group(1)
        assert listed[name] == lesson, name
        # and the lesson's notebook calls it
        (notebook,) = (ROOT / "notebooks").glob(f"{lesson}_*.ipynb")
        assert f"{name}(" in notebook.read_text(), f"{notebook.name} never calls {name}"
