#!/bin/sh
# The hub starts every user's JupyterLab with this, as that user (installed by deploy/install.sh
# as PREFIX/bin/healthlab-singleuser; also the start command of the Kubernetes image).
#
# Students and teachers (HEALTHLAB_ROLE=student or teacher, set by the hub):
# 1. their home folder is made private (no other account can read their work);
# 2. their own copy of the course, ~/my-course, is made on the first start and brought up to
#    date on every later one: `healthlab workspace update`, the builder the lab command uses
#    (lessons without outputs, no teacher material). New lessons are added and lessons they have
#    not touched are updated; a lesson they have edited is never changed;
# 3. JupyterLab starts in their home with their role's settings.
# The course's formgrader (HEALTHLAB_ROLE=grader, the course owner's account): JupyterLab in the
# course folder (HEALTHLAB_COURSE_DIR) with formgrader as its first page.
set -eu
PREFIX="$(cd "$(dirname "$0")/.." && pwd)"
umask 077
export JUPYTERLAB_SETTINGS_DIR="$HOME/.jupyter/lab/user-settings"
export JUPYTERLAB_WORKSPACES_DIR="$HOME/.jupyter/lab/workspaces"
export PATH="$PREFIX/venv/bin:$PATH"
unset MPLBACKEND
case "${HEALTHLAB_ROLE:-student}" in
  grader)
    root="${HEALTHLAB_COURSE_DIR:?HEALTHLAB_COURSE_DIR must name the course folder}"
    export JUPYTER_CONFIG_DIR="$PREFIX/etc/jupyter-grader"
    export JUPYTERHUB_DEFAULT_URL=/formgrader
    ;;
  *)
    if [ "${HEALTHLAB_ROLE:-student}" = teacher ]; then role=teacher; else role=student; fi
    chmod go-rwx "$HOME" 2>/dev/null || true
    WORKSPACE="${HEALTHLAB_WORKSPACE:-$HOME/my-course}"
    if ! healthlab workspace update --source "$PREFIX/course" --to "$WORKSPACE" >&2; then
      echo "healthlab-singleuser: could not update $WORKSPACE; starting anyway" >&2
    fi
    export JUPYTER_CONFIG_DIR="$PREFIX/etc/jupyter-$role"
    root="$HOME"
    ;;
esac
cd "$root"
exec "$PREFIX/venv/bin/jupyterhub-singleuser" --ServerApp.root_dir="$root" "$@"
