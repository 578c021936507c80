"""Nothing a student's code outputs may run as script in the teacher's browser.

A graded notebook is shown to the teacher by formgrader and to the student as feedback HTML.
Both render what the student's code displayed, and HTML with a ``<script>`` in it would run
there, in the teacher's logged-in session, with the right to read solutions and write files.

:class:`NeutraliseActiveContent` is an nbgrader preprocessor that runs in autograding (so
the stored graded notebook, which formgrader serves, is already clean) and again when feedback
is generated. It keeps what a lesson needs to show (text, tables, images) and removes what can
act:

- HTML in outputs and in Markdown cells is cleaned with nbconvert's own sanitiser (bleach), with
  tables and images allowed; ``<script>``, ``<style>``, ``<iframe>``, event handlers
  (``onerror=``) and ``javascript:`` links are removed;
- output types that carry code (``application/javascript``, widget views, SVG, anything not
  known to be inert) are dropped, with a note in their place;
- widget state and other notebook-level metadata a kernel can fill are removed.

Examples
--------
>>> cleaned = clean_html('<table><tr><td onclick="x()">5</td></tr></table><script>steal()</script>')
>>> "<script" in cleaned, "onclick" in cleaned, "<td>5</td>" in cleaned
(False, False, True)
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat.notebooknode import NotebookNode

__all__ = ["NeutraliseActiveContent", "clean_html", "SAFE_TAGS", "INERT_MIMETYPES"]

#: Tags a lesson's output uses: text, lists, tables (pandas), images.
SAFE_TAGS = [
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
    "ul",
]  # fmt: skip
SAFE_ATTRIBUTES = {
    "*": ["class", "title"],
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "table": ["border"],
}
#: Output types that are data, not code: kept as they are.
INERT_MIMETYPES = {"metadata", "text/plain", "text/latex", "application/json", "image/png",
                   "image/jpeg", "image/gif"}  # fmt: skip
#: Output types whose HTML is cleaned and kept.
CLEANED_MIMETYPES = {"text/html", "text/markdown"}
_BLOCKS = re.compile(r"<(script|style|iframe|object|embed|template)\b.*?</\1\s*>", re.I | re.S)
#: Notebook metadata a graded notebook keeps; anything else a kernel or student wrote goes.
KEPT_NOTEBOOK_METADATA = {"kernelspec", "language_info", "healthlab_grading", "nbgrader"}


def clean_html(html: str) -> str:
    """HTML with everything that can act removed; text, tables and images kept.

    Uses bleach (nbconvert's sanitiser) with an allow-list of tags and attributes; an image
    may keep an embedded PNG, JPEG or GIF (``data:image/...``), a link may not use ``data:``.
    """
    import bleach

    without_blocks = _BLOCKS.sub("", str(html))
    cleaned = bleach.clean(
        without_blocks,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        protocols=["http", "https", "mailto", "data"],
        strip=True,
        strip_comments=True,
    )
    cleaned = re.sub(r'href="data:[^"]*"', "", cleaned)
    return re.sub(r'src="data:(?!image/(png|jpeg|gif);base64,)[^"]*"', "", cleaned)


def _note(mimetype: str) -> str:
    return f"[healthlab: a {mimetype} output was removed: it could run code in a browser]"


class NeutraliseActiveContent(SanitizeHTML):
    """Remove or neutralise anything in a notebook that could run in a browser.

    Use it in ``Autograde.autograde_preprocessors`` after the execute step and in
    ``GenerateFeedback.preprocessors``.
    """

    def __init__(self, **kw: Any) -> None:
        # nbconvert runs a preprocessor only when it is enabled, and SanitizeHTML is not by
        # default: this one must always run.
        kw.setdefault("enabled", True)
        kw.setdefault("tags", SAFE_TAGS)
        kw.setdefault("attributes", SAFE_ATTRIBUTES)
        kw.setdefault("strip", True)
        super().__init__(**kw)

    def preprocess(self, nb, resources):
        for key in list(nb.metadata):
            if key not in KEPT_NOTEBOOK_METADATA:
                del nb.metadata[key]
        return super().preprocess(nb, resources)

    def sanitize_html_tags(self, html_str):
        return clean_html(html_str)

    def preprocess_cell(self, cell, resources, cell_index):
        cell.pop("attachments", None)
        if cell.cell_type in ("markdown", "raw"):
            # Markdown is mostly not HTML: rewrite it only when it holds HTML that can act.
            if _needs_cleaning(cell.source):
                cell.source = clean_html(cell.source)
            return cell, resources
        if cell.cell_type == "code":
            cell.outputs = [self._clean_output(o) for o in cell.get("outputs", [])]
            for key in ("widgets",):
                cell.metadata.pop(key, None)
        return cell, resources

    def _clean_output(self, output: NotebookNode) -> NotebookNode:
        if output.get("output_type") not in ("display_data", "execute_result"):
            return output
        data = output.get("data", {})
        removed = []
        for mimetype in list(data):
            if mimetype in INERT_MIMETYPES:
                continue
            if mimetype in CLEANED_MIMETYPES:
                data[mimetype] = clean_html(_joined(data[mimetype]))
            else:
                removed.append(mimetype)
                del data[mimetype]
        if removed:
            note = "\n".join(_note(m) for m in removed)
            data["text/plain"] = (_joined(data.get("text/plain", "")) + "\n" + note).strip()
        output["metadata"] = {
            k: v for k, v in output.get("metadata", {}).items() if k in ("image/png", "image/jpeg")
        }
        return output


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _needs_cleaning(source: str) -> bool:
    """True when Markdown holds HTML that can act: a script-like block, a handler, a js: link."""
    return bool(
        _BLOCKS.search(source)
        or re.search(r"<[^>]*\son\w+\s*=", source, re.I)
        or re.search(r"javascript\s*:", source, re.I)
        or re.search(r"<\s*(iframe|object|embed|form|meta|link|base|svg|math)\b", source, re.I)
    )
