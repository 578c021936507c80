"""Friendly errors: a short plain-English note under the error messages beginners meet most.

Each lesson's setup cell calls ``healthlab.friendly_errors()``. From then on, when a cell fails,
the notebook shows the usual Python error message (the traceback) exactly as before, and under
it a few lines saying what the error usually means and what to try, for example::

    NameError: name 'patients' is not defined

    What this error means (NameError)
      * Python does not know the name 'patients'.
      * Did you run the cell that defines it? ...
      * Names that look close: 'patient'.

``healthlab.friendly_errors(False)`` turns the notes off again.

How it works: it installs one IPython custom exception handler
(``get_ipython().set_custom_exc((Exception,), handler)``). The handler first shows the normal
traceback with IPython's own ``showtraceback`` (so JupyterLab, nbval and nbgrader still see an
ordinary error output), then displays the note as a separate output with plain-text and HTML
forms. Errors in typing the code itself (SyntaxError, IndentationError) reach the same handler,
because IPython sends errors found while reading a cell to the custom handler too. Nothing is
written to disk and nothing is read from files: the notes live in this module.

The idea comes from Data 8's ``d8error`` helper (UC Berkeley), reshaped as one installed module
that is configured once and keeps no logs.

Examples
--------
>>> from healthlab.errors import explain
>>> try:
...     total = patients + 1
... except NameError as error:
...     print(explain(error, namespace={"patient": 3}))
What this error means (NameError)
  * Python does not know the name 'patients'.
  * Did you run the cell that defines it? After a restart, or when you open the notebook
    again, run the cells above first (Run > Run All Above Selected Cell).
  * Names that look close: 'patient'. Python counts capital letters, so Age and age are
    different names.
  * If you meant the word itself, as text, put quotes round it: 'patients'.
Turn these notes off with healthlab.friendly_errors(False).
"""

from __future__ import annotations

import builtins
import difflib
import html
import re
import sys
import textwrap
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["friendly_errors", "explain", "FriendlyErrorsStatus"]

_FOOTER = "Turn these notes off with healthlab.friendly_errors(False)."
_HIDDEN_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "display"}
_IMPORT_LINES = {
    "pd": "import pandas as pd",
    "np": "import numpy as np",
    "plt": "import matplotlib.pyplot as plt",
    "healthlab": "import healthlab",
    "sklearn": "import sklearn",
}
_MODULE_ALIASES = {
    "scikit_learn": "sklearn",
    "scikitlearn": "sklearn",
    "sk_learn": "sklearn",
    "scikit": "sklearn",
    "skimage": "skimage",
    "scikit_image": "skimage",
    "pillow": "PIL",
    "matplotlib_pyplot": "matplotlib.pyplot",
    "pyplot": "matplotlib.pyplot",
}


@dataclass(frozen=True)
class FriendlyErrorsStatus:
    """What :func:`friendly_errors` did.

    Attributes
    ----------
    active : bool
        True when the notes are now switched on.
    reason : str
        A sentence saying what happened.

    Notes
    -----
    In a notebook this shows nothing when it is the last line of a cell, so the setup cell
    stays quiet. ``bool(status)`` is ``status.active``.
    """

    active: bool
    reason: str

    def __bool__(self) -> bool:
        return self.active

    def _ipython_display_(self) -> None:
        # Silent in a notebook: the setup cell should show nothing.
        return None


# --- what each error means ----------------------------------------------------------------------


def _user_names(namespace: Mapping[str, Any]) -> list[str]:
    return [n for n in namespace if not n.startswith("_") and n not in _HIDDEN_NAMES]


def _builtin_names() -> list[str]:
    return [n for n in dir(builtins) if not n.startswith("_")]


def _close(word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Close matches: same letters in another case or with spaces first, then difflib's."""
    candidates = list(dict.fromkeys(c for c in candidates if isinstance(c, str)))
    folded = word.strip().casefold().replace(" ", "_")
    same = [c for c in candidates if c != word and c.strip().casefold().replace(" ", "_") == folded]
    similar = difflib.get_close_matches(word, candidates, n=n + len(same), cutoff=cutoff)
    return list(dict.fromkeys([*same, *[s for s in similar if s != word]]))[:n]


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _frames(error: BaseException) -> list[types.FrameType]:
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _raised_in_healthlab(error: BaseException) -> bool:
    frames = _frames(error)
    return bool(frames) and frames[-1].f_globals.get("__name__", "").startswith("healthlab")


def _raised_in_pandas(error: BaseException) -> bool:
    return any(f.f_globals.get("__name__", "").startswith("pandas") for f in _frames(error))


def _dataframes(namespace: Mapping[str, Any]) -> dict[str, Any]:
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return {}
    return {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and isinstance(value, pandas.DataFrame)
    }


def _name_error(error: NameError, namespace: Mapping[str, Any]) -> list[str]:
    name = getattr(error, "name", None)
    if name is None:
        match = re.search(r"name '(\w+)' is not defined", str(error))
        name = match.group(1) if match else None
    if name is None:  # e.g. UnboundLocalError inside a function
        return [
            "A name is used before it has been given a value.",
            "Inside a function, give the variable a value before the line that uses it.",
        ]
    lines = [f"Python does not know the name {name!r}."]
    if name in ("true", "false", "none", "TRUE", "FALSE", "NONE"):
        lines.append("Python spells these with one capital letter: True, False and None.")
        return lines
    if name in _IMPORT_LINES:
        lines.append(
            f"Run the cell at the top of the notebook that imports it ({_IMPORT_LINES[name]}), "
            "then this cell again."
        )
        return lines
    lines.append(
        "Did you run the cell that defines it? After a restart, or when you open the notebook "
        "again, run the cells above first (Run > Run All Above Selected Cell)."
    )
    # The student's own names first; Python's built-in names (print, len, ...) only when none
    # of theirs is close, and then only very close ones (prnt -> print).
    close = _close(name, _user_names(namespace)) or _close(name, _builtin_names(), cutoff=0.8)
    if close:
        lines.append(
            f"Names that look close: {_quoted(close)}. Python counts capital "
            "letters, so Age and age are different names."
        )
    else:
        lines.append("Check the spelling, capital letters too: Age and age are different names.")
    lines.append(f"If you meant the word itself, as text, put quotes round it: {name!r}.")
    return lines


def _key_error(error: KeyError, namespace: Mapping[str, Any]) -> list[str]:
    key = error.args[0] if error.args else None
    frames = _dataframes(namespace)
    in_pandas = _raised_in_pandas(error)
    if not in_pandas:
        return [
            f"There is no key {key!r} in this dictionary.",
            "Check the spelling and capital letters; see the keys there are with .keys().",
        ]
    lines = [f"There is no column (or row label) called {key!r} in this table."]
    if isinstance(key, str) and frames:
        suggestions = []
        for df_name, df in frames.items():
            for column in _close(key, [str(c) for c in df.columns]):
                suggestions.append(f"{df_name}[{column!r}]")
        if suggestions:
            lines.append(f"Columns with a close name: {', '.join(suggestions[:4])}.")
    example = next(iter(frames), "df")
    lines.append(
        "Column names must match exactly: capital letters, spaces and underscores all count. "
        f"See them all with {example}.columns."
    )
    if isinstance(key, int):
        lines.append(
            f"If you wanted the row at position {key}, use {example}.iloc[{key}] (positions "
            "count from 0)."
        )
    return lines


_TEXT_AND_NUMBER = re.compile(
    r"can only concatenate str|unsupported operand type\(s\) for .*'str'|"
    r"must be str, not (int|float)|can't multiply sequence by non-int of type"
)


def _type_error(error: TypeError, namespace: Mapping[str, Any]) -> list[str]:
    message = str(error)
    if _TEXT_AND_NUMBER.search(message):
        return [
            "You are combining text (a str, in quotes) with a number, and Python will not mix "
            "them.",
            'To make one piece of text, turn the number into text: f"Age: {age}" or '
            '"Age: " + str(age).',
            'To do arithmetic, turn the text into a number: float("72.5"), or '
            'pd.to_numeric(df["column"]) for a whole column read as text.',
        ]
    if "not supported between instances of" in message and "'str'" in message:
        return [
            'You are comparing text with a number (for example "70" > 65).',
            "If a column holds numbers as text, convert it first with pd.to_numeric(...).",
        ]
    match = re.search(r"'(\w+)' object is not callable", message)
    if match:
        kind = match.group(1)
        if kind in ("DataFrame", "Series"):
            return [
                f"Round brackets ( ) run a function, but a {kind} is a table, not a function.",
                'To pick a column use square brackets: df["age"].',
            ]
        return [
            f"Round brackets ( ) run a function, but this is a {kind}, not a function.",
            "Did you give a variable the name of a function (for example sum = 5, then sum(...))?"
            " Rename the variable, then restart the kernel and run the cells again.",
        ]
    match = re.search(r"'(\w+)' object is not subscriptable", message)
    if match:
        return [
            f"Square brackets [ ] pick items out of a list or table, but this is a "
            f"{match.group(1)}.",
            "To run a function, use round brackets: len(x), not len[x].",
        ]
    match = re.search(r"missing (\d+) required positional argument", message)
    if match:
        return [
            "The function needs more inputs than you gave it (the message names the missing ones).",
            "See what it needs with help(name_of_function), or press Shift+Tab inside the "
            "brackets.",
        ]
    return [
        "A value has the wrong type for what you asked Python to do (the last line says which "
        "types it got).",
        "Check each value with type(x): is a number stored as text, or a list where one value "
        "was expected?",
    ]


def _module_not_found(error: ModuleNotFoundError, namespace: Mapping[str, Any]) -> list[str]:
    name = getattr(error, "name", None) or ""
    top = name.split(".")[0]
    if top == "healthlab":
        return [
            "The course library healthlab is not installed for this notebook's kernel.",
            "Check the kernel name at the top right is the course's Python, or ask your teacher.",
        ]
    lines = [f"Python cannot find a module called {name!r}."]
    alias = _MODULE_ALIASES.get(top.lower().replace("-", "_"))
    if alias and alias != top:
        lines.append(f"Its import name is different: use import {alias}.")
        return lines
    if top != top.lower():
        lines.append(f"Module names are usually all lower case: try import {name.lower()}.")
    lines.append(
        "Check the spelling. If it is right, the package is not installed for this course: "
        "ask your teacher rather than installing it yourself. If you have just installed it, "
        "restart the kernel (Kernel > Restart Kernel) and run the cells again."
    )
    return lines


def _import_error(error: ImportError, namespace: Mapping[str, Any]) -> list[str]:
    match = re.search(r"cannot import name '(\w+)' from '([\w.]+)'", str(error))
    if match:
        return [
            f"The module {match.group(2)!r} is there, but has nothing called {match.group(1)!r}.",
            "Check the spelling and capital letters of the name after import.",
        ]
    return []


def _index_error(error: IndexError, namespace: Mapping[str, Any]) -> list[str]:
    if "positional indexer is out-of-bounds" in str(error) or _raised_in_pandas(error):
        return [
            "You asked for a row or column position that the table does not have.",
            ".iloc counts from 0: a table with 10 rows has positions 0 to 9. Check len(df).",
        ]
    return [
        "You asked for a position that is not in the list (or text).",
        "Python counts positions from 0: a list of 3 items has positions 0, 1 and 2, and "
        "the last item is [-1]. Check the length with len(...).",
    ]


def _zero_division(error: ZeroDivisionError, namespace: Mapping[str, Any]) -> list[str]:
    return [
        "You divided by zero.",
        "In health data this usually means an empty group: no patients in a subgroup, or no "
        "people with the disease (TP + FN = 0). Check the number you divide by before dividing.",
    ]


def _attribute_error(error: AttributeError, namespace: Mapping[str, Any]) -> list[str]:
    name = getattr(error, "name", None)
    obj = getattr(error, "obj", None)
    message = str(error)
    if "'NoneType' object has no attribute" in message:
        return [
            "The value before the dot is None (nothing).",
            "Often a function changed something in place and gave back None (such as "
            "list.sort() or df.drop(..., inplace=True)), or a function printed its result "
            "instead of returning it.",
        ]
    if name is None:
        return []
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(obj, pandas.DataFrame):
        lines = [f"A DataFrame has no attribute or method called .{name}."]
        columns = _close(name, [str(c) for c in obj.columns])
        if columns:
            lines.append(
                f"Did you mean the column {columns[0]!r}? Square brackets always work: "
                f"df[{columns[0]!r}]."
            )
        methods = _close(name, [a for a in dir(obj) if not a.startswith("_")])
        if methods:
            lines.append(f"Methods and attributes with a close name: {_quoted(methods)}.")
        if not columns and not methods:
            lines.append("See the columns with df.columns, and the methods with help(df).")
        return lines
    lines = [f"This {type(obj).__name__} has no attribute or method called .{name}."]
    if obj is not None:
        close = _close(name, [a for a in dir(obj) if not a.startswith("_")])
        if close:
            lines.append(f"Close names: {_quoted(close)}.")
    lines.append("Check the spelling and capital letters; see what is there with dir(...).")
    return lines


_VALUE_ERRORS: list[tuple[re.Pattern[str], list[str]]] = [
    (
        re.compile(r"could not convert string to float|invalid literal for int\(\)"),
        [
            "Some text could not be turned into a number.",
            'Look for typing mistakes, units written in ("70kg"), or codes for missing values '
            'such as "?" in the data; or a text column was given to a model.',
        ],
    ),
    (
        re.compile(r"Input (X|y)? ?contains NaN"),
        [
            "The model was given missing values (NaN), which it cannot use.",
            "Drop those rows with df.dropna() or fill them in, and say so in your write-up.",
        ],
    ),
    (
        re.compile(r"inconsistent numbers of samples"),
        [
            "X (the inputs) and y (the answers) have different numbers of rows.",
            "Make them from the same table, after the same filtering.",
        ],
    ),
    (
        re.compile(r"Expected 2D array, got 1D array"),
        [
            "The model wants a table of inputs, even with one column.",
            'Use double square brackets: df[["age"]] is a table, df["age"] is one column.',
        ],
    ),
]


def _value_error(error: ValueError, namespace: Mapping[str, Any]) -> list[str]:
    message = str(error)
    for pattern, lines in _VALUE_ERRORS:
        if pattern.search(message):
            return list(lines)
    return []


def _file_not_found(error: FileNotFoundError, namespace: Mapping[str, Any]) -> list[str]:
    return [
        f"There is no file at {error.filename!r} (looking from the notebook's folder).",
        "Check the spelling and the folder. The course data sets load by name, with "
        'healthlab.datasets.load("name"); see healthlab.datasets.list_datasets().',
    ]


def _syntax_error(error: SyntaxError, namespace: Mapping[str, Any]) -> list[str]:
    message = error.msg or ""
    if isinstance(error, TabError):
        return [
            "This cell mixes tabs and spaces at the start of lines.",
            "Indent with spaces only (JupyterLab's Tab key does this).",
        ]
    if isinstance(error, IndentationError):
        if "expected an indented block" in message:
            return [
                "After a line ending in a colon (if, for, def, with), the next lines must be "
                "indented: moved right by 4 spaces.",
            ]
        if "unexpected indent" in message:
            return [
                "This line starts further right than Python expected. Line it up with the "
                "lines around it.",
            ]
        return ["The lines of a block must line up exactly: use 4 spaces for each level."]
    lines = [
        "Python could not read this code, so none of the cell ran.",
        "Look at the line shown, where the ^ points and just before it: is a bracket, quote, "
        "comma or colon missing?",
    ]
    if "never closed" in message or "unterminated" in message or "EOF" in message:
        lines.append("Every ( [ { and every quote must be closed again.")
    if "invalid character" in message:
        lines.append(
            "Curly quotes or dashes from a word processor or PDF are not Python: retype them "
            "with the keyboard's straight quotes."
        )
    if "Maybe you meant '=='" in message:
        lines.append("One = stores a value; two == compare values.")
    return lines


_EXPLAINERS: list[tuple[type[BaseException], Callable[[Any, Mapping[str, Any]], list[str]]]] = [
    (SyntaxError, _syntax_error),
    (ModuleNotFoundError, _module_not_found),
    (ImportError, _import_error),
    (NameError, _name_error),
    (KeyError, _key_error),
    (IndexError, _index_error),
    (ZeroDivisionError, _zero_division),
    (AttributeError, _attribute_error),
    (FileNotFoundError, _file_not_found),
    (TypeError, _type_error),
    (ValueError, _value_error),
]


def _explanation(error: BaseException, namespace: Mapping[str, Any]) -> list[str]:
    if isinstance(error, (ValueError, TypeError)) and _raised_in_healthlab(error):
        return [
            "This message comes from the course library, healthlab, which checked what you "
            "gave it.",
            "Read the last line of the error: it names the value that is wrong and says how "
            "to fix it.",
        ]
    for kind, explainer in _EXPLAINERS:
        if isinstance(error, kind):
            return explainer(error, namespace)
    return []


def explain(error: BaseException, namespace: Mapping[str, Any] | None = None) -> str | None:
    """A short plain-English note on what an error means, or None for errors it does not know.

    This is the text that :func:`friendly_errors` shows under a traceback.

    Parameters
    ----------
    error : BaseException
        The error, e.g. from ``except Exception as error``.
    namespace : mapping, optional
        The names the student has made (in a notebook, the user namespace), used to suggest
        close names and close DataFrame column names.

    Returns
    -------
    str or None
        The note, or None when there is nothing useful to add.

    Examples
    --------
    >>> try:
    ...     1 / 0
    ... except ZeroDivisionError as error:
    ...     print(explain(error).splitlines()[1])
      * You divided by zero.
    >>> explain(KeyboardInterrupt()) is None
    True
    """
    if not isinstance(error, BaseException):
        raise TypeError(f"error must be an exception, got {type(error).__name__} {error!r}")
    if namespace is None:
        namespace = {}
    if not isinstance(namespace, Mapping):
        raise TypeError(f"namespace must be a dict of names, got {type(namespace).__name__}")
    lines = _explanation(error, namespace)
    if not lines:
        return None
    return _as_text(type(error).__name__, lines)


def _as_text(kind: str, lines: list[str]) -> str:
    body = [
        textwrap.fill(line, width=92, initial_indent="  * ", subsequent_indent="    ")
        for line in lines
    ]
    return "\n".join([f"What this error means ({kind})", *body, _FOOTER])


def _as_html(kind: str, lines: list[str]) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (
        '<div class="healthlab-friendly-error" role="note" '
        'style="border-left: 4px solid #0072B2; padding: 0.25em 0.75em; margin: 0.5em 0;">'
        f"<p><strong>What this error means</strong> ({html.escape(kind)})</p>"
        f'<ul style="margin-top: 0;">{items}</ul>'
        f'<p style="font-size: 0.9em;">{html.escape(_FOOTER)}</p></div>'
    )


class _Note:
    """The note as a displayable object: plain text for terminals, HTML for JupyterLab."""

    def __init__(self, kind: str, lines: list[str]) -> None:
        self.kind = kind
        self.lines = lines

    def __repr__(self) -> str:
        return _as_text(self.kind, self.lines)

    def _repr_html_(self) -> str:
        return _as_html(self.kind, self.lines)


# --- installing the handler ----------------------------------------------------------------------

_installed_on: list[Any] = []  # the shell the handler is installed on (at most one)


def _is_parse_error(error: BaseException) -> bool:
    """True for a SyntaxError found while IPython was reading the cell (not running it)."""
    return isinstance(error, SyntaxError) and any(
        f.f_code.co_name == "ast_parse" for f in _frames(error)
    )


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
    """IPython custom exception handler: the normal traceback, then the note."""
    shell.showtraceback(
        (etype, value, tb), tb_offset=tb_offset, running_compiled_code=not _is_parse_error(value)
    )
    try:
        lines = _explanation(value, shell.user_ns)
        if lines:
            from IPython.display import display

            display(_Note(etype.__name__, lines))
    except Exception:  # a note must never hide the real error or unhook the handler
        pass
    return None


def friendly_errors(enable: bool = True) -> FriendlyErrorsStatus:
    """Show a plain-English note under common error messages in a notebook (or turn it off).

    Call it once, in a lesson's setup cell. It prints nothing. The normal error message stays
    exactly as it was; the note comes under it. It covers NameError, KeyError (with the
    closest DataFrame column names), TypeError (text and numbers mixed, and more),
    ModuleNotFoundError, ImportError, IndexError, ZeroDivisionError, AttributeError (e.g.
    ``df.colum``), FileNotFoundError, SyntaxError and IndentationError, common ValueErrors from
    pandas and scikit-learn, and the ValueError and TypeError messages of healthlab itself.

    Parameters
    ----------
    enable : bool, default True
        True to switch the notes on, False to go back to the normal error messages.

    Returns
    -------
    FriendlyErrorsStatus
        ``.active`` (are the notes on now?) and ``.reason``. Outside IPython or Jupyter
        (plain Python, a script) nothing changes and ``.active`` is False.

    Notes
    -----
    This uses IPython's ``set_custom_exc`` hook, which holds one handler at a time: switching
    off clears it (``set_custom_exc((), None)``), so a handler that another tool installed
    earlier is not brought back.

    Examples
    --------
    >>> status = friendly_errors(False)
    >>> status.active
    False
    """
    if not isinstance(enable, bool):
        raise TypeError(f"enable must be True or False, got {type(enable).__name__} {enable!r}")
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        return FriendlyErrorsStatus(False, "Not running in IPython or Jupyter: nothing changed.")
    if enable:
        shell.set_custom_exc((Exception,), _handler)
        _installed_on[:] = [shell]
        return FriendlyErrorsStatus(True, "Friendly error notes are on.")
    if _installed_on and _installed_on[0] is shell:
        shell.set_custom_exc((), None)
        _installed_on.clear()
    return FriendlyErrorsStatus(False, "Friendly error notes are off: normal error messages.")
