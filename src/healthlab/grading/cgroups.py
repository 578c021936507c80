"""A memory limit for a whole process tree (a kernel and every process it starts), by cgroup.

The grading sandbox limits each process's address space (``RLIMIT_AS``), but a kernel may start
many processes, each under that limit: together they can use far more. A Linux *control group*
(cgroup) counts the memory of every process in it, including the files they write to a
``tmpfs``, and the kernel's out-of-memory killer stops a process in the group when the group
passes its limit. Processes started later join their parent's group, so a tree cannot escape.

Where the machine allows it, :func:`memory_group` makes one group per graded kernel:

- cgroup v1 (``/sys/fs/cgroup/memory``), writable when grading as root;
- cgroup v2 (``/sys/fs/cgroup``), writable when the grader's own group is delegated to it
  (``systemd-run --user --scope -p Delegate=yes ...``, or a container that delegates it).

Elsewhere it says why not, and grading goes on with the per-process limits alone
(``docs/sandbox.md``, "Memory of a whole process tree").
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MemoryGroup", "memory_group"]

_ROOT = Path("/sys/fs/cgroup")

# Run as ``python -I -S -c JOIN procs_file command...``: the process puts itself in the group,
# then becomes the command, so the command and everything it starts are counted from the start.
# If the group refuses it, it says so and starts the command anyway (the grader checks, with
# :meth:`MemoryGroup.holds`, and reports it): a grading run never fails for want of a group.
JOIN = (
    "import os, sys\n"
    "try:\n"
    "    with open(sys.argv[1], 'w') as procs:\n"
    "        procs.write(str(os.getpid()))\n"
    "except OSError as err:\n"
    "    print('healthlab: could not join the memory group:', err, file=sys.stderr)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


@dataclass
class MemoryGroup:
    """One cgroup with a memory limit, made for one kernel and removed after it.

    Attributes
    ----------
    path : pathlib.Path
        The group's folder in the cgroup file system.
    limit : int
        The limit in bytes.
    version : int
        1 or 2, the cgroup version.
    """

    path: Path
    limit: int
    version: int

    def wrap(self, argv: list[str]) -> list[str]:
        """The command ``argv``, started inside this group.

        Examples
        --------
        >>> group = MemoryGroup(Path("/sys/fs/cgroup/g"), 2**30, 2)
        >>> group.wrap(["/usr/bin/bwrap", "--", "python"])[-3:]
        ['/usr/bin/bwrap', '--', 'python']
        """
        if not argv or not os.path.isabs(argv[0]):
            raise ValueError(f"argv={argv!r} must start with an absolute path to run.")
        procs = str(self.path / "cgroup.procs")
        return [sys.executable, "-I", "-S", "-c", JOIN, procs, *argv]

    def holds(self, pid: int) -> bool:
        """Whether process ``pid`` is in this group."""
        try:
            return str(pid) in (self.path / "cgroup.procs").read_text().split()
        except OSError:
            return False

    def peak(self) -> int | None:
        """The most memory the group has used, in bytes, where the machine records it."""
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.path / name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def remove(self, wait: float = 10.0) -> None:
        """Remove the group, once its processes have ended; safe to call twice.

        A process still in the group (a kernel that is just stopping, a child it left) is
        killed first; the group is removed as soon as it is empty, within ``wait`` seconds.
        """
        deadline = time.monotonic() + wait
        while True:
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    return  # left empty-to-be; memory_group() removes it later
            try:
                for pid in (self.path / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), 9)
                    except (ProcessLookupError, PermissionError, ValueError):
                        pass
            except OSError:
                pass
            time.sleep(0.02)


def _own_group(version: int) -> str | None:
    """The grader's own group path for the memory controller (v1) or the unified tree (v2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if version == 2 and number == "0" and controllers == "":
            return path
        if version == 1 and "memory" in controllers.split(","):
            return path
    return None


#: An empty group older than this (seconds) was left by a grader that was itself killed.
STALE_AFTER = 600


def _sweep(parent: Path) -> None:
    """Remove empty kernel groups left behind by a grader that did not end cleanly."""
    now = time.time()
    for old in parent.glob("healthlab-kernel-*"):
        try:
            if now - old.stat().st_mtime > STALE_AFTER and not (old / "cgroup.procs").read_text():
                old.rmdir()
        except OSError:
            continue


def _make(parent: Path, limit: int, version: int) -> MemoryGroup:
    _sweep(parent)
    path = parent / f"healthlab-kernel-{uuid.uuid4().hex[:12]}"
    path.mkdir()
    try:
        if version == 1:
            (path / "memory.limit_in_bytes").write_text(str(limit))
            swap = path / "memory.memsw.limit_in_bytes"
            if swap.exists():  # swap counted too, where the kernel accounts it
                swap.write_text(str(limit))
        else:
            (path / "memory.max").write_text(str(limit))
            swap = path / "memory.swap.max"
            if swap.exists():
                swap.write_text("0")
        # the group must also take processes: check by asking for its list
        (path / "cgroup.procs").read_text()
        if not os.access(path / "cgroup.procs", os.W_OK):
            raise PermissionError(f"cannot write {path / 'cgroup.procs'}")
    except OSError:
        try:
            path.rmdir()
        except OSError:
            pass
        raise
    return MemoryGroup(path, limit, version)


def memory_group(limit: int) -> tuple[MemoryGroup | None, str]:
    """Make a cgroup that holds a process tree to ``limit`` bytes, if this machine allows.

    Parameters
    ----------
    limit : int
        The most memory (bytes) the kernel and all its processes may use together.

    Returns
    -------
    group : MemoryGroup or None
        The new group; ``None`` where no group could be made.
    reason : str
        How the limit is kept, or why it cannot be.

    Examples
    --------
    >>> group, reason = memory_group(2 * 1024**3)
    >>> isinstance(reason, str) and reason != ""
    True
    >>> if group is not None:
    ...     group.remove()
    """
    if not isinstance(limit, int) or limit <= 0:
        raise ValueError(f"limit={limit!r} must be a positive whole number of bytes.")
    tried = []
    v2 = _own_group(2)
    if v2 is not None and (_ROOT / "cgroup.controllers").exists():
        parent = _ROOT / v2.lstrip("/")
        try:
            if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
                (parent / "cgroup.subtree_control").write_text("+memory")
            group = _make(parent, limit, 2)
            return group, f"cgroup v2 group {group.path} (memory.max {limit} bytes)"
        except OSError as err:
            tried.append(f"cgroup v2 at {parent}: {err.strerror or err}")
    v1 = _own_group(1)
    if v1 is not None and (_ROOT / "memory").is_dir():
        parent = _ROOT / "memory" / v1.lstrip("/")
        try:
            group = _make(parent, limit, 1)
            return group, f"cgroup v1 group {group.path} (memory.limit_in_bytes {limit})"
        except OSError as err:
            tried.append(f"cgroup v1 at {parent}: {err.strerror or err}")
    if not tried:
        tried.append("this machine has no cgroup file system at /sys/fs/cgroup")
    return None, "no memory group could be made (" + "; ".join(tried) + ")"
