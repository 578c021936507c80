"""Make the class roster for Zero to JupyterHub: one Unix uid per hub user, the same in every pod.

    python deploy/kubernetes/make-roster.py class-list.txt --teachers staff.txt > roster.yaml
    kubectl apply -n jhub -f roster.yaml

nbgrader's exchange keeps students apart with Unix permissions (an inbox they can write to but
not list, folders owned by who made them), and the course's collect takes a submission only from
the account that owns it. In Kubernetes every pod would otherwise run as the same uid (1000), so
all of that would be void. The roster gives each user a stable uid; config.yaml makes KubeSpawner
run each pod as it, and the image reads it (libnss-extrausers) so that names and uids agree.

An existing roster (--previous roster.yaml) keeps everyone's uid: never renumber a running class.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

FIRST_UID = 20000
NAME = re.compile(r"^[a-z][a-z0-9._-]{0,31}$")


def names(path: str) -> list[str]:
    out = []
    for line in open(path, encoding="utf-8"):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if not NAME.match(name):
            raise SystemExit(f"not a usable account name: {name!r}")
        out.append(name)
    return out


def roster(students: list[str], teachers: list[str], previous: dict[str, int], course: str):
    uids = dict(previous)
    for name in [*teachers, *students]:
        if name not in uids:
            uids[name] = max([FIRST_UID - 1, *uids.values()]) + 1
    gid_students, gid_teachers = FIRST_UID - 2, FIRST_UID - 1
    passwd = [f"{n}:x:{u}:{u}::/home/jovyan:/bin/bash" for n, u in sorted(uids.items())]
    group = [f"{n}:x:{u}:" for n, u in sorted(uids.items())]
    group.append(f"{course}-students:x:{gid_students}:{','.join(sorted(students))}")
    group.append(f"{course}-teachers:x:{gid_teachers}:{','.join(sorted(teachers))}")
    return uids, "\n".join(passwd) + "\n", "\n".join(group) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("students")
    parser.add_argument("--teachers", required=True)
    parser.add_argument("--previous", help="the roster.yaml made last time (keeps uids)")
    parser.add_argument("--course", default="ai-in-healthcare")
    args = parser.parse_args(argv)
    previous = {}
    if args.previous:
        text = open(args.previous, encoding="utf-8").read()
        match = re.search(r"uids\.json: '(.*)'", text)
        previous = json.loads(match.group(1)) if match else {}
    uids, passwd, group = roster(names(args.students), names(args.teachers), previous, args.course)
    indent = lambda s: "\n".join("    " + line for line in s.splitlines())  # noqa: E731
    sys.stdout.write(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ai-in-healthcare-roster\ndata:\n"
        f"  uids.json: '{json.dumps(uids, sort_keys=True)}'\n"
        f"  passwd: |\n{indent(passwd)}\n  group: |\n{indent(group)}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
