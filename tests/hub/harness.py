"""A real JupyterHub for the hub tests and the load check: installed by deploy/install.sh, started
from the configuration it writes, with real Unix accounts, on 127.0.0.1 only.

Used by ``tests/hub/test_hub.py`` and ``deploy/bench_hub.py``. Everything it starts it stops, and
every account it makes it deletes (:meth:`Hub.close`).

The shared course environment is cached between runs in ``HEALTHLAB_HUB_PREFIX`` (default
``/var/cache/healthlab-hub-test``): the installer skips what is already there, so a second run
takes seconds instead of minutes. Everything else (configuration, hub database, course folder,
exchange, accounts) is new for each run and removed afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"
PREFIX = Path(os.environ.get("HEALTHLAB_HUB_PREFIX", "/var/cache/healthlab-hub-test"))
COURSE_ID = "ai-in-healthcare"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_run() -> tuple[bool, str]:
    """Whether a real hub with real accounts can run here, and why not."""
    if os.name != "posix" or os.geteuid() != 0:
        return False, "needs root (real Unix accounts and a hub that switches to them)"
    for tool in ("useradd", "userdel", "runuser", "chpasswd", "npm", "apt-get"):
        if shutil.which(tool) is None:
            return False, f"needs {tool} (a Debian or Ubuntu machine)"
    if not Path("/usr/bin/python3").exists():
        return False, "needs /usr/bin/python3"
    return True, ""


def run(
    cmd: list[str], *, check: bool = True, timeout: float = 600, **kw
) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
        )
    return result


@dataclass
class Account:
    name: str
    password: str
    token: str = ""

    @property
    def home(self) -> Path:
        import pwd

        return Path(pwd.getpwnam(self.name).pw_dir)


@dataclass
class Hub:
    """One hub: its folders, its accounts, its processes."""

    root: Path
    url: str
    admin_token: str
    teacher: Account
    students: list[Account]
    settings: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    install_log: str = ""
    install_seconds: float = 0.0
    _accounts: list[str] = field(default_factory=list)
    _lock: Any = None

    # -- paths --------------------------------------------------------------------------------
    @property
    def course_dir(self) -> Path:
        return Path(self.settings["COURSE_DIR"])

    @property
    def exchange(self) -> Path:
        return Path(self.settings["EXCHANGE"])

    @property
    def config_dir(self) -> Path:
        return self.root / "etc"

    @property
    def venv(self) -> Path:
        return PREFIX / "venv"

    # -- the hub's REST API, as the test's admin service ----------------------------------------
    def api(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"token {token or self.admin_token}"}
        return requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kw
        )

    def user_token(self, name: str, scopes: list[str] | None = None) -> str:
        body: dict[str, Any] = {"note": "hub test", "expires_in": 3600}
        if scopes is not None:
            body["scopes"] = scopes
        r = self.api("POST", f"/users/{name}/tokens", json=body)
        r.raise_for_status()
        return r.json()["token"]

    def start_server(self, name: str, timeout: float = 240) -> float:
        """Start a user's server and wait until it answers; seconds taken."""
        began = time.monotonic()
        r = self.api("POST", f"/users/{name}/server")
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"start {name}: {r.status_code} {r.text}")
        while time.monotonic() - began < timeout:
            info = self.api("GET", f"/users/{name}").json()
            server = info.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - began
            if not info.get("pending") and not server:
                raise RuntimeError(f"{name}'s server stopped while starting:\n{self.log_tail()}")
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server not ready after {timeout} s:\n{self.log_tail()}")

    def stop_server(self, name: str, timeout: float = 60) -> None:
        self.api("DELETE", f"/users/{name}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.api("GET", f"/users/{name}").json()
            if not info.get("servers") and not info.get("pending"):
                return
            time.sleep(0.5)

    def user_request(self, account: Account, method: str, path: str, **kw) -> requests.Response:
        """A request to ``/user/<name>/<path>`` with the account's own token."""
        headers = {"Authorization": f"token {account.token}"}
        return requests.request(
            method, f"{self.url}/user/{account.name}/{path.lstrip('/')}", headers=headers,
            timeout=kw.pop("timeout", 120), allow_redirects=False, **kw,
        )  # fmt: skip

    def as_user(self, name: str, *command: str, check: bool = True, timeout: float = 900, env=None):
        """Run a command as one of the hub's accounts (login-like environment)."""
        base = {
            "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin",
            "HEALTHLAB_EXCHANGE": str(self.exchange),
            "LANG": "C.UTF-8",
        }
        base.update(env or {})
        envs = [f"{k}={v}" for k, v in base.items()]
        return run(
            ["runuser", "-u", name, "--", "env", "-i", f"HOME={Path('~' + name).expanduser()}",
             f"USER={name}", *envs, *command],
            check=check, timeout=timeout, cwd="/",
        )  # fmt: skip

    def log_tail(self, chars: int = 6000) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-chars:]
        return ""

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, timeout: float = 180) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
        env["PATH"] = (
            f"{self.venv / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        )
        env.pop("PYTHONPATH", None)
        self.log_path = self.root / "hub.log"
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(self.venv / "bin" / "jupyterhub"), "-f", str(self.config_dir / "jupyterhub_config.py")],
            cwd=self.settings["STATE_DIR"], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self.api(
                    "GET", "/services/ai-in-healthcare"
                ).status_code == 200 and requests.get(
                    f"{self.url}/services/{COURSE_ID}/api/status", timeout=5
                ).status_code in (200, 302, 403):
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise TimeoutError(f"the hub did not start in {timeout} s:\n{self.log_tail()}")

    def close(self) -> None:
        """Stop every server and the hub, then delete the accounts and folders."""
        if self.process and self.process.poll() is None:
            for account in [self.teacher, *self.students]:
                try:
                    self.api("DELETE", f"/users/{account.name}/server", timeout=10)
                except Exception:
                    pass
            time.sleep(2)
            # The hub stops its services one after the other, each after a grace period;
            # stop them (by process id: the proxy, formgrader, the idle culler) first.
            import psutil

            children = psutil.Process(self.process.pid).children(recursive=True)
            for child in children:
                try:
                    child.terminate()
                except psutil.Error:
                    pass
            psutil.wait_procs(children, timeout=15)
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            for child in children:
                try:
                    child.kill()
                except psutil.Error:
                    pass
        kill_processes_of(self._accounts)
        for name in self._accounts:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None


class _Lock:
    """A machine-wide lock, re-entrant within one process."""

    held = 0
    handle = None

    def __init__(self):
        import fcntl

        if _Lock.held == 0:
            _Lock.handle = open("/var/lock/healthlab-hub-test.lock", "w")
            fcntl.flock(_Lock.handle, fcntl.LOCK_EX)
        _Lock.held += 1
        self.open = True

    def close(self):
        if self.open:
            self.open = False
            _Lock.held -= 1
            if _Lock.held == 0 and _Lock.handle is not None:
                _Lock.handle.close()
                _Lock.handle = None


def processes_of(names: list[str]) -> list[int]:
    """Process ids running as any of these accounts (from /proc)."""
    import pwd

    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def kill_processes_of(names: list[str]) -> None:
    """Stop, by process id, whatever the test's accounts still run (servers, kernels)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = processes_of(names)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        if pids:
            time.sleep(1.5)


def create_account(name: str, groups: list[str]) -> Account:
    password = secrets.token_urlsafe(12)
    run(["useradd", "--create-home", "--shell", "/bin/bash", "-G", ",".join(groups), name])
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return Account(name, password)


def install_and_start(
    n_students: int = 3,
    *,
    mem_limit: str = "1G",
    tasks_limit: int = 512,
    start: bool = True,
    authenticator: str = "pam",
) -> Hub:
    """Install with deploy/install.sh (temporary config, course, exchange), make the accounts,
    start the hub. The caller must call :meth:`Hub.close`."""
    # One hub test at a time on a machine (they share the course's Unix groups); a process may
    # run two hubs at once (the PAM hub and the Native one of test_hub.py).
    lock = _Lock()
    tag = uuid.uuid4().hex[:5]
    root = Path(tempfile.mkdtemp(prefix=f"hl-hub-{tag}-", dir="/var/tmp"))
    root.chmod(0o755)  # the accounts must reach the exchange and course folders inside it
    teacher_name = f"hlt-teacher-{tag}"
    students_group, teachers_group = f"{COURSE_ID}-students", f"{COURSE_ID}-teachers"
    accounts: list[str] = []
    hub = None
    try:
        for group in (students_group, teachers_group):
            run(["groupadd", "-f", "--system", group])
        teacher = create_account(teacher_name, [teachers_group])
        accounts.append(teacher.name)
        students = []
        for i in range(n_students):
            name = f"hlt-s{i + 1:02d}-{tag}"
            if authenticator == "firstuse":  # they sign up on the hub; the hub makes the account
                students.append(Account(name, secrets.token_urlsafe(12)))
                accounts.append(f"jupyter-{name}")
            else:
                students.append(create_account(name, [students_group]))
                accounts.append(name)
        port = free_port()
        settings = {
            "PREFIX": str(PREFIX),
            "CONFIG_DIR": str(root / "etc"),
            "STATE_DIR": str(root / "state"),
            "COURSE_DIR": str(root / "course"),
            "EXCHANGE": str(root / "exchange"),
            "TEACHERS": teacher.name,
            "HUB_IP": "127.0.0.1",
            "HUB_PORT": str(port),
            "SERVICE_PORT": str(free_port()),
            "MEM_LIMIT": mem_limit,
            "TASKS_LIMIT": str(tasks_limit),
            "PROFILE_D": "no",
            "SERVICE": "no",
            "AUTHENTICATOR": authenticator,
            "SPAWNER": "local",
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        env.update(settings)
        began = time.monotonic()
        installed = run(["bash", str(INSTALL)], env=env, timeout=1500)
        seconds = time.monotonic() - began
        admin_token = secrets.token_hex(24)
        # The test's own admin: a hub service with a known token, added through the drop-in
        # folder a school uses for its own additions. Free ports for the hub's internal APIs.
        extra = root / "etc" / "jupyterhub_config.d" / "90-test.py"
        extra.write_text(
            f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{free_port()}'\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'\n"
            "c.JupyterHub.services.append({'name': 'test-admin', 'api_token': %r})\n"
            "c.JupyterHub.load_roles.append({'name': 'test-admin', 'services': ['test-admin'],\n"
            "    'scopes': ['admin:users', 'admin:servers', 'tokens', 'list:services',\n"
            "               'read:services', 'list:groups', 'read:groups']})\n"
            "c.JupyterHub.log_level = 'INFO'\n" % admin_token
        )
        hub = Hub(
            root=root,
            url=f"http://127.0.0.1:{port}",
            admin_token=admin_token,
            teacher=teacher,
            students=students,
            settings={**settings, **_read_env(root / "etc" / "ai-in-healthcare.env")},
            install_log=installed.stdout + installed.stderr,
            install_seconds=seconds,
            _accounts=accounts,
            _lock=lock,
        )
        if start:
            hub.start()
        return hub
    except BaseException:
        if hub is not None:
            hub.close()
        else:
            for name in accounts:
                subprocess.run(["userdel", "--remove", name], capture_output=True)
            shutil.rmtree(root, ignore_errors=True)
            lock.close()
        raise


def _read_env(path: Path) -> dict[str, str]:
    import shlex

    out = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            out[key] = " ".join(shlex.split(value))
    return out


def login(hub: Hub, account: Account) -> requests.Session:
    """Log in through the hub's login page (PAM checks the account's password)."""
    session = requests.Session()
    page = session.get(f"{hub.url}/hub/login", timeout=30)
    page.raise_for_status()
    xsrf = session.cookies.get("_xsrf", "")
    r = session.post(
        f"{hub.url}/hub/login",
        data={"username": account.name, "password": account.password, "_xsrf": xsrf},
        allow_redirects=False, timeout=60,
    )  # fmt: skip
    session.login_status = r.status_code  # type: ignore[attr-defined]
    return session


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1, default=str)[:3000]


class KernelError(RuntimeError):
    """The kernel died or did not answer (not an error raised by the code it ran)."""


def start_kernel(hub: Hub, account: Account) -> str:
    r = hub.user_request(account, "POST", "api/kernels", json={"name": "python3"})
    r.raise_for_status()
    return r.json()["id"]


def execute(hub: Hub, account: Account, kernel_id: str, code: str, timeout: float = 120) -> dict:
    """Run code in a user's kernel through the hub's proxy (websocket), as that user.

    Returns ``{"stdout": ..., "error": ename or None, "status": "ok"|"error"}``. Raises
    :class:`KernelError` if the kernel dies (e.g. out of memory) or does not finish in time.
    """
    import websocket

    ws_url = hub.url.replace("http://", "ws://") + (
        f"/user/{account.name}/api/kernels/{kernel_id}/channels"
    )
    ws = websocket.create_connection(
        ws_url, header=[f"Authorization: token {account.token}"], timeout=timeout
    )
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": account.name,
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))  # fmt: skip
    out: dict[str, Any] = {"stdout": "", "error": None, "status": None}
    deadline = time.monotonic() + timeout
    idle = replied = False
    try:
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise KernelError(f"no answer in {timeout} s")
            ws.settimeout(max(1.0, deadline - time.monotonic()))
            try:
                msg = json.loads(ws.recv())
            except websocket.WebSocketConnectionClosedException as exc:
                raise KernelError("the kernel's connection closed") from exc
            kind = msg.get("msg_type") or msg["header"]["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") in ("restarting", "dead"):
                raise KernelError(f"kernel {msg['content']['execution_state']}")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "stream":
                out["stdout"] += msg["content"].get("text", "")
            elif kind == "error":
                out["error"] = msg["content"].get("ename")
            elif kind == "execute_reply":
                out["status"] = msg["content"].get("status")
                replied = True
            elif kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
    finally:
        ws.close()
    return out


def kernel_alive(hub: Hub, account: Account, kernel_id: str) -> dict:
    r = hub.user_request(account, "GET", f"api/kernels/{kernel_id}")
    return {"status": r.status_code, **(r.json() if r.ok else {})}
