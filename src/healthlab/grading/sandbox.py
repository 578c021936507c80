"""Run each student's notebook in a bubblewrap sandbox while nbgrader autogrades it.

nbgrader runs every submission with the teacher's own rights (nbgrader issue #483): a
submission can read the solutions in ``source/``, rewrite ``gradebook.db`` or read another
student's work. This module starts every autograding kernel inside `bubblewrap
<https://github.com/containers/bubblewrap>`_ (``bwrap``, the Debian/Ubuntu package
``bubblewrap``), which sees only:

- a private, size-limited copy of that submission's folder (read-write, thrown away after),
  at a neutral path (``/home/student/<assignment>``), never the teacher's course path;
- the Python environment and the course's data files (read-only);
- a private ``/tmp`` and a private, 1 MiB folder for its sockets; no network; no other part of
  the course, no gradebook, no home folder, nothing of the host it can write to;

with limits on memory (per process, and for the whole process tree where the machine allows a
cgroup: :mod:`healthlab.grading.cgroups`), number of processes, CPU time, file size and printed
output.

It is wired in through nbgrader's own configuration, so ``nbgrader autograde``, the
formgrader's autograde button and the project's teacher command are all sandboxed. Add two
lines at the end of the course's ``nbgrader_config.py``::

    from healthlab.grading.sandbox import configure_nbgrader
    configure_nbgrader(c)

See ``docs/sandbox.md`` for the threat model and the install guide.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Int, List, Type, Unicode
from traitlets.log import get_logger

__all__ = [
    "INSTALL_HELP",
    "OutputLimitedKernelClient",
    "SandboxedKernelManager",
    "UnsandboxedKernelManager",
    "available",
    "bwrap_argv",
    "sandbox_workdir",
    "configure_nbgrader",
]

#: Environment variable that, set to ``1``, makes the sandbox tests fail (not skip) when
#: bubblewrap is missing. ``.ci/run`` sets it so CI always exercises the real sandbox.
REQUIRE_ENV = "HEALTHLAB_REQUIRE_SANDBOX"

INSTALL_HELP = (
    "How to install it: on Debian or Ubuntu run 'sudo apt-get install bubblewrap' (on a "
    "JupyterHub server, install it once on the server, or in the single-user image's "
    "Dockerfile with 'RUN apt-get update && apt-get install -y bubblewrap'). On Ubuntu 24.04 "
    "or later, AppArmor must also allow bwrap to create user namespaces (docs/sandbox.md "
    "gives the two-line profile). macOS and Windows have no bubblewrap: grade on a Linux server, or, "
    "only if you trust every submission, pass the teacher command's explicit trust option. "
    "Check it with: python -c 'from healthlab.grading.sandbox import available; "
    "print(available())'. Details: docs/sandbox.md."
)

#: Where things appear inside the sandbox.
_STAGING = "/run/healthlab/submission"
#: The kernel's working folder: a neutral path, never the teacher's course path.
WORK_ROOT = "/home/student"
#: The kernel's sockets: a private, size-limited folder. The grader reaches them through
#: ``/proc/<pid>/root`` of the sandbox, so nothing of the host is writable to the kernel.
IPC_DIR = "/run/healthlab/ipc"
IPC_SIZE = 1024**2
_LAUNCHER = "/run/healthlab/sandbox_kernel.py"
_HOME = "/tmp/home"
_FONT_LISTS = "/run/healthlab/matplotlib"

#: Files from /etc that Python, numpy and matplotlib read; nothing else of /etc is visible.
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/fonts",
    "/etc/mime.types",
)

#: Environment variables passed from the grader to the kernel (exact names or prefixes
#: ending in ``_``). Everything else, including tokens in the teacher's environment, is dropped.
_ENV_PASS = (
    "NBGRADER_",
    "JPY_",
    "PYDEVD_",
    "LANG",
    "LC_",
    "TZ",
    "PYTHONHASHSEED",
    "PYTHONPATH",
    "MPLBACKEND",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)

#: Defaults that keep a kernel well inside the limits (one BLAS thread, fewer malloc arenas).
_ENV_DEFAULTS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PYTHONDONTWRITEBYTECODE": "1",
    "LANG": "C.UTF-8",
}

_WARNING = (
    "\n" + "!" * 78 + "\n"
    "!! HEALTHLAB GRADING SANDBOX NOT AVAILABLE: this submission runs UNSANDBOXED, with\n"
    "!! your own rights. It can read the solutions in source/, change gradebook.db and\n"
    "!! read other students' work. Reason: {reason}\n" + "!" * 78
)


def _trial_command(bwrap: str, root: bool) -> list[str]:
    """The smallest sandbox using every feature the grading sandbox needs."""
    argv = [
        bwrap,
        *_namespace_options(root),
        "--ro-bind",
        "/",
        "/",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
    ]
    if root:
        argv += [*_drop_root_options(), *_inner_bwrap(bwrap), "--"]
    return [*argv, "true"]


def available() -> tuple[bool, str]:
    """Say whether the grading sandbox (bubblewrap) is installed and works on this machine.

    Runs a trivial command (``true``) in a sandbox with the same namespaces the grading
    sandbox uses, so a ``bwrap`` that is installed but blocked (no user namespaces, an
    AppArmor rule) counts as unavailable.

    Returns
    -------
    ok : bool
        True when submissions can be graded in the sandbox.
    reason : str
        Plain-English explanation: what works, or what is missing and how to install it.

    Examples
    --------
    >>> ok, reason = available()
    >>> isinstance(ok, bool) and isinstance(reason, str) and len(reason) > 0
    True
    """
    if not sys.platform.startswith("linux"):
        return False, (
            f"bubblewrap needs Linux and this computer runs {sys.platform!r}. " + INSTALL_HELP
        )
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap (the 'bwrap' program) is not installed. " + INSTALL_HELP
    root = os.geteuid() == 0
    if root and shutil.which("setpriv") is None:
        return False, (
            "grading as root needs 'setpriv' (package util-linux) to drop to an unprivileged "
            "user inside the sandbox, and it is missing. Install util-linux, or grade as a "
            "normal user."
        )
    try:
        result = subprocess.run(
            _trial_command(bwrap, root),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"bubblewrap is installed at {bwrap} but could not run: {error}. " + (
            INSTALL_HELP
        )
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit code {result.returncode}"
        return False, (
            f"bubblewrap is installed at {bwrap} but cannot create a sandbox here: {detail}. "
            "The usual cause is that unprivileged user namespaces are switched off (check "
            "'sysctl kernel.unprivileged_userns_clone' and "
            "'sysctl kernel.apparmor_restrict_unprivileged_userns'), or that this is a "
            "container started without them. " + INSTALL_HELP
        )
    who = "as root (kernels run as an unprivileged user)" if root else "as this user"
    return True, f"bubblewrap at {bwrap} works here {who}; autograding will be sandboxed."


@functools.lru_cache(maxsize=1)
def _available_once() -> tuple[bool, str]:
    """:func:`available`, checked once per grading process (not once per notebook)."""
    return available()


def _namespace_options(root: bool) -> list[str]:
    """Namespaces for the (outer) sandbox: everything but the user namespace when root."""
    options = [
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "healthlab-sandbox",
    ]
    if not root:
        # Unprivileged: bwrap always makes a user namespace; forbid making further ones.
        options = ["--unshare-user", "--disable-userns", *options]
    return options


def _drop_root_options(uid: int = 65534, gid: int = 65534) -> list[str]:
    """When the grader is root: keep only the capabilities needed to switch user, then switch."""
    return [
        "--cap-add",
        "CAP_SETUID",
        "--cap-add",
        "CAP_SETGID",
        "--cap-add",
        "CAP_SETPCAP",
        "--",
        shutil.which("setpriv") or "setpriv",
        f"--reuid={uid}",
        f"--regid={gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]


def _inner_bwrap(bwrap: str) -> list[str]:
    """Second, unprivileged bwrap (after dropping root): a user namespace of its own, so the
    process limit counts only this sandbox's processes and no further namespaces can be made."""
    return [
        "--",
        bwrap,
        "--unshare-user",
        "--disable-userns",
        "--bind",
        "/",
        "/",
        "--die-with-parent",
        "--new-session",
    ]


@functools.lru_cache(maxsize=8)
def _python_paths(executable: str) -> tuple[str, ...]:
    """Folders a Python interpreter needs: its prefixes, its executable's folder, sys.path."""
    if os.path.realpath(executable) == os.path.realpath(sys.executable):
        info = {
            "prefixes": [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix],
            "path": list(sys.path),
        }
    else:
        probe = (
            "import json, sys; print(json.dumps({'prefixes': [sys.prefix, sys.base_prefix, "
            "sys.exec_prefix, sys.base_exec_prefix], 'path': sys.path}))"
        )
        out = subprocess.run(
            [executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        info = json.loads(out)
    folders = [*info["prefixes"], os.path.dirname(os.path.realpath(executable))]
    folders += [entry for entry in info["path"] if entry]
    return tuple(folders)


def _healthlab_data_dirs() -> list[str]:
    """The course's data files: the repository's datasets/ folder beside src/healthlab."""
    package = Path(__file__).resolve().parents[1]
    candidates = [package / "_data", package.parents[1] / "datasets"]
    return [str(path) for path in candidates if path.is_dir()]


def _matplotlib_font_lists(env: dict[str, str]) -> list[str]:
    """The grader's matplotlib font-list caches (a list of font files, nothing private).

    Copied into each sandbox so that every kernel does not rebuild it (about 0.1 s each).
    """
    folder = env.get("MPLCONFIGDIR") or os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "matplotlib",
    )
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        os.path.join(folder, name)
        for name in names
        if name.startswith("fontlist-") and name.endswith(".json")
    ]


def _is_within(path: str, folder: str) -> bool:
    """True if ``path`` is ``folder`` or inside it."""
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _safe_read_only(
    paths: Iterable[str], hidden: Sequence[str], protected: Sequence[str]
) -> list[str]:
    """Existing, de-duplicated paths that are safe to show the kernel read-only.

    Refused: a top-level folder (``/``, ``/tmp``, ``/home``, ...); any path that is, contains
    or lies inside a ``hidden`` folder (the course, the submission); any path that is or
    contains a ``protected`` folder (the teacher's home: a virtual environment inside it is
    fine, the home folder itself is not).
    """
    kept: list[str] = []
    for path in paths:
        real = os.path.realpath(path)
        if not os.path.exists(real) or len(Path(real).parts) < 3:
            continue
        if any(_is_within(real, h) or _is_within(h, real) for h in hidden if h):
            continue
        if any(_is_within(folder, real) for folder in protected if folder):
            continue
        if any(_is_within(real, other) for other in kept):
            continue
        kept = [other for other in kept if not _is_within(other, real)]
        kept.append(real)
    return sorted(kept)


def _mount_dirs(path: str, created: set[str], mode: str, sealed: list[str]) -> list[str]:
    """bwrap options creating each missing ancestor of ``path`` with ``mode`` (bwrap would
    otherwise create them 0700, unreadable to an unprivileged kernel).

    Ancestors are made on the sandbox's root, which is remounted read-only at the end. One
    directly inside the private, writable ``/tmp`` gets a tiny tmpfs of its own instead, added
    to ``sealed`` to be remounted read-only too, so that the path to the submission cannot be
    written to anywhere.
    """
    options: list[str] = []
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        ancestor = str(Path(*parts[:depth]))
        if ancestor in created:
            continue
        created.add(ancestor)
        if str(Path(ancestor).parent) == "/tmp":
            options += ["--perms", mode, "--size", str(1024**2), "--tmpfs", ancestor]
            sealed.append(ancestor)
        else:
            options += ["--perms", mode, "--dir", ancestor]
    return options


def _system_mounts() -> list[str]:
    """/usr and its merged-/usr links or folders, /etc essentials, /proc, /dev."""
    options = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(name):
            options += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            options += ["--ro-bind", name, name]
    options += ["--perms", "0755", "--dir", "/etc"]
    for name in _ETC_FILES:
        options += ["--ro-bind-try", name, name]
    # multiprocessing and joblib need a writable /dev/shm for their semaphores.
    options += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777"]
    options += ["--size", str(64 * 1024**2), "--tmpfs", "/dev/shm"]
    return options


def _kernel_env(env: dict[str, str] | None) -> dict[str, str]:
    """The kernel's environment: a short allow-list from the grader plus safe defaults."""
    env = dict(os.environ if env is None else env)
    kept = {
        name: value
        for name, value in env.items()
        if any(name == p or (p.endswith("_") and name.startswith(p)) for p in _ENV_PASS)
    }
    result = {**_ENV_DEFAULTS, **kept}
    result.update(
        {
            "HOME": _HOME,
            "TMPDIR": "/tmp",
            "IPYTHONDIR": f"{_HOME}/.ipython",
            "MPLCONFIGDIR": f"{_HOME}/.config/matplotlib",
            # The grader's process id means nothing inside the sandbox's own PID namespace;
            # "1" tells ipykernel not to watch for its parent (--die-with-parent does that)
            # and not to print its console banner into the teacher's log.
            "JPY_PARENT_PID": "1",
            "PATH": os.pathsep.join(
                [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
            ),
        }
    )
    return result


def bwrap_argv(
    kernel_cmd: Sequence[str],
    workdir: str,
    run_dir: str,
    *,
    course_root: str | None = None,
    read_only: Iterable[str] = (),
    env: dict[str, str] | None = None,
    memory_limit: int = 2 * 1024**3,
    process_limit: int = 128,
    cpu_time_limit: int = 300,
    file_size_limit: int = 100 * 1024**2,
    tmp_size: int = 256 * 1024**2,
    workdir_size: int = 256 * 1024**2,
    staging: str | None = None,
    sandbox_uid: int = 65534,
    sandbox_gid: int = 65534,
    bwrap: str | None = None,
) -> list[str]:
    """Build the command that runs ``kernel_cmd`` inside the grading sandbox.

    Parameters
    ----------
    kernel_cmd : sequence of str
        The kernel's own command, e.g. ``[python, "-m", "ipykernel_launcher", "-f", file]``.
    workdir : str
        The submission's folder (nbgrader's ``autograded/<student>/<assignment>``). Its files
        are copied into a private, size-limited folder at the same path inside the sandbox.
    run_dir : str
        Folder holding the connection file; shown read-only. The kernel's sockets are made in
        ``IPC_DIR``, a private 1 MiB folder inside the sandbox.
    course_root : str, optional
        The nbgrader course folder. No read-only path that contains it is mounted.
    read_only : iterable of str
        Extra folders to show read-only (the Python environment and data are added anyway).
    env : dict, optional
        The grader's environment for the kernel; only an allow-list is passed on.
    memory_limit, process_limit, cpu_time_limit, file_size_limit : int
        Resource limits: address space in bytes, number of processes and threads, CPU
        seconds, largest file in bytes.
    tmp_size, workdir_size : int
        Size limits in bytes of the private ``/tmp`` and of the private working folder.
    staging : str, optional
        A copy of ``workdir`` to show read-only as the files to start from (default:
        ``workdir`` itself). A copy in a temporary folder keeps the course path out of the
        sandbox's mount table.
    sandbox_uid, sandbox_gid : int
        When the grader runs as root, the unprivileged user the kernel runs as.
    bwrap : str, optional
        Path to ``bwrap``; found on PATH if not given.

    Returns
    -------
    list of str
        The full command line.

    Examples
    --------
    >>> argv = bwrap_argv(["python", "-V"], "/srv/course/autograded/ada/ps1", "/tmp/run",
    ...                   course_root="/srv/course", bwrap="bwrap")
    >>> "--unshare-net" in argv and argv[argv.index("--chdir") + 1]
    '/home/student/ps1'
    >>> mounted = [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--bind", "--ro-bind")]
    >>> "/srv/course" in mounted  # only an empty folder on the way to the submission
    False
    """
    if not kernel_cmd:
        raise ValueError("kernel_cmd is empty; give the kernel's command line.")
    for name, value in {
        "memory_limit": memory_limit,
        "process_limit": process_limit,
        "cpu_time_limit": cpu_time_limit,
        "file_size_limit": file_size_limit,
        "tmp_size": tmp_size,
        "workdir_size": workdir_size,
    }.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name}={value!r} must be a positive whole number.")
    workdir = os.path.realpath(workdir)
    run_dir = os.path.realpath(run_dir)
    home = os.path.expanduser("~")
    hidden = [workdir, run_dir]
    if course_root:
        hidden.append(os.path.realpath(course_root))
        if _is_within(course_root, workdir):
            raise ValueError(
                f"workdir={workdir!r} contains the course root {course_root!r}; the kernel "
                "must start in a submission's own folder, not above it."
            )
    if _is_within(home, workdir):
        raise ValueError(f"workdir={workdir!r} contains the home folder {home!r}; refusing.")
    bwrap = bwrap or shutil.which("bwrap") or "bwrap"
    root = os.geteuid() == 0
    python_dirs = _python_paths(sys.executable)
    if os.path.isabs(kernel_cmd[0]) and os.path.realpath(kernel_cmd[0]) != os.path.realpath(
        sys.executable
    ):
        python_dirs += _python_paths(kernel_cmd[0])
    system = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/proc", "/dev")
    candidates = [*python_dirs, *_healthlab_data_dirs(), *read_only]
    binds = [
        path
        for path in _safe_read_only(candidates, hidden, protected=[home])
        if not any(_is_within(path, top) for top in system)
    ]
    open_mode = "1777" if root else "0755"
    argv = [bwrap, *_namespace_options(root), "--clearenv"]
    for name, value in sorted(_kernel_env(env).items()):
        argv += ["--setenv", name, value]
    argv += _system_mounts()
    argv += ["--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp"]
    created: set[str] = {"/tmp", "/usr", "/proc", "/dev"}
    sealed: list[str] = []
    for path in binds:
        argv += _mount_dirs(path, created, "0755", sealed)
        argv += ["--ro-bind", path, path]
        created.add(path)
    argv += _mount_dirs(_LAUNCHER, created, "0755", sealed)
    argv += ["--ro-bind", str(Path(__file__).with_name("sandbox_kernel.py")), _LAUNCHER]
    argv += ["--perms", "0755", "--dir", _FONT_LISTS]
    for font_list in _matplotlib_font_lists(dict(os.environ if env is None else env)):
        argv += ["--ro-bind", font_list, f"{_FONT_LISTS}/{os.path.basename(font_list)}"]
    staging = os.path.realpath(staging) if staging else workdir
    inside = sandbox_workdir(workdir)
    argv += ["--perms", "0755", "--dir", _STAGING, "--ro-bind", staging, _STAGING]
    argv += ["--perms", open_mode, "--size", str(IPC_SIZE), "--tmpfs", IPC_DIR]
    argv += _mount_dirs(inside, created, "0755", sealed)
    argv += ["--perms", open_mode, "--size", str(workdir_size), "--tmpfs", inside]
    argv += _mount_dirs(run_dir, created, "0755", sealed)
    argv += ["--ro-bind", run_dir, run_dir, "--chdir", inside]
    # Nothing on the way to the submission is writable: writes there would use memory that
    # no size limit covers (and would look, to a test, as if they had reached the course).
    for path in sealed:
        argv += ["--remount-ro", path]
    argv += ["--remount-ro", "/"]
    if root:
        argv += _drop_root_options(sandbox_uid, sandbox_gid) + _inner_bwrap(bwrap)
    argv += [
        "--",
        sys.executable,
        "-I",
        "-S",
        _LAUNCHER,
        "--as",
        str(memory_limit),
        "--nproc",
        str(process_limit),
        "--cpu",
        str(cpu_time_limit),
        "--fsize",
        str(file_size_limit),
        "--copy-from",
        _STAGING,
        "--copy-to",
        inside,
        "--font-lists",
        _FONT_LISTS,
        "--",
        *kernel_cmd,
    ]
    return argv


def sandbox_workdir(workdir: str) -> str:
    """The kernel's working folder inside the sandbox for the submission folder ``workdir``.

    Examples
    --------
    >>> sandbox_workdir("/srv/course/autograded/ada/ps1")
    '/home/student/ps1'
    """
    name = os.path.basename(os.path.realpath(workdir)) or "work"
    return f"{WORK_ROOT}/{name}"


class _LimitedIOPubChannel(AsyncZMQSocketChannel):
    """IOPub channel that stops keeping printed output past a byte budget.

    The kernel sends its output to the grader over this channel, and nbclient keeps all of it
    in memory until the notebook is written, so the limit has to be here, in the grader:
    anything in the kernel can be bypassed by student code. ``error`` and ``execute_result``
    messages always pass (a test cell's error decides its score); their long text is cut.
    """

    budget = 20 * 1024**2
    per_message = 1024**2
    _used = 0
    _noticed = False
    #: While the grader runs a probe (a check's question, see healthlab.grading.probes), the
    #: probe's output counts against an allowance of its own, not the notebook's budget: a
    #: notebook that printed up to its budget must still have its checks answered.
    _probe_room: int | None = None

    def begin_probe(self, allowance: int) -> None:
        """Count output against ``allowance`` characters until :meth:`end_probe`."""
        self._probe_room = allowance

    def end_probe(self) -> None:
        """Count output against the notebook's budget again."""
        self._probe_room = None

    @staticmethod
    def _size(content: Any) -> int:
        """Characters a message's content would add to the notebook (cheap to count)."""
        if isinstance(content, str):
            return len(content)
        if isinstance(content, dict):
            return sum(_LimitedIOPubChannel._size(value) for value in content.values())
        if isinstance(content, list):
            return sum(_LimitedIOPubChannel._size(value) for value in content)
        return 8

    def _shorten(self, msg: dict[str, Any]) -> dict[str, Any]:
        content = msg["content"]
        limit = self.per_message
        for key in ("traceback",):
            if isinstance(content.get(key), list) and self._size(content[key]) > limit:
                content[key] = [*content[key][:5], "... (traceback cut by the grading sandbox)"]
        for key in ("evalue", "ename"):
            if isinstance(content.get(key), str) and len(content[key]) > limit:
                content[key] = content[key][:limit] + " ... (cut by the grading sandbox)"
        data = content.get("data")
        if isinstance(data, dict):
            for mime, value in list(data.items()):
                if isinstance(value, str) and len(value) > limit:
                    data[mime] = value[:limit] + " ... (cut by the grading sandbox)"
        return msg

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:  # type: ignore[override]
        while True:
            msg = await super().get_msg(timeout)
            kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
            if kind in ("error", "execute_result"):
                return self._shorten(msg)
            if kind not in ("stream", "display_data", "update_display_data"):
                return msg
            size = self._size(msg.get("content", {}))
            if self._probe_room is not None:
                if size <= self._probe_room:
                    self._probe_room -= size
                    return msg
                continue  # past the probe's allowance: the grader reads no reply (fails closed)
            if self._used + size <= self.budget:
                self._used += size
                return msg
            if not self._noticed:
                self._noticed = True
                get_logger().warning(
                    "The grading sandbox stopped keeping this notebook's output: it printed "
                    "more than %d MB.",
                    self.budget // 1024**2,
                )
                msg["msg_type"] = msg["header"]["msg_type"] = "stream"
                msg["content"] = {
                    "name": "stderr",
                    "text": (
                        f"\n[The grading sandbox stopped keeping output here: this notebook "
                        f"printed more than {self.budget // 1024**2} MB. The rest of its "
                        "printed output and pictures are left out.]\n"
                    ),
                }
                return msg


class OutputLimitedKernelClient(AsyncKernelClient):
    """Kernel client whose IOPub channel keeps at most ``output_limit`` bytes of output."""

    iopub_channel_class = _LimitedIOPubChannel  # type: ignore[assignment]

    @property
    def iopub_channel(self) -> Any:
        channel = super().iopub_channel
        parent = self.parent
        limit = getattr(parent, "output_limit", None)
        if limit and channel.budget != limit:
            channel.budget = limit
        return channel


class SandboxedKernelManager(AsyncKernelManager):
    """Kernel manager that starts the kernel inside bubblewrap, talking over IPC sockets.

    nbclient passes the submission's folder as the kernel's working folder (``cwd``); that
    folder's files are copied into a private folder inside the sandbox. Limits are
    configurable in ``nbgrader_config.py``, e.g. ``c.SandboxedKernelManager.memory_limit``.
    """

    course_root = Unicode("", help="The nbgrader course folder; never shown to a kernel.").tag(
        config=True
    )
    read_only_paths = List(
        Unicode(), help="Extra folders shown read-only to the kernel (e.g. shared data)."
    ).tag(config=True)
    memory_limit = Int(2 * 1024**3, help="Address-space limit per process, bytes.").tag(config=True)
    process_limit = Int(128, help="Most processes and threads the kernel may have.").tag(
        config=True
    )
    cpu_time_limit = Int(300, help="CPU seconds per process.").tag(config=True)
    file_size_limit = Int(100 * 1024**2, help="Largest file a kernel may write, bytes.").tag(
        config=True
    )
    tmp_size = Int(256 * 1024**2, help="Size of the private /tmp, bytes.").tag(config=True)
    workdir_size = Int(256 * 1024**2, help="Size of the private working folder, bytes.").tag(
        config=True
    )
    output_limit = Int(20 * 1024**2, help="Most printed output kept per notebook, bytes.").tag(
        config=True
    )
    sandbox_uid = Int(65534, help="Unprivileged uid for the kernel when grading as root.").tag(
        config=True
    )
    sandbox_gid = Int(65534, help="Unprivileged gid for the kernel when grading as root.").tag(
        config=True
    )
    tree_memory_limit = Int(
        3 * 1024**3,
        help="Memory for the kernel and all its processes together (files in its /tmp and "
        "working folder included), bytes; kept by a cgroup where the machine allows one "
        "(healthlab.grading.cgroups). 0 switches it off.",
    ).tag(config=True)

    client_class = DottedObjectName("healthlab.grading.sandbox.OutputLimitedKernelClient")
    client_factory = Type(klass=OutputLimitedKernelClient)
    _run_dir: str | None = None
    _staging_dir: str | None = None
    _memory_group: Any = None
    _told: bool = False

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:  # type: ignore[override]
        ok, reason = _available_once()
        if not ok:
            raise RuntimeError(f"cannot start a sandboxed kernel: {reason}")
        self._cleanup_run_dir()
        self._run_dir = tempfile.mkdtemp(prefix="healthlab-sandbox-")
        root = os.geteuid() == 0
        if root:
            os.chown(self._run_dir, self.sandbox_uid, self.sandbox_gid)
        self.transport = "ipc"
        # The connection file names the sockets as the kernel sees them; once it runs, the
        # grader reaches them through the sandbox's root (_async_launch_kernel).
        self.ip = f"{IPC_DIR}/kernel"
        self.connection_file = os.path.join(self._run_dir, "kernel.json")
        if self.kernel_spec is not None:
            # A kernel in its own session cannot be reached by a signal to the grader's
            # process group; ask it to interrupt itself over the control channel instead.
            self.kernel_spec.interrupt_mode = "message"
        workdir = kw.get("cwd")
        if not workdir:
            workdir = os.path.join(self._run_dir, "work")
            os.makedirs(workdir)
        # A copy of the submission's files to start from, so that no mount inside the sandbox
        # names the course folder.
        self._staging_dir = tempfile.mkdtemp(prefix="healthlab-staging-")
        staging = os.path.join(self._staging_dir, os.path.basename(os.path.realpath(workdir)))
        shutil.copytree(workdir, staging, symlinks=True)
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        if root:
            os.chown(self.connection_file, self.sandbox_uid, self.sandbox_gid)
        argv = bwrap_argv(
            kernel_cmd,
            workdir,
            self._run_dir,
            course_root=self.course_root or None,
            read_only=self.read_only_paths,
            env=kw.get("env"),
            memory_limit=self.memory_limit,
            process_limit=self.process_limit,
            cpu_time_limit=self.cpu_time_limit,
            file_size_limit=self.file_size_limit,
            tmp_size=self.tmp_size,
            workdir_size=self.workdir_size,
            sandbox_uid=self.sandbox_uid,
            sandbox_gid=self.sandbox_gid,
            staging=staging,
        )
        argv = self._in_memory_group(argv)
        self.log.debug("Sandboxed kernel command: %s", argv)
        return argv, kw

    def _in_memory_group(self, argv: list[str]) -> list[str]:
        """``argv`` started in a new memory cgroup, where the machine allows one."""
        from healthlab.grading.cgroups import memory_group

        self._remove_memory_group()
        if self.tree_memory_limit <= 0:
            return argv
        group, reason = memory_group(self.tree_memory_limit)
        if not type(self)._told:
            type(self)._told = True  # once per grading run, not once per student
            if group is None:
                self.log.warning(
                    "The grading sandbox has no memory limit for a kernel's whole process tree "
                    "on this machine: %s. Each process is still limited to %d bytes. See "
                    "docs/sandbox.md, 'Memory of a whole process tree'.",
                    reason,
                    self.memory_limit,
                )
            else:
                self.log.info("Memory of each kernel's process tree: %s", reason)
        if group is None:
            return argv
        self._memory_group = group
        return group.wrap(argv)

    def _remove_memory_group(self) -> None:
        if self._memory_group is not None:
            self._memory_group.remove()
            self._memory_group = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:  # type: ignore[override]
        await super()._async_launch_kernel(kernel_cmd, **kw)
        pid = getattr(self.provisioner, "pid", None)
        if pid is None:
            raise RuntimeError("the sandboxed kernel started, but its process id is unknown.")
        if self._memory_group is not None and not self._memory_group.holds(pid):
            self.log.warning("A kernel is not in its memory group %s.", self._memory_group.path)
        inner = await _sandbox_process(pid)
        self.ip = f"/proc/{inner}/root{IPC_DIR}/kernel"

    def _cleanup_run_dir(self) -> None:
        for name in ("_run_dir", "_staging_dir"):
            if getattr(self, name):
                shutil.rmtree(getattr(self, name), ignore_errors=True)
                setattr(self, name, None)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        self._remove_memory_group()
        if not restart:
            self._cleanup_run_dir()

    # AsyncKernelManager binds these public names to the base class's functions, so nbclient
    # (which calls ``km.cleanup_resources()`` for a kernel that died) would miss the overrides.
    pre_start_kernel = _async_pre_start_kernel  # type: ignore[assignment]
    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]
    _launch_kernel = _async_launch_kernel  # type: ignore[assignment]


async def _sandbox_process(pid: int, wait: float = 30.0) -> int:
    """The first process inside the sandbox that bwrap (process ``pid``) starts.

    Its ``/proc/<pid>/root`` is the sandbox's own file system, where the kernel's sockets are.
    """
    import asyncio

    children = f"/proc/{pid}/task/{pid}/children"
    for _ in range(int(wait / 0.01)):
        try:
            with open(children) as handle:
                found = handle.read().split()
        except OSError as err:
            raise RuntimeError(f"the sandbox (process {pid}) ended as it started: {err}") from err
        if found:
            return int(found[0])
        await asyncio.sleep(0.01)
    raise RuntimeError(f"the sandbox (process {pid}) started no process in {wait:.0f} s.")


class UnsandboxedKernelManager(AsyncKernelManager):
    """Kernel manager used when no sandbox is available: warns loudly at every kernel start."""

    reason = Unicode("", help="Why the sandbox is not available.").tag(config=True)

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:  # type: ignore[override]
        self.log.warning(_WARNING.format(reason=self.reason or available()[1]))
        return await super()._async_pre_start_kernel(**kw)

    pre_start_kernel = _async_pre_start_kernel  # type: ignore[assignment]


class _ForceKernelManager:
    """Mixin for nbgrader's Execute preprocessor: nbgrader passes ``kernel_manager_class`` as
    a constructor argument, which beats configuration, so set it here."""

    _healthlab_kernel_manager: type = SandboxedKernelManager

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["kernel_manager_class"] = self._healthlab_kernel_manager
        super().__init__(*args, **kwargs)


def _import(name: str | type) -> type:
    if isinstance(name, type):
        return name
    module, _, attribute = name.rpartition(".")
    return getattr(__import__(module, fromlist=[attribute]), attribute)


@functools.cache
def _wrapped(cls: type, manager: type) -> type:
    return type(
        f"Sandboxed{cls.__name__}",
        (_ForceKernelManager, cls),
        {"_healthlab_kernel_manager": manager, "__module__": __name__},
    )


def configure_nbgrader(c: Any, course_root: str | os.PathLike[str] | None = None) -> bool:
    """Make nbgrader's autograde run every kernel in the sandbox; call it last in the config.

    Replaces each execute preprocessor in ``c.Autograde.autograde_preprocessors`` (nbgrader's
    own ``Execute`` by default, or a subclass configured earlier in the file) with a subclass
    that starts kernels with :class:`SandboxedKernelManager`. When bubblewrap is not available
    it uses :class:`UnsandboxedKernelManager` instead, which logs a loud warning for every
    notebook (grading still runs, unsandboxed: the teacher command refuses before that).

    Parameters
    ----------
    c : traitlets.config.Config
        The ``c`` of ``nbgrader_config.py``.
    course_root : str or path, optional
        The course folder. Default: ``c.CourseDirectory.root`` if set, else the folder holding
        the calling ``nbgrader_config.py``, else the current folder.

    Returns
    -------
    bool
        True if autograding will be sandboxed.

    Examples
    --------
    >>> from traitlets.config import Config
    >>> c = Config()
    >>> sandboxed = configure_nbgrader(c, course_root="/srv/course")
    >>> [cls.__name__ for cls in c.Autograde.autograde_preprocessors][0]
    'SandboxedExecute'
    >>> c.SandboxedKernelManager.course_root
    '/srv/course'
    """
    from nbconvert.preprocessors import ExecutePreprocessor
    from nbgrader.converters.autograde import Autograde

    if course_root is None:
        configured = c.CourseDirectory.get("root") if "CourseDirectory" in c else None
        if configured:
            course_root = configured
        else:
            caller = sys._getframe(1).f_globals.get("__file__")
            course_root = os.path.dirname(os.path.abspath(caller)) if caller else os.getcwd()
    course_root = os.path.abspath(os.fspath(course_root))

    ok, reason = available()
    manager = SandboxedKernelManager if ok else UnsandboxedKernelManager
    c.SandboxedKernelManager.course_root = course_root
    if not ok:
        c.UnsandboxedKernelManager.reason = reason
    if "Autograde" in c and "autograde_preprocessors" in c.Autograde:
        current = list(c.Autograde.autograde_preprocessors)
    else:
        current = list(Autograde.class_traits()["autograde_preprocessors"].default())
    replaced = []
    for entry in current:
        cls = _import(entry)
        if issubclass(cls, ExecutePreprocessor) and not issubclass(cls, _ForceKernelManager):
            cls = _wrapped(cls, manager)
        replaced.append(cls)
    c.Autograde.autograde_preprocessors = replaced
    return ok
