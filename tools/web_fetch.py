"""Download, once, what the browser build and the website take from PyPI and npm, pinned by hash.

The pins are ``web/browser-wheels.txt`` (pip requirements with ``--hash``) and
``web/npm-packages.txt`` (``name@version sha512-...`` integrity strings). Files go into
``.web-cache/`` (git ignores it); a file already there is checked, not downloaded again, so
after one ``python tools/web_fetch.py`` every build runs with no network at all.

    python tools/web_fetch.py            # download what is missing, check everything
    python tools/web_fetch.py --check    # check only; fail if anything is missing or altered
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".web-cache"
WHEELS_PINS = ROOT / "web" / "browser-wheels.txt"
NPM_PINS = ROOT / "web" / "npm-packages.txt"


class FetchError(RuntimeError):
    """A pinned file is missing, or its hash is not the pinned one."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_pins() -> dict[str, tuple[str, str]]:
    """``{name: (version, sha256)}`` from web/browser-wheels.txt."""
    text = WHEELS_PINS.read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})", line)
        if not match:
            raise FetchError(f"{WHEELS_PINS.name}: not 'name==version --hash=sha256:...': {line}")
        pins[match[1].lower()] = (match[2], match[3])
    return pins


def npm_pins() -> dict[str, tuple[str, str]]:
    """``{name: (version, integrity)}`` from web/npm-packages.txt."""
    pins = {}
    for line in NPM_PINS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, integrity = line.split()
        name, version = spec.rsplit("@", 1)
        pins[name] = (version, integrity)
    return pins


def wheel_path(name: str) -> Path:
    """The cached wheel of a pinned PyPI package (checked by :func:`check`)."""
    version, _ = wheel_pins()[name]
    stem = re.sub(r"[-_.]+", "_", name)
    matches = sorted((CACHE / "wheels").glob(f"{stem}-{version}-*.whl"))
    if not matches:
        raise FetchError(f"{name}=={version} is not in {CACHE / 'wheels'}: run tools/web_fetch.py")
    return matches[0]


def npm_path(name: str) -> Path:
    """The cached tarball of a pinned npm package."""
    version, _ = npm_pins()[name]
    return CACHE / "npm" / f"{name}-{version}.tgz"


def _integrity(path: Path) -> str:
    algorithm = "sha512"
    digest = hashlib.new(algorithm, path.read_bytes()).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def check() -> list[str]:
    """Check every pinned file in the cache; return problems (empty: all present and intact)."""
    problems = []
    for name, (_version, expected) in wheel_pins().items():
        try:
            path = wheel_path(name)
        except FetchError as exc:
            problems.append(str(exc))
            continue
        if sha256(path) != expected:
            problems.append(f"{path.name}: sha256 is not the pinned {expected}")
    for name, (version, expected) in npm_pins().items():
        path = npm_path(name)
        if not path.exists():
            problems.append(f"{name}@{version} is not in {path.parent}: run tools/web_fetch.py")
        elif _integrity(path) != expected:
            problems.append(f"{path.name}: integrity is not the pinned {expected}")
    return problems


def fetch() -> None:
    """Download whatever is missing (pip and npm, the registries' own clients)."""
    (CACHE / "wheels").mkdir(parents=True, exist_ok=True)
    (CACHE / "npm").mkdir(parents=True, exist_ok=True)
    missing_wheels = False
    for name in wheel_pins():
        try:
            wheel_path(name)
        except FetchError:
            missing_wheels = True
    if missing_wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
             "--no-deps", "--only-binary", ":all:", "--require-hashes",
             "-r", str(WHEELS_PINS), "-d", str(CACHE / "wheels")],
            check=True,
        )  # fmt: skip
    for name, (version, _) in npm_pins().items():
        if not npm_path(name).exists():
            subprocess.run(
                ["npm", "pack", "--silent", f"{name}@{version}",
                 "--pack-destination", str(CACHE / "npm")],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check only, download nothing")
    args = parser.parse_args(argv)
    if not args.check:
        fetch()
    problems = check()
    for problem in problems:
        print(f"web_fetch: {problem}", file=sys.stderr)
    if not problems:
        print(f"web_fetch: every pinned file is in {CACHE.relative_to(ROOT)}/ and matches its hash")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
