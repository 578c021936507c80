"""Regenerate the synthetic data sets in ``datasets/`` from their generators.

Each file is the output of a ``healthlab.datasets.make_*`` function with its default arguments
(fixed seed), written with a fixed number of decimals, so the same code always writes the same
bytes. ``tests/unit/test_synthetic.py`` checks that the committed files match.

Usage (from the repository root)::

    .venv/bin/python tools/build_synthetic.py           # rewrite the three CSV files
    .venv/bin/python tools/build_synthetic.py --check   # compare only; exit 1 if any differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from healthlab import _synthetic

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
GENERATORS = {
    "ward-observations": _synthetic.make_ward_observations,
    "triage-notes": _synthetic.make_triage_notes,
    "patient-cohort": _synthetic.make_patient_cohort,
}


def build(name: str) -> str:
    """Return the CSV text of one synthetic data set, as committed."""
    return _synthetic.csv_text(GENERATORS[name](), name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate datasets/*.csv for synthetic sets.")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    status = 0
    for name in GENERATORS:
        path = DATASETS / f"{name}.csv"
        text = build(name)
        if args.check:
            same = path.exists() and path.read_bytes() == text.encode("utf-8")
            print(f"{path.name}: {'up to date' if same else 'DIFFERS'}")
            status |= not same
        else:
            path.write_bytes(text.encode("utf-8"))
            print(
                f"wrote {path.name}: {text.count(chr(10)) - 1} rows, {len(text.encode()):,} bytes"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
