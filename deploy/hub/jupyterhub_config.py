"""JupyterHub configuration for the AI in Healthcare course (installed by deploy/install.sh).

Do not edit this copy: it is replaced by every run of the installer. Change a setting by running
the installer again with it (e.g. ``sudo MEM_LIMIT=3G deploy/install.sh``), or put your own
additions in ``jupyterhub_config.d/*.py`` beside this file (read last, in name order).

Who is who: members of the Unix group ``<course>-teachers`` are teachers, members of
``<course>-students`` are students; nobody else can log in (PAM). Teachers reach formgrader, a
hub service that runs as the course owner in the course folder; students cannot (403).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from healthlab_hub import group_members, read_settings  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub
S = read_settings(HERE)

PREFIX = Path(S["PREFIX"])
VENV = PREFIX / "venv"
COURSE = S["COURSE_ID"]
STATE = Path(S["STATE_DIR"])
TEACHERS_GROUP, STUDENTS_GROUP = f"{COURSE}-teachers", f"{COURSE}-students"
teachers = group_members(TEACHERS_GROUP)
students = [name for name in group_members(STUDENTS_GROUP) if name not in teachers]
first_use = S.get("AUTHENTICATOR", "pam") == "firstuse"

# -- the hub itself ----------------------------------------------------------------------------
c.JupyterHub.bind_url = f"http://{S['HUB_IP']}:{S['HUB_PORT']}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:8081"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:8001"
c.ConfigurableHTTPProxy.command = [str(PREFIX / "node" / "bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# Restarting the hub (e.g. after a course update) does not stop students' servers.
c.JupyterHub.cleanup_servers = False
c.JupyterHub.cleanup_proxy = True

# -- who can log in ----------------------------------------------------------------------------
if first_use:
    # A school without a directory: a teacher adds students' names on the hub's admin page
    # (/hub/admin, "Add Users"); each chooses a password at their first login. Adding users
    # needs hub admin, so teachers are admins in this mode. (NativeAuthenticator 1.3.0, the
    # newest, fails every login under JupyterHub 6.)
    c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
    c.FirstUseAuthenticator.create_users = False  # only names a teacher added
    c.FirstUseAuthenticator.min_password_length = 8
    c.FirstUseAuthenticator.dbm_path = str(STATE / "passwords.dbm")
    c.Authenticator.admin_users = set(teachers)
else:
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {TEACHERS_GROUP, STUDENTS_GROUP}
    c.PAMAuthenticator.open_sessions = False

# -- each user's server ---------------------------------------------------------------------------
spawner = S.get("SPAWNER", "local")
if spawner == "systemd":
    c.JupyterHub.spawner_class = "healthlab_hub.SystemdSpawner"
    c.SystemdSpawner.cpu_limit = float(S["CPU_LIMIT"])
    c.SystemdSpawner.isolate_tmp = True
    c.SystemdSpawner.isolate_devices = True
    c.SystemdSpawner.disable_user_sudo = True
    c.SystemdSpawner.unit_extra_properties = {"TasksMax": S["TASKS_LIMIT"]}
    if first_use:
        c.SystemdSpawner.username_template = "jupyter-{USERNAME}"
else:
    c.JupyterHub.spawner_class = "healthlab_hub.LocalSpawner"
    c.LocalSpawner.tasks_limit = int(S["TASKS_LIMIT"])
c.Spawner.mem_limit = S["MEM_LIMIT"]
c.Spawner.cpu_limit = float(S["CPU_LIMIT"])  # enforced by SystemdSpawner only
for cls in ("LocalSpawner", "SystemdSpawner"):
    c[cls].prefix = str(PREFIX)
    c[cls].teachers_group = TEACHERS_GROUP
    c[cls].students_group = STUDENTS_GROUP
    c[cls].hub_only_accounts = "yes" if first_use else ""
# The start script brings the student's own copy of the course (~/my-course) up to date (new
# lessons added, untouched ones updated, edited ones never changed) and starts JupyterLab with
# the settings of the user's role (students: nbgrader's assignment list and Validate only).
c.Spawner.cmd = [str(PREFIX / "bin" / "healthlab-singleuser")]
c.Spawner.default_url = "/lab/tree/my-course/README.md"
c.Spawner.environment = {"HEALTHLAB_EXCHANGE": S["EXCHANGE"]}
c.Spawner.start_timeout = 180  # 30 students logging in at once on a small server
c.Spawner.http_timeout = 120
# A user's server token may read its own groups and find the course's formgrader service
# (the teacher's course list); each user gets only those of these they hold themselves.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
    "list:services",
    f"read:services!service={COURSE}",
]

# -- roles: teachers and students -------------------------------------------------------------------
# nbgrader's convention: formgrade-<course> may open the course's formgrader service,
# nbgrader-<course> are its students.
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": teachers},
    f"nbgrader-{COURSE}": {"users": students},
}
c.JupyterHub.load_roles = [
    {
        "name": f"formgrade-{COURSE}",
        "description": "Teachers: the course's formgrader, and starting or stopping servers",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [
            f"access:services!service={COURSE}",
            "list:services",
            f"read:services!service={COURSE}",
            "admin-ui",
            "list:users",
            "read:users",
            "admin:servers",
        ],
    },
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
]

# -- formgrader: a hub service, running as the course owner in the course folder -----------------------
# Opened as a page of its own at /services/<course>/formgrader. Inside JupyterLab's tab it would
# be blank: JupyterHub 4.1+ forbids framing a server's pages (Content-Security-Policy
# frame-ancestors 'none'; nbgrader #1870, #1919), and re-allowing frames would undo that
# protection for every user. The teacher's own JupyterLab links here instead.
c.JupyterHub.services = [
    {
        "name": COURSE,
        "display": True,
        "info": {"description": "formgrader: mark and return the course's assignments"},
        "url": f"http://127.0.0.1:{S['SERVICE_PORT']}",
        "command": [str(PREFIX / "bin" / "healthlab-singleuser")],
        "user": S["COURSE_OWNER"],
        "cwd": S["COURSE_DIR"],
        "environment": {
            "HEALTHLAB_EXCHANGE": S["EXCHANGE"],
            "HEALTHLAB_COURSE_DIR": S["COURSE_DIR"],
            "HEALTHLAB_ROLE": "grader",
        },
        "oauth_no_confirm": True,
    },
    {
        "name": "idle-culler",
        "command": [
            str(VENV / "bin" / "python"),
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={int(S['IDLE_TIMEOUT'])}",
        ],
    },
]

# -- a school's own additions -------------------------------------------------------------------------
for extra in sorted((HERE / "jupyterhub_config.d").glob("*.py")):
    exec(compile(extra.read_text(encoding="utf-8"), str(extra), "exec"))
