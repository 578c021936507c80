"""Clinical scores: NEWS2, the National Early Warning Score used on every NHS adult ward.

- :func:`news2`: score one set of observations and say what the ward should do.
- :func:`news2_frame`: the same for every row of a DataFrame of observations.

The scoring follows the Royal College of Physicians' charts exactly (RCP, *National Early
Warning Score (NEWS) 2*, 2017, charts 1, 3 and 4; the scoring is unchanged in the 2022
update)

::

    Score                     3       2       1       0              1       2       3
    Respiration rate /min     <=8             9-11    12-20                  21-24   >=25
    SpO2 Scale 1 (%)          <=91    92-93   94-95   >=96
    SpO2 Scale 2 (%)          <=83    84-85   86-87   88-92, or      93-94   95-96   >=97
                                                      >=93 on air    on O2   on O2   on O2
    Air or oxygen                     Oxygen          Air
    Systolic BP (mmHg)        <=90    91-100  101-110 111-219                        >=220
    Pulse /min                <=40            41-50   51-90          91-110  111-130 >=131
    Consciousness (ACVPU)                             Alert                          C, V, P, U
    Temperature (C)           <=35.0          35.1-   36.1-38.0      38.1-   >=39.1
                                              36.0                   39.0

Clinical response (RCP chart 3, observation frequency chart 4):

- total 0: **low**; minimum observations 12-hourly.
- total 1-4: **low**; a registered nurse assesses; minimum observations 4-6-hourly.
- a score of 3 in any one parameter (total under 5): **low-medium**; urgent ward-based
  response; minimum observations 1-hourly.
- total 5-6: **medium**; key threshold for urgent response; minimum observations 1-hourly.
- total 7 or more: **high**; emergency response; continuous monitoring of vital signs.

Decisions this module makes (the RCP charts do not say):

- **Rounding.** The charts use whole numbers, and temperatures to one decimal place. Values in
  between are first rounded half up, as a monitor would display them: a pulse of 90.5 counts
  as 91 and a temperature of 38.05 as 38.1 (38.04 as 38.0). Python's own :func:`round` is not
  used, because it rounds 90.5 down to 90 ("banker's rounding").
- **ACVPU.** Consciousness is one letter, ``"A"``, ``"C"``, ``"V"``, ``"P"`` or ``"U"``, in
  upper or lower case, or the word itself (``"Alert"``, ``"Confusion"``/``"New confusion"``,
  ``"Voice"``, ``"Pain"``, ``"Unresponsive"``). "C" means *new* confusion and scores 3.
- **Oxygen.** ``on_oxygen`` is ``True``/``False`` (or 1/0). Anything else is refused.
- **Impossible or missing values** raise :class:`ValueError` naming the parameter and the value
  and saying what to fix. The plausible ranges (:data:`PLAUSIBLE_RANGES`) are wide enough for
  every real reading on an adult ward and narrow enough to catch typing and unit mistakes:
  respiration rate 0-80 /min, SpO2 40-100 %, systolic BP 40-300 mmHg, pulse 0-300 /min,
  temperature 25-45 C.

NEWS2 is for adults: not for children (under 16) or pregnancy, where other charts are used.
SpO2 Scale 2 is only for patients with confirmed hypercapnic respiratory failure, target
88-92%, on a clinician's instruction.

Examples
--------
>>> from healthlab.scores import news2
>>> result = news2(respiration_rate=22, spo2=93, on_oxygen=False, systolic_bp=98,
...                pulse=112, consciousness="A", temperature=38.4)
>>> result.total, result.band
(9, 'high')
"""

from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - for type hints only; pandas is imported when needed
    import pandas as pd

__all__ = ["News2Result", "news2", "news2_frame", "PARAMETERS", "PLAUSIBLE_RANGES", "RESPONSES"]

#: The seven NEWS2 parameters, in the order of the RCP chart (and of ``subscores``).
PARAMETERS = (
    "respiration_rate",
    "spo2",
    "air_or_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)

#: Lowest and highest value accepted for each measured parameter, with its unit.
PLAUSIBLE_RANGES: dict[str, tuple[float, float, str]] = {
    "respiration_rate": (0, 80, "breaths per minute"),
    "spo2": (40, 100, "%"),
    "systolic_bp": (40, 300, "mmHg"),
    "pulse": (0, 300, "beats per minute"),
    "temperature": (25.0, 45.0, "degrees C"),
}

#: What the ward should do in each band (RCP 2017, charts 3 and 4), and how often to observe:
#: (minimum observation frequency, response). "low-0" is the low band with a total of 0.
RESPONSES: dict[str, tuple[str, str]] = {
    "low-0": (
        "12-hourly",
        "Continue routine NEWS monitoring. Minimum observations 12-hourly.",
    ),
    "low": (
        "4-6-hourly",
        "Inform a registered nurse, who must assess the patient and decide whether more "
        "frequent monitoring or escalation of care is needed. Minimum observations 4-6-hourly.",
    ),
    "low-medium": (
        "1-hourly",
        "Urgent ward-based response: a score of 3 in one parameter. The registered nurse "
        "informs the medical team caring for the patient, who review and decide whether "
        "escalation of care is needed. Minimum observations 1-hourly.",
    ),
    "medium": (
        "1-hourly",
        "Key threshold for urgent response. The registered nurse immediately informs the "
        "medical team and asks for urgent assessment by a clinician or team competent in caring "
        "for acutely ill patients; care in an environment with monitoring facilities; think "
        "sepsis. Minimum observations 1-hourly.",
    ),
    "high": (
        "continuous",
        "Emergency response. The registered nurse immediately informs the medical team (at "
        "least specialist registrar level); emergency assessment by a team with critical care "
        "competencies, including airway skills; consider transfer to a higher-dependency unit "
        "or ICU. Continuous monitoring of vital signs.",
    ),
}

_ACVPU = {
    "a": "A",
    "alert": "A",
    "c": "C",
    "confusion": "C",
    "new confusion": "C",
    "confused": "C",
    "v": "V",
    "voice": "V",
    "p": "P",
    "pain": "P",
    "u": "U",
    "unresponsive": "U",
}


@dataclass(frozen=True)
class News2Result:
    """The NEWS2 score of one set of observations.

    Attributes
    ----------
    total : int
        The NEWS2 total, 0 to 20.
    subscores : dict of str to int
        The score of each parameter, in chart order: ``respiration_rate``, ``spo2``,
        ``air_or_oxygen``, ``systolic_bp``, ``pulse``, ``consciousness``, ``temperature``.
    band : {"low", "low-medium", "medium", "high"}
        The clinical risk band.
    response : str
        The RCP clinical response, including the minimum frequency of observations.
    monitoring : str
        Minimum frequency of observations: ``"12-hourly"``, ``"4-6-hourly"``, ``"1-hourly"``
        or ``"continuous"``.
    spo2_scale : {1, 2}
        The SpO2 scale used.
    """

    total: int
    subscores: dict[str, int] = field(repr=False)
    band: str
    response: str = field(repr=False)
    monitoring: str
    spo2_scale: int = 1

    def __str__(self) -> str:
        parts = " + ".join(str(self.subscores[p]) for p in PARAMETERS)
        return f"NEWS2 {self.total} ({parts}): {self.band} risk. {self.response}"


# --- checking one value ------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    """True for None, NaN, pandas.NA and NaT, without importing pandas."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return type(value).__name__ in ("NAType", "NaTType")


def _where(row: Any) -> str:
    return "" if row is None else f" in row {row!r}"


def _hint(name: str, value: float) -> str:
    low, high, unit = PLAUSIBLE_RANGES[name]
    if value < 0:
        return f"A {name.replace('_', ' ')} cannot be negative."
    if name == "temperature":
        if 2.5 <= value <= 4.5:
            return f"Did you mean {value * 10:g}? Give the temperature in degrees C, like 37.2."
        if 77 <= value <= 113:
            return (
                f"This looks like degrees Fahrenheit ({value:g} F is about "
                f"{(value - 32) * 5 / 9:.1f} C). Give the temperature in degrees C."
            )
    if name == "spo2":
        if value > 100:
            return "SpO2 is a percentage of haemoglobin carrying oxygen: it cannot be over 100."
        if 0 < value <= 1:
            return f"Did you mean {value * 100:g}? Give SpO2 as a percentage, not a proportion."
    return f"Check the reading and its unit ({unit})."


def _check_number(name: str, value: Any, row: Any = None) -> float:
    """Return ``value`` as a float, or raise an error that says what to fix."""
    low, high, unit = PLAUSIBLE_RANGES[name]
    where = _where(row)
    if _missing(value):
        raise ValueError(
            f"{name} is missing{where} (got {value!r}). NEWS2 needs every observation: "
            "record it, or leave this patient out."
        )
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number{where}, got {value!r} (True/False)")
    if isinstance(value, str):
        raise TypeError(
            f"{name} must be a number{where}, got text {value!r}. Remove the quotes, or convert "
            "a column with pd.to_numeric."
        )
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number{where}, got {type(value).__name__} {value!r}")
    number = float(value)
    if math.isinf(number) or not low <= number <= high:
        raise ValueError(
            f"{name} = {value!r}{where} is not a possible reading (expected {low:g} to "
            f"{high:g} {unit}). {_hint(name, number)}"
        )
    return number


def _check_oxygen(value: Any, row: Any = None) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if _missing(value):
        raise ValueError(
            f"on_oxygen is missing{_where(row)} (got {value!r}). Record whether the patient is "
            "on supplemental oxygen: True or False."
        )
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)
    raise ValueError(
        f"on_oxygen must be True (on supplemental oxygen) or False (breathing air){_where(row)}, "
        f"got {value!r}"
    )


def _check_consciousness(value: Any, row: Any = None) -> str:
    if _missing(value):
        raise ValueError(
            f"consciousness is missing{_where(row)} (got {value!r}). Record ACVPU: "
            '"A", "C", "V", "P" or "U".'
        )
    if not isinstance(value, str):
        raise TypeError(
            f"consciousness must be an ACVPU letter in quotes{_where(row)}, got "
            f"{type(value).__name__} {value!r}"
        )
    letter = _ACVPU.get(" ".join(value.split()).casefold())
    if letter is None:
        raise ValueError(
            f"consciousness = {value!r}{_where(row)} is not an ACVPU level. Use one of "
            '"A" (alert), "C" (new confusion), "V" (responds to voice), "P" (responds to pain) '
            'or "U" (unresponsive).'
        )
    return letter


def _check_scale(spo2_scale: Any, row: Any = None) -> int:
    if isinstance(spo2_scale, bool) or spo2_scale not in (1, 2):
        raise ValueError(
            f"spo2_scale must be 1 (most patients) or 2 (confirmed hypercapnic respiratory "
            f"failure, on a clinician's instruction){_where(row)}, got {spo2_scale!r}"
        )
    return int(spo2_scale)


# --- scoring ----------------------------------------------------------------------------------
#
# The chart as data: for each parameter, the highest value of each band (inclusive) and the
# score of each band, lowest values first. A value v falls in the first band whose upper edge
# is >= v; above the last edge it takes the last score. news2 looks values up with bisect and
# news2_frame with numpy.searchsorted: the same rule on the same table, so they cannot disagree
# (and a property test checks that they do not).
_CHART: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "respiration_rate": ((8, 11, 20, 24), (3, 1, 0, 2, 3)),
    "spo2_scale1": ((91, 93, 95), (3, 2, 1, 0)),
    "spo2_scale2_air": ((83, 85, 87), (3, 2, 1, 0)),
    "spo2_scale2_oxygen": ((83, 85, 87, 92, 94, 96), (3, 2, 1, 0, 1, 2, 3)),
    "systolic_bp": ((90, 100, 110, 219), (3, 2, 1, 0, 3)),
    "pulse": ((40, 50, 90, 110, 130), (3, 1, 0, 1, 2, 3)),
    "temperature_tenths": ((350, 360, 380, 390), (3, 1, 0, 1, 2)),
}


def _round_half_up(x: float) -> int:
    # The tiny nudge makes 36.05 (stored as 36.04999...) count as 36.1, as written.
    return math.floor(x + 0.5 + 1e-9)


def _round_half_up_array(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5 + 1e-9).astype(np.int64)


def _lookup(table: str, value: int) -> int:
    edges, scores = _CHART[table]
    return scores[bisect.bisect_left(edges, value)]


def _lookup_array(table: str, values: np.ndarray) -> np.ndarray:
    edges, scores = _CHART[table]
    return np.asarray(scores)[np.searchsorted(edges, values, side="left")]


def _spo2_table(scale: int, oxygen: bool) -> str:
    if scale == 1:
        return "spo2_scale1"
    return "spo2_scale2_oxygen" if oxygen else "spo2_scale2_air"


def _band_key(total: int, any_three: bool) -> str:
    if total >= 7:
        return "high"
    if total >= 5:
        return "medium"
    if any_three:
        return "low-medium"
    return "low-0" if total == 0 else "low"


def news2(
    respiration_rate: float,
    spo2: float,
    on_oxygen: bool,
    systolic_bp: float,
    pulse: float,
    consciousness: str,
    temperature: float,
    *,
    spo2_scale: int = 1,
) -> News2Result:
    """Work out the NEWS2 score of one set of observations, and the response it calls for.

    Parameters
    ----------
    respiration_rate : float
        Breaths per minute (0-80).
    spo2 : float
        Oxygen saturation by pulse oximeter, in % (40-100).
    on_oxygen : bool
        True if the patient is on supplemental oxygen, False if breathing air.
    systolic_bp : float
        Systolic blood pressure in mmHg (40-300).
    pulse : float
        Pulse (heart rate) in beats per minute (0-300).
    consciousness : str
        ACVPU: ``"A"`` alert, ``"C"`` new confusion, ``"V"`` responds to voice, ``"P"``
        responds to pain, ``"U"`` unresponsive. Lower case and the full words are accepted.
    temperature : float
        Temperature in degrees C (25-45).
    spo2_scale : {1, 2}, default 1
        SpO2 scale 2 only for confirmed hypercapnic respiratory failure, on a clinician's
        instruction.

    Returns
    -------
    News2Result
        ``.total``, ``.subscores``, ``.band``, ``.response`` and ``.monitoring``.

    Raises
    ------
    ValueError
        A missing or impossible value (the message names the parameter and the value, and
        says what to fix), an unknown ACVPU level, or a ``spo2_scale`` other than 1 or 2.
    TypeError
        Text where a number is needed, or a number where an ACVPU letter is needed.

    Notes
    -----
    Readings between the chart's whole numbers (or tenths of a degree) are rounded half up
    first: pulse 90.5 scores as 91 and temperature 38.05 as 38.1.

    Examples
    --------
    The RCP worked example: 2 + 2 + 0 + 2 + 2 + 0 + 1 = 9, a high score.

    >>> r = news2(respiration_rate=22, spo2=93, on_oxygen=False, systolic_bp=98, pulse=112,
    ...           consciousness="A", temperature=38.4)
    >>> r.total
    9
    >>> r.subscores
    {'respiration_rate': 2, 'spo2': 2, 'air_or_oxygen': 0, 'systolic_bp': 2, 'pulse': 2, 'consciousness': 0, 'temperature': 1}
    >>> r.band, r.monitoring
    ('high', 'continuous')

    New confusion alone scores 3, which calls for an urgent ward-based response:

    >>> news2(16, 97, False, 125, 75, "C", 37.0).band
    'low-medium'
    """
    scale = _check_scale(spo2_scale)
    values = {
        "respiration_rate": _check_number("respiration_rate", respiration_rate),
        "spo2": _check_number("spo2", spo2),
        "systolic_bp": _check_number("systolic_bp", systolic_bp),
        "pulse": _check_number("pulse", pulse),
        "temperature": _check_number("temperature", temperature),
    }
    oxygen = _check_oxygen(on_oxygen)
    letter = _check_consciousness(consciousness)
    subscores = {
        "respiration_rate": _lookup("respiration_rate", _round_half_up(values["respiration_rate"])),
        "spo2": _lookup(_spo2_table(scale, oxygen), _round_half_up(values["spo2"])),
        "air_or_oxygen": 2 if oxygen else 0,
        "systolic_bp": _lookup("systolic_bp", _round_half_up(values["systolic_bp"])),
        "pulse": _lookup("pulse", _round_half_up(values["pulse"])),
        "consciousness": 0 if letter == "A" else 3,
        "temperature": _lookup("temperature_tenths", _round_half_up(values["temperature"] * 10)),
    }
    total = sum(subscores.values())
    key = _band_key(total, 3 in subscores.values())
    monitoring, response = RESPONSES[key]
    return News2Result(
        total=total,
        subscores=subscores,
        band="low" if key == "low-0" else key,
        response=response,
        monitoring=monitoring,
        spo2_scale=scale,
    )


_INPUTS = (
    "respiration_rate",
    "spo2",
    "on_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)


def _frame_numbers(df: pd.DataFrame, name: str, column: str) -> np.ndarray:
    import pandas as pd

    series = df[column]
    is_numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if is_numeric:
        values = series.to_numpy(dtype=float, na_value=np.nan)
        low, high, _ = PLAUSIBLE_RANGES[name]
        bad = np.isnan(values) | (values < low) | (values > high)
        if bad.any():
            position = int(np.flatnonzero(bad)[0])
            _check_number(name, series.iloc[position], row=series.index[position])
        return values
    return np.array(
        [_check_number(name, v, row=i) for i, v in series.items()], dtype=float
    ).reshape(len(series))


def news2_frame(
    df: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    spo2_scale: int | str | None = None,
) -> pd.DataFrame:
    """Work out NEWS2 for every row of a DataFrame of observations.

    Gives exactly the same scores as :func:`news2` on each row, but all at once.

    Parameters
    ----------
    df : pandas DataFrame
        One row per set of observations.
    columns : dict, optional
        Which column holds each observation, when the names differ from the parameters of
        :func:`news2` (``respiration_rate``, ``spo2``, ``on_oxygen``, ``systolic_bp``,
        ``pulse``, ``consciousness``, ``temperature``), e.g. ``{"respiration_rate": "rr"}``.
        Parameters not in the dict are looked for under their own name.
    spo2_scale : 1, 2, str or None, default None
        The SpO2 scale for every row (1 or 2), or the name of a column holding 1 or 2 for
        each row. None (the default) uses a column called ``spo2_scale`` if ``df`` has one,
        so that patients on Scale 2 are never scored on Scale 1 by accident, and Scale 1
        for every row otherwise.

    Returns
    -------
    pandas DataFrame
        Same index as ``df``. One column per subscore (``respiration_rate_score``,
        ``spo2_score``, ``air_or_oxygen_score``, ``systolic_bp_score``, ``pulse_score``,
        ``consciousness_score``, ``temperature_score``), then ``total``, ``band`` and
        ``monitoring``. Join it to ``df`` with ``df.join(news2_frame(df))``.

    Raises
    ------
    ValueError
        A missing column (the message lists the columns there are), or a missing or
        impossible value (the message names the parameter, the row and the value).

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"rr": [22, 16], "sats": [93, 97], "o2": [False, False],
    ...                     "sbp": [98, 125], "hr": [112, 75], "acvpu": ["A", "C"],
    ...                     "temp": [38.4, 37.0]})
    >>> names = {"respiration_rate": "rr", "spo2": "sats", "on_oxygen": "o2",
    ...          "systolic_bp": "sbp", "pulse": "hr", "consciousness": "acvpu",
    ...          "temperature": "temp"}
    >>> news2_frame(obs, columns=names)[["total", "band", "monitoring"]]
       total        band  monitoring
    0      9        high  continuous
    1      3  low-medium    1-hourly
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if columns is None:
        columns = {}
    if not isinstance(columns, Mapping):
        raise TypeError(
            "columns must be a dict from NEWS2 parameter to column name, e.g. "
            f'{{"respiration_rate": "rr"}}, got {type(columns).__name__}'
        )
    unknown = [k for k in columns if k not in _INPUTS]
    if unknown:
        raise ValueError(
            f"columns has keys that are not NEWS2 parameters: {unknown}. "
            f"The parameters are: {list(_INPUTS)}"
        )
    names = {p: columns.get(p, p) for p in _INPUTS}
    missing = {p: c for p, c in names.items() if c not in df.columns}
    if missing:
        parts = ", ".join(f"{p} (looked for column {c!r})" for p, c in missing.items())
        raise ValueError(
            f"df has no column for {parts}. The columns are: {list(df.columns)}. Pass "
            'columns={"parameter": "your column name"} to say which column to use.'
        )

    numbers_ = {
        p: _frame_numbers(df, p, names[p])
        for p in ("respiration_rate", "spo2", "systolic_bp", "pulse", "temperature")
    }
    o2_series = df[names["on_oxygen"]]
    if pd.api.types.is_bool_dtype(o2_series) and not o2_series.isna().any():
        oxygen = o2_series.to_numpy(dtype=bool)
    else:
        oxygen = np.array([_check_oxygen(v, row=i) for i, v in o2_series.items()], dtype=bool)
    acvpu = np.array(
        [_check_consciousness(v, row=i) for i, v in df[names["consciousness"]].items()],
        dtype=object,
    )
    if spo2_scale is None:
        spo2_scale = "spo2_scale" if "spo2_scale" in df.columns else 1
    if isinstance(spo2_scale, str):
        if spo2_scale not in df.columns:
            raise ValueError(
                f"spo2_scale names column {spo2_scale!r}, which is not in df. "
                f"The columns are: {list(df.columns)}"
            )
        scale = np.array(
            [_check_scale(v, row=i) for i, v in df[spo2_scale].items()], dtype=np.int64
        )
    else:
        scale = np.full(len(df), _check_scale(spo2_scale), dtype=np.int64)

    spo2 = _round_half_up_array(numbers_["spo2"])
    spo2_score = np.select(
        [scale == 1, oxygen],
        [
            _lookup_array("spo2_scale1", spo2),
            _lookup_array("spo2_scale2_oxygen", spo2),
        ],
        _lookup_array("spo2_scale2_air", spo2),
    )
    scores = {
        "respiration_rate": _lookup_array(
            "respiration_rate", _round_half_up_array(numbers_["respiration_rate"])
        ),
        "spo2": spo2_score,
        "air_or_oxygen": np.where(oxygen, 2, 0),
        "systolic_bp": _lookup_array("systolic_bp", _round_half_up_array(numbers_["systolic_bp"])),
        "pulse": _lookup_array("pulse", _round_half_up_array(numbers_["pulse"])),
        "consciousness": np.where(acvpu == "A", 0, 3),
        "temperature": _lookup_array(
            "temperature_tenths", _round_half_up_array(numbers_["temperature"] * 10)
        ),
    }
    out = pd.DataFrame(
        {f"{p}_score": scores[p].astype(np.int64) for p in PARAMETERS}, index=df.index
    )
    total = out.sum(axis=1).to_numpy(dtype=np.int64)
    any_three = (out.to_numpy() == 3).any(axis=1)
    keys = [_band_key(int(t), bool(a)) for t, a in zip(total, any_three, strict=True)]
    out["total"] = total
    out["band"] = ["low" if k == "low-0" else k for k in keys]
    out["monitoring"] = [RESPONSES[k][0] for k in keys]
    return out
