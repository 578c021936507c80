"""Run lessons on a fresh kernel: refresh their stored outputs, or benchmark them.

Two commands share one runner:

- ``healthlab execute NOTEBOOK ...`` re-executes lessons in place, so the outputs stored in the
  notebook (which strict nbval compares against) are refreshed deterministically.
- ``healthlab bench [NOTEBOOK ...]`` executes every lesson (by default
  ``notebooks/NN-*.ipynb``) without writing, and reports per lesson the wall time and the
  kernel's peak memory, with the total. It writes the results as JSON and exits with status 1
  if a lesson fails or breaks its budget (30 s and 1 GB each; see the curriculum design).

Both run each notebook in its own folder, on a new kernel, with ``PYTHONHASHSEED=0`` and no
``MPLBACKEND`` (which would stop the inline backend from storing figures).

Examples
--------
>>> from healthlab.bench import Budget
>>> Budget().breaks(seconds=12.0, peak_mib=300.0)
[]
>>> Budget(seconds=10).breaks(seconds=12.0, peak_mib=300.0)
['12.0 s > 10 s']
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_PATTERN = "notebooks/[0-9][0-9]-*.ipynb"


@dataclass(frozen=True)
class Budget:
    """Time and memory allowed for one lesson (design.md: 30 s and 1 GB on 2 cores)."""

    seconds: float = 30.0
    peak_mib: float = 1024.0

    def breaks(self, *, seconds: float, peak_mib: float) -> list[str]:
        """Return a description of each limit the measurements break (empty if none)."""
        broken = []
        if seconds > self.seconds:
            broken.append(f"{seconds:.1f} s > {self.seconds:g} s")
        if peak_mib > self.peak_mib:
            broken.append(f"{peak_mib:.0f} MiB > {self.peak_mib:g} MiB")
        return broken


@dataclass
class LessonRun:
    """What happened when one notebook ran."""

    notebook: str
    seconds: float
    peak_mib: float
    ok: bool
    error: str = ""
    over_budget: list[str] = field(default_factory=list)


class _PeakMemory:
    """Sample the resident memory of a process and its children until stopped."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        import psutil

        self._process = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak_bytes = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        try:
            procs = [self._process, *self._process.children(recursive=True)]
            total = sum(p.memory_info().rss for p in procs)
        except psutil.Error:
            return
        self.peak_bytes = max(self.peak_bytes, total)

    def _high_water_mark(self) -> int:
        # Linux keeps the process's own peak (VmHWM), which catches spikes between samples.
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self.peak_bytes = max(self.peak_bytes, self._high_water_mark())
            self._stop.wait(self._interval)

    def stop(self) -> float:
        """Stop sampling and return the peak in MiB."""
        self.peak_bytes = max(self.peak_bytes, self._high_water_mark())
        self._stop.set()
        self._thread.join()
        return self.peak_bytes / 2**20


def _kernel_environment() -> None:
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.pop("MPLBACKEND", None)


def run_notebook(path: str | Path, *, timeout: int = 120, write: bool = False) -> LessonRun:
    """Execute one notebook top to bottom on a fresh kernel and measure it.

    Parameters
    ----------
    path : str or Path
        The ``.ipynb`` file. It runs with its own folder as the working directory.
    timeout : int, default=120
        Seconds one cell may take before the run is stopped.
    write : bool, default=False
        Store the new outputs in the file (as ``healthlab execute`` does).

    Returns
    -------
    LessonRun
        Wall time from kernel start to the last cell, peak kernel memory (MiB), and whether
        it ran without an unexpected error. Cells tagged ``raises-exception`` may raise.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    _kernel_environment()
    nb = nbformat.read(path, as_version=4)
    meter: dict[str, _PeakMemory] = {}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )

    def start_meter(**_: object) -> None:
        meter["kernel"] = _PeakMemory(client.km.provisioner.process.pid)

    client.on_notebook_start = start_meter
    start = time.perf_counter()
    error = ""
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        error = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    seconds = time.perf_counter() - start
    peak = meter["kernel"].stop() if "kernel" in meter else float("nan")
    if write and not error:
        _merge_streams(nb)
        nbformat.write(nb, path)
    return LessonRun(str(path), round(seconds, 2), round(peak, 1), not error, error)


def _lessons(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    found = sorted(Path.cwd().glob(DEFAULT_PATTERN))
    if not found:
        raise SystemExit(f"No lessons match {DEFAULT_PATTERN!r} below {Path.cwd()}.")
    return found


def _table(runs: list[LessonRun]) -> str:
    width = max(len(Path(r.notebook).name) for r in runs)
    lines = [f"{'lesson':<{width}}  {'seconds':>8}  {'peak MiB':>9}  result"]
    for r in runs:
        result = "ok" if r.ok and not r.over_budget else (r.error or "; ".join(r.over_budget))
        lines.append(
            f"{Path(r.notebook).name:<{width}}  {r.seconds:>8.1f}  {r.peak_mib:>9.0f}  {result}"
        )
    total = sum(r.seconds for r in runs)
    peak = max(r.peak_mib for r in runs)
    lines.append(f"{'total':<{width}}  {total:>8.1f}  {peak:>9.0f}  (peak of any one lesson)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``healthlab bench``: run lessons, print a table, write JSON, fail on broken budgets."""
    parser = argparse.ArgumentParser(prog="healthlab bench", description=main.__doc__)
    parser.add_argument("notebooks", nargs="*", help=f"lessons to run (default: {DEFAULT_PATTERN})")
    parser.add_argument(
        "--seconds", type=float, default=Budget.seconds, help="time budget per lesson"
    )
    parser.add_argument(
        "--mib", type=float, default=Budget.peak_mib, help="memory budget per lesson"
    )
    parser.add_argument("--output", default="bench-results.json", help="where to write the JSON")
    args = parser.parse_args(argv)
    budget = Budget(args.seconds, args.mib)
    runs = []
    for path in _lessons(args.notebooks):
        run = run_notebook(path)
        run.over_budget = budget.breaks(seconds=run.seconds, peak_mib=run.peak_mib)
        runs.append(run)
        print(f"ran {path.name}: {run.seconds:.1f} s, {run.peak_mib:.0f} MiB", file=sys.stderr)
    print(_table(runs))
    result = {
        "budget": asdict(budget),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "lessons": [asdict(r) for r in runs],
        "total_seconds": round(sum(r.seconds for r in runs), 2),
    }
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(f"Results written to {args.output}")
    failed = [r for r in runs if not r.ok or r.over_budget]
    if failed:
        names = ", ".join(Path(r.notebook).name for r in failed)
        print(f"Over budget or failing: {names}", file=sys.stderr)
        return 1
    return 0


def _merge_streams(nb) -> None:
    """Join each cell's consecutive stdout (or stderr) outputs into one.

    How a kernel splits printed text into messages depends on timing, so without this a lesson
    re-executed on a busy machine could store the same text in a different number of pieces.
    """
    for cell in nb.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (
                output.get("output_type") == "stream"
                and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")
            ):
                previous["text"] = "".join(previous["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged


def execute_main(argv: list[str] | None = None) -> int:
    """``healthlab execute``: re-run lessons on a fresh kernel and store their outputs."""
    parser = argparse.ArgumentParser(prog="healthlab execute", description=execute_main.__doc__)
    parser.add_argument(
        "notebooks", nargs="*", help=f"lessons to refresh (default: {DEFAULT_PATTERN})"
    )
    parser.add_argument("--timeout", type=int, default=120, help="seconds one cell may take")
    args = parser.parse_args(argv)
    status = 0
    for path in _lessons(args.notebooks):
        run = run_notebook(path, timeout=args.timeout, write=True)
        if run.ok:
            print(f"refreshed {path} ({run.seconds:.1f} s)")
        else:
            print(f"NOT refreshed {path}: {run.error}", file=sys.stderr)
            status = 1
    return status
