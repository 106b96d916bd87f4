"""What every check shares: calling the student's function safely, and reporting.

A check is a list of cases and a function that checks one case. The student's
function is called through :class:`Student`, which

- passes fresh copies of the inputs and notices an argument changed in place;
- stops a call that runs longer than :func:`time_limit` seconds;
- captures what the function prints, so that a forgotten ``print`` in a loop
  does not bury the diagnosis (it is summarised in one line instead);
- notices when the function hands its work to the implementation it is meant
  to replace (``gmm_teach``'s own step, or scikit-learn's ``GaussianMixture``);
- turns whatever the function raises into one sentence.

:func:`run_check` runs the cases and raises one ``AssertionError`` for the first
that fails. Its frames, and the public checks', carry ``__tracebackhide__``, so
IPython and pytest show the student the diagnosis, not the checker's code.
"""

import contextlib
import functools
import inspect
import io
import os
import signal
import sys
import sysconfig
import threading
import time
import traceback
import types
import warnings
from dataclasses import dataclass

import numpy as np

#: The environment variable an instructor can set (in seconds, e.g. for the
#: autograder) to change the time limit of one call of a student's function.
TIME_LIMIT_VARIABLE = "GMM_TEACH_CHECK_TIME_LIMIT"
DEFAULT_TIME_LIMIT = 10.0

_time_limit = None


def set_time_limit(seconds):
    """Set how long one call of a student's function may run, in seconds.

    Parameters
    ----------
    seconds : float or None
        A positive number of seconds, or ``None`` for no limit. Without a call
        to this function, the limit is the environment variable
        ``GMM_TEACH_CHECK_TIME_LIMIT`` if set, else 10 seconds.

    Notes
    -----
    The limit uses ``SIGALRM``, so it applies where that exists (Linux, macOS)
    and in the main thread, which is where a Jupyter kernel runs a cell.
    """
    global _time_limit
    _time_limit = _positive_seconds(seconds, "seconds")


def time_limit():
    """The time limit of one call of a student's function, in seconds (None: no limit).

    Returns
    -------
    seconds : float or None
    """
    if _time_limit is not None:
        return _time_limit or None
    text = os.environ.get(TIME_LIMIT_VARIABLE)
    if text is None:
        return DEFAULT_TIME_LIMIT
    try:
        return _positive_seconds(float(text), TIME_LIMIT_VARIABLE) or None
    except ValueError:
        raise ValueError(
            f"the environment variable {TIME_LIMIT_VARIABLE} must be a positive number of "
            f"seconds, got {text!r}"
        ) from None


def _positive_seconds(seconds, name):
    if seconds is None:
        return 0.0  # "no limit", told apart from "not set" (None)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, got {seconds!r}")
    if not seconds > 0 or not np.isfinite(seconds):
        raise ValueError(f"{name} must be a positive number of seconds or None, got {seconds!r}")
    return float(seconds)


class CheckFailed(AssertionError):
    """A student's function is wrong; the message says where and why."""


class Failure(Exception):
    """A diagnosis for one case; :func:`run_check` adds which case it was."""


class NotWritten(Exception):
    """The student's function still raises the stub's ``NotImplementedError``."""


class _OutOfTime(BaseException):
    """Raised inside the student's code by the alarm (a BaseException, so that a
    student's ``except Exception`` does not swallow it)."""


@contextlib.contextmanager
def _alarm(seconds):
    usable = (seconds and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        _stop_student_code(frame)
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # It fires again every half second, in case the student's code catches it.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _stop_student_code(frame):
    """Raise :class:`_OutOfTime` at every line the student's code runs from now on.

    A bare ``except:`` around a sleep catches the alarm's exception; raised
    again in the handler's own line, it leaves the ``try``. Only the frames
    below :meth:`Student.call` (and new ones) are traced, and only lines of
    code outside the libraries raise, so the checker unwinds normally.
    """
    def local(frame, event, arg):
        if event == "line" and not _is_library(frame.f_code.co_filename):
            raise _OutOfTime()
        return local

    sys.settrace(lambda frame, event, arg: local)
    while frame is not None and frame.f_code is not Student.call.__code__:
        frame.f_trace, frame.f_trace_lines = local, True
        frame = frame.f_back


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_CHECKS_DIR = os.path.dirname(os.path.abspath(__file__))


# Asked at every call the student's code makes while it is watched: memoised.
@functools.lru_cache(maxsize=None)
def _in_package(filename):
    """Is ``filename`` a module of gmm_teach (its checks excepted)?"""
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE_DIR + os.sep) and not path.startswith(_CHECKS_DIR + os.sep)


def _sklearn_mixture_dir():
    try:
        import sklearn.mixture
    except ImportError:
        return None
    return os.path.dirname(os.path.abspath(sklearn.mixture.__file__))


def _package_name(code):
    """``"e_step"`` for a function of gmm_teach.em, ``"loop_e_step (in gmm_teach.loops)"`` otherwise."""
    module = os.path.splitext(os.path.relpath(code.co_filename, os.path.dirname(_PACKAGE_DIR)))[0]
    module = module.replace(os.sep, ".")
    return code.co_name if module == "gmm_teach.em" else f"{code.co_name} (in {module})"


@contextlib.contextmanager
def _watch_calls(forbidden, allowed):
    """Record the calls, in the block, that the exercise rules out.

    Ruled out: the code objects in ``forbidden`` (code object -> words), any
    function of gmm_teach (its checks excepted) called from outside the
    package unless it is in ``allowed`` (a set of code objects), and
    scikit-learn's mixture module. Threads started in the block are watched
    too. Yields the list the sentences are appended to.
    """
    seen = []
    sklearn_dir = _sklearn_mixture_dir()

    def profiler(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if code in forbidden:
            words = forbidden[code]
        elif (_in_package(code.co_filename) and code not in allowed
              and code.co_name != "<module>"  # importing a module is not calling it
              and frame.f_back is not None and not _in_package(frame.f_back.f_code.co_filename)):
            words = does_the_work(f"gmm_teach's own {_package_name(code)}")
        elif sklearn_dir and code.co_filename.startswith(sklearn_dir):
            words = does_the_work("scikit-learn's GaussianMixture")
        else:
            return
        if words not in seen:
            seen.append(words)

    previous, previous_threads = sys.getprofile(), threading.getprofile()
    sys.setprofile(profiler)
    threading.setprofile(profiler)
    try:
        yield seen
    finally:
        sys.setprofile(previous)
        threading.setprofile(previous_threads)


def does_the_work(what):
    """The sentence for a forbidden function that does the exercise's whole job."""
    return (f"{what}, which does the very work this exercise asks you to write: compute it "
            f"yourself with numpy, as the text describes")


def _code_of(function):
    return inspect.unwrap(function).__code__


_LIBRARY_DIRS = tuple(
    os.path.normpath(p)
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
              sysconfig.get_paths()["platlib"], _PACKAGE_DIR}
)


def _is_library(filename):
    path = os.path.normpath(os.path.abspath(filename))
    return path.startswith(_LIBRARY_DIRS)


def _student_line(exc):
    """``"line 7 of e_step: `code`"`` for the deepest frame in the student's own code."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("<") or _is_library(frame.filename):
            continue
        code = (frame.line or "").strip()
        return f"line {frame.lineno} of {frame.name}" + (f": `{code}`" if code else "")
    return None


def shapes_text(names, args):
    """``"X (30, 2), mus (3, 2), n_iter = 5"``: the arguments as a message shows them."""
    parts = []
    for name, arg in zip(names, args):
        if isinstance(arg, np.ndarray):
            parts.append(f"{name} {arg.shape}")
        else:
            parts.append(f"{name} = {arg!r}")
    return ", ".join(parts)


class Student:
    """The student's function, called the way every check calls it.

    Parameters
    ----------
    name : str
        The exercise's function name, e.g. ``"e_step"``.
    fn : callable
        The student's function.
    allowed : sequence of callable
        The functions of gmm_teach the exercise lets the student call (for
        the EM loop: ``e_step``, ``m_step``, ``log_likelihood``). Any other
        function of the package, and scikit-learn's mixture module, does the
        work the exercise asks for and is refused.
    forbidden : sequence of (callable, str)
        Other functions the exercise asks the student not to call, each with
        the end of the sentence "your function calls ..." that says why, e.g.
        ``(np.linalg.inv, "np.linalg.inv, which the exercise asks you to avoid")``.
    """

    def __init__(self, name, fn, allowed=(), forbidden=()):
        if not callable(fn):
            raise TypeError(
                f"check_{name} expects your function itself, as in check_{name}({name}), "
                f"not the result of calling it; got {type(fn).__name__}"
            )
        self.name = name
        self.fn = fn
        self._allowed = {_code_of(f) for f in allowed}
        self._forbidden = {_code_of(f): words for f, words in forbidden}
        self._printed = io.StringIO()

    def call(self, names, args):
        """``fn(*args)`` on copies of the arrays, as the student's code sees it.

        Parameters
        ----------
        names : tuple of str
            The arguments' names, for messages.
        args : tuple
            The arguments; ndarrays are copied before the call.

        Returns
        -------
        out : object
            What the function returned.

        Raises
        ------
        Failure
            If the function raises, runs out of time, returns ``None``, changes
            an argument in place or calls what the exercise asks it to write.
        NotWritten
            If the function raises ``NotImplementedError`` (the stub).
        """
        copies = [np.array(a) if isinstance(a, np.ndarray) else a for a in args]
        limit = time_limit()
        out_of_time = Failure(
            f"your function did not finish within {limit or 0:g} s on input of shape "
            f"{shapes_text(names, args)}. Look for a loop that never ends (a while loop "
            f"whose condition never changes), a sleep, or a Python loop over every pair "
            f"of points where a numpy expression would do."
        )
        trace = sys.gettrace()
        start = time.monotonic()
        try:
            with contextlib.redirect_stdout(self._printed), \
                    contextlib.redirect_stderr(self._printed), warnings.catch_warnings(), \
                    np.errstate(all="ignore"), \
                    _watch_calls(self._forbidden, self._allowed) as called, _alarm(limit):
                out = self.fn(*copies)
        except NotImplementedError:
            raise NotWritten() from None
        except _OutOfTime:
            raise out_of_time from None
        except SystemExit:
            raise Failure("your function called exit() (or sys.exit): return a value "
                          "instead.") from None
        except Exception as exc:  # the student's code may raise anything
            raise Failure(self._raised(exc, names, args)) from None
        finally:
            sys.settrace(trace)
        if limit and time.monotonic() - start > limit:
            raise out_of_time  # it caught the alarm and went on
        if called:
            raise Failure(f"your function calls {called[0]}.")
        for name, original, copy in zip(names, args, copies):
            if isinstance(original, np.ndarray) and not (
                isinstance(copy, np.ndarray)
                and copy.shape == original.shape
                and np.array_equal(copy, original, equal_nan=True)
            ):
                raise Failure(
                    f"your function changed its argument {name} in place. The caller still "
                    f"needs it: work on a copy ({name} = {name}.copy()) or build new arrays."
                )
        if out is None:
            raise Failure("your function returned None: did you forget to return?")
        return out

    @staticmethod
    def _raised(exc, names, args):
        try:
            message = " ".join(str(exc).split())
        except Exception:  # an exception class of the student's own can fail here too
            message = "(its message cannot be shown)"
        if len(message) > 300:
            message = message[:300] + " ..."
        text = (
            f"your function raised {type(exc).__name__}: {message} "
            f"on input of shape {shapes_text(names, args)}."
        )
        where = _student_line(exc)
        if where:
            text += f"\nIt was raised at {where}."
        return text

    def printed_note(self):
        """One sentence on what the function printed while checked ("" if nothing)."""
        lines = self._printed.getvalue().splitlines()
        if not lines:
            return ""
        first = lines[0] if len(lines[0]) <= 80 else lines[0][:80] + " ..."
        return (
            f"\n(While being checked, your function printed {len(lines):,} "
            f"line{'s' if len(lines) != 1 else ''}, not shown here; the first was {first!r}.)"
        )


@dataclass
class Case:
    """One problem of a check, and how a message names it."""

    number: int
    total: int
    text: str
    data: dict

    def describe(self):
        return f"case {self.number} of {self.total}: {self.text}"


def numbered(problems):
    """``[Case(1, n, text, data), ...]`` from ``[(text, data), ...]``."""
    return [Case(i, len(problems), text, data) for i, (text, data) in enumerate(problems, 1)]


def _without_checker_frames(tb):
    """The traceback ``tb`` without the frames of this package: what the student wrote."""
    kept = []
    while tb is not None:
        if not os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_CHECKS_DIR):
            kept.append(tb)
        tb = tb.tb_next
    trimmed = None
    for entry in reversed(kept):
        trimmed = types.TracebackType(trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return trimmed


def _show_without_checker_frames(shell, etype, value, tb, tb_offset=None):
    trimmed = _without_checker_frames(tb)
    shell.showtraceback((etype, value.with_traceback(trimmed), trimmed), tb_offset=tb_offset)


def _hide_checker_frames_in_ipython():
    """Have IPython show a failed check without the checker's frames.

    IPython honours ``__tracebackhide__`` except in the frame that raised, so
    that last frame is cut here, by IPython's documented hook for custom
    exceptions. A notebook that has its own handler keeps it.
    """
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is None or shell.custom_exceptions:
        return
    # NotImplementedError: the stub's, which a check re-raises. Other ones pass
    # through unchanged, as they hold no frame of the checker.
    shell.set_custom_exc((CheckFailed, NotImplementedError), _show_without_checker_frames)


def run_check(student, cases, check_case):
    """Run ``check_case(student, case)`` on every case; report the first failure.

    Parameters
    ----------
    student : Student
    cases : sequence
        Objects with a ``describe()`` method that names the case in a message.
    check_case : callable
        Raises :class:`Failure` with a diagnosis when the case is wrong.

    Raises
    ------
    CheckFailed
        (an ``AssertionError``) for the first case that fails, naming it, with
        the diagnosis.
    NotImplementedError
        If the student's function is the unwritten stub: nbgrader's signal for
        an unanswered exercise.
    """
    __tracebackhide__ = True
    name = student.name
    _hide_checker_frames_in_ipython()
    for case in cases:
        try:
            # The reference's underflows are expected, whatever np.seterr says.
            with np.errstate(all="ignore"):
                check_case(student, case)
        except NotWritten:
            raise NotImplementedError(
                f"{name} is not written yet: replace `raise NotImplementedError()` in it "
                f"with your code, run its cell, then run this check again."
            ) from None
        except Failure as failure:
            text = str(failure)
            text = text[:1].upper() + text[1:]
            raise CheckFailed(
                f"{name} failed on {case.describe()}.\n{text}{student.printed_note()}"
            ) from None
    print(f"{name}: all {len(cases)} cases match the reference{student.printed_note()}")
