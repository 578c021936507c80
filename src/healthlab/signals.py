"""Heart signals: filter an ECG, find its R-peaks, and measure heart rate and rhythm.

Each function is a thin, checked layer over :mod:`scipy.signal` or NumPy, with its settings in
the units a clinician uses (seconds, millivolts, beats per minute) rather than in samples. The
module draws nothing: :func:`healthlab.plots.plot_ecg_strip` draws ECG paper.

- Filters: :func:`remove_baseline` (a high-pass filter that takes away slow drift, such as
  breathing) and :func:`lowpass` (takes away fast noise, such as mains hum).
- Beats: :func:`find_r_peaks`, :func:`rr_intervals` (seconds between beats),
  :func:`heart_rate` (beats per minute, 60 / RR) and :func:`rmssd` (one measure of heart-rate
  variability).
- Rhythm: :func:`simulate_rr` makes a simulated series of RR intervals for sinus rhythm or
  atrial fibrillation (AF), :func:`simulate_recordings` a table of simulated people, and
  :func:`rhythm_features` the numbers a classifier uses.

Clinical numbers (``clinical-facts.md``): heart rate = 60 / RR interval in seconds; a normal
adult resting heart rate is 60-100 beats per minute; AF is an "irregularly irregular" rhythm.

Examples
--------
>>> import numpy as np
>>> from healthlab import signals
>>> rate = 500                                   # samples per second (Hz)
>>> t = np.arange(0, 10, 1 / rate)               # 10 seconds
>>> ecg = np.exp(-(((t % 0.8) - 0.4) ** 2) / 0.0002)   # a sharp "R wave" every 0.8 s
>>> peaks = signals.find_r_peaks(ecg, rate)
>>> rr = signals.rr_intervals(peaks, rate)
>>> print(f"{len(peaks)} beats, heart rate {signals.heart_rate(rr).mean():.0f} per minute")
12 beats, heart rate 75 per minute
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "RHYTHMS",
    "RESTING_HEART_RATE",
    "remove_baseline",
    "lowpass",
    "find_r_peaks",
    "rr_intervals",
    "heart_rate",
    "rmssd",
    "simulate_rr",
    "simulate_recordings",
    "rhythm_features",
]

#: The rhythms :func:`simulate_rr` can make: normal sinus rhythm and atrial fibrillation.
RHYTHMS = ("sinus", "af")

#: Normal adult resting heart rate, beats per minute (clinical-facts.md, Part 3).
RESTING_HEART_RATE = (60, 100)

# Shortest and longest RR interval a simulation may produce (seconds): 240 and 24 per minute.
_RR_LIMITS = (0.25, 2.5)

# ---------------------------------------------------------------------------------------------
# Input checks (private): each names the parameter, shows the bad value and says what to do.
# ---------------------------------------------------------------------------------------------


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _positive(value: Any, name: str, what: str) -> float:
    if not _is_number(value) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of {what}; got {value!r}.")
    return float(value)


def _rate(sampling_rate: Any) -> float:
    return _positive(sampling_rate, "sampling_rate", "samples per second (Hz), e.g. 1000")


def _values(values: Any, name: str, what: str = "sample") -> np.ndarray:
    """``values`` as a 1-D float array with at least one finite value, or a clear error."""
    import pandas as pd

    if values is None or isinstance(values, (str, bytes)):
        raise TypeError(
            f"{name} must be a list, NumPy array or pandas column of numbers; got {values!r}."
        )
    if isinstance(values, pd.DataFrame):
        raise ValueError(
            f"{name} must be one column of numbers, not a table with {values.shape[1]} columns; "
            f"pick one, e.g. ecg['II']."
        )
    arr = np.asarray(values)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a series of values, one per {what}; got one value.")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got an array of shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: it needs at least one value per {what}.")
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must contain numbers; got values of type {arr.dtype}.")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(
            f"{name} has {int(bad.sum())} missing or infinite values (NaN/inf), the first at "
            f"position {int(np.flatnonzero(bad)[0])}; remove or fill them first."
        )
    return arr


def _cutoff(cutoff: Any, rate: float, name: str = "cutoff") -> float:
    value = _positive(cutoff, name, "hertz (cycles per second)")
    nyquist = rate / 2
    if value >= nyquist:
        raise ValueError(
            f"{name} must be below the Nyquist frequency, half the sampling rate "
            f"({nyquist:g} Hz for {rate:g} samples per second); got {cutoff!r} Hz."
        )
    return value


def _order(order: Any) -> int:
    if not isinstance(order, numbers.Integral) or isinstance(order, bool) or not 1 <= order <= 8:
        raise ValueError(f"order must be a whole number from 1 to 8; got {order!r}.")
    return int(order)


def _filter(signal: Any, sampling_rate: Any, cutoff: Any, order: Any, btype: str) -> np.ndarray:
    from scipy.signal import butter, sosfiltfilt

    values = _values(signal, "signal")
    rate = _rate(sampling_rate)
    freq = _cutoff(cutoff, rate)
    sos = butter(_order(order), freq, btype=btype, fs=rate, output="sos")
    needed = 3 * (2 * len(sos) + 1)  # sosfiltfilt's default padding, in samples
    if len(values) <= needed:
        raise ValueError(
            f"signal is too short to filter: it has {len(values)} samples and needs more than "
            f"{needed} ({needed / rate:g} s at {rate:g} Hz)."
        )
    return sosfiltfilt(sos, values)


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


def remove_baseline(
    signal: Any, sampling_rate: float, cutoff: float = 0.5, *, order: int = 2
) -> np.ndarray:
    """Remove slow baseline wander (breathing, movement) with a zero-phase high-pass filter.

    A Butterworth high-pass filter (``scipy.signal.butter(..., btype="highpass",
    output="sos")``) keeps the parts of the signal that change faster than ``cutoff`` times a
    second and takes away slower drift. It is run forwards and then backwards
    (``scipy.signal.sosfiltfilt``), so the waves are not shifted in time ("zero phase").

    Parameters
    ----------
    signal : array-like of float
        The ECG in millivolts (mV), one value per sample, e.g. ``ecg["II"]``.
    sampling_rate : float
        Samples per second (Hz).
    cutoff : float, default 0.5
        Slower than this (in hertz, cycles per second) is removed. 0.5 Hz is once every
        2 seconds: slower than any heartbeat, faster than breathing drift. A higher cutoff can
        distort the ST segment, which diagnostic ECG machines protect with lower cutoffs.
    order : int, default 2
        Steepness of the filter (1 to 8). Running it both ways doubles the effective order.

    Returns
    -------
    numpy.ndarray
        The filtered signal, in the same units, the same length as ``signal``.

    Raises
    ------
    ValueError
        If the sampling rate is not positive, the signal is empty, too short or has missing
        values, or ``cutoff`` is not below half the sampling rate (the Nyquist frequency).

    See Also
    --------
    lowpass : remove fast noise instead.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 10, 1 / 250)
    >>> drift = 0.5 * np.sin(2 * np.pi * 0.2 * t)   # a slow wave, 12 a minute, like breathing
    >>> cleaned = remove_baseline(drift, 250)
    >>> print(f"{np.abs(drift).max():.2f} mV before, {np.abs(cleaned[500:-500]).max():.2f} mV after")
    0.50 mV before, 0.01 mV after
    """
    return _filter(signal, sampling_rate, cutoff, order, "highpass")


def lowpass(
    signal: Any, sampling_rate: float, cutoff: float = 40.0, *, order: int = 4
) -> np.ndarray:
    """Remove fast noise (muscle tremor, mains hum) with a zero-phase low-pass filter.

    A Butterworth low-pass filter (``scipy.signal.butter(..., btype="lowpass",
    output="sos")``), run forwards and backwards (``scipy.signal.sosfiltfilt``), keeps what
    changes slower than ``cutoff`` times a second. 40 Hz keeps the shape of the QRS complex
    well enough to find beats, and removes most of the mains hum, which is 50 Hz in the UK. A
    filter does not cut like a knife: just above the cutoff some of the signal still gets
    through (here 50 Hz hum keeps about a seventh of its size; a higher ``order`` cuts more
    steeply).

    Parameters
    ----------
    signal : array-like of float
        The ECG in millivolts (mV), one value per sample.
    sampling_rate : float
        Samples per second (Hz).
    cutoff : float, default 40.0
        Faster than this (hertz) is removed. Must be below half the sampling rate.
    order : int, default 4
        Steepness of the filter (1 to 8).

    Returns
    -------
    numpy.ndarray
        The filtered signal, the same length as ``signal``.

    Raises
    ------
    ValueError
        As :func:`remove_baseline`.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 4, 1 / 1000)
    >>> hum = 0.2 * np.sin(2 * np.pi * 50 * t)      # 50 Hz mains hum
    >>> print(f"{np.abs(lowpass(hum, 1000)[500:-500]).max():.3f} mV left")
    0.028 mV left
    """
    return _filter(signal, sampling_rate, cutoff, order, "lowpass")


# ---------------------------------------------------------------------------------------------
# Beats
# ---------------------------------------------------------------------------------------------


def find_r_peaks(
    signal: Any,
    sampling_rate: float,
    *,
    min_rr: float = 0.3,
    height: float | None = None,
    prominence: float | None = 0.5,
) -> np.ndarray:
    """Find the R-peaks (the tall spike of each heartbeat) with ``scipy.signal.find_peaks``.

    A *peak* is a sample higher than both its neighbours: a noisy ECG has hundreds. The three
    settings keep only the R waves; each is passed to ``find_peaks`` after converting it from
    clinical units:

    - ``min_rr`` (seconds) becomes ``distance`` (samples): two peaks closer than this are not
      two heartbeats, so only the taller is kept. 0.3 s allows up to 200 beats per minute.
    - ``height`` (mV): a peak must reach at least this voltage.
    - ``prominence`` (mV): a peak must stand at least this far above the lowest point on
      either side before a higher peak, so small bumps on a big wave (the T wave) do not count.

    Parameters
    ----------
    signal : array-like of float
        The ECG in millivolts, ideally filtered first (:func:`remove_baseline`,
        :func:`lowpass`). R waves must point upwards, as in lead II.
    sampling_rate : float
        Samples per second (Hz).
    min_rr : float, default 0.3
        The shortest gap between two beats to allow, in seconds.
    height : float, optional
        The lowest voltage (mV) an R-peak may have; no limit by default.
    prominence : float or None, default 0.5
        How far (mV) an R-peak must stand above its surroundings. 0.5 mV suits a limb lead with
        R waves of about 1 mV; lower it for small R waves. None for no limit.

    Returns
    -------
    numpy.ndarray of int
        The sample number of each R-peak, in order. Divide by ``sampling_rate`` for seconds.

    Raises
    ------
    ValueError
        If the sampling rate is not positive, the signal is empty or has missing values, or a
        setting is negative.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 3, 1 / 1000)
    >>> beats = np.exp(-(((t % 1.0) - 0.5) ** 2) / 0.0002)    # one R wave a second
    >>> find_r_peaks(beats, 1000)
    array([ 500, 1500, 2500])
    """
    from scipy.signal import find_peaks

    values = _values(signal, "signal")
    rate = _rate(sampling_rate)
    gap = _positive(min_rr, "min_rr", "seconds, e.g. 0.3")
    for name, value in (("height", height), ("prominence", prominence)):
        if value is not None and (not _is_number(value) or not value >= 0):
            raise ValueError(
                f"{name} must be a voltage in mV of 0 or more, or None; got {value!r}."
            )
    distance = max(1, int(round(gap * rate)))
    peaks, _properties = find_peaks(values, distance=distance, height=height, prominence=prominence)
    return peaks


def rr_intervals(peaks: Any, sampling_rate: float) -> np.ndarray:
    """The RR intervals: the time from each R-peak to the next, in seconds.

    Parameters
    ----------
    peaks : array-like of int
        Sample numbers of the R-peaks, in increasing order (from :func:`find_r_peaks`).
    sampling_rate : float
        Samples per second (Hz).

    Returns
    -------
    numpy.ndarray of float
        One interval fewer than there are peaks, in seconds.

    Raises
    ------
    ValueError
        If there are fewer than two peaks, they are not in increasing order, or the sampling
        rate is not positive.

    Examples
    --------
    >>> rr_intervals([500, 1300, 2100], sampling_rate=1000)
    array([0.8, 0.8])
    """
    rate = _rate(sampling_rate)
    where = _values(peaks, "peaks", "R-peak")
    if len(where) < 2:
        raise ValueError(
            f"peaks needs at least two R-peaks to measure an interval; got {len(where)}. "
            "Check the signal and the settings of find_r_peaks."
        )
    steps = np.diff(where)
    if (steps <= 0).any():
        raise ValueError(
            "peaks must be in increasing order (the sample number of each R-peak, first to "
            f"last); position {int(np.flatnonzero(steps <= 0)[0]) + 1} is not after the one "
            "before it."
        )
    return steps / rate


def heart_rate(rr: Any) -> Any:
    """Heart rate in beats per minute from RR intervals in seconds: 60 / RR.

    Parameters
    ----------
    rr : float or array-like of float
        One RR interval or several, in seconds (from :func:`rr_intervals`).

    Returns
    -------
    float or numpy.ndarray
        Beats per minute: one number for one interval, an array for several.

    Raises
    ------
    ValueError
        If an interval is zero, negative or missing, or there are none.

    Examples
    --------
    >>> heart_rate(0.8)
    75.0
    >>> heart_rate([1.0, 0.75, 0.5])
    array([ 60.,  80., 120.])
    """
    if _is_number(rr):
        return 60.0 / _positive(rr, "rr", "seconds (the time between two beats)")
    values = _values(rr, "rr", "RR interval")
    if (values <= 0).any():
        bad = values[values <= 0][0]
        raise ValueError(f"rr must be positive numbers of seconds; found {bad:g}.")
    return 60.0 / values


def rmssd(rr: Any) -> float:
    """RMSSD, a measure of heart-rate variability: how much each RR interval differs from the next.

    Root Mean Square of Successive Differences: take the difference between each interval and
    the next, square them, take the mean, then the square root. A steady rhythm gives a small
    RMSSD; an irregular one (such as atrial fibrillation) a large one.

    Parameters
    ----------
    rr : array-like of float
        RR intervals, at least two (seconds, from :func:`rr_intervals`).

    Returns
    -------
    float
        In the same unit as ``rr``: seconds in, seconds out (multiply by 1000 for milliseconds,
        the unit heart-rate variability reports usually use).

    Raises
    ------
    ValueError
        If there are fewer than two intervals, or one is missing.

    Examples
    --------
    >>> round(rmssd([0.80, 0.82, 0.79, 0.81]), 4)
    0.0238
    """
    values = _values(rr, "rr", "RR interval")
    if len(values) < 2:
        raise ValueError(f"rr needs at least two intervals to compare; got {len(values)}.")
    return float(np.sqrt(np.mean(np.diff(values) ** 2)))


# ---------------------------------------------------------------------------------------------
# Rhythm: simulated RR series and their features
# ---------------------------------------------------------------------------------------------


def _rhythm(rhythm: Any) -> str:
    key = rhythm.strip().lower() if isinstance(rhythm, str) else rhythm
    key = {"atrial fibrillation": "af", "normal sinus rhythm": "sinus"}.get(key, key)
    if key not in RHYTHMS:
        raise ValueError(
            f"rhythm must be 'sinus' (normal sinus rhythm) or 'af' (atrial fibrillation); "
            f"got {rhythm!r}."
        )
    return key


def _count(value: Any, name: str, least: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < least:
        raise ValueError(f"{name} must be a whole number, at least {least}; got {value!r}.")
    return int(value)


def simulate_rr(
    rhythm: str,
    n_beats: int = 60,
    seed: int = 42,
    *,
    heart_rate: float = 75.0,
    variation: float | None = None,
    breathing_rate: float = 15.0,
    ectopic_rate: float = 0.0,
) -> np.ndarray:
    """Simulate a series of RR intervals (seconds) for sinus rhythm or atrial fibrillation.

    Simulated, not recorded: a teaching model of the two rhythms, not of any real person.
    The same ``seed`` always gives the same series.

    The generating model, with mean interval ``m = 60 / heart_rate`` seconds:

    - ``"sinus"`` (normal sinus rhythm): regular, gently speeding up and slowing down with
      breathing (respiratory sinus arrhythmia). Interval ``i`` is
      ``m * (1 + variation * sin(2 pi i breathing_rate / heart_rate + phase) + e_i)``, with a
      random starting ``phase`` and small beat-to-beat noise ``e_i`` drawn from a normal
      distribution with standard deviation 0.01. With chance ``ectopic_rate``, a beat is an
      early extra beat (an ectopic beat): its interval is 35% shorter and the next one longer
      by the same time (a compensatory pause). Default ``variation`` 0.03.
    - ``"af"`` (atrial fibrillation): "irregularly irregular". Each interval is drawn
      independently of the others from a normal distribution with mean ``m`` and standard
      deviation ``variation * m``. Default ``variation`` 0.15.

    Every interval is then kept between 0.25 and 2.5 seconds.

    Parameters
    ----------
    rhythm : {"sinus", "af"}
        Normal sinus rhythm or atrial fibrillation ("normal sinus rhythm" and "atrial
        fibrillation" are accepted too).
    n_beats : int, default 60
        How many RR intervals (at least 2).
    seed : int, default 42
        Seed of the random number generator (``numpy.random.default_rng``).
    heart_rate : float, default 75.0
        The average heart rate, beats per minute.
    variation : float, optional
        Sinus: the size of the breathing swing, as a share of ``m`` (0.03 = 3%). AF: the
        standard deviation of the intervals, as a share of ``m``. Defaults 0.03 and 0.15.
    breathing_rate : float, default 15.0
        Sinus only: breaths per minute.
    ectopic_rate : float, default 0.0
        Sinus only: the chance that a beat is an ectopic beat (0 to 0.5).

    Returns
    -------
    numpy.ndarray of float
        ``n_beats`` RR intervals in seconds.

    Raises
    ------
    ValueError
        For an unknown rhythm, fewer than 2 beats, or a setting out of range.

    See Also
    --------
    simulate_recordings : a table of simulated people, ready for a classifier.

    Examples
    --------
    >>> sinus = simulate_rr("sinus", n_beats=5, seed=1)
    >>> af = simulate_rr("af", n_beats=5, seed=1)
    >>> print(sinus.round(2), af.round(2))
    [0.8  0.78 0.78 0.82 0.83] [0.84 0.9  0.84 0.64 0.91]
    >>> bool((simulate_rr("af", 5, seed=1) == af).all())   # same seed, same series
    True
    """
    kind = _rhythm(rhythm)
    n = _count(n_beats, "n_beats", 2)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be a whole number, e.g. 42; got {seed!r}.")
    rate = _positive(heart_rate, "heart_rate", "beats per minute, e.g. 75")
    if variation is None:
        variation = 0.03 if kind == "sinus" else 0.15
    if not _is_number(variation) or not 0 <= variation < 1:
        raise ValueError(
            f"variation must be a share from 0 to below 1, e.g. 0.05; got {variation!r}."
        )
    breaths = _positive(breathing_rate, "breathing_rate", "breaths per minute, e.g. 15")
    if not _is_number(ectopic_rate) or not 0 <= ectopic_rate <= 0.5:
        raise ValueError(f"ectopic_rate must be a chance from 0 to 0.5; got {ectopic_rate!r}.")
    if kind == "af" and ectopic_rate:
        raise ValueError("ectopic_rate applies to sinus rhythm only; leave it at 0 for 'af'.")

    rng = np.random.default_rng(seed)
    mean_rr = 60.0 / rate
    if kind == "af":
        rr = rng.normal(mean_rr, variation * mean_rr, size=n)
    else:
        phase = rng.uniform(0, 2 * np.pi)
        beat = np.arange(n)
        swing = variation * np.sin(2 * np.pi * beat * breaths / rate + phase)
        rr = mean_rr * (1 + swing + rng.normal(0, 0.01, size=n))
        early = rng.random(n) < ectopic_rate
        for i in np.flatnonzero(early[:-1]):
            if i > 0 and early[i - 1]:
                continue  # no two ectopic beats in a row
            shift = 0.35 * rr[i]
            rr[i] -= shift
            rr[i + 1] += shift
    return np.clip(rr, *_RR_LIMITS)


def rhythm_features(rr_series: Any) -> Any:
    """The numbers a rhythm classifier uses, one row per RR series.

    Parameters
    ----------
    rr_series : array-like of float, or a sequence of them
        One series of RR intervals in seconds (at least two), or a list of such series.

    Returns
    -------
    pandas.DataFrame
        One row per series, columns:

        - ``heart_rate_bpm``: 60 / the mean RR interval;
        - ``rr_sd_ms``: the spread of the intervals, their standard deviation (ddof=1), in ms;
        - ``rmssd_ms``: :func:`rmssd`, in milliseconds.

    Raises
    ------
    ValueError
        If a series has fewer than two intervals, or a non-positive or missing one.

    Examples
    --------
    >>> rhythm_features([[0.80, 0.82, 0.79, 0.81], [0.6, 1.1, 0.7, 0.9]]).round(1)
       heart_rate_bpm  rr_sd_ms  rmssd_ms
    0            74.5      12.9      23.8
    1            72.7     221.7     387.3
    """
    import pandas as pd

    if isinstance(rr_series, pd.DataFrame):
        raise ValueError(
            "rr_series must be one series of RR intervals or a list of them, not a table."
        )
    items = list(rr_series) if not isinstance(rr_series, (str, bytes)) else [rr_series]
    single = len(items) > 0 and all(_is_number(v) for v in items)
    series: Sequence[Any] = [items] if single else items
    if len(series) == 0:
        raise ValueError("rr_series is empty: give at least one series of RR intervals.")
    rows = []
    for number, rr in enumerate(series):
        name = "rr_series" if single else f"rr_series[{number}]"
        values = _values(rr, name, "RR interval")
        if len(values) < 2:
            raise ValueError(f"{name} needs at least two RR intervals; got {len(values)}.")
        if (values <= 0).any():
            raise ValueError(
                f"{name} must hold positive intervals in seconds; found {values.min():g}."
            )
        rows.append(
            {
                "heart_rate_bpm": 60.0 / values.mean(),
                "rr_sd_ms": 1000 * values.std(ddof=1),
                "rmssd_ms": 1000 * rmssd(values),
            }
        )
    return pd.DataFrame(rows)


def _range(value: Any, name: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be two numbers (lowest, highest); got {value!r}.") from None
    if not 0 <= low <= high < 1:
        raise ValueError(
            f"{name} must run from a low share to a higher one below 1; got {value!r}."
        )
    return low, high


def simulate_recordings(
    n_sinus: int = 200,
    n_af: int = 200,
    *,
    n_beats: int = 60,
    seed: int = 42,
    sinus_variation: tuple[float, float] = (0.01, 0.06),
) -> Any:
    """A table of simulated people, each with a short pulse recording in sinus rhythm or AF.

    Each person gets their own settings, drawn at random, and :func:`simulate_rr` makes their
    ``n_beats`` RR intervals (about a minute of pulse at the default 60). The settings:

    - sinus rhythm: heart rate uniform from 55 to 100 per minute; ``variation`` uniform over
      ``sinus_variation``; breathing 12 to 20 breaths a minute; one person in ten has
      occasional early beats (``ectopic_rate`` uniform from 0.01 to 0.03), the rest none;
    - atrial fibrillation: heart rate uniform from 60 to 110 per minute; ``variation``
      uniform from 0.10 to 0.25.

    So the two groups overlap in heart rate, and a few sinus recordings with ectopic beats look
    irregular: the classifier's job is realistic, if simpler than real life.

    Parameters
    ----------
    n_sinus, n_af : int, default 200
        How many people in each rhythm (0 or more, at least one in all).
    n_beats : int, default 60
        RR intervals per recording.
    seed : int, default 42
        Seed of the random number generator: the same seed gives the same table.
    sinus_variation : (float, float), default (0.01, 0.06)
        Range of the breathing swing of the sinus group (see :func:`simulate_rr`). A larger
        range imitates people whose heart rate rises and falls more with breathing.

    Returns
    -------
    pandas.DataFrame
        One row per person: ``rhythm`` ("sinus" or "af"), ``af`` (1 for AF, 0 for sinus) and
        the :func:`rhythm_features` columns ``heart_rate_bpm``, ``rr_sd_ms``, ``rmssd_ms``.
        The sinus people come first.

    Examples
    --------
    >>> people = simulate_recordings(n_sinus=3, n_af=2, seed=7)
    >>> people[["rhythm", "af"]].value_counts().sort_index().tolist()
    [2, 3]
    >>> people.groupby("rhythm")["rmssd_ms"].mean().round(0).to_dict()
    {'af': 166.0, 'sinus': 18.0}
    """
    sinus_n = _count(n_sinus, "n_sinus", 0)
    af_n = _count(n_af, "n_af", 0)
    if sinus_n + af_n == 0:
        raise ValueError("n_sinus and n_af are both 0: simulate at least one person.")
    beats = _count(n_beats, "n_beats", 2)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be a whole number, e.g. 42; got {seed!r}.")
    low, high = _range(sinus_variation, "sinus_variation")
    rng = np.random.default_rng(seed)
    rhythms, series = [], []
    for kind, count in (("sinus", sinus_n), ("af", af_n)):
        for _ in range(count):
            person_seed = int(rng.integers(2**31))
            if kind == "sinus":
                settings = {
                    "heart_rate": rng.uniform(55, 100),
                    "variation": rng.uniform(low, high),
                    "breathing_rate": rng.uniform(12, 20),
                    "ectopic_rate": rng.uniform(0.01, 0.03) if rng.random() < 0.1 else 0.0,
                }
            else:
                settings = {
                    "heart_rate": rng.uniform(60, 110),
                    "variation": rng.uniform(0.10, 0.25),
                }
            series.append(simulate_rr(kind, beats, person_seed, **settings))
            rhythms.append(kind)
    table = rhythm_features(series)
    table.insert(0, "af", [int(k == "af") for k in rhythms])
    table.insert(0, "rhythm", rhythms)
    return table
