"""Binder's pins, the test pins and pyproject.toml must agree (issue 2).

Binder installs binder/requirements.txt; if a dependency were missing there, or pinned outside
the bounds pyproject.toml declares, a Binder launch would not be the environment the tests
passed in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def read_pins(path: Path) -> dict[str, Version]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", (
            f"{path.name}: {line!r} is not an exact pin"
        )
        pins[canonicalize_name(req.name)] = Version(specs[0].version)
    return pins


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
TEST = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]]


@pytest.mark.parametrize(
    ("requirement", "pin_file"),
    [(r, "binder/requirements.txt") for r in RUNTIME]
    + [(r, "tests/requirements.txt") for r in TEST],
    ids=str,
)
def test_every_dependency_is_pinned_within_its_bounds(requirement: Requirement, pin_file: str):
    pins = read_pins(ROOT / pin_file)
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{requirement.name} is a dependency but is not pinned in {pin_file}"
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"{pin_file} pins {requirement.name}=={pins[name]}, outside pyproject's {requirement.specifier}"
    )


def test_test_pins_do_not_repin_binder_packages():
    runtime, test = (
        read_pins(ROOT / "binder/requirements.txt"),
        read_pins(ROOT / "tests/requirements.txt"),
    )
    assert not set(runtime) & set(test), "a package is pinned in both files; keep one pin"


def test_binder_post_build_stops_on_errors():
    post_build = (ROOT / "binder/postBuild").read_text().splitlines()
    assert post_build[0].startswith("#!") and "set -e" in post_build[1:4]


def excluded() -> list[str]:
    lines = (ROOT / "binder/excludes.txt").read_text().splitlines()
    return [canonicalize_name(ln.strip()) for ln in lines if ln.strip() and not ln.startswith("#")]


def test_left_out_packages_are_not_pinned_and_every_install_leaves_them_out():
    names = excluded()
    assert names == ["rfc3987-syntax", "lark"]
    for pin_file in ("binder/requirements.txt", "tests/requirements.txt"):
        assert not set(names) & set(read_pins(ROOT / pin_file)), pin_file
    web = (ROOT / "web/requirements.txt").read_text().splitlines()
    assert not {canonicalize_name(ln.split("==")[0]) for ln in web if "==" in ln} & set(names)
    # uv (make lab, make test and the browser build's tools) leaves them out when asked for
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.count("--excludes binder/excludes.txt") == 3
    # pip (Binder) installs what a dependency asks for, then removes them
    assert (
        "pip uninstall --yes --quiet -r binder/excludes.txt"
        in (ROOT / "binder/postBuild").read_text()
    )
    install = (ROOT / "deploy/install.sh").read_text()
    assert '--excludes "$REPO/binder/excludes.txt"' in install
    # the school server installs with the same uv as make lab and make test
    uv = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert f"UV_VERSION={uv} " in install


def test_this_environment_leaves_out_the_excluded_packages():
    """make lab and make test install with uv's --excludes binder/excludes.txt."""
    from importlib.metadata import PackageNotFoundError, distribution

    def installed(name: str) -> bool:
        try:
            distribution(name)
        except PackageNotFoundError:
            return False
        return True

    found = [name for name in excluded() if installed(name)]
    assert not found, f"{found} installed: python -m pip uninstall -r binder/excludes.txt"
