"""Synthetic health data with a known truth: ward observations, triage notes, a patient cohort.

Each generator draws from ``numpy.random.default_rng(seed)``, so the same arguments always give
the same table. The committed files ``datasets/ward-observations.csv``, ``triage-notes.csv``
and ``patient-cohort.csv`` are these functions' output with their default arguments (written
by ``tools/build_synthetic.py``; a test checks they are byte-for-byte the same). The generating
model of each, its parameters, and what it is NOT are in the data card (``datasets/<name>.md``).

No row describes a real person.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "csv_text",
    "make_patient_cohort",
    "make_triage_notes",
    "make_ward_observations",
]

# Decimal places written to CSV for each float column (the rest are whole numbers or text).
DECIMALS = {
    "ward-observations": {"temperature": 1},
    "triage-notes": {},
    "patient-cohort": {},
}


def _check_count(value: Any, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be a whole number such as 100, not {type(value).__name__} {value!r}."
        )
    if not 1 <= value <= maximum:
        raise ValueError(f"{name} must be between 1 and {maximum:,}, not {value!r}.")
    return int(value)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be a whole number such as 42, not {type(seed).__name__} {seed!r}."
        )
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, not {seed!r}.")
    return int(seed)


def csv_text(df: pd.DataFrame, name: str) -> str:
    """Return the exact CSV text committed for a synthetic data set.

    Floats are written with a fixed number of decimals so that the file is stable.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of the generator for ``name``.
    name : str
        ``"ward-observations"``, ``"triage-notes"`` or ``"patient-cohort"``.

    Returns
    -------
    str
        CSV text with a header row and ``\\n`` line endings.

    Examples
    --------
    >>> print(csv_text(make_ward_observations(1, seed=0).head(2), "ward-observations"))
    ... # doctest: +ELLIPSIS
    patient_id,age,sex,hours_since_admission,respiration_rate,spo2,spo2_scale,on_oxygen,...
    """
    out = df.copy()
    for column, places in DECIMALS[name].items():
        out[column] = out[column].map(lambda x, p=places: f"{x:.{p}f}")
    return out.to_csv(index=False, lineterminator="\n")


# ---------------------------------------------------------------------------------------------
# Ward observations
# ---------------------------------------------------------------------------------------------

# How the vital signs move, at full severity, for each route to deterioration:
# (respiration rate /min, SpO2 %, systolic BP mmHg, pulse /min, temperature C, P(not alert)).
WARD_DRIFTS = {
    "sepsis": (9.0, -4.0, -35.0, 35.0, 1.6, 0.45),
    "respiratory": (12.0, -9.0, -5.0, 25.0, 0.4, 0.25),
    "circulatory": (5.0, -2.0, -45.0, 40.0, -0.3, 0.30),
}
WARD_DRIFT_MIX = {"sepsis": 0.45, "respiratory": 0.35, "circulatory": 0.20}


def make_ward_observations(n_patients: int = 800, seed: int = 42) -> pd.DataFrame:
    """Simulate 4-hourly vital signs of adult ward patients, some of whom deteriorate.

    Each patient has their own baseline physiology. About 1 in 8 deteriorates (ICU admission or
    death); over the 12 to 36 hours before that event their vital signs drift (faster breathing,
    lower oxygen saturation and blood pressure, faster pulse, fever, confusion), some a lot,
    some only a little. Patients who do not deteriorate have noisy measurements and short
    harmless episodes (pain, a post-operative temperature), so NEWS2 and a model both find a
    signal, but not a perfect one. The full model is in ``describe("ward-observations")``.

    Parameters
    ----------
    n_patients : int, default 800
        Number of patients (1 to 50,000). The committed data set uses 800.
    seed : int, default 42
        Seed of the random number generator (0 or more). The committed data set uses 42.

    Returns
    -------
    pandas.DataFrame
        One row per set of observations: ``patient_id``, ``age``, ``sex``,
        ``hours_since_admission``, ``respiration_rate``, ``spo2``, ``spo2_scale``,
        ``on_oxygen``, ``systolic_bp``, ``pulse``, ``consciousness`` (ACVPU letter),
        ``temperature`` and ``deteriorated`` (1 if ICU admission or death follows within
        24 hours). The vital-sign names match :func:`healthlab.scores.news2`.

    Raises
    ------
    TypeError
        If ``n_patients`` or ``seed`` is not a whole number (``True``, ``2.0`` and ``"5"``
        are refused).
    ValueError
        If ``n_patients`` is below 1 or above 50,000, or ``seed`` is negative.

    Examples
    --------
    >>> obs = make_ward_observations(n_patients=20, seed=1)
    >>> obs["patient_id"].nunique()
    20
    >>> sorted(obs["consciousness"].unique())[0]
    'A'
    >>> bool(obs["spo2"].between(70, 100).all())
    True
    """
    import numpy as np
    import pandas as pd

    n = _check_count(n_patients, "n_patients", 50_000)
    rng = np.random.default_rng(_check_seed(seed))
    drift_names = list(WARD_DRIFT_MIX)
    drift_p = list(WARD_DRIFT_MIX.values())
    columns: dict[str, list] = {
        key: []
        for key in (
            "patient_id", "age", "sex", "hours_since_admission", "respiration_rate", "spo2",
            "spo2_scale", "on_oxygen", "systolic_bp", "pulse", "consciousness", "temperature",
            "deteriorated",
        )
    }  # fmt: skip
    width = len(str(n))
    for i in range(n):
        age = int(np.clip(round(rng.normal(66, 17)), 18, 98))
        sex = "F" if rng.random() < 0.5 else "M"
        scale2 = rng.random() < 0.05  # hypercapnic respiratory failure: target SpO2 88-92%
        stay = float(np.clip(np.exp(rng.normal(np.log(100), 0.6)), 24, 14 * 24))
        p_event = float(np.clip(0.13 + 0.003 * (age - 66), 0.03, 0.35))
        event = rng.random() < p_event
        if event:
            event_time = float(rng.uniform(16, max(stay, 20)))
            onset = float(rng.uniform(10, 30))
            severity = float(rng.uniform(0.5, 1.4))
            drift = WARD_DRIFTS[drift_names[rng.choice(3, p=drift_p)]]
            end = event_time
        else:
            end = stay
        # Baseline physiology of this patient.
        rr0 = rng.normal(16.5, 1.8)
        spo2_0 = rng.normal(90.5, 1.3) if scale2 else min(rng.normal(96.4, 1.3), 99.5)
        sbp0 = rng.normal(128, 17) + 0.2 * (age - 66)
        pulse0 = rng.normal(80, 11)
        temp0 = rng.normal(36.8, 0.3)
        oxygen = rng.random() < (0.6 if scale2 else 0.06)
        # A harmless episode (pain, post-operative temperature) for some patients.
        episode = rng.random() < 0.35
        ep_start, ep_len = rng.uniform(0, stay), rng.uniform(6, 24)
        delirium = 0.03 if age >= 80 else 0.004

        hours = np.arange(0, end, 4.0)
        if len(hours) == 0:
            hours = np.array([0.0])
        for h in hours:
            s = 0.0
            if event:
                s = severity * float(np.clip((h - (event_time - onset)) / onset, 0, 1)) ** 1.2
            e = 1.0 if episode and ep_start <= h < ep_start + ep_len else 0.0
            d_rr, d_spo2, d_sbp, d_pulse, d_temp, p_conf = drift if event else (0,) * 6
            rr = rr0 + s * d_rr + e * 3 + rng.normal(0, 1.6)
            spo2_true = spo2_0 + s * d_spo2 - e * 0.5 + rng.normal(0, 1.0)
            if not oxygen and spo2_true < (86 if scale2 else 92) and rng.random() < 0.8:
                oxygen = True  # started on oxygen and stays on it
            spo2 = spo2_true + (3.0 if oxygen else 0.0)
            sbp = sbp0 + s * d_sbp + e * 8 + rng.normal(0, 9)
            pulse = pulse0 + s * d_pulse + e * 18 + rng.normal(0, 6)
            temp = temp0 + s * d_temp + e * 0.9 + rng.normal(0, 0.25)
            p_not_alert = delirium + s * p_conf
            if rng.random() < p_not_alert:
                acvpu = str(rng.choice(["C", "V", "P", "U"], p=[0.7, 0.2, 0.08, 0.02]))
            else:
                acvpu = "A"
            columns["patient_id"].append(f"W{i + 1:0{width}d}")
            columns["age"].append(age)
            columns["sex"].append(sex)
            columns["hours_since_admission"].append(int(h))
            columns["respiration_rate"].append(int(np.clip(round(rr), 6, 50)))
            columns["spo2"].append(int(np.clip(round(spo2), 70, 100)))
            columns["spo2_scale"].append(2 if scale2 else 1)
            columns["on_oxygen"].append(bool(oxygen))
            columns["systolic_bp"].append(int(np.clip(round(sbp), 60, 240)))
            columns["pulse"].append(int(np.clip(round(pulse), 30, 180)))
            columns["consciousness"].append(acvpu)
            columns["temperature"].append(round(float(np.clip(temp, 34.0, 41.0)), 1))
            columns["deteriorated"].append(int(event and event_time - h <= 24))
    return pd.DataFrame(columns)


# ---------------------------------------------------------------------------------------------
# Triage notes
# ---------------------------------------------------------------------------------------------

# Findings a triage nurse writes down, as (weight in the urgency model, ways of writing that it
# is present, ways of writing that it is absent). Only PRESENT findings add to urgency.
TRIAGE_FINDINGS: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    "chest pain": (2.0, ("c/o CP", "chest pain", "central CP", "tight chest", "CP radiating to L arm"),
                   ("denies CP", "no CP", "nil chest pain", "denies chest pain", "no chest pain")),
    "breathless": (1.6, ("SOB", "short of breath", "SOBOE", "breathless", "struggling to breathe"),
                   ("no SOB", "denies SOB", "not SOB", "nil SOB")),
    "loss of consciousness": (1.5, ("LOC", "witnessed LOC", "blacked out"),
                              ("no LOC", "nil LOC", "denies LOC")),
    "confusion": (2.0, ("confused", "new confusion", "GCS 13"),
                  ("no confusion", "not confused", "GCS 15")),
    "vomiting blood": (2.2, ("haematemesis", "vomiting blood", "coffee ground vomit"),
                       ("no haematemesis", "no blood in vomit")),
    "clammy": (1.0, ("clammy", "sweaty", "diaphoretic"), ("not clammy", "no sweating")),
    "neck stiffness": (2.0, ("neck stiffness", "photophobia"),
                       ("no neck stiffness", "no photophobia")),
    "thunderclap": (2.5, ("sudden onset worst headache ever", "thunderclap headache"),
                    ("not sudden onset", "gradual onset")),
    "anticoagulated": (1.0, ("on warfarin", "on apixaban", "on DOAC"),
                       ("not on anticoagulants", "no blood thinners")),
    "head injury": (1.0, ("head injury", "hit head"), ("no head injury", "didnt hit head")),
    "airway swelling": (2.8, ("lips swelling", "tongue swelling", "stridor"),
                        ("no lip or tongue swelling", "no stridor")),
    "suicidal": (2.0, ("suicidal thoughts", "SI with plan"),
                 ("denies SI", "no thoughts of self harm")),
    "non-blanching rash": (2.8, ("non-blanching rash", "purpuric rash"),
                           ("no rash", "rash blanches")),
    "stroke signs": (2.8, ("facial droop", "slurred speech", "L sided weakness"),
                     ("no facial droop", "no weakness", "speech normal")),
    "severe pain": (0.8, ("pain 9/10", "pain 10/10", "in agony"), ("pain 2/10", "pain 3/10")),
}  # fmt: skip

# Presenting complaint: (share of notes, base of the urgency score, ways a nurse writes it,
# findings that tend to be asked about for this complaint; never the complaint itself).
TRIAGE_COMPLAINTS: dict[str, tuple[float, float, tuple[str, ...], tuple[str, ...]]] = {
    "chest pain": (0.14, -1.0, ("c/o chest pain", "CP", "chest pain", "c/o central chest pain"),
                   ("breathless", "clammy", "loss of consciousness", "severe pain")),
    "shortness of breath": (0.11, -1.0, ("SOB", "c/o SOB", "shortness of breath", "breathlessness"),
                            ("chest pain", "confusion", "clammy", "airway swelling")),
    "abdominal pain": (0.14, -2.3, ("abdo pain", "c/o abdominal pain", "RIF pain", "epigastric pain"),
                       ("vomiting blood", "severe pain", "clammy", "chest pain")),
    "headache": (0.08, -2.6, ("headache", "c/o headache", "HA"),
                 ("thunderclap", "neck stiffness", "confusion", "non-blanching rash", "stroke signs")),
    "fall": (0.12, -2.4, ("fall at home", "mechanical fall", "fall", "found on floor"),
             ("head injury", "loss of consciousness", "anticoagulated", "confusion", "severe pain")),
    "fever": (0.08, -2.2, ("fever", "feverish", "temp at home"),
              ("non-blanching rash", "confusion", "neck stiffness", "breathless")),
    "limb injury": (0.12, -3.2, ("injured L wrist", "twisted ankle", "R knee injury", "hand laceration"),
                    ("severe pain", "head injury", "anticoagulated")),
    "allergic reaction": (0.05, -2.0, ("allergic reaction", "?anaphylaxis", "rash after eating nuts"),
                          ("airway swelling", "breathless", "non-blanching rash")),
    "mental health": (0.06, -2.2, ("low mood", "mental health crisis", "anxiety"),
                      ("suicidal", "confusion", "chest pain")),
    "weakness": (0.10, -2.3, ("generally unwell", "weakness", "off legs"),
                 ("stroke signs", "confusion", "breathless", "loss of consciousness")),
}  # fmt: skip

TRIAGE_HISTORY = ("hx HTN", "hx T2DM", "PMH COPD", "hx MI", "hx asthma", "hx AF", "nil PMH",
                  "NKDA", "PMH nil of note", "hx CKD", "hx epilepsy", "hx depression")  # fmt: skip
TRIAGE_DURATIONS = ("since this am", "x2 days", "since last night", "for 1/52", "x3 hrs",
                    "since 0600", "on and off x1 wk", "this evening")  # fmt: skip
TRIAGE_MISSPELLINGS = {
    "breathless": "brethless", "vomiting": "vomitting", "abdominal": "abdominla",
    "headache": "headahce", "confused": "confussed", "swelling": "sweling",
    "pain": "pian", "since": "sicne", "clammy": "clamy", "weakness": "weekness",
}  # fmt: skip
TRIAGE_SLOPE = 1.5  # how sharply the chance of "urgent" rises with the urgency score


def _typo(word: str, rng: np.random.Generator) -> str:
    if word in TRIAGE_MISSPELLINGS:
        return TRIAGE_MISSPELLINGS[word]
    if len(word) >= 5 and word.isalpha():
        j = int(rng.integers(1, len(word) - 2))
        return word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return word


def make_triage_notes(n: int = 3000, seed: int = 42) -> pd.DataFrame:
    """Simulate short emergency-department triage notes written in a nurse's style.

    Each note has a presenting complaint, a few findings written as present ("c/o CP", "SOB")
    or absent ("denies CP", "no SOB"), sometimes history and observations, abbreviations and
    occasional typos. The label ``urgent`` comes from a documented score in which only PRESENT
    findings count, so a note that mentions chest pain only to deny it is less urgent: a
    bag-of-words model that cannot see negation is fooled. The model and its weights are in
    ``describe("triage-notes")``.

    Parameters
    ----------
    n : int, default 3000
        Number of notes (1 to 200,000). The committed data set uses 3000.
    seed : int, default 42
        Seed of the random number generator (0 or more). The committed data set uses 42.

    Returns
    -------
    pandas.DataFrame
        ``note_id``, ``age``, ``sex``, ``presenting_complaint``, ``note`` (the free text),
        ``red_flags`` (how many urgent findings are present: the truth a reader of the note
        should find), ``negated_flags`` (how many are mentioned only to be denied) and
        ``urgent`` (1 = should be seen urgently, 0 = can wait).

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not a whole number.
    ValueError
        If ``n`` is below 1 or above 200,000, or ``seed`` is negative.

    Examples
    --------
    >>> notes = make_triage_notes(n=5, seed=3)
    >>> list(notes.columns)
    ['note_id', 'age', 'sex', 'presenting_complaint', 'note', 'red_flags', 'negated_flags', 'urgent']
    >>> set(notes["urgent"]) <= {0, 1}
    True
    """
    import numpy as np
    import pandas as pd

    n = _check_count(n, "n", 200_000)
    rng = np.random.default_rng(_check_seed(seed))
    complaints = list(TRIAGE_COMPLAINTS)
    shares = np.array([TRIAGE_COMPLAINTS[c][0] for c in complaints])
    shares = shares / shares.sum()
    width = len(str(n))
    rows = []
    for i in range(n):
        complaint = complaints[rng.choice(len(complaints), p=shares)]
        _, base, phrases, asked = TRIAGE_COMPLAINTS[complaint]
        age = int(np.clip(round(rng.normal(50, 21)), 16, 99))
        sex = "F" if rng.random() < 0.5 else "M"
        score = base + (0.7 if age >= 75 else 0.0)
        parts = [f"{age}{sex} {phrases[rng.integers(len(phrases))]} "
                 f"{TRIAGE_DURATIONS[rng.integers(len(TRIAGE_DURATIONS))]}."]  # fmt: skip
        found, present_n, negated_n = [], 0, 0
        for finding in asked:
            if rng.random() > 0.6:  # not asked about or not written down
                continue
            weight, yes, no = TRIAGE_FINDINGS[finding]
            if rng.random() < 0.35:
                found.append(yes[rng.integers(len(yes))])
                score += weight
                present_n += 1
            else:
                found.append(no[rng.integers(len(no))])
                negated_n += 1
        rng.shuffle(found)
        if found:
            text = ", ".join(found)
            parts.append(("pt reports " if rng.random() < 0.2 else "") + text + ".")
        if rng.random() < 0.5:
            parts.append(TRIAGE_HISTORY[rng.integers(len(TRIAGE_HISTORY))] + ".")
        if rng.random() < 0.6:
            hr = int(np.clip(round(rng.normal(88 + 8 * present_n, 14)), 40, 180))
            sats = int(np.clip(round(rng.normal(97 - 0.8 * present_n, 1.5)), 80, 100))
            temp = float(
                np.clip(rng.normal(37.0 + (0.8 if complaint == "fever" else 0), 0.5), 35, 41)
            )
            parts.append(f"obs HR {hr} sats {sats}% RA T {temp:.1f}.")
            score += 0.8 * (hr >= 120) + 1.2 * (sats <= 92) + 0.5 * (temp >= 39.0)
        words = " ".join(parts).split(" ")
        if rng.random() < 0.18:  # one or two typos
            for _ in range(int(rng.integers(1, 3))):
                k = int(rng.integers(len(words)))
                words[k] = _typo(words[k], rng)
        note = " ".join(words)
        if rng.random() < 0.3:
            note = note.lower()
        p_urgent = 1.0 / (1.0 + np.exp(-TRIAGE_SLOPE * score))
        urgent = int(rng.random() < p_urgent)
        rows.append(
            (f"T{i + 1:0{width}d}", age, sex, complaint, note, present_n, negated_n, urgent)
        )
    return pd.DataFrame(
        rows,
        columns=["note_id", "age", "sex", "presenting_complaint", "note", "red_flags",
                 "negated_flags", "urgent"],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Patient cohort
# ---------------------------------------------------------------------------------------------

# ONS high-level ethnic groups (England and Wales, 2021 Census), by short name: "Asian" = Asian,
# Asian British or Asian Welsh; "Black" = Black, Black British, Black Welsh, Caribbean or
# African; "Mixed" = Mixed or Multiple ethnic groups; "White"; "Other" = Other ethnic group.
# Shares: those of a diverse English city, so that every group is big enough to study.
ETHNIC_GROUPS = {
    "Asian": 0.20,
    "Black": 0.14,
    "Mixed": 0.06,
    "White": 0.54,
    "Other": 0.06,
}
# Access to care: the share of the care a person needs that they actually receive (and so cost).
COHORT_ACCESS = {
    "Asian": 0.85,
    "Black": 0.65,
    "Mixed": 0.85,
    "White": 1.0,
    "Other": 0.85,
}
COHORT_ACCESS_BY_QUINTILE = {1: 0.85, 2: 0.9, 3: 0.95, 4: 1.0, 5: 1.0}  # 1 = most deprived
# Pulse-oximeter error (SpO2 - SaO2, % points) = bias + slope x (94 - SaO2 when below 94)
# + normal noise with sd: over-reading grows as the true saturation falls, more with darker
# skin. Tuned so that, with SpO2 92-96%, SaO2 < 88% in about 3.6% of White and 11.7% of Black
# patients (Sjoding et al. 2020). Sjoding compared Black and White patients only; the values
# for the other groups are an assumption (in between), stated in the card.
OXIMETER_ERROR = {
    "Asian": (0.3, 0.5, 2.3),
    "Black": (0.5, 0.65, 2.5),
    "Mixed": (0.3, 0.5, 2.3),
    "White": (0.2, 0.38, 2.2),
    "Other": (0.3, 0.5, 2.3),
}
COHORT_SAO2 = (92.5, 4.5)  # mean and sd of arterial SaO2 (%) at a hospital blood gas
COHORT_COST_PER_CONDITION = 1100.0  # GBP a year of care for each long-term condition...
COHORT_COST_BASE = 300.0  # ...on top of a base for everyone (GP visits, prescriptions)
COHORT_REFERENCE_DATE = "2025-04-01"  # ages are on this date

FIRST_NAMES_F = (
    "Aisha", "Amara", "Ananya", "Bea", "Chloe", "Deepa", "Efua", "Fatima", "Freya", "Grace",
    "Hannah", "Isla", "Jaya", "Kemi", "Layla", "Mei", "Nadia", "Olivia", "Priya", "Rosa", "Sana",
    "Zara", "Zoe",
)  # fmt: skip
FIRST_NAMES_M = (
    "Amir", "Arjun", "Ayodele", "Callum", "Chidi", "Daniel", "Ellis", "Femi", "Hamza", "Imran",
    "Jack", "Kai", "Kwame", "Leo", "Mohammed", "Noah", "Omar", "Rhys", "Sam", "Tariq", "Tomas",
    "Yusuf",
)  # fmt: skip
# Surnames nobody has: the cohort must never be mistaken for real people.
FICTIONAL_SURNAMES = (
    "Testington", "Sampleford", "Fakeley", "Mockridge", "Placeholder", "Synthwell", "Notrealson",
    "Madeupson", "Pretendworth", "Fictionby", "Exampleton", "Dummyshaw", "Specimenley",
    "Trialsworth", "Demoford", "Simulatey", "Prototon", "Nobodyson", "Inventley", "Imaginario",
)  # fmt: skip
POSTCODE_DISTRICTS = tuple(f"ZZ{k}" for k in range(1, 41))  # "ZZ" is no UK postcode area


def make_patient_cohort(n: int = 5000, seed: int = 42) -> pd.DataFrame:
    """Simulate an adult patient cohort for fairness and privacy lessons.

    Fictional people with NHS numbers from the 999 test range, demographics (ONS ethnic groups,
    deprivation quintile, fake postcode districts "ZZ1" to "ZZ40"), a true health need, a
    health-care cost that depends on need AND on access to care (so ranking people by cost
    under-serves groups with less access, as Obermeyer et al. 2019 found), and a pulse-oximeter
    reading that over-reads arterial oxygen saturation more in Black patients (as Sjoding et al.
    2020 found). The model and its parameters are in ``describe("patient-cohort")``.

    Parameters
    ----------
    n : int, default 5000
        Number of people (1 to 200,000). The committed data set uses 5000.
    seed : int, default 42
        Seed of the random number generator (0 or more). The committed data set uses 42.

    Returns
    -------
    pandas.DataFrame
        One row per person: ``nhs_number``, ``first_name``, ``last_name``,
        ``date_of_birth``, ``age``, ``sex``, ``ethnic_group``, ``imd_quintile``,
        ``postcode_district``, ``chronic_conditions`` (the true health need),
        ``annual_cost_gbp``, ``sao2`` (arterial oxygen saturation, the truth) and ``spo2``
        (the pulse-oximeter reading at the same moment).

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not a whole number.
    ValueError
        If ``n`` is below 1 or above 200,000, or ``seed`` is negative.

    Examples
    --------
    >>> from healthlab.privacy import is_valid_nhs_number
    >>> people = make_patient_cohort(n=10, seed=1)
    >>> all(is_valid_nhs_number(x) and x.startswith("999") for x in people["nhs_number"])
    True
    >>> people["postcode_district"].str.startswith("ZZ").all()
    np.True_
    """
    import numpy as np
    import pandas as pd

    from healthlab.privacy import make_test_nhs_numbers

    n = _check_count(n, "n", 200_000)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)

    groups = np.array(list(ETHNIC_GROUPS))
    ethnic = groups[rng.choice(len(groups), size=n, p=list(ETHNIC_GROUPS.values()))]
    black = ethnic == "Black"
    white = ethnic == "White"
    sex = np.where(rng.random(n) < 0.51, "F", "M")
    age = np.clip(np.round(rng.gamma(3.0, 12.0, n) + 18), 18, 99).astype(int)
    # Postcode districts sit in deprivation quintiles; minority groups live more often in
    # more deprived districts (as in English cities).
    district_quintile = np.repeat([1, 2, 3, 4, 5], len(POSTCODE_DISTRICTS) // 5)
    shift = np.where(white, 0.0, -0.7)
    latent = rng.normal(2.7 + shift, 1.4)
    quintile = np.clip(np.round(latent), 1, 5).astype(int)
    district = np.array(
        [POSTCODE_DISTRICTS[rng.choice(np.flatnonzero(district_quintile == q))] for q in quintile]
    )
    # True health need: number of long-term conditions, rising with age and deprivation,
    # and a little higher in Black patients (as in Obermeyer et al.).
    rate = np.exp(-2.6 + 0.045 * (age - 18) + 0.12 * (3 - quintile) + 0.15 * black)
    conditions = rng.poisson(rate)
    # Cost = care needed x share of it received (access) x noise.
    access = np.array([COHORT_ACCESS[g] for g in ethnic]) * np.array(
        [COHORT_ACCESS_BY_QUINTILE[q] for q in quintile]
    )
    cost = (COHORT_COST_BASE + COHORT_COST_PER_CONDITION * conditions) * access
    cost = np.round(cost * rng.lognormal(0.0, 0.35, n)).astype(int)
    # Arterial oxygen saturation (the truth, from a blood gas at a hospital visit) and the
    # pulse-oximeter reading taken at the same time.
    sao2 = np.clip(np.round(rng.normal(*COHORT_SAO2, n)), 70, 100).astype(int)
    error = np.array([OXIMETER_ERROR[g] for g in ethnic])
    over_read = error[:, 0] + error[:, 1] * np.maximum(0, 94 - sao2) + rng.normal(0, error[:, 2])
    spo2 = np.clip(np.round(sao2 + over_read), 70, 100).astype(int)

    pick = rng.random(n)
    first = np.where(
        sex == "F",
        np.array(FIRST_NAMES_F)[(pick * len(FIRST_NAMES_F)).astype(int)],
        np.array(FIRST_NAMES_M)[(pick * len(FIRST_NAMES_M)).astype(int)],
    )
    last = np.array(FICTIONAL_SURNAMES)[rng.integers(len(FICTIONAL_SURNAMES), size=n)]
    reference = pd.Timestamp(COHORT_REFERENCE_DATE)
    days_past_birthday = rng.integers(0, 365, size=n)
    birth = [
        (reference - pd.DateOffset(years=int(a)) - pd.Timedelta(days=int(d))).strftime("%Y-%m-%d")
        for a, d in zip(age, days_past_birthday, strict=True)
    ]
    return pd.DataFrame(
        {
            "nhs_number": make_test_nhs_numbers(n, seed=seed),
            "first_name": first,
            "last_name": last,
            "date_of_birth": birth,
            "age": age,
            "sex": sex,
            "ethnic_group": ethnic,
            "imd_quintile": quintile,
            "postcode_district": district,
            "chronic_conditions": conditions,
            "annual_cost_gbp": cost,
            "sao2": sao2,
            "spo2": spo2,
        }
    )
