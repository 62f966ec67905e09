"""The numbers the master workbook starts with.

Two kinds, never mixed silently:

* the seed report's own figures (status report 2018, excerpts 000 and 003 in
  ``shared/seeds``), copied exactly - percentages as fractions (5 % -> 0.05);
* synthetic example data where the report prints a figure but not the series behind it
  (daily LPR errors, weekly support cases, departments below the top 5, certification
  status). It is generated from a fixed seed with ``random.Random.random`` only, whose
  sequence Python guarantees across versions, so the built workbook is byte-stable.
  Every sheet holding it carries ``SYNTHETIC_LABEL``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

SYNTHETIC_LABEL = "Eksempeldata (syntetiske) – ikke fra rapporten"
SEED = 20180530  # the extraction date of Tabel 3; any fixed number would do

HOSPITALS = (
    "Amager og Hvidovre Hospital",
    "Bispebjerg og Frederiksberg Hospitaler",
    "Bornholms hospital",
    "Herlev og Gentofte Hospital",
    "Hospitalerne i Nordsjælland",
    "Rigshospitalet",
    "Region Hovedstadens Psykiatri",
)
# Other names the source systems use for them (the D_Enheder sheet starts with these).
# The hospitals merged in 2015 still appear under their old names in some systems.
HOSPITAL_ALIASES = (
    ("Nordsjællands Hospital", "Hospitalerne i Nordsjælland"),
    ("Nordsjællands Hospitaler", "Hospitalerne i Nordsjælland"),
    ("Hillerød Hospital", "Hospitalerne i Nordsjælland"),
    ("Psykiatrien Region Hovedstaden", "Region Hovedstadens Psykiatri"),
    ("Rigshospitalet - Glostrup", "Rigshospitalet"),
    ("Glostrup Hospital", "Rigshospitalet"),
    ("Bispebjerg og Frederiksberg Hospital", "Bispebjerg og Frederiksberg Hospitaler"),
    ("Bispebjerg Hospital", "Bispebjerg og Frederiksberg Hospitaler"),
    ("Frederiksberg Hospital", "Bispebjerg og Frederiksberg Hospitaler"),
    ("Herlev Hospital", "Herlev og Gentofte Hospital"),
    ("Gentofte Hospital", "Herlev og Gentofte Hospital"),
    ("Amager Hospital", "Amager og Hvidovre Hospital"),
    ("Hvidovre Hospital", "Amager og Hvidovre Hospital"),
)
MONTHS_JAN_MAY = ("januar", "februar", "marts", "april", "maj")
MONTHS_JAN_APR = MONTHS_JAN_MAY[:4]

# --- Sources, exactly as the report words them ------------------------------------------
SRC_SP_19MAJ = "Kilde: Sundhedsplatformen, trukket d. 19. maj 2018"
SRC_SP_30MAJ = ("Kilde: Sundhedsplatformen, trukket d. 30. maj 2018. Anvendelsesgrad og indtastninger "
                "dækker enkelte underafsnit på afdelingerne")
SRC_SP = "Kilde: Sundhedsplatformen (Min Sundhedsplatform), trukket d. 19. maj 2018"
SRC_LPR = "Kilde: Center for Økonomi (LPR's fejlregister), trukket d. 19. maj 2018"
SRC_SERVICENOW = "Kilde: ServiceNow, CIMT's sagshåndteringssystem, trukket medio maj 2018"
SRC_BUDGET = "Kilde: Center for Økonomi, budget 2018 (regionsrådenes prioritering), trukket d. 30. maj 2018"
SRC_PORTFOLIO = "Kilde: CIMT's projektportefølje, statusrapportering, trukket d. 30. maj 2018"
SRC_KURSUSPORTAL = "Kilde: Kursusportalen, trukket ultimo februar 2018"
SRC_BYGGERE = "Kilde: Ansvarlig for kliniske byggere i CIMT, trukket d. 1. februar 2018"
SRC_UDDANNELSE = "Kilde: Uddannelsesansvarlig i SP drifts- og udviklingsorganisation, trukket ultimo 1. kvartal 2018"

# --- Tabel 1 and 2: share of orders from order sets / SmartSets, jan-maj (seed 000) -------
TABEL1_BEST_ORD_SET = {
    "Amager og Hvidovre Hospital": (0.05, 0.04, 0.05, 0.05, 0.05),
    "Bispebjerg og Frederiksberg Hospitaler": (0.07, 0.06, 0.06, 0.06, 0.07),
    "Bornholms hospital": (0.01, 0.02, 0.02, 0.01, 0.02),
    "Herlev og Gentofte Hospital": (0.05, 0.05, 0.05, 0.05, 0.05),
    "Hospitalerne i Nordsjælland": (0.05, 0.08, 0.07, 0.09, 0.09),
    "Rigshospitalet": (0.11, 0.11, 0.11, 0.11, 0.11),
    "Region Hovedstadens Psykiatri": (0.02, 0.04, 0.04, 0.04, 0.06),
}
TABEL2_SMARTSET = {
    "Amager og Hvidovre Hospital": (0.03, 0.03, 0.04, 0.04, 0.04),
    "Bispebjerg og Frederiksberg Hospitaler": (0.02, 0.02, 0.02, 0.02, 0.02),
    "Bornholms hospital": (0.07, 0.07, 0.06, 0.05, 0.06),
    "Herlev og Gentofte Hospital": (0.14, 0.15, 0.15, 0.15, 0.15),
    "Hospitalerne i Nordsjælland": (0.10, 0.10, 0.09, 0.09, 0.10),
    "Rigshospitalet": (0.12, 0.12, 0.12, 0.12, 0.11),
    "Region Hovedstadens Psykiatri": (0.04, 0.04, 0.05, 0.04, 0.04),
}

# --- Tabel 3: top 5 departments by order-set usage (seed 000) ----------------------------
TABEL3_TOP5 = (
    ("Klinisk onkologi, Sjællands Universitetshospital, Roskilde", 686, 0.93),
    ("Anæstesi/Operationsklinik, Rigshospitalet", 38118, 0.86),
    ("Neurokirurgisk, Rigshospitalet", 8871, 0.83),
    ("Hæmatologisk udredning, Herlev og Gentofte hospital", 10494, 0.80),
    ("Anæstesiologisk afdeling, Nordsjællands Hospitaler", 39177, 0.78),
)

# --- Tabel 4-6: Min Sundhedsplatform, jan-apr (seed 000) --------------------------------
TABEL4_MINSP_BRUGERE = {
    "Amager og Hvidovre Hospital": (11963, 13631, 15518, 17613),
    "Bispebjerg og Frederiksberg Hospitaler": (12766, 14614, 16665, 18851),
    "Bornholms hospital": (2208, 2510, 2779, 3115),
    "Herlev og Gentofte Hospital": (39621, 43093, 47240, 51416),
    "Hospitalerne i Nordsjælland": (15119, 17278, 19520, 21784),
    "Rigshospitalet": (42097, 47334, 52559, 58253),
    "Region Hovedstadens Psykiatri": (2672, 3111, 3498, 3943),
}
TABEL4_TOTALS = (126446, 141571, 157779, 174975)  # the report's "I alt" row, for checks
TABEL5_BESVARET_3_HVERDAGE = {
    "Amager og Hvidovre Hospital": (0.72, 0.59, 0.67, 0.69),
    "Bispebjerg og Frederiksberg Hospitaler": (0.71, 0.72, 0.71, 0.78),
    "Bornholms hospital": (0.70, 0.58, 0.68, 0.70),
    "Herlev og Gentofte Hospital": (0.71, 0.72, 0.70, 0.75),
    "Hospitalerne i Nordsjælland": (0.59, 0.68, 0.68, 0.71),
    "Rigshospitalet": (0.70, 0.65, 0.70, 0.66),
    "Region Hovedstadens Psykiatri": (0.68, 0.35, 0.53, 0.48),
}
TABEL6_MINSP_AKTIVE = {
    "Amager og Hvidovre Hospital": (2965, 2894, 3155, 3300),
    "Bispebjerg og Frederiksberg Hospitaler": (3542, 3503, 3871, 4135),
    "Bornholms hospital": (573, 485, 496, 539),
    "Herlev og Gentofte Hospital": (8676, 8241, 8800, 9195),
    "Hospitalerne i Nordsjælland": (2905, 2712, 3068, 3199),
    "Rigshospitalet": (12127, 11728, 12699, 13461),
    "Region Hovedstadens Psykiatri": (986, 1018, 1012, 1087),
}
TABEL6_TOTALS = (31774, 30581, 33101, 34916)

# --- 3.1 budget, mio. kr. (seed 000) -----------------------------------------------------
BUDGET_PROJECTS_TOTAL = 46.4
BUDGET_PROJECTS_NAMED = (("Opgradering af SP servermiljø", 18.2), ("Medicineringsprojektet", 15.0))
BUDGET_THEMES_TOTAL = 13.4
BUDGET_TOTAL_REPORTED = 59.8
BUDGET_RH = 45.0
BUDGET_RH_DRIFT_UDVIKLING = 10.0  # "Udvikling af SP og Kliniske byggere"
LPR3_TOTAL = 97.6
LPR3_STATE = 56.0
LPR3_RH_KEY = 0.75  # the regions' 75 %/25 % split
LPR3_RH_REPORTED_CA = 31

# --- 3.2 and 3.3: projects and themes (seed 000) -----------------------------------------
PROJECTS = (
    ("LPR3 implementering i RegSJ og RegH / SP 2018 opgradering", "Gul",
     ("Rapporteres i gul på grund af mindre forsinkelse i byg (konfiguration). Der er igangsat tiltag for "
     "at indhente forsinkelsen og fremdriften følges tæt. Det forventes, at forsinkelsen kan hentes, "
     "hvorfor øvrige milepæle samt endelig levering ikke påvirkes.")),
    ("Min SP optimering 2018", "Afventer godkendelse af PID", ""),
    ("SP medicinering", "Grøn", ""),
    ("Sundhedsplatformen serveropgradering", "Grøn", ""),
)
THEMES = (
    ("Afregning 2017", "Grøn", ""),
    ("Kliniske byggere", "Grøn", ""),
    ("Steno Retinopati", "Grøn", ""),
    ("Henvisninger", "Grøn", ""),
    ("Inbasket", "Grøn", ""),
    ("PÆD ERX (dosering af medicin i pædiatrien)", "Grøn", ""),
    ("Ekko Arbejdsgang", "Grøn", ""),
    ("ADB (afregningsdatabanken)", "Gul",
     ("Der er en lille forsinkelse i forhold til oprindelig tidsplan grundet mangel af nøgleressourcer. "
     "Der er tiltag i gang og forsinkelsen forventes ikke at påvirke den samlede tidsplan.")),
    ("FMK Jordemødre", "Grøn", ""),
    ("Nye hospitalsbyggerier i RSJ", "Grøn", ""),
    ("Nye hospitalsbyggerier i RH", "Grøn", ""),
)

# --- Seed 003: key persons, clinical builders, training of new hires ----------------------
KEY_PERSONS_FEB_2018 = 1807
KEY_PERSONS_TARGET = 2200
USERS_PER_KEY_PERSON = 15
# The report gives the target (ca. 2200 at 1 per 15 users) but not the user count;
# 2200 x 15 is the count that target implies, and the sheet says so.
USERS_IMPLIED = KEY_PERSONS_TARGET * USERS_PER_KEY_PERSON
BUILDERS_APPOINTED = 53
BUILDERS_CERTIFIED = 49
BUILDERS_IN_TRAINING = 4
BUILDER_SPECIALTIES = 43
BUILDER_SETS_IN_PRODUCTION = 202
# Report 000 (May 2018), section 2.3 and 2.6: one-off figures typed with their source.
SETS_IN_PRODUCTION_MAY_2018 = 220        # "mere end 220 Best./ord.-set og SmartSet"
SETS_SHARED_ACROSS_SPECIALTY = 0.41      # "Heraf anvendes 41 % på tværs af hospitaler og regioner"
OTHER_ELEMENTS_MAY_2018 = 500            # "ca. 500 forskellige øvrige elementer"
APP_DOWNLOADS_MAY_2018 = 1700            # "ca. 1700 borgere, der har downloadet app'en"
SRC_REPORT_MAY = "Kilde: Statusrapporten om Sundhedsplatformen, maj 2018 (afsnit {}), trukket d. 30. maj 2018"
NEW_USERS_Q1_2018 = 2281
NEW_USERS_EXTERNAL_Q1_2018 = 370
EXTERNAL_SHARE_REPORTED = 0.16
ENROLLED_SHARE_Q1_2018 = 0.51
TRAINED_SHARE_Q4_2017 = 0.24
TRAINED_COUNT_Q4_2017 = 171
TRAINING_TARGET = 0.85
# Key persons and clinical builders by month (Graf 1 and 2 of seed 003). The report gives
# 1807 key persons ultimo February 2018, "a small decline from January", and 53 builders
# (49 certified, 4 in training) on 1 February 2018; the earlier months and the split over
# hospitals are synthetic, and the sheet says so.
KEY_PERSONS_LABEL = ("Eksempeldata (syntetiske) – undtagen 1.807 nøglepersoner i februar 2018 og 53/49/4 "
                     "kliniske byggere i februar 2018, som er rapportens")
KEY_PERSONS_TOTALS = {(2017, 11): 1702, (2017, 12): 1788, (2018, 1): 1846, (2018, 2): KEY_PERSONS_FEB_2018}
_KEY_PERSON_WEIGHTS = (0.15, 0.14, 0.03, 0.21, 0.13, 0.27, 0.07)  # roughly the hospitals' sizes
BUILDERS_BY_MONTH = {(2017, 11): (38, 21, 17), (2017, 12): (44, 30, 14), (2018, 1): (49, 41, 8),
                     (2018, 2): (BUILDERS_APPOINTED, BUILDERS_CERTIFIED, BUILDERS_IN_TRAINING)}


# --- Synthetic series ---------------------------------------------------------------------
class _Noise:
    """Deterministic noise from ``random.random`` alone (stable across Python versions)."""

    def __init__(self, seed: int):
        self._rng = random.Random(seed)

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._rng.random()


LPR_FIRST_DAY = dt.date(2018, 1, 1)
LPR_LAST_DAY = dt.date(2018, 5, 18)
LPR_DEADLINE = dt.date(2018, 4, 10)  # 2017 corrections allowed until this day
# Errors added per working day before the deadline, and what happens after it:
# "bend" = the curve flattens, "fall" = the total is brought down (seed: BFH, HGH, NOH),
# "steady" = no visible change.
LPR_PROFILE = {
    "Amager og Hvidovre Hospital": (46, "bend"),
    "Bispebjerg og Frederiksberg Hospitaler": (38, "fall"),
    "Bornholms hospital": (6, "bend"),
    "Herlev og Gentofte Hospital": (52, "fall"),
    "Hospitalerne i Nordsjælland": (34, "fall"),
    "Rigshospitalet": (61, "bend"),
    "Region Hovedstadens Psykiatri": (11, "steady"),
}
_AFTER_DEADLINE_FACTOR = {"bend": 0.22, "fall": -0.55, "steady": 0.9}


def lpr_days() -> list[dt.date]:
    n = (LPR_LAST_DAY - LPR_FIRST_DAY).days + 1
    return [LPR_FIRST_DAY + dt.timedelta(days=i) for i in range(n)]


def lpr_daily_net_errors() -> dict[str, list[int]]:
    """Per hospital, the day's change in open LPR errors (new minus corrected); may be negative."""
    noise = _Noise(SEED)
    days = lpr_days()
    out: dict[str, list[int]] = {}
    for hospital, (rate, profile) in LPR_PROFILE.items():
        values = []
        for day in days:
            scale = 0.15 if day.weekday() >= 5 else 1.0  # weekends are quiet
            factor = 1.0 if day <= LPR_DEADLINE else _AFTER_DEADLINE_FACTOR[profile]
            level = rate * scale * factor
            values.append(round(level + rate * noise.uniform(-0.25, 0.25) * scale))
        out[hospital] = values
    return out


@dataclass(frozen=True)
class SupportWeeks:
    weeks: tuple[int, ...]
    created: tuple[int, ...]
    closed: tuple[int, ...]
    opening: int  # open cases at the start of week 1


SUPPORT_WEEKS = tuple(range(1, 20))  # week 1-19 of 2018; the report is "status medio maj"
EASTER_WEEK = 13


def support_levels_1_2() -> SupportWeeks:
    """About 600 created and as many closed a week; week 13 low (Easter), week 16 high (cases moved
    down from level 3) and week 17 with intensive closing, so the backlog stays roughly flat."""
    noise = _Noise(SEED + 12)
    created, closed = [], []
    for week in SUPPORT_WEEKS:
        c = 600 + noise.uniform(-35, 35)
        if week == EASTER_WEEK:
            c *= 0.68
        if week == 16:
            c += 170
        k = c + noise.uniform(-30, 30)
        if week == 17:
            k += 150
        created.append(round(c))
        closed.append(round(k))
    return SupportWeeks(SUPPORT_WEEKS, tuple(created), tuple(closed), 410)


def support_level_3() -> SupportWeeks:
    """Falling intake, and from week 10 more closed than created in most weeks."""
    noise = _Noise(SEED + 3)
    created, closed = [], []
    for week in SUPPORT_WEEKS:
        c = 265 - 5.5 * week + noise.uniform(-14, 14)
        if week == EASTER_WEEK:
            c *= 0.7
        if week < 10:
            k = c - 18 + noise.uniform(-12, 12)
        elif week == 14:  # "i de fleste uger": one week after Easter catches up on intake
            k = c - 6
        else:
            k = c + 22 + noise.uniform(0, 18)
        created.append(round(c))
        closed.append(round(k))
    return SupportWeeks(SUPPORT_WEEKS, tuple(created), tuple(closed), 980)


# Departments below the seed's top 5 (all under its 78 %), so that SP_TOPN has a list to rank.
_SYNTHETIC_DEPARTMENTS = (
    "Ortopædkirurgisk afdeling, Amager og Hvidovre Hospital",
    "Kardiologisk afdeling, Bispebjerg og Frederiksberg Hospitaler",
    "Medicinsk afdeling, Bornholms Hospital",
    "Gastroenheden, Herlev og Gentofte Hospital",
    "Akutafdelingen, Nordsjællands Hospital",
    "Børne- og ungeafdelingen, Rigshospitalet",
    "Psykiatrisk Center København, Region Hovedstadens Psykiatri",
    "Urologisk afdeling, Herlev og Gentofte Hospital",
    "Gynækologisk afdeling, Amager og Hvidovre Hospital",
    "Neurologisk afdeling, Rigshospitalet",
)


def departments() -> list[tuple[str, int, float, bool]]:
    """(department, orders from order sets, usage rate, synthetic?) - the seed's top 5 first."""
    noise = _Noise(SEED + 5)
    rows = [(name, count, pct, False) for name, count, pct in TABEL3_TOP5]
    for name in _SYNTHETIC_DEPARTMENTS:
        rows.append((name, round(noise.uniform(400, 30000)), round(noise.uniform(0.20, 0.76), 2), True))
    return rows


# Figur 6: certification status of the enrolled new hires (the report shows it only as a chart).
def certification_status() -> tuple[tuple[str, int], ...]:
    enrolled = round(NEW_USERS_EXTERNAL_Q1_2018 * ENROLLED_SHARE_Q1_2018)  # 189
    passed = round(enrolled * 0.62)
    failed = round(enrolled * 0.07)
    return (("Bestået certificeringstest", passed), ("Ikke bestået", failed),
            ("Endnu ikke gennemført", enrolled - passed - failed))


# Messages to one department via Min SP around Easter 2018 (29 March-2 April are holidays),
# to show what "answered within 3 working days" counts; None = not answered yet.
def messages() -> list[tuple[dt.datetime, dt.datetime | None]]:
    noise = _Noise(SEED + 7)
    out: list[tuple[dt.datetime, dt.datetime | None]] = []
    day = dt.date(2018, 3, 26)
    while len(out) < 16:
        if day.weekday() < 5:
            sent = dt.datetime.combine(day, dt.time())
            u = noise.uniform(0, 1)
            answered = None if u > 0.93 else sent + dt.timedelta(days=int(1 + 6 * u))
            while answered is not None and answered.weekday() >= 5:  # the department answers on weekdays
                answered += dt.timedelta(days=1)
            out.append((sent, answered))
        day += dt.timedelta(days=1)
    return out


def support_week_start(week: int, year: int = 2018) -> dt.date:
    """The Monday of an ISO week: the key of a week in the support table."""
    return dt.date.fromisocalendar(year, week, 1)


def key_persons_by_month() -> dict[tuple[int, int], dict[str, int]]:
    """Key persons per hospital and month; each month's hospitals add up to its total exactly
    (largest remainders), so the report's 1807 is what the table sums to."""
    out = {}
    for month, total in KEY_PERSONS_TOTALS.items():
        raw = [total * w for w in _KEY_PERSON_WEIGHTS]
        counts = [int(x) for x in raw]
        for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[:total - sum(counts)]:
            counts[i] += 1
        out[month] = dict(zip(HOSPITALS, counts))
    return out


def staff_by_month() -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(users, builders appointed, certified, in training) per month; users are the count the
    target implies (the report does not give it)."""
    return {month: (USERS_IMPLIED, *builders) for month, builders in BUILDERS_BY_MONTH.items()}
