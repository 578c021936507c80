"""Grader-side checks: marks that the graded code cannot fake.

nbgrader runs an assignment's tests inside the student's own kernel, after the student's code,
so that code can switch the tests off, redefine what they call, or hide their errors. Here the
checking moves into the grader's own process:

1. For each autograded test cell, the assignment's *check file* (``grader-checks/<assignment>.py``
   in the nbgrader course folder) lists :class:`Check` objects. A check names an expression to
   evaluate in the student's kernel (``"count_missing(given['table'])"``) and, optionally,
   inputs that the grader chooses for this run (``given``: random tables of made-up patients,
   say).
2. :class:`~healthlab.grading.preprocessors.SafeExecute` does not run the test cell. At that
   point in the notebook it sends the kernel a *probe*: code that evaluates the expression on
   the grader's inputs and prints the result once, as plain JSON data, after a random marker.
3. The grader reads the reply, turns it back into plain Python data (numbers, text, lists,
   dicts: nothing that could pretend to equal everything), computes the right answer itself
   from the same inputs with the check's reference (which never enters the kernel), and
   compares. Anything else fails closed: no reply, two replies, a reply that is not JSON, an
   error, a reply after the time limit.

The test cell then holds the verdict: no error (full marks) or an error naming what was wrong,
without the expected answer. Visible tests stay in the student's copy for instant feedback
while they work; during grading they are not run and carry no marks.

Examples
--------
>>> check = Check("t1", ask="double(given['x'])", given=lambda rng: {"x": rng.randint(1, 9)},
...               expect=lambda given: 2 * given["x"], message="double is not right")
>>> import random
>>> given = check.inputs(random.Random(0))
>>> check.judge({"ok": True, "value": 2 * given["x"]}, given)
(True, '')
>>> check.judge({"ok": True, "value": "everything"}, given)
(False, 'double is not right')
"""

from __future__ import annotations

import base64
import json
import math
import pickle
import random
import runpy
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "Check",
    "PLAIN_SOURCE",
    "plain",
    "probe_code",
    "read_reply",
    "load_checks",
    "close",
    "same_series",
    "same_frame",
    "same_list",
]

#: Longest reply, in characters, that the grader will read from a probe.
MAX_REPLY_CHARS = 2_000_000

# The one definition of "plain data", run in the grader (to compare) and sent to the kernel
# (to reply). Keep it self-contained: it is sent as source text.
PLAIN_SOURCE = '''
def __healthlab_plain(value, depth=0):
    """Plain JSON-safe data for a value: numbers, text, lists, dicts, and tagged summaries."""
    import math as _m
    if depth > 6:
        return {"__type__": "too-deep"}
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if _m.isfinite(value) else {"__float__": repr(value)}
    kind = type(value).__module__.split(".")[0] + "." + type(value).__name__
    if kind.startswith("numpy.") and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return __healthlab_plain(value.item(), depth + 1)
    if type(value) in (list, tuple):
        return [__healthlab_plain(v, depth + 1) for v in list(value)[:10000]]
    if type(value) is dict:
        return {str(k): __healthlab_plain(v, depth + 1) for k, v in list(value.items())[:1000]}
    if kind == "numpy.ndarray":
        return {"__type__": "ndarray", "shape": list(value.shape),
                "values": __healthlab_plain(value.ravel()[:100000].tolist(), depth + 1)}
    if kind == "pandas.Series":
        return {"__type__": "Series", "name": __healthlab_plain(value.name, depth + 1),
                "index": __healthlab_plain(list(value.index)[:10000], depth + 1),
                "values": __healthlab_plain(list(value.to_numpy())[:10000], depth + 1)}
    if kind == "pandas.DataFrame":
        return {"__type__": "DataFrame", "shape": list(value.shape),
                "columns": __healthlab_plain(list(value.columns), depth + 1),
                "index": __healthlab_plain(list(value.index)[:10000], depth + 1),
                "values": __healthlab_plain(
                    [list(r) for r in value.to_numpy(dtype=object)[:10000]], depth + 1)}
    if kind == "matplotlib.Figure":
        axes = []
        for ax in value.axes:
            legend = ax.get_legend()
            axes.append({
                "title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
                "legend": [t.get_text() for t in legend.get_texts()] if legend else None,
                "containers": [[float(p.get_height()) for p in c.patches]
                               for c in ax.containers if hasattr(c, "patches")][:50],
                "hatches": sorted({str(p.get_hatch() or "") for p in ax.patches}),
                "lines": len(ax.lines),
            })
        return {"__type__": "Figure", "axes": axes}
    return {"__type__": "other", "type": kind}
'''


@lru_cache(maxsize=1)
def _plain_function() -> Callable[[Any], Any]:
    namespace: dict[str, Any] = {}
    exec(compile(PLAIN_SOURCE, "<healthlab.grading.probes>", "exec"), namespace)
    return namespace["__healthlab_plain"]


def plain(value: Any) -> Any:
    """The plain data the grader compares: the same conversion the kernel replies with.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> plain(pd.Series([1.5, np.nan], index=["a", "b"]))["values"]
    [1.5, {'__float__': 'nan'}]
    >>> plain(np.int64(3)), plain((1, "x"))
    (3, [1, 'x'])
    """
    return _plain_function()(value)


def _decode(value: Any) -> Any:
    """JSON from a reply back to plain data; NaN and infinity come back as floats."""
    if isinstance(value, dict):
        if set(value) == {"__float__"} and value["__float__"] in ("nan", "inf", "-inf"):
            return float(value["__float__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


@dataclass(frozen=True)
class Check:
    """One grader-side check of one autograded test cell.

    Parameters
    ----------
    cell : str
        The ``grade_id`` of the test cell it marks. A cell may have several checks; it earns
        its points only if all pass.
    ask : str
        A Python expression evaluated in the student's kernel, in the notebook's namespace, with
        ``given`` bound to the grader's inputs: e.g. ``"count_missing(given['table'])"``.
    expect : callable
        ``expect(given) -> value``: the right answer, computed in the grader (never sent).
    message : str
        What the student is told when the check fails: name the mistake, not the answer.
    given : callable, optional
        ``given(rng) -> dict`` of inputs for this run (picklable: numbers, tables). ``rng`` is a
        :class:`random.Random` seeded afresh for every graded notebook.
    compare : callable, optional
        ``compare(answer, expected) -> bool``: ``answer`` is the kernel's reply as plain data
        (see :func:`plain`), ``expected`` what ``expect`` returned, as it is. Default: the two
        are equal as plain data, numbers within 1e-6 relative tolerance.
    """

    cell: str
    ask: str
    expect: Callable[[dict], Any]
    message: str
    given: Callable[[random.Random], dict] | None = None
    compare: Callable[[Any, Any], bool] | None = None

    def __post_init__(self) -> None:
        if not self.cell or not isinstance(self.cell, str):
            raise ValueError(f"Check.cell must be a test cell's grade_id, got {self.cell!r}")
        compile(self.ask, f"<check {self.cell}>", "eval")  # a SyntaxError names the check
        if not self.message.strip():
            raise ValueError(f"Check for {self.cell!r} needs a message for the student")

    def inputs(self, rng: random.Random) -> dict:
        """The inputs for this run (an empty dict when the check has none)."""
        given = self.given(rng) if self.given is not None else {}
        if not isinstance(given, dict):
            raise ValueError(f"given() of the check for {self.cell!r} must return a dict")
        return given

    def judge(self, reply: Mapping[str, Any] | None, given: dict) -> tuple[bool, str]:
        """Compare a probe's reply with the right answer; (passed, what to tell the student)."""
        if reply is None:
            return False, self.message
        if not reply.get("ok"):
            error = str(reply.get("error", "no answer"))[:300]
            return False, f"{self.message} (your code raised {error})"
        expected = self.expect(given)
        try:
            if self.compare is None:
                passed = close()(reply.get("value"), _decode(plain(expected)))
            else:
                passed = bool(self.compare(reply.get("value"), expected))
        except Exception:  # a malformed reply: fail closed
            passed = False
        return (True, "") if passed else (False, self.message)


# -- comparing plain data ----------------------------------------------------------------------


def _close(a: Any, b: Any, rel: float, abs_: float) -> bool:
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, rel, abs_) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_close(a[k], b[k], rel, abs_) for k in a)
    return type(a) is type(b) and a == b


def close(rel: float = 1e-6, abs_: float = 1e-9) -> Callable[[Any, Any], bool]:
    """Equal plain data, with numbers compared within tolerances (NaN equals NaN).

    Examples
    --------
    >>> close(abs_=0.05)([1.0, "a"], [1.04, "a"]), close()(1, True)
    (True, False)
    """
    return lambda answer, expected: _close(answer, expected, rel, abs_)


def same_series(*, rel: float = 1e-6, abs_: float = 1e-9, order: bool = True) -> Callable:
    """A pandas Series with the same index and values (in the same order, unless told not to)."""

    def compare(answer: Any, expected: Any) -> bool:
        if not (isinstance(answer, dict) and answer.get("__type__") == "Series"):
            return False
        pairs_a = list(zip(answer["index"], answer["values"], strict=True))
        pairs_e = list(zip(expected["index"], expected["values"], strict=True))
        if not order:
            pairs_a, pairs_e = sorted(pairs_a, key=repr), sorted(pairs_e, key=repr)
        return _close([list(p) for p in pairs_a], [list(p) for p in pairs_e], rel, abs_)

    return compare


def same_frame(*, rel: float = 1e-6, abs_: float = 1e-9, index: bool = True) -> Callable:
    """A DataFrame with the same columns, values (and index, unless told not to)."""

    def compare(answer: Any, expected: Any) -> bool:
        if not (isinstance(answer, dict) and answer.get("__type__") == "DataFrame"):
            return False
        keys = ("columns", "values", "index") if index else ("columns", "values")
        return all(_close(answer[k], expected[k], rel, abs_) for k in keys)

    return compare


def same_list(*, rel: float = 1e-6, abs_: float = 1e-9) -> Callable:
    """A list or tuple with the same items (a numpy array or Series does not count)."""
    return lambda answer, expected: isinstance(answer, list) and _close(answer, expected, rel, abs_)


# -- talking to the kernel ---------------------------------------------------------------------


def probe_code(ask: str, given: dict, marker: str) -> str:
    """The code sent to the student's kernel for one check.

    It defines the plain-data helper, unpacks the grader's inputs, evaluates ``ask`` in the
    notebook's namespace and prints ``marker`` followed by one JSON reply. Its output is read
    by the grader and never stored in the graded notebook.
    """
    payload = base64.b64encode(pickle.dumps(given, protocol=4)).decode("ascii")
    return "\n".join(
        [
            PLAIN_SOURCE,
            "def __healthlab_probe():",
            "    import base64 as _b, json as _j, pickle as _p",
            f"    _given = _p.loads(_b.b64decode({payload!r}))",
            "    try:",
            f"        _value = eval({ask!r}, globals(), {{'given': _given}})",
            "        _reply = {'ok': True, 'value': __healthlab_plain(_value)}",
            "    except BaseException as _e:",
            "        _reply = {'ok': False, 'error': type(_e).__name__ + ': ' + str(_e)[:200]}",
            f"    print({marker!r} + _j.dumps(_reply, allow_nan=False))",
            "__healthlab_probe()",
            "del __healthlab_probe, __healthlab_plain",
        ]
    )


def new_marker() -> str:
    """A marker no submission can know in advance."""
    return f"@@healthlab-reply-{secrets.token_hex(16)}@@"


def read_reply(outputs: list[Mapping[str, Any]], marker: str) -> tuple[dict | None, str]:
    """The one reply in a probe's outputs, as plain data; or None and why not.

    Fails closed: no reply, more than one, a reply that is not a JSON object, or a longer
    reply than :data:`MAX_REPLY_CHARS`.

    Examples
    --------
    >>> out = [{"output_type": "stream", "name": "stdout", "text": 'M{"ok": true, "value": 3}\\n'}]
    >>> read_reply(out, "M")
    ({'ok': True, 'value': 3}, '')
    >>> read_reply(out + out, "M")[1]
    'more than one reply'
    """
    text = "".join(
        str(o.get("text", ""))
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    if any(o.get("output_type") == "error" for o in outputs) and marker not in text:
        return None, "no reply (the check did not finish)"
    lines = [line[len(marker) :] for line in text.splitlines() if line.startswith(marker)]
    if not lines:
        return None, "no reply"
    if len(lines) > 1:
        return None, "more than one reply"
    if len(lines[0]) > MAX_REPLY_CHARS:
        return None, "reply too long"
    try:
        reply = json.loads(lines[0], parse_constant=lambda name: None)
    except ValueError:
        return None, "reply is not plain data"
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        return None, "reply is not plain data"
    return _decode(reply), ""


# -- check files -------------------------------------------------------------------------------


def load_checks(path: str | Path) -> dict[str, list[Check]]:
    """Read a check file: a Python file that defines ``CHECKS``, a list of :class:`Check`.

    Returns the checks by test cell (``grade_id``), in file order.

    Raises
    ------
    ValueError
        When the file has no ``CHECKS`` list, or an item is not a :class:`Check`.
    """
    path = Path(path)
    namespace = runpy.run_path(str(path), run_name=f"healthlab_checks_{path.stem}")
    checks = namespace.get("CHECKS")
    if not isinstance(checks, list) or not checks:
        raise ValueError(f"{path} must define CHECKS, a non-empty list of Check objects")
    by_cell: dict[str, list[Check]] = {}
    for item in checks:
        if not isinstance(item, Check):
            raise ValueError(f"{path}: every item of CHECKS must be a Check, got {item!r}")
        by_cell.setdefault(item.cell, []).append(item)
    return by_cell
