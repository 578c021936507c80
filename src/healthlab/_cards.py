"""Read the data cards (``datasets/<name>.md``) into dictionaries.

The markdown card is the only copy of what we know about a data set: the loader parses it, so
the card that ``load`` attaches to a DataFrame and the card a person reads on GitHub cannot
drift apart. A card looks like this::

    # Title

    - **Name:** heart-disease
    - **Kind:** real
    ...

    ## Source
    text ...

    ## Columns

    | Column | Description | Unit |
    |---|---|---|
    | age | Age | years |

Every ``## Heading`` becomes a key (lower case, spaces to underscores: ``## Known problems`` ->
``"known_problems"``). The ``## Columns`` table becomes ``{"age": {"description": "Age",
"unit": "years"}}``. The bullet list under the title becomes ``card["summary"]``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["REQUIRED_SECTIONS", "SUMMARY_FIELDS", "data_dir", "parse_card", "read_card"]

# Every card must have these sections (synthetic cards add "generating_model" and "what_it_is_not").
REQUIRED_SECTIONS = (
    "source",
    "citation",
    "licence",
    "collection",
    "population",
    "columns",
    "known_problems",
    "suitable_uses",
)
SYNTHETIC_SECTIONS = ("generating_model", "what_it_is_not")
SUMMARY_FIELDS = ("name", "kind", "format", "topic", "rows", "licence", "description")

_SUMMARY_LINE = re.compile(r"^- \*\*(?P<key>[^*]+?):\*\*\s*(?P<value>.+)$")


def data_dir() -> Path:
    """Return the folder that holds the data files and cards.

    An installed wheel carries them inside the package (``healthlab/_data``); an editable
    install or a checkout of the repository finds them in the top-level ``datasets/`` folder.

    Examples
    --------
    >>> (data_dir() / "heart-disease.csv").is_file()
    True
    """
    from importlib.resources import files

    packaged = files("healthlab") / "_data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "datasets"


def _key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", heading.strip().lower()).strip("_")


def _parse_columns(body: str) -> dict[str, dict[str, str]]:
    columns: dict[str, dict[str, str]] = {}
    rows = [line.strip() for line in body.splitlines() if line.strip().startswith("|")]
    for line in rows[2:]:  # skip the header row and the |---| row
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) != 3:
            raise ValueError(
                f"a Columns table row needs 3 cells (column, description, unit): {line}"
            )
        name, description, unit = cells
        columns[name.strip("`")] = {"description": description, "unit": unit}
    return columns


def parse_card(text: str) -> dict[str, Any]:
    """Turn the markdown of a data card into a dictionary.

    Parameters
    ----------
    text : str
        The markdown of one card.

    Returns
    -------
    dict
        ``title``, ``summary`` (the bullet list under the title), one key per ``##`` section,
        ``columns`` as ``{column: {"description": ..., "unit": ...}}`` and ``text`` (the markdown).

    Examples
    --------
    >>> card = parse_card('''# Demo
    ...
    ... - **Name:** demo
    ...
    ... ## Source
    ... Made up.
    ...
    ... ## Columns
    ...
    ... | Column | Description | Unit |
    ... |---|---|---|
    ... | age | Age at the visit | years |
    ... ''')
    >>> card["summary"]["name"], card["source"], card["columns"]["age"]["unit"]
    ('demo', 'Made up.', 'years')
    """
    card: dict[str, Any] = {"title": "", "summary": {}, "text": text}
    section = None
    lines: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("# ") and not card["title"]:
            card["title"] = line[2:].strip()
        elif line.startswith("## "):
            section = _key(line[3:])
            lines[section] = []
        elif section is None:
            match = _SUMMARY_LINE.match(line.strip())
            if match:
                card["summary"][_key(match["key"])] = match["value"].strip()
        else:
            lines[section].append(line)
    for section, body in lines.items():
        body_text = "\n".join(body).strip()
        card[section] = _parse_columns(body_text) if section == "columns" else body_text
    if "rows" in card["summary"]:
        rows = card["summary"]["rows"].replace(",", "")
        card["summary"]["rows"] = int(rows) if rows.isdigit() else None
    return card


@cache
def _read_card_cached(name: str) -> dict[str, Any]:
    path = data_dir() / f"{name}.md"
    return parse_card(path.read_text(encoding="utf-8"))


def read_card(name: str) -> dict[str, Any]:
    """Return the parsed card ``datasets/<name>.md`` as a fresh dictionary (safe to change).

    Examples
    --------
    >>> read_card("heart-disease")["summary"]["kind"]
    'real'
    """
    import copy

    return copy.deepcopy(_read_card_cached(name))
