"""The course website (issue 15): built offline with no warnings, no broken internal link, no
request to a CDN, every figure with alt text, headings in order, and no serious or critical
accessibility violation (axe-core in Debian's Chromium) on any page.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import browser
import web_fetch
from conftest import TEST_SITE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def site_build(lite_site) -> dict:
    """Build the website once, with no network, beside the browser build (lite/)."""
    from conftest import offline_prefix

    result = subprocess.run(
        [*offline_prefix(), sys.executable, str(ROOT / "tools/build_site.py"),
         "--out", str(TEST_SITE)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    return {"returncode": result.returncode, "output": result.stdout + result.stderr}


@pytest.fixture(scope="session")
def site(site_build) -> Path:
    if site_build["returncode"] != 0:
        pytest.fail("the website build failed:\n" + site_build["output"][-4000:])
    return TEST_SITE


def _pages(site: Path) -> list[Path]:
    return sorted(
        p
        for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith(("lite/", "_static/"))
    )


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_website_builds_offline_with_no_warnings(site, site_build):
    info = json.loads((site / "site-build-info.json").read_text())
    assert "WARNING" not in info["sphinx_log"] and "ERROR" not in info["sphinx_log"]
    assert info["has_lite"]


def test_every_lesson_glossary_card_and_teacher_page_is_there(site):
    for lesson in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"):
        assert (site / "notebooks" / f"{lesson.stem}.html").exists(), lesson.name
    for note in (ROOT / "notebooks/teacher-notes").glob("*.md"):
        assert (site / "notebooks/teacher-notes" / f"{note.stem}.html").exists(), note.name
    for card in (ROOT / "datasets").glob("*.md"):
        assert (site / "datasets" / f"{card.stem}.html").exists(), card.name
    assert (site / "notebooks/glossary.html").exists()
    assert (site / "assignments/README.html").exists()
    home = _soup(site / "index.html")
    captions = [c.get_text(strip=True) for c in home.select("p.caption, .caption-text")]
    assert {"Lessons", "Reference", "For teachers"} <= set(captions)
    # the teacher notes sit in their own section of the navigation
    teachers = home.find(string="For teachers").find_parent("p").find_next_sibling("ul")
    assert "teacher-notes" in str(teachers)


def test_lesson_pages_show_stored_outputs_and_link_to_the_browser_and_binder(site):
    for lesson in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        page = _soup(site / "notebooks" / f"{lesson.stem}.html")
        box = page.select_one(".course-links")
        assert box is not None, lesson.name
        hrefs = [a["href"] for a in box.find_all("a")]
        assert f"../lite/lab/index.html?path={lesson.name}" in hrefs, lesson.name
        assert any(h.startswith("https://mybinder.org/v2/gh/") for h in hrefs), lesson.name
        assert (site / "lite/files" / lesson.name).exists()
        if lesson.name == "08-medical-images.ipynb":
            assert "runs only in part" in box.get_text()
    home = _soup(site / "index.html").get_text(" ")
    assert "In the browser this lesson runs only in part" in home  # lesson 08, on the home page
    page = _soup(site / "notebooks/02-seeing-the-data.html")
    assert len(page.select("main img")) >= 3  # the stored figures


def test_no_page_asks_another_host_for_anything(site):
    """Scripts, styles, images, fonts and frames are all files of the site (links may point out)."""
    for path in _pages(site):
        soup = _soup(path)
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"),
                               ("iframe", "src"), ("source", "src")):  # fmt: skip
            for element in soup.find_all(tag):
                value = element.get(attribute)
                if not value or value.startswith("data:"):
                    continue
                if tag == "link" and not set(element.get("rel", [])) & {
                    "stylesheet",
                    "preload",
                    "icon",
                    "modulepreload",
                    "prefetch",
                }:
                    continue
                assert not urlsplit(value).scheme, f"{path.name}: <{tag} {attribute}={value}>"
    css = "\n".join(p.read_text(errors="replace") for p in (site / "_static").rglob("*.css"))
    assert not re.search(r"url\(\s*['\"]?https?://", css), "a stylesheet loads from another host"


def test_every_figure_has_alt_text(site):
    for path in _pages(site):
        for image in _soup(path).select("main img"):
            alt = (image.get("alt") or "").strip()
            assert alt, f"{path.relative_to(site)}: an image with no alt text"
            assert not re.fullmatch(r"[\w./-]+\.(png|jpe?g|svg|gif)", alt), (
                f"{path.relative_to(site)}: alt text is a file name: {alt}"
            )


def test_headings_are_in_order(site):
    for path in _pages(site):
        main = _soup(path).select_one("main") or _soup(path)
        levels = [int(h.name[1]) for h in main.find_all(re.compile(r"^h[1-6]$"))]
        if not levels:
            continue
        where = path.relative_to(site)
        assert levels[0] == 1, f"{where}: the first heading is h{levels[0]}"
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{where}: h{before} is followed by h{after}"


def test_no_broken_internal_link(site):
    linkchecker = Path(sys.executable).with_name("linkchecker")
    with browser.serve(site) as url:
        result = subprocess.run(
            [str(linkchecker), "--no-status", "--no-warnings", "--recursion-level=3",
             "--ignore-url=^https?://(?!127\\.0\\.0\\.1)", "--ignore-url=^mailto:",
             "--no-follow-url=/lite/", "-o", "text",
             f"{url}index.html"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    checked = re.search(r"(\d+) links? in (\d+) URLs? checked", result.stdout)
    assert checked and int(checked[2]) > 50, result.stdout[-1000:]


_AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(
  r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))),
  e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


@pytest.fixture(scope="module")
def axe_results(site, tmp_path_factory):
    import tarfile

    with tarfile.open(web_fetch.npm_path("axe-core")) as tar:
        axe = tar.extractfile("package/axe.min.js").read().decode()
    netlog = tmp_path_factory.mktemp("axe") / "netlog.json"
    results = {}
    with browser.serve(site) as url:
        with browser.chromium(netlog=netlog) as driver:
            driver.set_script_timeout(120)
            for path in _pages(site):
                page = path.relative_to(site).as_posix()
                driver.get(url + page)
                driver.execute_script(axe)
                results[page] = driver.execute_async_script(_AXE_RUN)
                if page == "notebooks/04-is-the-test-any-good.html":
                    results["_maths"] = driver.execute_script(
                        "return document.querySelectorAll('mjx-container').length"
                    )
    results["_netlog"] = browser.read_netlog(netlog)
    return results


def test_axe_finds_no_serious_or_critical_violation_on_any_page(axe_results):
    pages = [p for p in axe_results if not p.startswith("_")]
    assert len(pages) > 40
    bad = {
        page: [v for v in violations if v["impact"] in ("serious", "critical")]
        for page, violations in axe_results.items()
        if not page.startswith("_")
    }
    bad = {page: v for page, v in bad.items() if v}
    assert not bad, json.dumps(bad, indent=1)[:6000]


def test_maths_is_rendered_by_the_local_mathjax_and_nothing_left_127_0_0_1(axe_results):
    assert axe_results["_maths"] > 0, "MathJax rendered no formula on lesson 04"
    netlog = axe_results["_netlog"]
    assert any("_static/mathjax/tex-mml-chtml.js" in u for u in netlog["site"])
    assert browser.outside(netlog["site"]) == []
    assert browser.outside(netlog["addresses"]) == []
