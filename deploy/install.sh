#!/usr/bin/env bash
# Install, or update, the AI in Healthcare course on a JupyterHub server: one command, as root.
#
#   sudo TEACHERS="mrs.khan" deploy/install.sh
#
# Run it again after `git pull` to update the course; it keeps every setting it was given before
# (saved in $CONFIG_DIR/ai-in-healthcare.env), every student's work and the teacher's course folder.
# It is safe to run as often as you like: each step checks first and does only what is missing.
#
# Settings (environment variables; the defaults suit one school server). See deploy/README.md.
#   TEACHERS        teacher accounts, space separated (created if missing); the first owns the course
#   AUTHENTICATOR   pam (the server's own accounts: default) or firstuse (a teacher adds names on
#                   the hub's admin page; each student chooses a password at first login; their
#                   servers run as Unix accounts jupyter-<name>, made on first start)
#   SPAWNER         auto (systemd when systemd runs the machine, else local), systemd, local
#   MEM_LIMIT CPU_LIMIT TASKS_LIMIT   per student: 2G, 1 (core), 512 (processes and threads)
#   HUB_IP HUB_PORT where the hub listens (0.0.0.0 : 8000); put HTTPS in front (deploy/README.md)
#   PREFIX          the shared course environment (/opt/ai-in-healthcare), readable by everyone
#   COURSE_DIR      the teacher's nbgrader course folder (/srv/ai-in-healthcare), private to them
#   EXCHANGE        nbgrader's exchange (/srv/nbgrader/exchange), 1777
#   CONFIG_DIR      the hub's configuration (/etc/jupyterhub); STATE_DIR its database (/var/lib/jupyterhub)
#   SERVICE         auto (install, enable and (re)start the systemd unit when systemd runs), yes, no
#   APT             auto (install missing Debian packages), no (fail if one is missing)
set -euo pipefail
umask 022

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
say() { printf '\033[1m[ai-in-healthcare]\033[0m %s\n' "$*"; }
die() { printf '[ai-in-healthcare] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run me as root (sudo $0)"
[ -f "$REPO/binder/requirements.txt" ] && [ -d "$REPO/notebooks" ] \
  || die "run me from a copy of the course repository (deploy/install.sh inside it)"

CONFIG_DIR="${CONFIG_DIR:-/etc/jupyterhub}"
SETTINGS="$CONFIG_DIR/ai-in-healthcare.env"
KEYS="PREFIX COURSE_DIR EXCHANGE STATE_DIR TEACHERS COURSE_OWNER AUTHENTICATOR SPAWNER
      MEM_LIMIT CPU_LIMIT TASKS_LIMIT IDLE_TIMEOUT HUB_IP HUB_PORT SERVICE_PORT PROFILE_D UNIT_NAME"
# Settings given before are kept unless given again.
if [ -f "$SETTINGS" ]; then
  for key in $KEYS; do
    if [ -z "${!key+set}" ]; then
      value="$(sed -n "s/^$key=//p" "$SETTINGS" | tail -n 1)"
      [ -n "$value" ] && printf -v "$key" '%s' "$(eval "printf '%s' $value")"
    fi
  done
fi
PREFIX="${PREFIX:-/opt/ai-in-healthcare}"
COURSE_DIR="${COURSE_DIR:-/srv/ai-in-healthcare}"
EXCHANGE="${EXCHANGE:-/srv/nbgrader/exchange}"
STATE_DIR="${STATE_DIR:-/var/lib/jupyterhub}"
# The nbgrader course id: the one in assignments/nbgrader_config.py (not a setting).
COURSE_ID=ai-in-healthcare
TEACHERS="${TEACHERS:-}"
AUTHENTICATOR="${AUTHENTICATOR:-pam}"
SPAWNER="${SPAWNER:-auto}"
MEM_LIMIT="${MEM_LIMIT:-2G}"
CPU_LIMIT="${CPU_LIMIT:-1}"
TASKS_LIMIT="${TASKS_LIMIT:-512}"
IDLE_TIMEOUT="${IDLE_TIMEOUT:-3600}"
HUB_IP="${HUB_IP:-0.0.0.0}"
HUB_PORT="${HUB_PORT:-8000}"
SERVICE_PORT="${SERVICE_PORT:-10101}"
PROFILE_D="${PROFILE_D:-/etc/profile.d}"
UNIT_NAME="${UNIT_NAME:-jupyterhub-ai-in-healthcare}"
SERVICE="${SERVICE:-auto}"
APT="${APT:-auto}"
STUDENTS_GROUP="$COURSE_ID-students"
TEACHERS_GROUP="$COURSE_ID-teachers"
VENV="$PREFIX/venv"
UV_VERSION=0.13.9  # the same as the Makefile's (tests/unit/test_pins.py checks)

case "$AUTHENTICATOR" in pam|firstuse) ;; *) die "AUTHENTICATOR must be pam or firstuse";; esac
systemd_runs() { [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; }
if [ "$SPAWNER" = auto ]; then
  if systemd_runs; then SPAWNER=systemd; else SPAWNER=local; fi
fi
case "$SPAWNER" in systemd|local) ;; *) die "SPAWNER must be auto, systemd or local";; esac
if [ "$SPAWNER" = systemd ] && ! systemd_runs; then die "SPAWNER=systemd needs systemd (PID 1)"; fi

# -- 1. Debian packages --------------------------------------------------------------------------
need=()
for pkg in python3 python3-venv bubblewrap; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
# Node: Debian's nodejs and npm, unless a Node with npm is installed already (e.g. NodeSource's).
if ! command -v npm >/dev/null 2>&1; then need+=(nodejs npm); fi
if [ "${#need[@]}" -gt 0 ]; then
  [ "$APT" = no ] && die "missing Debian packages: ${need[*]} (APT=no)"
  say "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
PY=/usr/bin/python3
"$PY" -c 'import sys; assert sys.version_info >= (3, 10), sys.version' \
  || die "Python 3.10 or newer is needed as /usr/bin/python3"

# -- 2. Accounts: the course's two Unix groups and the teachers -----------------------------------
for group in "$STUDENTS_GROUP" "$TEACHERS_GROUP"; do
  getent group "$group" >/dev/null || groupadd --system "$group"
done
for teacher in $TEACHERS; do
  if ! id "$teacher" >/dev/null 2>&1; then
    say "creating the teacher account $teacher (give it a password: passwd $teacher)"
    useradd --create-home --shell /bin/bash "$teacher"
  fi
  id -nG "$teacher" | tr ' ' '\n' | grep -qx "$TEACHERS_GROUP" || usermod -aG "$TEACHERS_GROUP" "$teacher"
  home="$(getent passwd "$teacher" | cut -d: -f6)"
  [ -d "$home" ] && chmod go-rwx "$home"
done
COURSE_OWNER="${COURSE_OWNER:-${TEACHERS%% *}}"
[ -n "$COURSE_OWNER" ] || die "say who teaches: TEACHERS=\"name\" $0 (the first teacher owns the course folder)"
id "$COURSE_OWNER" >/dev/null 2>&1 || die "no account called $COURSE_OWNER"

# -- 3. The shared course environment, from Debian's python3 (readable by every account) ----------
mkdir -p "$PREFIX" "$PREFIX/bin" "$PREFIX/etc"
chmod 755 "$PREFIX" "$PREFIX/bin" "$PREFIX/etc"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  say "creating the course environment in $VENV"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
# Packages are installed with uv (from PyPI, pinned as in the Makefile): several times faster
# than pip, with the same pinned versions; --compile-bytecode as pip does, or every kernel
# start would compile pandas. (An environment made by an older install.sh gets it here too.)
case "$("$VENV/bin/uv" --version 2>/dev/null)" in
  "uv $UV_VERSION"*) ;;
  *) "$VENV/bin/python" -m pip install --disable-pip-version-check -q "uv==$UV_VERSION" ;;
esac
REQS="$PREFIX/etc/requirements.txt"
"$PY" - "$REPO/binder/requirements.txt" "$HERE/requirements-hub.txt" "$HERE/python-compat.txt" > "$REQS.new" <<'EOF'
import re, sys
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
def lines(path):
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            yield norm(re.split(r"[=<>!~; ]", line, maxsplit=1)[0]), line
compat = {}
for name, line in lines(sys.argv[3]):
    compat.setdefault(name, []).append(line)
seen = set()
for path in sys.argv[1:3]:
    for name, line in lines(path):
        if name in seen:
            continue
        seen.add(name)
        print("\n".join(compat.get(name, [line])))
EOF
mv "$REQS.new" "$REQS"
stamp="$( (cat "$REQS" "$REPO/binder/excludes.txt"; "$VENV/bin/python" -V) | sha256sum | cut -c1-16)"
if [ "$(cat "$VENV/.requirements-stamp" 2>/dev/null)" != "$stamp" ]; then
  say "installing the course's pinned packages and JupyterHub (a minute or two the first time)"
  # binder/excludes.txt: left out on purpose although a dependency asks for them; they slow
  # every start of JupyterHub's servers and of nbgrader by about 1.7 s (that file says why).
  "$VENV/bin/uv" pip install --quiet --compile-bytecode --python "$VENV/bin/python" \
    --excludes "$REPO/binder/excludes.txt" -r "$REQS"
  echo "$stamp" > "$VENV/.requirements-stamp"
fi
# The course package itself, non-editable (students need not read the repository), no deps.
pkg_stamp="$(cd "$REPO" && find pyproject.toml src datasets -type f ! -name '*.pyc' -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
if [ "$(cat "$VENV/.course-stamp" 2>/dev/null)" != "$pkg_stamp" ]; then
  say "installing the healthlab package"
  build="$(mktemp -d)"
  (cd "$REPO" && tar cf - --exclude='__pycache__' pyproject.toml README.md LICENSE LICENSE-CONTENT.md src datasets) \
    | tar xf - -C "$build"
  "$VENV/bin/uv" pip install --quiet --compile-bytecode --python "$VENV/bin/python" \
    --no-deps --reinstall "$build"
  rm -rf "$build"
  echo "$pkg_stamp" > "$VENV/.course-stamp"
fi
mkdir -p "$VENV/share/jupyter/lab/settings"
cp "$REPO/binder/overrides.json" "$VENV/share/jupyter/lab/settings/overrides.json"

# -- 4. configurable-http-proxy (npm), pinned ------------------------------------------------------
CHP="$PREFIX/node/bin/configurable-http-proxy"
if [ "$("$CHP" --version 2>/dev/null)" != "5.3.0" ]; then
  say "installing configurable-http-proxy 5.3.0"
  npm install --global --prefix "$PREFIX/node" --no-fund --no-audit --loglevel=error configurable-http-proxy@5.3.0
fi

# -- 5. What students get: the student material (the lab command's workspace is built from it) ----
# Only what healthlab.workspace copies: lessons, course home, glossary, data cards and data. No
# teacher notes, no assignment sources.
sh "$HERE/hub/student-content.sh" "$REPO" "$PREFIX/course"

# -- 6. Jupyter settings per role, and nbgrader's settings for everyone -----------------------------
"$PY" "$HERE/hub/write_jupyter_config.py" "$PREFIX/etc" "$VENV" "$COURSE_ID" "$EXCHANGE"
install -m 755 "$HERE/hub/singleuser.sh" "$PREFIX/bin/healthlab-singleuser"
rm -f "$PREFIX/bin/healthlab-formgrader"  # (older installs)

# -- 7. nbgrader's exchange and the teacher's course folder ----------------------------------------
mkdir -p "$EXCHANGE"
chown root:root "$EXCHANGE"; chmod 1777 "$EXCHANGE"
# The course's own folders in the exchange are made now, by the teacher's account, so that no
# student can make them first (they would own the inbox). Modes as nbgrader's release makes them.
course_x="$EXCHANGE/$COURSE_ID"
if [ ! -d "$course_x" ] || [ "$(stat -c %U "$course_x")" != "$COURSE_OWNER" ]; then
  [ -e "$course_x" ] && { say "moving aside $course_x (not made by $COURSE_OWNER)"; mv "$course_x" "$course_x.suspect.$(date +%s)"; }
  runuser -u "$COURSE_OWNER" -- mkdir -m 755 "$course_x"
fi
runuser -u "$COURSE_OWNER" -- sh -c "cd '$course_x' && mkdir -p outbound inbound feedback \
  && chmod 755 outbound && chmod 2733 inbound && chmod 711 feedback"

mkdir -p "$(dirname "$COURSE_DIR")"
if [ ! -d "$COURSE_DIR" ]; then
  install -d -m 700 -o "$COURSE_OWNER" -g "$(id -gn "$COURSE_OWNER")" "$COURSE_DIR"
fi
[ "$(stat -c %U "$COURSE_DIR")" = "$COURSE_OWNER" ] || die "$COURSE_DIR is not owned by $COURSE_OWNER"
chmod 700 "$COURSE_DIR"
# Copied by the teacher's own account, never overwriting: the teacher's edits, gradebook and
# students' work stay. New files of a course update are added.
stage="$(mktemp -d)"; chmod 755 "$stage"
mkdir -p "$stage/course"
cp -r "$REPO/assignments/." "$stage/course/"
rm -rf "$stage/course"/{release,submitted,autograded,feedback,exchange,reports,gradebook.db}
[ -d "$REPO/notebooks/teacher-notes" ] && cp -r "$REPO/notebooks/teacher-notes" "$stage/course/teacher-notes"
chmod -R a+rX "$stage"
runuser -u "$COURSE_OWNER" -- cp -rn "$stage/course/." "$COURSE_DIR/"
changed="$(cd "$stage/course" && find . -type f -print0 | while IFS= read -r -d '' f; do
  runuser -u "$COURSE_OWNER" -- cmp -s "$f" "$COURSE_DIR/$f" || printf ' %s' "${f#./}"; done)"
rm -rf "$stage"
[ -n "$changed" ] && say "kept the teacher's own version of:$changed (the course's is in $REPO/assignments)"

# -- 8. The hub's configuration ----------------------------------------------------------------------
mkdir -p "$CONFIG_DIR" "$CONFIG_DIR/jupyterhub_config.d"
chmod 755 "$CONFIG_DIR"
install -d -m 700 "$STATE_DIR"
install -m 644 "$HERE/hub/jupyterhub_config.py" "$CONFIG_DIR/jupyterhub_config.py"
install -m 644 "$HERE/hub/healthlab_hub.py" "$CONFIG_DIR/healthlab_hub.py"
{
  echo "# Written by deploy/install.sh; change a setting by running it again with it set."
  for key in $KEYS; do printf '%s=%q\n' "$key" "${!key}"; done
  printf 'REPO=%q\nCOURSE_ID=%q\n' "$REPO" "$COURSE_ID"
} > "$SETTINGS.new"
chmod 644 "$SETTINGS.new"; mv "$SETTINGS.new" "$SETTINGS"

if [ "$PROFILE_D" != no ]; then
  cat > "$PROFILE_D/ai-in-healthcare.sh" <<EOF
# AI in Healthcare (deploy/install.sh): the course's commands and nbgrader's exchange in a login shell.
export HEALTHLAB_EXCHANGE="$EXCHANGE"
case ":\$PATH:" in *":$VENV/bin:"*) ;; *) export PATH="\$PATH:$VENV/bin";; esac
EOF
fi

# -- 9. The service -------------------------------------------------------------------------------
unit="$CONFIG_DIR/$UNIT_NAME.service"
sed -e "s|@VENV@|$VENV|g" -e "s|@PREFIX@|$PREFIX|g" -e "s|@CONFIG_DIR@|$CONFIG_DIR|g" \
    -e "s|@STATE_DIR@|$STATE_DIR|g" "$HERE/hub/jupyterhub.service" > "$unit"
if [ "$SERVICE" = yes ] || { [ "$SERVICE" = auto ] && systemd_runs; }; then
  install -m 644 "$unit" "/etc/systemd/system/$UNIT_NAME.service"
  systemctl daemon-reload
  systemctl enable "$UNIT_NAME" >/dev/null
  systemctl restart "$UNIT_NAME"
  say "the hub is running: systemctl status $UNIT_NAME"
else
  say "systemd unit written to $unit (not installed: SERVICE=$SERVICE)"
fi

# The repository holds the assignments' solutions: students should not be able to read it here.
if runuser -u nobody -- test -r "$REPO/assignments/source" 2>/dev/null; then
  say "note: every account can read $REPO, which holds the assignments' solutions:"
  say "  keep the repository in /root, or: chmod 700 $REPO"
fi
"$VENV/bin/python" -c "from healthlab.grading.sandbox import available; ok, why = available(); print('[ai-in-healthcare] grading sandbox:', why)" || true
say "done. Hub: http://$HUB_IP:$HUB_PORT/ ; teachers: $TEACHERS ; students: add them with"
say "  sudo $HERE/add-users.sh class-list.txt   (or useradd -m -G $STUDENTS_GROUP NAME)"
