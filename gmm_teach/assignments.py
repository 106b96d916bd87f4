"""Student versions of the notebooks, made with nbgrader's own preprocessors.

The authoring convention for ``notebooks/``: the code a student writes sits,
inside a code cell, between nbgrader's markers ::

    def e_step(X, mus, sigmas, pis):
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

and that cell carries nbgrader's solution-cell metadata, exactly as nbgrader's
"Create Assignment" toolbar writes it (:func:`mark_solution_cells` adds it).
The next code cell calls the matching check, e.g. ``check_e_step(e_step)``
from :mod:`gmm_teach.checks`.

:func:`make_student_version` replaces every solution region by
``# YOUR CODE HERE`` / ``raise NotImplementedError()`` and clears all outputs,
with nbgrader's ``ClearSolutions`` and ``ClearOutput`` (and the other
database-free steps of ``nbgrader generate_assignment``). Because the metadata
is nbgrader's own, the same notebooks also work with the full nbgrader workflow
(``source/`` -> ``nbgrader generate_assignment`` -> ``release/``).

From the command line (nbgrader is the ``[instructor]`` extra)::

    python -m gmm_teach.assignments notebooks build/assignments
    python -m gmm_teach.assignments --mark notebooks/03_e_step.ipynb
"""

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

__all__ = [
    "BEGIN_SOLUTION",
    "END_SOLUTION",
    "make_student_version",
    "mark_solution_cells",
    "solution_cell_indices",
    "main",
]

#: The markers, as written in the notebooks. nbgrader itself looks for the
#: text after ``### `` anywhere in a line, so that is what is searched for here.
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
_BEGIN = "BEGIN SOLUTION"
_END = "END SOLUTION"

_INSTALL_HINT = (
    "Making student versions needs nbgrader, which is an instructor extra: "
    "pip install -e .[instructor]"
)


def _has_solution_region(cell):
    return _BEGIN in cell.source


def _is_marked(cell):
    return bool(cell.metadata.get("nbgrader", {}).get("solution", False))


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


def _slug(name):
    return re.sub(r"[^A-Za-z0-9_-]+", "_", Path(name).stem).strip("_") or "notebook"


def mark_solution_cells(nb, name="notebook"):
    """Mark every code cell with a solution region as an nbgrader solution cell.

    Adds the metadata nbgrader's "Create Assignment" toolbar writes::

        {"solution": True, "grade": False, "locked": False,
         "grade_id": "<name>-cell<index>", "schema_version": 3}

    Cells that are already marked keep their metadata (and ``grade_id``), so
    running this twice changes nothing.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Not modified.
    name : str, default="notebook"
        The notebook's name (a file name is fine); it makes the ``grade_id``
        values unique across the notebooks of a course.

    Returns
    -------
    nb : nbformat.NotebookNode
        A marked copy.
    """
    nb = copy.deepcopy(nb)
    taken = {cell.metadata["nbgrader"].get("grade_id") for cell in nb.cells
             if "nbgrader" in cell.metadata}
    for index in solution_cell_indices(nb):
        cell = nb.cells[index]
        if cell.cell_type != "code" or _is_marked(cell):
            continue
        grade_id = f"{_slug(name)}-cell{index}"
        while grade_id in taken:
            grade_id += "_"
        taken.add(grade_id)
        cell.metadata["nbgrader"] = {
            "solution": True,
            "grade": False,
            "locked": False,
            "grade_id": grade_id,
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
                f"gmm_teach.assignments.mark_solution_cells(nb, name) (or "
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
    with them. Solution cells are made undeletable (``LockCells``), as
    ``nbgrader generate_assignment`` does.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The solution notebook; not modified. Every cell with a solution region
        must be marked as an nbgrader solution cell (see
        :func:`mark_solution_cells`).

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


def _mark_files(paths):
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        marked = mark_solution_cells(nb, path.name)
        nbformat.write(marked, path)
        print(f"marked {path}: {len(solution_cell_indices(marked))} solution cell(s)")
    return 0


def main(argv=None):
    """Write the student version of every ``SOURCE/*.ipynb`` to ``OUT/``.

    ``python -m gmm_teach.assignments [SOURCE [OUT]]`` (defaults ``notebooks``
    and ``build/assignments``), or ``python -m gmm_teach.assignments --mark
    NOTEBOOK...`` to add the solution-cell metadata to notebooks in place.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    status : int
        0 on success, 1 when there is no notebook or one cannot be converted
        (the reason is printed to stderr).
    """
    parser = argparse.ArgumentParser(
        prog="python -m gmm_teach.assignments",
        description="Write student versions of the notebooks (solutions removed, "
        "outputs cleared) with nbgrader's preprocessors.",
    )
    parser.add_argument("source", nargs="?", default="notebooks",
                        help="folder of solution notebooks (default: notebooks)")
    parser.add_argument("out", nargs="?", default="build/assignments",
                        help="folder for the student versions (default: build/assignments)")
    parser.add_argument("--mark", nargs="+", metavar="NOTEBOOK",
                        help="instead: add nbgrader solution-cell metadata to these "
                        "notebooks, in place")
    args = parser.parse_args(argv)
    if args.mark:
        return _mark_files(args.mark)

    source, out = Path(args.source), Path(args.out)
    paths = sorted(source.glob("*.ipynb"))
    if not paths:
        print(f"error: no notebooks (*.ipynb) in {source}/", file=sys.stderr)
        return 1
    try:
        _preprocessors()
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            student = make_student_version(nb)
        except ValueError as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            return 1
        nbformat.write(student, out / path.name)
        n = len(solution_cell_indices(nb))
        print(f"wrote {out / path.name} ({n} exercise{'s' if n != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
