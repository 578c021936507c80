"""healthlab.signals: filters, R-peaks, heart rate, HRV and the simulated rhythms.

Known answers come from synthetic signals built here (beats at known times, a baseline sine of
known size) and from NumPy/scipy computed directly, not from the module under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import butter, find_peaks, sosfiltfilt

from healthlab import datasets, signals

RATE = 500.0


def synthetic_ecg(bpm: float = 72.0, seconds: float = 20.0, rate: float = RATE, seed: int = 0):
    """Gaussian "R waves" (1 mV, sharp) and "T waves" (0.3 mV, broad) at a known heart rate."""
    t = np.arange(0, seconds, 1 / rate)
    rr = 60.0 / bpm
    beats = np.arange(0.4, seconds - 0.4, rr)
    ecg = np.zeros_like(t)
    for b in beats:
        ecg += 1.0 * np.exp(-(((t - b) / 0.012) ** 2))
        ecg += 0.3 * np.exp(-(((t - b - 0.25) / 0.05) ** 2))
    noise = np.random.default_rng(seed).normal(0, 0.01, size=t.size)
    return t, ecg + noise, beats


# --- filters ----------------------------------------------------------------------------------


def test_remove_baseline_removes_a_known_baseline_sine():
    t, ecg, _ = synthetic_ecg()
    wander = 0.8 * np.sin(2 * np.pi * 0.15 * t)
    cleaned = signals.remove_baseline(ecg + wander, RATE)
    reference = signals.remove_baseline(ecg, RATE)
    inner = slice(int(2 * RATE), int(-2 * RATE))  # away from the ends
    left = cleaned[inner] - reference[inner]
    # what is left of the 0.8 mV wander is under 5% of it
    assert np.abs(left).max() < 0.04
    # and the filter is linear: filtering the sine alone gives the same remainder
    assert np.allclose(left, signals.remove_baseline(wander, RATE)[inner])


def test_remove_baseline_is_butterworth_sosfiltfilt():
    _, ecg, _ = synthetic_ecg()
    sos = butter(2, 0.5, btype="highpass", fs=RATE, output="sos")
    assert np.allclose(signals.remove_baseline(ecg, RATE), sosfiltfilt(sos, ecg))
    sos = butter(4, 40, btype="lowpass", fs=RATE, output="sos")
    assert np.allclose(signals.lowpass(ecg, RATE), sosfiltfilt(sos, ecg))


def test_lowpass_shrinks_mains_hum_and_keeps_peaks_in_place():
    t, ecg, beats = synthetic_ecg()
    hum = 0.2 * np.sin(2 * np.pi * 50 * t)
    filtered = signals.lowpass(ecg + hum, RATE)
    inner = slice(int(RATE), int(-RATE))
    assert np.abs(filtered - signals.lowpass(ecg, RATE))[inner].max() < 0.2 * 0.2
    # zero phase: the R-peaks are found at the same samples as before filtering
    before = find_peaks(ecg, distance=int(0.3 * RATE), prominence=0.5)[0]
    after = find_peaks(filtered, distance=int(0.3 * RATE), prominence=0.5)[0]
    assert len(before) == len(beats)
    assert np.abs(after - before).max() <= 1


def test_filters_return_same_length_and_accept_lists_and_series():
    _, ecg, _ = synthetic_ecg(seconds=4)
    for data in (ecg, list(ecg), pd.Series(ecg)):
        assert signals.remove_baseline(data, RATE).shape == ecg.shape
        assert signals.lowpass(data, RATE, cutoff=30).shape == ecg.shape


# --- beats ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bpm", [45.0, 72.0, 110.0, 150.0])
def test_heart_rate_of_a_synthetic_ecg_with_known_beats_is_recovered(bpm):
    t, ecg, beats = synthetic_ecg(bpm=bpm)
    wander = 0.5 * np.sin(2 * np.pi * 0.2 * t)
    clean = signals.lowpass(signals.remove_baseline(ecg + wander, RATE), RATE)
    peaks = signals.find_r_peaks(clean, RATE)
    assert len(peaks) == len(beats)
    assert np.abs(peaks / RATE - beats).max() < 0.01
    rr = signals.rr_intervals(peaks, RATE)
    assert signals.heart_rate(rr).mean() == pytest.approx(bpm, abs=0.5)


def test_find_r_peaks_converts_min_rr_seconds_into_samples():
    _, ecg, beats = synthetic_ecg(bpm=60)
    assert len(signals.find_r_peaks(ecg, RATE, min_rr=0.3)) == len(beats)
    # a minimum gap longer than one beat keeps at most every other beat
    assert len(signals.find_r_peaks(ecg, RATE, min_rr=1.5)) <= len(beats) // 2 + 1
    # the same as scipy with distance in samples
    ours = signals.find_r_peaks(ecg, RATE, min_rr=0.4, height=0.2, prominence=0.3)
    theirs = find_peaks(ecg, distance=200, height=0.2, prominence=0.3)[0]
    assert np.array_equal(ours, theirs)


def test_find_r_peaks_without_prominence_counts_t_waves_too():
    _, ecg, beats = synthetic_ecg(bpm=60)
    loose = signals.find_r_peaks(ecg, RATE, min_rr=0.1, prominence=None, height=0.2)
    assert len(loose) == 2 * len(beats)  # an R and a T wave per beat


def test_real_ecg_lead_ii_has_about_61_beats_per_minute():
    # the data card: 10 R waves in 10 s, R-R intervals 0.95 to 1.0 s, about 61 per minute
    ecg = datasets.load("ecg")
    rate = ecg.attrs["sampling_rate_hz"]
    clean = signals.lowpass(signals.remove_baseline(ecg["II"], rate), rate)
    peaks = signals.find_r_peaks(clean, rate)
    rr = signals.rr_intervals(peaks, rate)
    assert len(peaks) == 10
    assert 0.95 <= rr.min() and rr.max() <= 1.01
    assert signals.heart_rate(rr).mean() == pytest.approx(61, abs=1)


def test_rr_intervals_heart_rate_and_rmssd_by_hand():
    rr = signals.rr_intervals([100, 500, 950, 1350], sampling_rate=500)
    assert np.allclose(rr, [0.8, 0.9, 0.8])
    assert np.allclose(signals.heart_rate(rr), [75, 60 / 0.9, 75])
    assert signals.heart_rate(0.5) == 120.0
    assert isinstance(signals.heart_rate(1.0), float)
    assert signals.rmssd(rr) == pytest.approx(0.1)
    values = np.array([0.81, 0.79, 0.84, 0.80, 0.78])
    expected = np.sqrt(np.mean(np.diff(values) ** 2))
    assert signals.rmssd(values) == pytest.approx(expected)


# --- simulated rhythms ------------------------------------------------------------------------


def test_simulate_rr_is_reproducible_with_a_seed():
    for rhythm in signals.RHYTHMS:
        a = signals.simulate_rr(rhythm, n_beats=50, seed=7)
        b = signals.simulate_rr(rhythm, n_beats=50, seed=7)
        c = signals.simulate_rr(rhythm, n_beats=50, seed=8)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, c)
        assert a.shape == (50,)


def test_simulate_rr_follows_its_documented_model():
    # 6 beats a breath: the breathing swing makes each interval like the one before
    sinus = signals.simulate_rr(
        "sinus", 2000, seed=1, heart_rate=60, variation=0.05, breathing_rate=10
    )
    af = signals.simulate_rr("af", 2000, seed=1, heart_rate=60, variation=0.2)
    # mean RR = 60 / heart rate
    assert sinus.mean() == pytest.approx(1.0, abs=0.01)
    assert af.mean() == pytest.approx(1.0, abs=0.02)
    # AF: independent draws, sd = variation * mean RR; sinus: smooth breathing swing
    assert af.std() == pytest.approx(0.2, abs=0.02)
    lag1 = lambda x: np.corrcoef(x[:-1], x[1:])[0, 1]  # noqa: E731
    assert abs(lag1(af)) < 0.1
    assert lag1(sinus) > 0.4  # cos(2 pi / 6) = 0.5, less a little for the noise
    assert signals.rmssd(af) > 5 * signals.rmssd(sinus)
    for rr in (sinus, af, signals.simulate_rr("af", 500, seed=3, heart_rate=200, variation=0.9)):
        assert rr.min() >= 0.25 and rr.max() <= 2.5


def test_ectopic_beats_are_early_then_followed_by_a_pause():
    plain = signals.simulate_rr("sinus", 300, seed=5)
    ectopic = signals.simulate_rr("sinus", 300, seed=5, ectopic_rate=0.05)
    assert signals.rmssd(ectopic) > 2 * signals.rmssd(plain)
    # a premature beat moves time from one interval to the next: the total is kept
    assert ectopic.sum() == pytest.approx(plain.sum(), rel=1e-9)


def test_rhythm_features_match_numpy():
    rr = [0.80, 0.82, 0.79, 0.81, 0.9]
    table = signals.rhythm_features(rr)
    assert list(table.columns) == ["heart_rate_bpm", "rr_sd_ms", "rmssd_ms"]
    assert len(table) == 1
    assert table.loc[0, "heart_rate_bpm"] == pytest.approx(60 / np.mean(rr))
    assert table.loc[0, "rr_sd_ms"] == pytest.approx(1000 * np.std(rr, ddof=1))
    assert table.loc[0, "rmssd_ms"] == pytest.approx(1000 * np.sqrt(np.mean(np.diff(rr) ** 2)))
    two = signals.rhythm_features([np.array(rr), rr[:3]])
    assert len(two) == 2


def test_simulate_recordings_is_reproducible_and_labelled():
    a = signals.simulate_recordings(30, 20, seed=3)
    b = signals.simulate_recordings(30, 20, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["rhythm", "af", "heart_rate_bpm", "rr_sd_ms", "rmssd_ms"]
    assert a["rhythm"].tolist() == ["sinus"] * 30 + ["af"] * 20
    assert a["af"].tolist() == [0] * 30 + [1] * 20
    assert (
        a.groupby("rhythm")["rmssd_ms"].median()["af"]
        > 3 * a.groupby("rhythm")["rmssd_ms"].median()["sinus"]
    )
    assert a["heart_rate_bpm"].between(50, 120).all()
    young = signals.simulate_recordings(50, 0, seed=3, sinus_variation=(0.06, 0.12))
    assert young["rr_sd_ms"].median() > a[a["af"] == 0]["rr_sd_ms"].median()


# --- clear errors for bad input ---------------------------------------------------------------


@pytest.mark.parametrize("rate", [0, -250, float("nan"), "1000", True, None])
def test_bad_sampling_rate_names_the_value(rate):
    with pytest.raises(ValueError, match=r"sampling_rate must be a positive number .* got"):
        signals.remove_baseline(np.zeros(1000), rate)
    with pytest.raises(ValueError, match="sampling_rate"):
        signals.find_r_peaks(np.zeros(1000), rate)
    with pytest.raises(ValueError, match="sampling_rate"):
        signals.rr_intervals([1, 2, 3], rate)


def test_empty_short_or_broken_signals_are_refused():
    with pytest.raises(ValueError, match="signal is empty"):
        signals.remove_baseline([], 500)
    with pytest.raises(ValueError, match="signal is empty"):
        signals.find_r_peaks(np.array([]), 500)
    with pytest.raises(ValueError, match="too short to filter: it has 10 samples"):
        signals.lowpass(np.zeros(10), 500)
    with pytest.raises(ValueError, match="1 missing or infinite"):
        signals.lowpass(np.r_[np.zeros(500), np.nan], 500)
    with pytest.raises(ValueError, match="not a table"):
        signals.remove_baseline(datasets.load("ecg"), 1000)
    with pytest.raises(TypeError, match="must be a list"):
        signals.lowpass("ecg", 500)


@pytest.mark.parametrize("cutoff", [250, 600, 0, -1])
def test_cutoff_at_or_above_nyquist_or_not_positive_is_refused(cutoff):
    message = "Nyquist frequency" if cutoff > 0 else "cutoff must be a positive number"
    with pytest.raises(ValueError, match=message):
        signals.lowpass(np.zeros(2000), 500, cutoff=cutoff)
    with pytest.raises(ValueError, match=rf"got {cutoff}"):
        signals.remove_baseline(np.zeros(2000), 500, cutoff=cutoff)


def test_nyquist_message_says_half_the_sampling_rate():
    with pytest.raises(ValueError, match=r"\(500 Hz for 1000 samples per second\); got 600 Hz"):
        signals.lowpass(np.zeros(5000), 1000, cutoff=600)


def test_unknown_rhythm_names_the_value():
    with pytest.raises(ValueError, match=r"rhythm must be 'sinus' .* or 'af' .*got 'afib'"):
        signals.simulate_rr("afib", 10)
    with pytest.raises(ValueError, match="got 3"):
        signals.simulate_rr(3, 10)
    assert np.array_equal(
        signals.simulate_rr("Atrial fibrillation", 10, seed=1),
        signals.simulate_rr("af", 10, seed=1),
    )


def test_other_bad_settings_are_refused():
    with pytest.raises(ValueError, match="n_beats must be a whole number, at least 2; got 1"):
        signals.simulate_rr("sinus", 1)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        signals.simulate_rr("sinus", 10, seed=1.5)
    with pytest.raises(ValueError, match="heart_rate must be a positive number"):
        signals.simulate_rr("sinus", 10, heart_rate=-70)
    with pytest.raises(ValueError, match="variation"):
        signals.simulate_rr("af", 10, variation=1.5)
    with pytest.raises(ValueError, match="sinus rhythm only"):
        signals.simulate_rr("af", 10, ectopic_rate=0.1)
    with pytest.raises(ValueError, match="min_rr must be a positive number"):
        signals.find_r_peaks(np.zeros(100), 100, min_rr=0)
    with pytest.raises(ValueError, match="prominence must be a voltage"):
        signals.find_r_peaks(np.zeros(100), 100, prominence=-1)
    with pytest.raises(ValueError, match="at least two R-peaks .* got 1"):
        signals.rr_intervals([500], 1000)
    with pytest.raises(ValueError, match="increasing order"):
        signals.rr_intervals([500, 400, 900], 1000)
    with pytest.raises(ValueError, match="rr must be a positive number"):
        signals.heart_rate(0)
    with pytest.raises(ValueError, match="found -0.5"):
        signals.heart_rate([0.8, -0.5])
    with pytest.raises(ValueError, match="at least two intervals to compare; got 1"):
        signals.rmssd([0.8])
    with pytest.raises(ValueError, match="rr_series is empty"):
        signals.rhythm_features([])
    with pytest.raises(ValueError, match=r"rr_series\[1\] needs at least two"):
        signals.rhythm_features([[0.8, 0.9], [0.8]])
    with pytest.raises(ValueError, match="both 0"):
        signals.simulate_recordings(0, 0)
    with pytest.raises(ValueError, match="sinus_variation"):
        signals.simulate_recordings(5, 5, sinus_variation=(0.2, 0.1))
