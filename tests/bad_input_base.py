"""What the bad-input table is made of: the row type, the callables a worker
cannot receive, and the message check.  ``test_bad_input.py`` runs the rows;
``bad_input_<area>.py`` files hold the rows of each part of the library (each
defines ``NAMES``, the public names it covers, and ``CASES``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from parallel_demo.strategies import strategy_available

# ---------------------------------------------------------------------------
# Callables a worker process (or a subinterpreter) cannot receive.

def _closure_fn():
    offset = 1

    def add_offset(x):
        return x + offset

    return add_offset


def _lambda():
    return lambda x: x


def _notebook_fn(monkeypatch):
    """A function as a notebook cell defines it: in ``__main__``, which has no file."""
    main = sys.modules["__main__"]

    def cell_fn(x):
        return x

    cell_fn.__module__ = "__main__"
    cell_fn.__qualname__ = "cell_fn"
    monkeypatch.setattr(main, "cell_fn", cell_fn, raising=False)  # picklable by name here...
    if hasattr(main, "__file__"):
        monkeypatch.delattr(main, "__file__")  # ...but a spawn worker's __main__ has no such name
    return cell_fn


UNSENDABLE = {"lambda": lambda mp: _lambda(), "closure": lambda mp: _closure_fn(),
              "__main__ function": _notebook_fn}


def _notebook_global_fn(monkeypatch):
    """A notebook cell's function that reads a global of the notebook (here: of ``__main__``)."""
    fn = _notebook_fn(monkeypatch)

    def cell_fn(x):
        return x + len(FIX_WORDS)  # a global: such a function crosses by name, not as code

    cell_fn.__module__, cell_fn.__qualname__ = fn.__module__, fn.__qualname__
    monkeypatch.setattr(sys.modules["__main__"], "cell_fn", cell_fn)
    return cell_fn


#: What a 3.14 interpreter pool really refuses: a closure-free lambda or a ``__main__``
#: function that reads no globals is sent as code and runs (measured on 3.14.10).
INTERP_UNSENDABLE = {"closure": lambda mp: _closure_fn(),
                     "__main__ function reading a global": _notebook_global_fn}


# ---------------------------------------------------------------------------
# The rows.

FIX_WORDS = ("must", "pass ", "use ", "leave", "convert", "move ", "wrap", "one of", "define",
             "import", "at least", "at most", "it takes", "e.g.", "choose", "instead", "should", ">=", "<=")


@dataclass
class Case:
    id: str
    call: Callable[..., Any]          # () -> Any, or (monkeypatch) -> Any with needs_mp
    error: type | tuple[type, ...]
    names: tuple[str, ...]            # words the message must contain (the parameter)
    child: str | None = None          # source run in a child process instead (might hang)
    xfail: str | None = None          # the fix, when a module owned elsewhere fails the row
    needs_mp: bool = False
    skip: Callable[[], str | None] = field(default=lambda: None)


def C(id, call, error, *names, **kw) -> Case:
    return Case(id, call, error, names, **kw)


def interp_unavailable():
    return strategy_available("interpreter_pool")


T, V = TypeError, ValueError



def check_message(message: str, case: Case) -> None:
    low = message.lower()
    for word in case.names:
        assert word.lower() in low, f"the message does not name {word!r}: {message!r}"
    assert any(w in low for w in FIX_WORDS), f"the message does not say what to pass: {message!r}"


def run_in_child(case: Case, deadline: float = 10.0) -> None:
    """Run ``case.child`` in a fresh interpreter: refused at once, or killed at the deadline."""
    code = textwrap.dedent(f"""
        import sys
        try:
            {case.child}
        except (TypeError, ValueError) as exc:
            print(type(exc).__name__ + ": " + str(exc)); sys.exit(3)
        except BaseException as exc:
            print("other " + type(exc).__name__ + ": " + str(exc)); sys.exit(4)
        print("no error"); sys.exit(0)
    """)
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=deadline)
    except subprocess.TimeoutExpired:  # subprocess.run kills the child
        pytest.fail(f"{case.child!r} was not refused: still running after {deadline:g} s")
    assert done.returncode == 3, f"{case.child!r}: {done.stdout.strip() or done.stderr[-300:]}"
    kind, _, message = done.stdout.strip().partition(": ")
    expected = case.error if isinstance(case.error, tuple) else (case.error,)
    assert kind in {e.__name__ for e in expected}, done.stdout
    check_message(message, case)
