#!/usr/bin/env bash
# Make student (or teacher) accounts for the course from a class list, as root.
#
#   sudo deploy/add-users.sh class-list.txt              # students
#   sudo deploy/add-users.sh --teachers staff.txt        # teachers (then re-run install.sh)
#
# class-list.txt: one user name a line (lower-case letters, digits, . _ -; # starts a comment).
# A new account gets a random password; all new passwords are written to a file only root can
# read (printed at the end) to hand out. An account that exists already keeps its password and
# is only added to the course's group, so running this again is harmless.
set -euo pipefail
CONFIG_DIR="${CONFIG_DIR:-/etc/jupyterhub}"
COURSE_ID="$(sed -n 's/^COURSE_ID=//p' "$CONFIG_DIR/ai-in-healthcare.env" 2>/dev/null || true)"
COURSE_ID="${COURSE_ID:-ai-in-healthcare}"
role=students
if [ "${1:-}" = --teachers ]; then role=teachers; shift; fi
list="${1:?usage: add-users.sh [--teachers] class-list.txt}"
[ "$(id -u)" = 0 ] || { echo "run me as root" >&2; exit 1; }
group="$COURSE_ID-$role"
getent group "$group" >/dev/null || groupadd --system "$group"
out="/root/$COURSE_ID-$role-passwords-$(date +%Y%m%d-%H%M%S).csv"
umask 077
made=0
while IFS= read -r line || [ -n "$line" ]; do
  name="$(printf '%s' "${line%%#*}" | tr -d '[:space:]')"
  [ -z "$name" ] && continue
  if ! [[ "$name" =~ ^[a-z][a-z0-9._-]{0,31}$ ]]; then
    echo "skipped '$name': use lower-case letters, digits, . _ - (32 at most), starting with a letter" >&2
    continue
  fi
  if id "$name" >/dev/null 2>&1; then
    usermod -aG "$group" "$name"
    echo "exists: $name (added to $group)"
  else
    useradd --create-home --shell /bin/bash -G "$group" "$name"
    password="$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | cut -c1-12)"
    printf '%s:%s\n' "$name" "$password" | chpasswd
    printf '%s,%s\n' "$name" "$password" >> "$out"
    made=$((made + 1))
  fi
  home="$(getent passwd "$name" | cut -d: -f6)"
  [ -d "$home" ] && chmod 700 "$home"
done < "$list"
if [ "$made" -gt 0 ]; then
  echo "$made new account(s); their passwords are in $out (readable by root only)"
fi
if [ "$role" = teachers ]; then
  echo "teachers reach formgrader after the hub restarts: sudo systemctl restart jupyterhub-ai-in-healthcare"
fi
