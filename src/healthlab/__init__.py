"""healthlab: the helper library for the "AI in Healthcare" lessons.

One module per idea, each imported only when first used so that ``import healthlab``
stays fast and has no side effects:

- :mod:`healthlab.datasets`: real and synthetic health data sets, each with a data card.
- :mod:`healthlab.evaluate`: clinical measures of a test or model (sensitivity, PPV, ...).
- :mod:`healthlab.plots`: accessible figures with text alternatives.
- :mod:`healthlab.scores`: clinical scores (NEWS2).
- :mod:`healthlab.privacy`: NHS numbers, pseudonyms and k-anonymity.
- :mod:`healthlab.linkage`: re-identification attacks on synthetic people (lesson 12): plain
  hashes, a dictionary attack, a synthetic public list, record linkage.
- :mod:`healthlab.fairness`: does a model, score or device work as well for every group
  (subgroup rates, who is flagged, occult hypoxaemia)?
- :mod:`healthlab.signals`: heart signals: ECG filters, R-peaks, heart rate, HRV and simulated
  rhythms.
- :mod:`healthlab.images`: medical images: Hounsfield units, windows, DICOM de-identification,
  retinal vessels.
- :mod:`healthlab.text`: clinical notes: red-flag keywords and a NegEx-style negation rule.
- :mod:`healthlab.modelcard`: a model card template for NHS use and a check of its sections.
- :mod:`healthlab.capstone`: the capstone's four clinical questions, splits and honest checks.
- :mod:`healthlab.checks`: instant feedback on lesson exercises (``check`` and ``hint``).
- :mod:`healthlab.errors`: plain-English notes under beginners' error messages.

Examples
--------
>>> import healthlab
>>> healthlab.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "datasets",
    "evaluate",
    "plots",
    "scores",
    "privacy",
    "linkage",
    "fairness",
    "signals",
    "images",
    "text",
    "modelcard",
    "capstone",
    "checks",
    "errors",
)
# Names lessons use so often that they are offered at the top level.
_SHORTCUTS = {
    "check": "checks",
    "hint": "checks",
    "friendly_errors": "errors",
}

__all__ = [*_SUBMODULES, *_SHORTCUTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"healthlab.{name}")
    if name in _SHORTCUTS:
        module = importlib.import_module(f"healthlab.{_SHORTCUTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'healthlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
