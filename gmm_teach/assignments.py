"""Student versions of the notebooks, a learner's workspace and an nbgrader course.

The authoring convention for ``notebooks/``: the code a student writes sits,
inside a code cell, between nbgrader's markers ::

    def e_step(X, mus, sigmas, pis):
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

and the next code cell is one call of the exercise's check, e.g.
``check_e_step(e_step)`` from :mod:`gmm_teach.checks`. Both cells carry
nbgrader's metadata, exactly as nbgrader's "Create Assignment" toolbar writes
it: the exercise is an "autograded answer" (solution) cell, the check an
"autograded tests" cell, locked, with points (:func:`mark_exercise_cells` adds
both).

:func:`make_student_version` replaces every solution region by
``# YOUR CODE HERE`` / ``raise NotImplementedError()`` and clears all outputs,
with nbgrader's own preprocessors (``ClearSolutions``, ``ClearOutput``, ...).

From the command line (nbgrader is the ``[instructor]`` extra)::

    python -m gmm_teach.assignments notebooks build/assignments   # student versions
    python -m gmm_teach.assignments --course notebooks course
    python -m gmm_teach.assignments --workspace notebooks my-work  # a learner's copies
    python -m gmm_teach.assignments --mark notebooks/03_e_step.ipynb

None of them ever overwrites a notebook that holds solutions or a learner's
work, and every bad input is one line on stderr with exit status 2.
"""

import argparse
import copy
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat

__all__ = [
    "BEGIN_SOLUTION",
    "END_SOLUTION",
    "make_student_version",
    "mark_exercise_cells",
    "solution_cell_indices",
    "check_cell_index",
    "exercise_points",
    "main",
]

#: The markers, as written in the notebooks. nbgrader itself looks for the
#: text after ``### `` anywhere in a line, so that is what is searched for here.
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
_BEGIN = "BEGIN SOLUTION"
_END = "END SOLUTION"

#: The course id written to ``nbgrader_config.py`` by ``--course``.
COURSE_ID = "gmm-teach"

_INSTALL_HINT = (
    "Making student versions needs nbgrader, which is an instructor extra: "
    "pip install -e .[instructor]"
)

_COURSE_CONFIG = '''\
# nbgrader's configuration for the gmm-teach course, written by
# `python -m gmm_teach.assignments --course`. Run nbgrader from this folder.
from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader provides it)

c.CourseDirectory.course_id = "{course_id}"
c.CourseDirectory.root = str(Path(__file__).resolve().parent)

# One machine: the exchange is a folder of the course. On a JupyterHub, point
# every user at one shared folder instead (see README, "For instructors"):
# c.Exchange.root = "/srv/nbgrader/exchange"
c.Exchange.root = str(Path(__file__).resolve().parent / "exchange")

# Notebook 09 times code for a minute or so; nbgrader's default is 30 s a cell.
c.Execute.timeout = 600
'''


class UsageError(ValueError):
    """A bad input of the command line: reported in one line, exit status 2."""


def _has_solution_region(cell):
    return _BEGIN in cell.source


def _nbgrader(cell):
    """A cell's nbgrader metadata (a dict), or a ValueError saying it is broken."""
    meta = cell.metadata.get("nbgrader", {})
    if not isinstance(meta, dict):
        raise ValueError(
            f"a cell's nbgrader metadata is a {type(meta).__name__}, not a dict: "
            f"{str(meta)[:60]!r}; fix it in the Create Assignment toolbar or remove it"
        )
    return meta


def _is_marked(cell):
    return bool(_nbgrader(cell).get("solution", False))


def solution_cell_indices(nb):
    """Indices of the cells that contain a ``### BEGIN SOLUTION`` region.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    indices : list of int
    """
    return [i for i, cell in enumerate(nb.cells) if _has_solution_region(cell)]


def check_cell_index(nb, solution_index):
    """The index of the code cell that checks the exercise in cell ``solution_index``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    solution_index : int

    Returns
    -------
    index : int or None
        The first code cell after the exercise, or None if there is none.
    """
    return next((i for i in range(solution_index + 1, len(nb.cells))
                 if nb.cells[i].cell_type == "code"), None)


def exercise_points(nb):
    """The graded check cells of a notebook and their points.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    points : dict of str to float
        ``{grade_id: points}`` for every autograded-tests cell, in order.
    """
    return {_nbgrader(cell)["grade_id"]: _nbgrader(cell).get("points", 0)
            for cell in nb.cells if _nbgrader(cell).get("grade") and cell.cell_type == "code"}


def _slug(name):
    return re.sub(r"[^A-Za-z0-9_-]+", "_", Path(name).stem).strip("_") or "notebook"


def _unique(grade_id, taken):
    while grade_id in taken:
        grade_id += "_"
    taken.add(grade_id)
    return grade_id


def mark_exercise_cells(nb, name="notebook", points=1):
    """Mark every exercise cell as an nbgrader solution cell, and its check as a tests cell.

    Adds the metadata nbgrader's "Create Assignment" toolbar writes: to a code
    cell with a solution region ::

        {"solution": True, "grade": False, "locked": False,
         "grade_id": "<name>-cell<index>", "schema_version": 3}

    and to the next code cell, which checks it, an "autograded tests" cell ::

        {"solution": False, "grade": True, "locked": True, "points": points,
         "grade_id": "<the solution's grade_id, with 'check' for 'solution'>",
         "schema_version": 3}

    Cells that are already marked keep their metadata (``grade_id`` and
    points), so running this twice changes nothing.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Not modified.
    name : str, default="notebook"
        The notebook's name (a file name is fine); it makes the ``grade_id``
        values unique across the notebooks of a course.
    points : int, default=1
        The points of a check cell that has none yet.

    Returns
    -------
    nb : nbformat.NotebookNode
        A marked copy.
    """
    nb = copy.deepcopy(nb)
    taken = {_nbgrader(cell).get("grade_id") for cell in nb.cells}
    for index in solution_cell_indices(nb):
        cell = nb.cells[index]
        if cell.cell_type != "code":
            continue
        if not _is_marked(cell):
            cell.metadata["nbgrader"] = {
                "solution": True,
                "grade": False,
                "locked": False,
                "grade_id": _unique(f"{_slug(name)}-cell{index}", taken),
                "schema_version": 3,
            }
        check_index = check_cell_index(nb, index)
        if check_index is None or "nbgrader" in nb.cells[check_index].metadata:
            continue
        solution_id = cell.metadata["nbgrader"]["grade_id"]
        check_id = (solution_id.replace("solution", "check") if "solution" in solution_id
                    else f"{solution_id}-check")
        nb.cells[check_index].metadata["nbgrader"] = {
            "solution": False,
            "grade": True,
            "locked": True,
            "points": points,
            "grade_id": _unique(check_id, taken),
            "schema_version": 3,
        }
    return nb


def _check_solution_cells(nb):
    """Raise ValueError, saying what to do, for a region nbgrader would refuse."""
    ids = {}
    for index in solution_cell_indices(nb):
        cell = nb.cells[index]
        first_line = cell.source.strip().splitlines()[0]
        where = f"cell {index} (starting {first_line!r})"
        if cell.cell_type != "code":
            raise ValueError(
                f"{where} is a {cell.cell_type} cell with a {BEGIN_SOLUTION} region; "
                f"exercises are code cells."
            )
        if not _is_marked(cell):
            raise ValueError(
                f"{where} contains {BEGIN_SOLUTION!r} but is not marked as an nbgrader "
                f"solution cell, so nbgrader would refuse it. Mark it with "
                f"gmm_teach.assignments.mark_exercise_cells(nb, name) (or "
                f"python -m gmm_teach.assignments --mark NOTEBOOK), or with nbgrader's "
                f"Create Assignment toolbar."
            )
        state = None
        for line in cell.source.splitlines():
            if _BEGIN in line:
                if state == "open":
                    raise ValueError(f"{where} has a {BEGIN_SOLUTION} inside another one.")
                state = "open"
            elif _END in line:
                if state != "open":
                    raise ValueError(f"{where} has an {END_SOLUTION} without a BEGIN.")
                state = "closed"
        if state != "closed":
            raise ValueError(f"{where} has a {BEGIN_SOLUTION} without its {END_SOLUTION}.")
        grade_id = cell.metadata["nbgrader"].get("grade_id")
        if grade_id in ids:
            raise ValueError(
                f"{where} has the same nbgrader grade_id {grade_id!r} as cell "
                f"{ids[grade_id]}; grade ids must be unique."
            )
        ids[grade_id] = index


def _preprocessors():
    try:
        from nbgrader.preprocessors import (
            CheckCellMetadata,
            ClearHiddenTests,
            ClearMarkScheme,
            ClearOutput,
            ClearSolutions,
            LockCells,
        )
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    # The order of nbgrader generate_assignment, without its gradebook steps.
    return [LockCells(), ClearSolutions(), ClearOutput(), ClearHiddenTests(),
            ClearMarkScheme(), CheckCellMetadata()]


def make_student_version(nb):
    """The student version of a notebook: solutions replaced, outputs cleared.

    Each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
    ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` (indented like the
    markers), by nbgrader's ``ClearSolutions``; every output and execution
    count is removed by nbgrader's ``ClearOutput``, and the saved widget state
    with them. Solution and check cells are made undeletable (``LockCells``),
    as ``nbgrader generate_assignment`` does.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The solution notebook; not modified. Every cell with a solution region
        must be marked as an nbgrader solution cell (see
        :func:`mark_exercise_cells`).

    Returns
    -------
    student_nb : nbformat.NotebookNode

    Raises
    ------
    ImportError
        If nbgrader is not installed (``pip install -e .[instructor]``).
    ValueError
        If a solution region is in an unmarked cell, is not closed, or two
        solution cells share a ``grade_id``.
    """
    preprocessors = _preprocessors()
    nb = copy.deepcopy(nb)
    _check_solution_cells(nb)
    resources = {}
    for preprocessor in preprocessors:
        nb, resources = preprocessor.preprocess(nb, resources)
    # Saved widget state belongs to the outputs just cleared (and can be most
    # of the file's size).
    nb.metadata.pop("widgets", None)
    return nb


# --------------------------------------------------------------------------
# The command line: reading and writing without ever losing work
# --------------------------------------------------------------------------


def _read(path):
    """A notebook, or a :class:`UsageError` that says why the file is not one."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        return nb
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except Exception as exc:  # nbformat raises several kinds for a broken file
        reason = " ".join(str(exc).split())[:200]
        raise UsageError(f"{path}: not a valid Jupyter notebook ({reason})") from None


def _holds_solutions(path):
    """Does the notebook at ``path`` hold solution regions (or can it not be read)?"""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True  # unreadable: not ours to overwrite
    return _BEGIN in text


def _source_notebooks(source):
    if source.is_symlink() and not source.exists():
        raise UsageError(f"{source}: a symbolic link to nothing (or a loop of links)")
    if not source.exists():
        raise UsageError(f"{source}: no such folder")
    if not source.is_dir():
        raise UsageError(f"{source}: not a folder (give the folder of the solution notebooks)")
    paths = sorted(source.glob("*.ipynb"))
    if not paths:
        raise UsageError(f"{source}: no notebooks (*.ipynb) in it")
    return paths


def _output_folder(source, out):
    """Check that ``out`` can be written without touching ``source``; return it."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    try:
        resolved_source, resolved_out = source.resolve(), out.resolve()
    except (OSError, RuntimeError) as exc:  # a loop of symbolic links
        raise UsageError(f"{out}: cannot be resolved ({exc})") from None
    if resolved_out == resolved_source or resolved_source in resolved_out.parents:
        where = "the source folder" if resolved_out == resolved_source else "inside the source folder"
        raise UsageError(
            f"{out}: is {where} {source} (after resolving links); writing there would replace "
            f"or mix with the solution notebooks. Choose a folder outside it"
        )
    return out


def _student_versions(paths):
    """``[(path, student_nb, n_exercises)]``, all made before anything is written."""
    notebooks = [(path, _read(path)) for path in paths]  # a broken file is named first
    _preprocessors()
    versions = []
    for path, nb in notebooks:
        try:
            versions.append((path, make_student_version(nb), len(solution_cell_indices(nb))))
        except Exception as exc:  # ours, or nbgrader's own check of its metadata
            reason = " ".join(str(exc).split())[:300]
            raise UsageError(f"{path}: {reason}") from None
    return versions


def _writable(target):
    """Refuse to write through a link (it may point anywhere, the solutions included)."""
    if target.is_symlink():
        raise UsageError(f"{target}: is a symbolic link; refusing to write through it")
    return target


def _exercises(n):
    return f"{n} exercise{'s' if n != 1 else ''}"


def write_student_versions(source, out):
    """Write the student version of every ``source/*.ipynb`` to ``out/``.

    A notebook already in ``out/`` is left as it is if it is the same student
    version; anything else there (solutions, or a learner's work) stops the
    command before it writes anything.

    Parameters
    ----------
    source, out : path-like

    Returns
    -------
    written : list of Path
    """
    source, out = Path(source), Path(out)
    paths = _source_notebooks(source)
    _output_folder(source, out)
    versions = _student_versions(paths)
    for path, student, _ in versions:
        target = _writable(out / path.name)
        if not target.exists():
            continue
        if _holds_solutions(target):
            raise UsageError(
                f"{target}: holds solutions ({BEGIN_SOLUTION}); refusing to overwrite it "
                f"with a student version. Choose another output folder"
            )
        if target.read_bytes() != nbformat.writes(student).encode() + b"\n":
            raise UsageError(
                f"{target}: differs from the student version (someone's work?); refusing "
                f"to overwrite it. Remove it, or choose another output folder"
            )
    written = []
    out.mkdir(parents=True, exist_ok=True)
    for path, student, n in versions:
        nbformat.write(student, out / path.name)
        written.append(out / path.name)
        print(f"wrote {out / path.name} ({_exercises(n)})")
    return written


def write_workspace(source, out):
    """Give a learner the exercise version of every lesson they do not have yet.

    A notebook already in ``out/`` is the learner's: it is never touched.

    Parameters
    ----------
    source, out : path-like

    Returns
    -------
    written : list of Path
        The notebooks added this time.
    """
    source, out = Path(source), Path(out)
    paths = _source_notebooks(source)
    _output_folder(source, out)
    # lexists: a link already there, even to nothing, is the learner's too.
    missing = [p for p in paths if not os.path.lexists(out / p.name)]
    versions = _student_versions(missing)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, student, n in versions:
        nbformat.write(student, out / path.name)
        written.append(out / path.name)
    kept = len(paths) - len(missing)
    print(f"{out}/: added {len(written)} lesson(s) with blank exercises"
          + (f", kept your {kept} notebook(s) as they are" if kept else ""))
    return written


def write_course(source, out, course_id=COURSE_ID):
    """Lay out an nbgrader course: ``nbgrader_config.py`` and one assignment per lesson.

    ``out/source/<lesson>/<lesson>.ipynb`` is a copy of each solution notebook
    (nbgrader's "source" version). An existing ``nbgrader_config.py`` and
    existing copies are kept; a copy that differs from its lesson stops the
    command, so an instructor's edits are never lost.

    Parameters
    ----------
    source, out : path-like
    course_id : str, default="gmm-teach"

    Returns
    -------
    assignments : list of str
        The assignment ids, one per lesson.
    """
    source, out = Path(source), Path(out)
    paths = _source_notebooks(source)
    _output_folder(source, out)
    # Every lesson must be a valid assignment, and no edited copy in the way,
    # before anything is written.
    versions = _student_versions(paths)
    targets = [_writable(out / "source" / path.stem / path.name) for path in paths]
    for path, target in zip(paths, targets):
        if target.exists() and target.read_bytes() != path.read_bytes():
            raise UsageError(
                f"{target}: differs from {path}; refusing to overwrite your edited copy. "
                f"Move it away to refresh it from the lesson"
            )
    out.mkdir(parents=True, exist_ok=True)
    config = _writable(out / "nbgrader_config.py")
    if not config.exists():
        config.write_text(_COURSE_CONFIG.format(course_id=course_id))
    for (path, student, _), target in zip(versions, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        total = sum(exercise_points(student).values())  # the student version keeps the points
        print(f"{path.stem}: {total:g} point{'s' if total != 1 else ''}")
    print(f"course {course_id!r} in {out}/: run nbgrader from there (README, 'For instructors')")
    return [p.stem for p in paths]


def _mark_files(paths):
    for path in map(Path, paths):
        nb = _read(path)
        marked = mark_exercise_cells(nb, path.name)
        nbformat.write(marked, path)
        print(f"marked {path}: {_exercises(len(solution_cell_indices(marked)))}, "
              f"{sum(exercise_points(marked).values()):g} points")


def main(argv=None):
    """The command line: ``python -m gmm_teach.assignments --help``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    status : int
        0 on success, 2 on a bad input (the reason is one line on stderr).
    """
    parser = argparse.ArgumentParser(
        prog="python -m gmm_teach.assignments",
        description="Student versions of the notebooks (solutions removed, outputs cleared, "
        "with nbgrader's preprocessors), a learner's workspace, or an nbgrader course.",
    )
    parser.add_argument("source", nargs="?", default="notebooks",
                        help="folder of solution notebooks (default: notebooks)")
    parser.add_argument("out", nargs="?", default=None,
                        help="output folder (default: build/assignments; course with "
                        "--course, my-work with --workspace)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--course", action="store_true",
                      help="lay out an nbgrader course (nbgrader_config.py, source/) in OUT")
    mode.add_argument("--workspace", action="store_true",
                      help="add the exercise version of each lesson missing from OUT; "
                      "never touch a notebook already there")
    mode.add_argument("--mark", nargs="+", metavar="NOTEBOOK",
                      help="add nbgrader's exercise and check cell metadata to these "
                      "notebooks, in place")
    args = parser.parse_args(argv)
    try:
        if args.mark:
            _mark_files(args.mark)
        elif args.course:
            write_course(Path(args.source), Path(args.out or "course"))
        elif args.workspace:
            write_workspace(Path(args.source), Path(args.out or "my-work"))
        else:
            write_student_versions(Path(args.source), Path(args.out or "build/assignments"))
    except (UsageError, ImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
