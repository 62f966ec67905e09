"""Recognising an extract's type from its column headings (Danish or English).

Headings are compared after ``tables.normalise_heading`` (case, spaces and underscores do
not matter). Each type needs a set of *slots*; a slot is filled by any one of its fields,
and a field by any of its aliases. A file is of the type whose slots are all filled; if
several are, the one needing most columns wins (it is the more specific); a tie is refused.
The aliases are listed in ``ALIASES`` and documented in docs for the analysts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sp_xl.extracts import parsing
from sp_xl.extracts.problems import ExtractError, ValueProblem
from sp_xl.extracts.tables import normalise_heading


class Kind(StrEnum):
    CASES = "cases"
    INDICATORS = "indicators"
    MESSAGES = "messages"
    LPR_ERRORS = "lpr_errors"
    KEY_PERSONS = "key_persons"
    ORDERS = "orders"


KIND_NAMES = {  # (Danish, English) with their articles, for messages
    Kind.CASES: ("et sagsudtræk fra sagssystemet", "a case system export"),
    Kind.INDICATORS: ("en indikatortabel fra SP-rapportmodulet", "an SP reporting module indicator table"),
    Kind.MESSAGES: ("et beskedudtræk fra Min SP", "a Min SP message extract"),
    Kind.LPR_ERRORS: ("et udtræk fra LPR-fejlregisteret", "an LPR error register extract"),
    Kind.KEY_PERSONS: ("en nøglepersonliste fra Kursusportalen", "a course portal key person list"),
    Kind.ORDERS: ("et ordinationsudtræk", "an order-level extract"),
}

# field -> (Danish display name, aliases in normalised form)
ALIASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": ("Sagsnummer", ("nummer", "sagsnummer", "sagsnr", "sagsnr.", "sags nr", "sag nr", "sag",
                              "number", "incident", "incident number", "case number", "case id", "ticket")),
    "opened": ("Oprettet", ("oprettet", "oprettet dato", "oprettelsesdato", "oprettet den", "åbnet",
                            "opened", "opened at", "opened date", "created", "created on", "created date",
                            "sys created on")),
    "closed": ("Lukket", ("lukket", "lukket dato", "lukkedato", "lukket den", "løst", "løst dato",
                          "closed", "closed at", "closed date", "resolved", "resolved at")),
    "level": ("Niveau", ("niveau", "supportniveau", "support niveau", "sagsniveau", "level",
                         "support level", "tier")),
    "group": ("Tildelingsgruppe", ("tildelingsgruppe", "tildelt gruppe", "gruppe", "assignment group",
                                   "assigned group")),
    "hospital": ("Hospital", ("hospital", "sygehus", "hospitalsnavn", "hospital navn", "hospital name",
                              "site")),
    "month": ("Måned", ("måned", "maaned", "periode", "år-måned", "år måned", "month", "period",
                        "year-month", "year month")),
    "indicator": ("Indikator", ("indikator", "indikatornavn", "nøgletal", "indicator", "indicator name",
                                "measure", "metric")),
    "value": ("Værdi", ("værdi", "vaerdi", "resultat", "andel", "andel (%)", "andel %", "andel pct.",
                        "værdi (%)", "pct.", "procent", "antal", "value", "result", "share",
                        "share (%)", "percent", "count")),
    "numerator": ("Tæller", ("tæller", "taeller", "numerator")),
    "denominator": ("Nævner", ("nævner", "naevner", "denominator")),
    "sent": ("Sendt", ("sendt", "afsendt", "sendt dato", "afsendt dato", "modtaget", "modtaget dato",
                       "besked sendt", "sent", "sent at", "sent date", "received", "received at")),
    "answered": ("Besvaret", ("besvaret", "besvaret dato", "besvarelsesdato", "svaret", "svardato",
                              "svar dato", "answered", "answered at", "replied", "replied at",
                              "reply date", "response date")),
    "date": ("Dato", ("dato", "fejldato", "registreringsdato", "dag", "date", "error date",
                      "registration date", "day")),
    "errors": ("Antal fejl", ("antal fejl", "fejl", "fejlantal", "antal fejlregistreringer",
                              "errors", "error count", "number of errors")),
    "error_code": ("Fejlkode", ("fejlkode", "fejltype", "fejlnummer", "fejl id", "fejlid",
                                "error code", "error type", "error id")),
    "person_name": ("Navn", ("navn", "fulde navn", "deltager", "deltagernavn", "medarbejder",
                             "nøgleperson", "name", "full name", "participant", "key person")),
    "person_id": ("Bruger-id", ("brugerid", "bruger id", "bruger-id", "brugernavn", "medarbejdernummer",
                                "medarbejdernr", "medarbejdernr.", "initialer", "e-mail", "email",
                                "e mail", "mail", "user id", "username", "employee id")),
    "department": ("Afdeling", ("afdeling", "afdelingsnavn", "afsnit", "department", "department name",
                                "section")),
    "order_date": ("Ordinationsdato", ("ordinationsdato", "bestillingsdato", "ordredato", "order date",
                                       "ordered date")),
    "order_set": ("Fra ordinationssæt", ("fra ordinationssæt", "fra ordresæt", "fra best./ord.-set",
                                         "ordinationssæt", "ordresæt", "best./ord.-set", "best/ord-set",
                                         "via ordresæt", "from order set", "order set", "orderset")),
    "initiated_by": ("Igangsat af", ("igangsat af", "igangsættende bruger", "initierende bruger",
                                     "bestilt af", "ordineret af", "initiating user", "initiated by",
                                     "ordered by", "ordering user")),
    "approved_by": ("Godkendt af", ("godkendt af", "godkendende bruger", "underskrevet af",
                                    "approving user", "approved by", "signed by", "authorized by")),
}

_LOOKUP = {alias: f for f, (_, aliases) in ALIASES.items() for alias in aliases}

# kind -> slots; a slot is filled by any of its fields (first match wins)
SLOTS: dict[Kind, tuple[tuple[str, ...], ...]] = {
    Kind.CASES: (("number",), ("opened",), ("closed",), ("level", "group")),
    Kind.INDICATORS: (("hospital",), ("indicator",), ("month",), ("value", "numerator")),
    Kind.MESSAGES: (("sent",), ("answered",), ("hospital",)),
    Kind.LPR_ERRORS: (("date",), ("hospital",), ("errors", "error_code")),
    Kind.KEY_PERSONS: (("hospital",), ("person_id", "person_name")),
    Kind.ORDERS: (("department",), ("hospital",), ("month", "order_date", "date"), ("order_set",),
                  ("initiated_by",), ("approved_by",)),
}
OPTIONAL: dict[Kind, tuple[str, ...]] = {
    Kind.INDICATORS: ("value", "numerator", "denominator"),
    Kind.KEY_PERSONS: ("person_id", "person_name"),
    Kind.CASES: ("level", "group"),
    Kind.LPR_ERRORS: ("errors", "error_code"),
}


@dataclass(frozen=True)
class Detection:
    kind: Kind
    columns: dict[str, str]  # field -> heading as in the file
    month_columns: tuple[str, ...] = ()  # wide indicator tables: one heading per month
    headings: tuple[str, ...] = field(default=())

    def needed(self) -> list[str]:
        return list(dict.fromkeys([*self.columns.values(), *self.month_columns]))


def field_of(heading: str) -> str | None:
    return _LOOKUP.get(normalise_heading(heading).rstrip(":"))


def is_month_heading(heading: str) -> bool:
    try:
        months, _ = parsing.parse_months([heading.strip()], drawn=dt.date(2000, 12, 31))
    except (ValueProblem, ValueError):
        return False
    return str(months[0]) != "NaT"


def header_score(cells: Sequence[str]) -> int:
    """How many cells name a known column (a month heading counts too)."""
    fields = {field_of(c) for c in cells if c}
    fields.discard(None)
    months = sum(1 for c in cells if c and is_month_heading(c))
    return len(fields) + min(months, 1)


def detect(path_name: str, header_row: int, headings: Sequence[str], preamble: Sequence[str] = ()) -> Detection:
    found: dict[str, str] = {}
    for h in headings:
        f = field_of(h)
        if f and f not in found:
            found[f] = h
    months = tuple(h for h in headings if field_of(h) is None and h and is_month_heading(h))
    candidates: list[tuple[int, Kind, dict[str, str]]] = []
    for kind, slots in SLOTS.items():
        cols: dict[str, str] = {}
        for slot in slots:
            hit = next((f for f in slot if f in found), None)
            if hit is None:
                break
            cols[hit] = found[hit]
        else:
            for f in OPTIONAL.get(kind, ()):
                if f in found:
                    cols[f] = found[f]
            candidates.append((len(slots), kind, cols))
    # A wide indicator table: hospital, indicator and one column per month.
    if "hospital" in found and months and not any(k == Kind.INDICATORS for _, k, _ in candidates):
        cols = {"hospital": found["hospital"]}
        if "indicator" in found:
            cols["indicator"] = found["indicator"]
        candidates.append((3, Kind.INDICATORS, cols))
    if not candidates:
        raise _closest_miss(path_name, header_row, found)
    candidates.sort(key=lambda c: -c[0])
    if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
        a, b = (KIND_NAMES[c[1]] for c in candidates[:2])
        raise ExtractError(path_name, header_row, None,
                           f"Kolonnerne passer både til {a[0]} og {b[0]}; omdøb kolonnerne.",
                           f"The columns fit both {a[1]} and {b[1]}; rename the columns.")
    _, kind, cols = candidates[0]
    return Detection(kind, cols, months if kind == Kind.INDICATORS and "month" not in cols else (),
                     tuple(headings))


def _closest_miss(path_name: str, header_row: int, found: dict[str, str]) -> ExtractError:
    def filled(kind: Kind) -> int:
        return sum(any(f in found for f in slot) for slot in SLOTS[kind])

    kind = max(SLOTS, key=lambda k: (filled(k) / len(SLOTS[k]), filled(k)))
    missing = next(slot for slot in SLOTS[kind] if not any(f in found for f in slot))
    da_name = ALIASES[missing[0]][0]
    alternatives = " / ".join(f"'{ALIASES[f][0]}'" for f in missing)
    name_da, name_en = KIND_NAMES[kind]
    known_da = ", ".join(f"'{h}'" for h in found.values()) or "ingen"
    known_en = ", ".join(f"'{h}'" for h in found.values()) or "none"
    return ExtractError(
        path_name, header_row, da_name,
        f"Filen er ikke et kendt udtræk. Kolonnerne ({known_da}) ligner mest {name_da}, men kolonnen "
        f"{alternatives} mangler.",
        f"The file is not a known extract. Its columns ({known_en}) come closest to {name_en}, but the "
        f"column {alternatives} is missing.")
