"""Start a Jupyter kernel inside the grading sandbox with resource limits.

This small launcher runs *inside* the bubblewrap sandbox that
:mod:`healthlab.grading.sandbox` builds, just before the kernel starts. It uses only the
standard library (it runs with ``python -I -S``) and does four things, then replaces itself
with the real kernel command (``exec``), so the kernel inherits everything it set:

1. copies the submission's files from the read-only staging folder into the private,
   size-limited working folder (so student code can write beside its notebook without
   touching the real course folder), and matplotlib's font list into the private home;
2. makes the kernel the first process the Linux out-of-memory killer picks;
3. ignores ``SIGXFSZ``, so writing a file past the size limit raises ``OSError`` in the
   student's cell instead of killing the kernel (which would lose the whole submission);
4. sets the resource limits (address space, processes, CPU seconds, file size).

Teachers never run this module by hand. Usage, as the sandbox runs it::

    python -I -S sandbox_kernel.py --as BYTES --nproc N --cpu SECONDS --fsize BYTES
        --copy-from STAGING --copy-to WORKDIR --font-lists DIR -- KERNEL_COMMAND...
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sys

#: Seconds between the soft CPU limit (``SIGXCPU``, which a process may catch) and the hard
#: limit (``SIGKILL``, which it cannot).
CPU_GRACE_SECONDS = 5

_LIMIT_OPTIONS = {
    "--as": resource.RLIMIT_AS,
    "--nproc": resource.RLIMIT_NPROC,
    "--cpu": resource.RLIMIT_CPU,
    "--fsize": resource.RLIMIT_FSIZE,
}


def parse_arguments(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split the launcher's own options from the kernel command.

    Parameters
    ----------
    argv : list of str
        The arguments after the script name: ``--name value`` pairs, then ``--``, then the
        kernel command.

    Returns
    -------
    options : dict
        Option name (with its dashes) to value.
    command : list of str
        The kernel command to run.

    Examples
    --------
    >>> options, command = parse_arguments(["--cpu", "60", "--", "python", "-V"])
    >>> options, command
    ({'--cpu': '60'}, ['python', '-V'])
    """
    if "--" not in argv:
        raise ValueError(f"argv={argv!r} has no '--' before the kernel command; put one there.")
    split = argv.index("--")
    own, command = argv[:split], argv[split + 1 :]
    if len(own) % 2:
        raise ValueError(f"options {own!r} must come in '--name value' pairs.")
    options = dict(zip(own[::2], own[1::2], strict=True))
    known = set(_LIMIT_OPTIONS) | {"--copy-from", "--copy-to", "--font-lists"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; known options are {sorted(known)}.")
    if not command:
        raise ValueError("the kernel command after '--' is empty; give the command to run.")
    return options, command


def apply_limits(options: dict[str, str]) -> None:
    """Set the resource limits named in ``options`` on this process and its children."""
    for name, which in _LIMIT_OPTIONS.items():
        if name not in options:
            continue
        soft = int(options[name])
        hard = soft + CPU_GRACE_SECONDS if which == resource.RLIMIT_CPU else soft
        resource.setrlimit(which, (soft, hard))


def copy_submission(source: str, destination: str) -> None:
    """Copy the submission's files into the private working folder (symlinks stay links)."""
    for entry in os.scandir(source):
        target = os.path.join(destination, entry.name)
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), target)
        elif entry.is_dir():
            shutil.copytree(entry.path, target, symlinks=True)
        else:
            shutil.copy2(entry.path, target)


def main(argv: list[str]) -> None:
    """Prepare the sandboxed process and replace it with the kernel command."""
    options, command = parse_arguments(argv)
    if "--copy-from" in options and "--copy-to" in options:
        copy_submission(options["--copy-from"], options["--copy-to"])
    home = os.environ.get("HOME")
    if home:
        os.makedirs(home, exist_ok=True)
    font_lists, mpl_dir = options.get("--font-lists"), os.environ.get("MPLCONFIGDIR")
    if font_lists and mpl_dir and os.path.isdir(font_lists):
        # matplotlib's font list from the grader, so each kernel need not rebuild it
        try:
            os.makedirs(mpl_dir, exist_ok=True)
            for name in os.listdir(font_lists):
                shutil.copy(os.path.join(font_lists, name), os.path.join(mpl_dir, name))
        except OSError:
            pass  # best effort: matplotlib rebuilds the list if it is missing
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as handle:
            handle.write("1000")
    except OSError:
        pass  # best effort: the limits below still apply
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    apply_limits(options)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
