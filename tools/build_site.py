"""Build the course website: Sphinx + myst-nb + sphinx-book-theme, offline, from the tracked files.

The pages are the reference material itself: the course home (``notebooks/README.md``), every
lesson with the outputs it stores (figures with their alt text; nothing is executed), the
glossary, the data cards, and a section for teachers (teacher notes, assignments and grading,
the course design, the sandbox, installing and deploying). Each lesson page links to the same
lesson in the browser build (``lite/``, see tools/build_lite.py) and on Binder. Maths is
rendered by a local MathJax from npm, so no page asks a CDN for anything.

The pages keep the repository's layout (``notebooks/``, ``datasets/``, ``docs/`` ...) so that
their relative links work unchanged; a link to a file that is not a page (source code, the
Makefile) becomes a link to the file on GitHub.

    python tools/build_site.py              # into _site/ (keeps _site/lite/)
    python tools/build_site.py --out DIR
"""

from __future__ import annotations

import argparse
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_fetch

ROOT = web_fetch.ROOT
SRC = ROOT / "build" / "site-src"
HTML = ROOT / "build" / "site-html"
OUT = ROOT / "_site"
CONF = ROOT / "web" / "site"
SUPPORT = ROOT / "web" / "browser-support.toml"
REPOSITORY = "https://github.com/ai-in-healthcare/curriculum"
BINDER = "https://mybinder.org/v2/gh/ai-in-healthcare/curriculum/main"
LESSON = re.compile(r"^\d\d-.*\.ipynb$")
#: A badge (an image from another host inside a link) and a bare image from another host.
BADGE = re.compile(r"\[!\[([^\]]*)\]\((https?://[^)\s]+)\)\]\(([^)\s]+)\)")
REMOTE_IMAGE = re.compile(r"!\[([^\]]*)\]\((https?://[^)\s]+)\)")
#: The theme's navigation toggles: a <summary> holding only an icon, with no name for a screen
#: reader (axe: summary-name, serious). The build gives each one a name.
TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
NAMED_TOGGLE = (
    '<summary aria-label="Show or hide the pages in this section">'
    '<span class="toctree-toggle" role="presentation">'
)
#: Markdown links: [text](target "title").
LINK = re.compile(r"(\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")

# Teacher pages, in the order of the teacher section: (repository path, shown in the toc).
TEACHER_DOCS = [
    "docs/teacher-guide.md",
    "assignments/README.md",
    "README.md",
    "docs/website.md",
    "docs/design.md",
    "docs/lesson-template.md",
    "docs/clinical-facts.md",
    "docs/sandbox.md",
    "notebooks/AUTHORING.md",
]


def _lessons() -> list[str]:
    return sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def site_files() -> dict[str, Path]:
    """Site path -> repository file, for every page and file of the website."""
    files = {"index.md": ROOT / "notebooks" / "README.md"}
    for name in _lessons():
        files[f"notebooks/{name}"] = ROOT / "notebooks" / name
    files["notebooks/glossary.md"] = ROOT / "notebooks" / "glossary.md"
    for path in sorted((ROOT / "notebooks" / "teacher-notes").glob("*.md")):
        files[f"notebooks/teacher-notes/{path.name}"] = path
    for path in sorted((ROOT / "datasets").glob("*")):
        if path.suffix in {".md", ".csv"}:
            files[f"datasets/{path.name}"] = path
    for doc in TEACHER_DOCS:
        if (ROOT / doc).exists():
            files[doc] = ROOT / doc
    return files


def _repo_path(site_path: str, files: dict[str, Path]) -> str:
    return files[site_path].relative_to(ROOT).as_posix()


def fix_links(text: str, site_path: str, files: dict[str, Path]) -> str:
    """Rewrite the relative links of a page copied from ``files[site_path]``.

    A link to a file that is on the site points to it from the page's site path; a link to a
    folder of teacher notes points to their index; any other file or folder of the repository
    becomes a link to it on GitHub. Links with a scheme (https:, mailto:) and anchors stay.
    """
    by_repo = {_repo_path(s, files): s for s in files}
    by_repo["notebooks/teacher-notes"] = "notebooks/teacher-notes/index.md"
    here = posixpath.dirname(_repo_path(site_path, files))
    page_dir = posixpath.dirname(site_path)

    def replace(match: re.Match) -> str:
        target = match[2]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
            return match[0]
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(here, path)) if path else ""
        if not path:
            return match[0]
        if resolved in by_repo:
            new = posixpath.relpath(by_repo[resolved], page_dir or ".")
        elif (ROOT / resolved).is_dir():
            new = f"{REPOSITORY}/tree/main/{resolved}"
        elif (ROOT / resolved).exists():
            new = f"{REPOSITORY}/blob/main/{resolved}"
        else:
            return match[0]  # a broken link: left for Sphinx to report
        return f"{match[1]}{new}{'#' + anchor if anchor else ''}{match[3]}"

    # No image from another host: a badge becomes its link, a remote image a link to it.
    text = BADGE.sub(r"[\1](\3)", text)
    text = REMOTE_IMAGE.sub(r"[\1](\2)", text)
    return LINK.sub(replace, text)


def _browser_support() -> dict[str, dict]:
    return tomllib.loads(SUPPORT.read_text(encoding="utf-8"))


def lesson_links(name: str, lite: str = "../lite/") -> str:
    """The box at the top of a lesson page: run it in the browser, or on Binder."""
    browser = f"{lite}lab/index.html?path={name}"
    binder = f"{BINDER}?urlpath=lab/tree/{name}"
    info = _browser_support().get(name)
    if info and info["status"] == "no":
        browser_part = (
            f"<p><strong>This lesson cannot run in the browser.</strong> "
            f"{html.escape(info['reason'])}</p>"
        )
    else:
        browser_part = (
            f'<p><strong>Run this lesson yourself:</strong> <a href="{browser}">run this lesson '
            f"in your browser</a> (nothing to install: Python runs inside your web browser; the "
            f'first start takes a minute or two), or <a href="{binder}">open it on Binder</a> '
            f"(a full Jupyter on a server; also nothing to install).</p>"
        )
        if info:
            browser_part += (
                f"<p><strong>In the browser this lesson runs only in part.</strong> "
                f"{html.escape(info['reason'])}</p>"
            )
    if info and info["status"] == "no":
        browser_part += f'<p><a href="{binder}">Open it on Binder</a> instead.</p>'
    return (
        '<div class="course-links" role="note" aria-label="Ways to run this lesson">\n'
        f"{browser_part}\n</div>\n"
    )


def mark_browser_support(home: str) -> str:
    """The course home with a note under each lesson that does not run in full in the browser."""
    out = []
    for line in home.splitlines(keepends=True):
        out.append(line)
        for lesson, info in _browser_support().items():
            if line.startswith("### ") and f"]({lesson})" in line:
                label = "runs only in part" if info["status"] == "partly" else "does not run"
                out.append(f"\n> **In the browser this lesson {label}.** {info['reason']}\n")
    return "".join(out)


def _lesson_page(path: Path, site_path: str, files: dict[str, Path]) -> str:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = fix_links(source, site_path, files)
    links = {"cell_type": "markdown", "metadata": {}, "source": lesson_links(path.name)}
    notebook["cells"].insert(1, links)
    return json.dumps(notebook, ensure_ascii=False)


def _toctrees(files: dict[str, Path]) -> str:
    lessons = [s.removesuffix(".ipynb") for s in files if LESSON.match(posixpath.basename(s))]
    cards = [
        s.removesuffix(".md")
        for s in files
        if s.startswith("datasets/") and s.endswith(".md") and s != "datasets/README.md"
    ]
    teachers = ["notebooks/teacher-notes/index"] + [
        doc.removesuffix(".md") for doc in TEACHER_DOCS if doc in files
    ]
    blocks = [
        ("Lessons", lessons),
        ("Reference", ["notebooks/glossary", "datasets/README", *cards]),
        ("For teachers", teachers),
    ]
    out = []
    for caption, entries in blocks:
        out.append(f"\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n" + "\n".join(entries))
        out.append("```\n")
    return "\n".join(out)


def _teacher_notes_index(files: dict[str, Path]) -> str:
    lines = [
        "# Teacher notes\n",
        "For teachers only: the timing plan, misconceptions, worked answers and extensions of "
        "each lesson. Students never see these pages in their own copy of the course.\n",
    ]
    notes = sorted(s for s in files if s.startswith("notebooks/teacher-notes/"))
    toc = [posixpath.basename(s).removesuffix(".md") for s in notes]
    lines.append("```{toctree}\n:maxdepth: 1\n\n" + "\n".join(toc) + "\n```\n")
    return "\n".join(lines)


def _mathjax_needs(name: str) -> bool:
    """The parts of npm mathjax the site loads: TeX in, HTML-CSS out, its fonts, extensions,
    menu and speech (the accessibility explorer); not the other combined builds or SVG output."""
    if not name.startswith("package/es5/"):
        return False
    inner = name.removeprefix("package/es5/")
    if "/" not in inner:
        return inner == "tex-mml-chtml.js"
    return not inner.startswith(("output/svg", "adaptors/", "node-main"))


def assemble(src: Path = SRC) -> dict[str, Path]:
    """Write the Sphinx source folder: configuration, MathJax, pages."""
    problems = web_fetch.check()
    if problems:
        raise SystemExit("build_site: " + "; ".join(problems))
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(CONF, src)
    mathjax = src / "_static" / "mathjax"
    with tarfile.open(web_fetch.npm_path("mathjax")) as tar:
        members = [m for m in tar.getmembers() if _mathjax_needs(m.name)]
        for member in members:
            member.name = member.name.removeprefix("package/es5/")
        tar.extractall(mathjax, members=members, filter="data")
    files = site_files()
    for site_path, path in files.items():
        target = src / site_path
        target.parent.mkdir(parents=True, exist_ok=True)
        if site_path.endswith(".ipynb"):
            target.write_text(_lesson_page(path, site_path, files), encoding="utf-8")
        elif site_path.endswith(".md"):
            text = path.read_text(encoding="utf-8")
            if site_path == "index.md":
                text = mark_browser_support(text)
            text = fix_links(text, site_path, files)
            if site_path == "index.md":
                text += _toctrees(files)
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(path, target)
    notes_index = src / "notebooks" / "teacher-notes" / "index.md"
    notes_index.write_text(_teacher_notes_index(files), encoding="utf-8")
    return files


def build(out: Path = OUT) -> dict:
    started = time.monotonic()
    assemble()
    if HTML.exists():
        shutil.rmtree(HTML)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q",
         "-d", str(ROOT / "build" / "site-doctrees"), str(SRC), str(HTML)],
        capture_output=True, text=True,
        env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    )  # fmt: skip
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"build_site: Sphinx failed (warnings are errors here):\n{log}")
    out.mkdir(parents=True, exist_ok=True)
    for child in out.iterdir():  # keep the browser build beside the website
        if child.name != "lite":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for page in HTML.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if TOGGLE in text:
            page.write_text(text.replace(TOGGLE, NAMED_TOGGLE), encoding="utf-8")
    shutil.copytree(HTML, out, dirs_exist_ok=True)
    for leftover in (".buildinfo", ".doctrees"):
        target = out / leftover
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    size = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file())
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    summary = {
        "build_seconds": round(time.monotonic() - started, 1),
        "website_mb": round(size / 1e6, 1),
        "total_with_lite_mb": round(total / 1e6, 1),
        "pages": len(list(HTML.rglob("*.html"))),
        "has_lite": (out / "lite" / "index.html").exists(),
        "sphinx_log": log.strip(),
    }
    (out / "site-build-info.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to build (default _site)")
    args = parser.parse_args(argv)
    summary = build(args.out)
    print(
        f"build_site: {args.out} built in {summary['build_seconds']} s: {summary['pages']} pages, "
        f"{summary['website_mb']} MB (with lite/: {summary['total_with_lite_mb']} MB)"
    )
    if not summary["has_lite"]:
        print("build_site: no lite/ beside it yet: `make lite` builds the browser version")
    return 0


if __name__ == "__main__":
    sys.exit(main())
