"""The AI in Healthcare hub's own pieces: settings, roles, accounts and per-student limits.

Imported by ``jupyterhub_config.py`` (both are installed into the hub's configuration folder by
``deploy/install.sh``). Nothing here is needed on a laptop.

- :func:`read_settings` reads ``ai-in-healthcare.env``, written by the installer.
- :class:`LocalSpawner` is JupyterHub's ``LocalProcessSpawner`` (each user's server runs under
  their own Unix account) plus the course's role and per-student limits: at most
  ``TASKS_LIMIT`` processes per account (``RLIMIT_NPROC``, counted per Unix user), and a memory
  limit through a control group when the machine lets the hub make one (cgroup v2 with the hub in
  the root group, or cgroup v1's memory controller). CPU is limited only by ``SystemdSpawner``.
- :class:`SystemdSpawner` is ``systemdspawner.SystemdSpawner`` with the same role; systemd
  enforces memory (``MemoryMax``), CPU (``CPUQuota``) and processes (``TasksMax``).
- With the first-use authenticator (hub users who are not Unix accounts), a hub user ``sam`` runs
  as the Unix account ``jupyter-sam``, made on first start in the students' group (as TLJH does).
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import resource
import shlex
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Integer, Unicode
from traitlets.config import LoggingConfigurable

SETTINGS_FILE = "ai-in-healthcare.env"
ACCOUNT_PREFIX = "jupyter-"


def read_settings(folder: str | os.PathLike) -> dict[str, str]:
    """The installer's settings (``KEY=value`` lines, values quoted as the shell does)."""
    settings: dict[str, str] = {}
    for line in Path(folder, SETTINGS_FILE).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        parts = shlex.split(value)
        settings[key] = " ".join(parts)
    return settings


def group_members(name: str) -> list[str]:
    """Accounts in a Unix group, as their supplementary or primary group (empty if none)."""
    try:
        group = grp.getgrnam(name)
    except KeyError:
        return []
    members = set(group.gr_mem)
    members.update(p.pw_name for p in pwd.getpwall() if p.pw_gid == group.gr_gid)
    return sorted(members)


class _Course(LoggingConfigurable):
    """Settings shared by both spawners (set from jupyterhub_config.py)."""

    prefix = Unicode("/opt/ai-in-healthcare").tag(config=True)
    teachers_group = Unicode("ai-in-healthcare-teachers").tag(config=True)
    students_group = Unicode("ai-in-healthcare-students").tag(config=True)
    hub_only_accounts = Unicode(
        "", help="'yes' when hub users are not Unix accounts (first-use authenticator)"
    ).tag(config=True)

    def unix_name(self, hub_name: str) -> str:
        """The Unix account a hub user's server runs as."""
        if self.hub_only_accounts != "yes" or hub_name in group_members(self.teachers_group):
            return hub_name
        return ACCOUNT_PREFIX + hub_name

    def role(self) -> str:
        return (
            "teacher"
            if self.unix_name(self.user.name) in group_members(self.teachers_group)
            else "student"
        )

    def ensure_account(self) -> None:
        """With hub-only accounts, make ``jupyter-<name>`` on first start (home folder private)."""
        name = self.unix_name(self.user.name)
        try:
            pwd.getpwnam(name)
            return
        except KeyError:
            pass
        if self.hub_only_accounts != "yes":
            raise RuntimeError(f"there is no Unix account called {name}")
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,30}", name):
            raise RuntimeError(f"cannot make a Unix account called {name!r}")
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/bash", "-G", self.students_group, name],
            check=True,
            capture_output=True,
        )
        home = pwd.getpwnam(name).pw_dir
        os.chmod(home, 0o700)

    def course_env(self, env: dict[str, str]) -> dict[str, str]:
        env["HEALTHLAB_ROLE"] = self.role()
        env.pop("MPLBACKEND", None)
        return env


class LocalSpawner(_Course, LocalProcessSpawner):
    """Each user's server under their own account, with the course's limits."""

    tasks_limit = Integer(512, help="processes and threads per account (RLIMIT_NPROC)").tag(
        config=True
    )
    cgroup_root = Unicode(
        "", help="where per-student control groups go; empty: found at start"
    ).tag(config=True)

    # -- accounts and environment ---------------------------------------------------------------
    def make_preexec_fn(self, name):
        unix = self.unix_name(name)
        setuid = set_user_setuid(unix)
        tasks = self.tasks_limit
        procs = self._cgroup_procs

        def preexec():
            if procs:  # still root here: join the student's control group
                try:
                    with open(procs, "w") as out:
                        out.write(str(os.getpid()))
                except OSError:
                    pass
            if tasks:
                resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))
            setuid()

        return preexec

    def user_env(self, env):
        unix = pwd.getpwnam(self.unix_name(self.user.name))
        env["USER"] = unix.pw_name
        env["HOME"] = unix.pw_dir
        env["SHELL"] = unix.pw_shell or "/bin/bash"
        return env

    def get_env(self):
        return self.course_env(super().get_env())

    # -- memory: a control group per student, when the machine offers one -------------------------
    _cgroup_procs = ""
    _cgroup_dir = ""

    def _memory_cgroup_base(self) -> tuple[str, str]:
        """(folder to make the student's group in, "v1" or "v2"), or ("", "")."""
        if self.cgroup_root:
            version = "v2" if Path(self.cgroup_root, "cgroup.controllers").exists() else "v1"
            return self.cgroup_root, version
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            return "", ""
        v2 = Path("/sys/fs/cgroup/cgroup.controllers")
        if v2.exists():  # unified: only usable when the hub is in the root group (containers)
            own = next((ln.split(":", 2)[2] for ln in lines if ln.startswith("0::")), "")
            controllers = v2.read_text().split()
            if own == "/" and "memory" in controllers:
                return "/sys/fs/cgroup/healthlab", "v2"
            return "", ""
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):
                base = Path("/sys/fs/cgroup/memory") / path.lstrip("/")
                if base.is_dir():
                    return str(base), "v1"
        return "", ""

    def _make_cgroup(self) -> None:
        self._cgroup_procs = self._cgroup_dir = ""
        limit = self.mem_limit
        if not limit:
            return
        base, version = self._memory_cgroup_base()
        if not base:
            self.log.warning(
                "memory limit %s for %s NOT enforced: no control group available to the hub "
                "(use SystemdSpawner on a systemd machine)",
                limit,
                self.user.name,
            )
            return
        folder = Path(base) / f"healthlab-{self.unix_name(self.user.name)}"
        try:
            if version == "v2":
                Path(base).mkdir(exist_ok=True)
                control = Path(base, "cgroup.subtree_control")
                if "memory" not in control.read_text().split():
                    Path("/sys/fs/cgroup/cgroup.subtree_control").write_text("+memory")
                    control.write_text("+memory +pids")
                folder.mkdir(exist_ok=True)
                (folder / "memory.max").write_text(str(int(limit)))
                (folder / "memory.swap.max").write_text("0")
                (folder / "pids.max").write_text(str(self.tasks_limit or "max"))
            else:
                folder.mkdir(exist_ok=True)
                (folder / "memory.limit_in_bytes").write_text(str(int(limit)))
        except OSError as exc:
            self.log.warning(
                "memory limit for %s NOT enforced: cannot make %s (%s)", self.user.name, folder, exc
            )
            return
        self._cgroup_dir = str(folder)
        self._cgroup_procs = str(folder / "cgroup.procs")
        self.log.info("memory limit %s for %s in %s", limit, self.user.name, folder)

    async def start(self):
        self.ensure_account()
        self._make_cgroup()
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._cgroup_dir:
            try:
                os.rmdir(self._cgroup_dir)  # fails harmlessly while a process is still in it
            except OSError:
                pass


try:  # SystemdSpawner is installed with the hub; import it only where it is used
    from systemdspawner import SystemdSpawner as _Systemd
except ImportError:  # pragma: no cover
    _Systemd = None

if _Systemd is not None:

    class SystemdSpawner(_Course, _Systemd):
        """One systemd unit per user: systemd enforces memory, CPU and process limits."""

        def get_env(self):
            return self.course_env(super().get_env())

        async def start(self):
            self.ensure_account()
            return await super().start()
