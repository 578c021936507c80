"""nbgrader preprocessors that close holes in nbgrader's defaults.

They are wired in by ``assignments/nbgrader_config.py``, so plain ``nbgrader autograde``,
``nbgrader generate_feedback`` and the formgrader's buttons use them as well as the
``healthlab grade`` command.

- :class:`SafeExecute` replaces nbgrader's ``Execute`` in autograding. It gives every
  notebook a wall-clock limit, stops a kernel that ignores the interrupt (nbgrader would
  otherwise drop the whole submission), records a kernel that died, caps the output a cell
  may keep, and marks every cell it could not run with an error, so that a test cell that
  never ran scores 0 instead of full marks (nbgrader gives full marks to a test cell with no
  error in its output). What happened is recorded in the graded notebook's metadata under
  ``healthlab_grading``, where ``healthlab grade`` reads it.
- :class:`ShortenHiddenTestTracebacks` runs before ``ClearHiddenTests`` when feedback is
  generated: an error in a test cell that holds hidden tests keeps only its last line
  (``AssertionError: ...``), because IPython's traceback quotes the failing line and its
  neighbours, which would show the hidden tests to the student.
"""

from __future__ import annotations

import json
import math
import random
import secrets
from pathlib import Path
from time import monotonic
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, Unicode

#: Key of the notebook metadata where :class:`SafeExecute` records what happened.
METADATA_KEY = "healthlab_grading"

#: ``ename`` given to the error output of a cell that was not run.
NOT_RUN = "NotRun"

#: ``ename`` of the error a grader-side check puts in a test cell it failed.
CHECK_FAILED = "CheckFailed"


def _cell_name(cell: NotebookNode, index: int) -> str:
    """Return the nbgrader ``grade_id`` of a cell, or ``cell-<index>`` when it has none."""
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{index}"


def _message_chars(msg: dict[str, Any]) -> int:
    """Return roughly how many characters an output message would add to a notebook.

    Everything a kernel controls counts: text, every data format, metadata, and an error's
    name, value and traceback.
    """
    content = msg.get("content", {})
    kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
    if kind == "stream":
        return len(str(content.get("text", "")))
    if kind == "error":
        traceback = content.get("traceback") or []
        lines = traceback if isinstance(traceback, list) else [traceback]
        return (
            sum(len(str(x)) for x in lines)
            + len(str(content.get("ename", "")))
            + len(str(content.get("evalue", "")))
        )
    total = 0
    for part in ("data", "metadata", "transient"):
        for value in (content.get(part) or {}).values():
            total += len(value) if isinstance(value, str) else len(json.dumps(value, default=str))
    return total


def _short_error(msg: dict[str, Any], room: int) -> dict[str, Any]:
    """An error message cut to ``room`` characters, still a well-formed error."""
    content = dict(msg.get("content", {}))
    ename = str(content.get("ename", "Error"))[:200]
    evalue = str(content.get("evalue", ""))[: max(200, room // 4)]
    traceback = content.get("traceback") or []
    traceback = [str(x) for x in (traceback if isinstance(traceback, list) else [traceback])]
    kept, used = [], len(ename) + len(evalue)
    for line in traceback[-50:]:
        if used + len(line) > room:
            line = line[: max(0, room - used)]
        kept.append(line)
        used += len(line)
        if used >= room:
            break
    kept.append("[healthlab: this error message was cut: it was too long]")
    content.update(ename=ename, evalue=evalue, traceback=kept)
    return {**msg, "content": content}


class SafeExecute(Execute):
    """nbgrader's ``Execute`` with a time limit per notebook and explicit outcomes.

    Every outcome is written to ``nb.metadata["healthlab_grading"]``::

        {"stopped": None | "time-limit" | "unresponsive" | "kernel-died",
         "stopped_at": "<cell name>" | None,
         "cell_timeouts": ["<cell name>", ...],
         "output_cut": ["<cell name>", ...],
         "not_run": ["<cell name>", ...],
         "seconds": 3.2}
    """

    notebook_timeout = Integer(
        300,
        help=(
            "Wall-clock limit in seconds for running one notebook. When it is reached the "
            "kernel is stopped and every cell not yet run is marked as not run (a test cell "
            "that did not run scores 0)."
        ),
    ).tag(config=True)

    max_output_chars = Integer(
        100_000,
        help=(
            "Most characters of output (text, HTML, images) one cell may keep. Output beyond "
            "it is dropped as it arrives, so a submission that prints 100 MB cannot fill the "
            "grader's memory, the graded notebook or the feedback."
        ),
    ).tag(config=True)

    checks_dir = Unicode(
        "",
        help=(
            "Folder of the grader-side check files, one per assignment "
            "(<checks_dir>/<assignment>.py, see healthlab.grading.probes). When an assignment "
            "has one, its test cells are not run in the student's kernel: the grader asks the "
            "kernel for values and judges them itself. Empty: tests run in the kernel (nbgrader's "
            "way, which the graded code can fake)."
        ),
    ).tag(config=True)

    def _load_checks(self, resources: dict | None) -> dict:
        assignment = ((resources or {}).get("nbgrader") or {}).get("assignment")
        if not self.checks_dir or not assignment:
            return {}
        path = Path(self.checks_dir) / f"{assignment}.py"
        if not path.is_file():
            return {}
        from healthlab.grading.probes import load_checks

        return load_checks(path)

    def preprocess(self, nb, resources=None, km=None):
        self._checks = self._load_checks(resources)
        self._verdicts: dict[str, tuple[bool, str]] = {}
        self._rng = random.Random(secrets.randbits(64))
        self._probing = False
        self._deadline = monotonic() + self.notebook_timeout
        self._started = monotonic()
        self._record = {
            "stopped": None,
            "stopped_at": None,
            "cell_timeouts": [],
            "output_cut": [],
            "not_run": [],
            "seconds": None,
            "checked_by": "grader" if self._checks else "kernel",
            "checks": {},
        }
        self._chars: dict[int, int] = {}
        self._current = "setup"
        nb.metadata[METADATA_KEY] = self._record  # a submission's own value is overwritten
        try:
            nb, resources = super().preprocess(nb, resources, km=km)
        except DeadKernelError:
            # The kernel died outside a cell (for example while starting).
            self._stop("kernel-died")
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code" and not cell.get("outputs") and cell.source.strip():
                    self._mark_not_run(cell, index)
        self._record["seconds"] = round(monotonic() - self._started, 2)
        nb.metadata[METADATA_KEY] = self._record
        return nb, resources

    # -- time limits ------------------------------------------------------------------------

    def _remaining(self) -> float:
        return self._deadline - monotonic()

    def _get_timeout(self, cell):
        """Per-cell timeout, never beyond the notebook's own deadline."""
        timeout = super()._get_timeout(cell)
        remaining = max(1, math.ceil(self._remaining()))
        return remaining if timeout is None else min(timeout, remaining)

    async def _async_handle_timeout(self, timeout, cell=None):
        if self._remaining() <= 0:
            self._stop("time-limit")
        else:
            self._record["cell_timeouts"].append(self._current)
        return await super()._async_handle_timeout(timeout, cell)

    def _stop(self, reason: str) -> None:
        if self._record["stopped"] is None:
            self._record["stopped"] = reason
            self._record["stopped_at"] = self._current
            self.log.warning("Stopped running this notebook at %s: %s", self._current, reason)

    def _kill_kernel(self) -> None:
        """Stop a kernel that no longer answers (it ignored the interrupt)."""
        from jupyter_core.utils import run_sync

        try:
            if self.km is not None:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as err:  # the kernel may be gone already
            self.log.warning("Could not shut the kernel down cleanly: %s", err)

    # -- running cells ----------------------------------------------------------------------

    def _mark_not_run(self, cell: NotebookNode, index: int) -> None:
        reasons = {
            "time-limit": "the notebook reached its time limit",
            "unresponsive": "an earlier cell never finished and ignored the interrupt",
            "kernel-died": "the Python kernel stopped (the code may have exited or crashed)",
        }
        why = reasons.get(self._record["stopped"] or "", "grading stopped early")
        cell.outputs = [
            NotebookNode(
                output_type="error",
                ename=NOT_RUN,
                evalue=f"This cell was not run because {why}.",
                traceback=[f"{NOT_RUN}: This cell was not run because {why}."],
            )
        ]
        cell.execution_count = None
        self._record["not_run"].append(_cell_name(cell, index))

    # -- grader-side checks -----------------------------------------------------------------

    def _is_checked_test(self, cell: NotebookNode) -> bool:
        if not self._checks or cell.cell_type != "code":
            return False
        nbgrader = cell.metadata.get("nbgrader")
        return (
            isinstance(nbgrader, dict)
            and bool(nbgrader.get("grade"))
            and not nbgrader.get("solution")
        )

    def _run_probe(self, code: str, index: int) -> list:
        """Run one probe in the kernel; its outputs are returned, never stored."""
        from jupyter_core.utils import run_sync

        probe = NotebookNode(
            cell_type="code", source=code, metadata={}, outputs=[], execution_count=None
        )
        from healthlab.grading.probes import MAX_REPLY_CHARS

        original = self.nb.cells[index]
        self._probing, self._chars[index] = True, 0
        # The sandbox's IOPub channel caps a notebook's printed output; a probe's reply is
        # counted apart, so a notebook that printed a lot still has its checks answered.
        channel = getattr(getattr(self, "kc", None), "iopub_channel", None)
        limited = callable(getattr(channel, "begin_probe", None))
        if limited:
            channel.begin_probe(MAX_REPLY_CHARS * 2)
        try:
            run_sync(self.async_execute_cell)(probe, index, store_history=False)
        except DeadKernelError:
            self._stop("kernel-died")
        except CellTimeoutError:
            self._stop("time-limit" if self._remaining() <= 0 else "unresponsive")
            self._kill_kernel()
        finally:
            self._probing = False
            if limited:
                channel.end_probe()
            self.nb.cells[index] = original  # nbclient puts the cell it ran in the notebook
        return list(probe.get("outputs", []))

    def _judge_cell(self, grade_id: str, index: int) -> tuple[bool, str]:
        from healthlab.grading.probes import new_marker, probe_code, read_reply

        checks = self._checks.get(grade_id)
        if not checks:
            return False, "This test cell has no grader-side check: tell your teacher."
        for check in checks:
            if self._record["stopped"] is not None:
                return False, "The checks could not finish: the notebook was stopped."
            given = check.inputs(self._rng)
            marker = new_marker()
            outputs = self._run_probe(probe_code(check.ask, given, marker), index)
            reply, why = read_reply(outputs, marker)
            if reply is None:
                return False, f"{check.message} (the grader got {why} from your notebook)"
            passed, message = check.judge(reply, given)
            if not passed:
                return False, message
        return True, ""

    def _grader_check(self, cell: NotebookNode, index: int) -> None:
        grade_id = str(cell.metadata["nbgrader"].get("grade_id") or f"cell-{index}")
        if grade_id not in self._verdicts:  # a duplicated grade_id gets the first verdict
            self._verdicts[grade_id] = self._judge_cell(grade_id, index)
        passed, message = self._verdicts[grade_id]
        self._record["checks"][grade_id] = "passed" if passed else f"failed: {message}"
        cell.execution_count = None
        if passed:
            text = "Checked by the grader: all the checks of this cell passed.\n"
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=text)]
        else:
            cell.outputs = [
                NotebookNode(
                    output_type="error",
                    ename=CHECK_FAILED,
                    evalue=message,
                    traceback=[f"{CHECK_FAILED}: {message}"],
                )
            ]

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        self._current = _cell_name(cell, index)
        if self._record["stopped"] is None and self._remaining() <= 0:
            self._stop("time-limit")
            self._kill_kernel()
        if self._record["stopped"] is not None:
            self._mark_not_run(cell, index)
            return cell, resources
        if self._is_checked_test(cell):
            # The test cell's own code (visible and hidden tests) never runs in the kernel.
            self._grader_check(cell, index)
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop("kernel-died")
        except CellTimeoutError:
            # After the interrupt the kernel never said it was idle again: it ignores SIGINT.
            self._stop("time-limit" if self._remaining() <= 0 else "unresponsive")
            self._kill_kernel()
        outputs = list(cell.get("outputs", []))
        self._mark_not_run(cell, index)
        cell.outputs = outputs + cell.outputs
        return cell, resources

    # -- output cap -------------------------------------------------------------------------

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") == "error":
            if _message_chars(msg) > self.max_output_chars:
                self._record["output_cut"].append(self._current)
                msg = _short_error(msg, self.max_output_chars)
            return super().output(outs, msg, display_id, cell_index)
        if self._probing:  # a probe's reply is read by the grader, then dropped
            from healthlab.grading.probes import MAX_REPLY_CHARS

            used = self._chars.get(cell_index, 0) + _message_chars(msg)
            self._chars[cell_index] = used
            return (
                super().output(outs, msg, display_id, cell_index)
                if used <= MAX_REPLY_CHARS * 2
                else None
            )
        used = self._chars.get(cell_index, 0)
        size = _message_chars(msg)
        room = self.max_output_chars - used
        if size <= room:
            self._chars[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)
        first_cut = used <= self.max_output_chars
        self._chars[cell_index] = self.max_output_chars + 1
        if not first_cut:
            return None
        self._record["output_cut"].append(self._current)
        note = (
            f"\n[healthlab: output cut here; a cell may keep at most "
            f"{self.max_output_chars:,} characters of output]\n"
        )
        text = msg["content"].get("text", "")[: max(room, 0)] if msg["msg_type"] == "stream" else ""
        cut = {
            "msg_type": "stream",
            # A well-formed stream message: nbformat reads the type from the header.
            "header": {**msg.get("header", {}), "msg_type": "stream"},
            "parent_header": msg.get("parent_header", {}),
            "metadata": {},
            "content": {"name": "stdout", "text": text + note},
        }
        return super().output(outs, cut, None, cell_index)


class ShortenHiddenTestTracebacks(NbGraderPreprocessor):
    """Keep only the last line of errors in test cells that hold hidden tests.

    Use it in ``GenerateFeedback.preprocessors`` before ``ClearHiddenTests``: the check
    needs the hidden-test markers, which ``ClearHiddenTests`` removes.
    """

    begin_test_delimeter = Unicode(
        "BEGIN HIDDEN TESTS", help="The text that starts a hidden-test region"
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if (
            cell.cell_type == "code"
            and utils.is_grade(cell)
            and not utils.is_solution(cell)
            and self.begin_test_delimeter in cell.source
        ):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    last = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
                    output["traceback"] = [
                        last,
                        "(Some of the tests in this cell are hidden, so the test code is not "
                        "shown. Check your answer against the task and the visible tests.)",
                    ]
        return cell, resources
