"""Typed access to a detected extract's columns, with errors that name file, row and column.

Each accessor parses the column's distinct values once and returns ``(codes, parsed)``:
``parsed[codes[i]]`` is row i's value (codes -1 = empty cell). Text that Excel would take
for a formula (=, +, -, @ first) is kept as text and recorded in ``flagged``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sp_xl.extracts import parsing
from sp_xl.extracts.detect import ALIASES, Detection
from sp_xl.extracts.problems import Message, ValueProblem
from sp_xl.extracts.tables import RawTable
from sp_xl.i18n import MONTH_NAMES_DA

MAX_FLAGGED_LISTED = 100


@dataclass(frozen=True, slots=True)
class FlaggedText:
    """A text cell that starts like a formula; a writer must store it as text."""

    column: str
    row: int  # first row holding it
    value: str
    count: int  # rows holding it


@dataclass
class Columns:
    table: RawTable
    detection: Detection
    warnings: list[Message] = field(default_factory=list)
    flagged: list[FlaggedText] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.detection.columns

    def heading(self, name: str) -> str:
        return self.detection.columns.get(name, ALIASES[name][0] if name in ALIASES else name)

    def _raw(self, heading: str) -> tuple[np.ndarray, list[object]]:
        return self.table.codes[heading], self.table.uniques[heading]

    def _fail(self, heading: str, problem: ValueProblem) -> Exception:
        row = self.table.first_row_with(heading, problem.index)
        return self.table.error(heading, row, problem.da, problem.en)

    def require(self, heading: str, codes: np.ndarray, what_da: str, what_en: str) -> None:
        """Refuse empty cells in a column that must be filled."""
        missing = np.flatnonzero(codes < 0)
        if missing.size:
            raise self.table.error(heading, self.table.row_of(int(missing[0])),
                                   f"Cellen er tom, men {what_da} skal udfyldes.",
                                   f"The cell is empty, but {what_en} must be filled in.")

    # -- typed columns -------------------------------------------------------------------

    def text(self, name: str, heading: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        heading = heading or self.heading(name)
        codes, uniques = self._raw(heading)
        # Cleaning can merge distinct raw values ("abc", "abc "); re-code onto the clean texts.
        cleaned = pd.Series([parsing.clean_text(v) for v in uniques], dtype=object)
        remap, texts = pd.factorize(cleaned, use_na_sentinel=True)
        remap = np.append(remap.astype(np.int32), np.int32(-1))  # index -1 (empty) stays -1
        codes = remap[codes]
        texts = list(texts)
        formula_like = [k for k, t in enumerate(texts) if parsing.looks_like_formula(t)]
        flagged_here = len(formula_like)
        listed = formula_like[:MAX_FLAGGED_LISTED]  # each costs a pass over the codes
        if listed:
            counts = np.bincount(codes[codes >= 0], minlength=len(texts))
            first = [int(np.argmax(codes == k)) for k in listed]
            rows = self.table.rows_of(first)  # one pass over a CSV file for all of them
            self.flagged.extend(FlaggedText(heading, row, texts[k], int(counts[k])) for k, row in zip(listed, rows))
        if flagged_here:
            n = flagged_here
            self.warnings.append(Message(
                f"Kolonnen '{heading}' har {n} tekst(er), der begynder som en formel (=, +, -, @); "
                "de er gemt som tekst.",
                f"The column '{heading}' has {n} text(s) starting like a formula (=, +, -, @); "
                "they are kept as text."))
        return codes, np.array(texts, dtype=object)

    def dates(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        heading = self.heading(name)
        codes, uniques = self._raw(heading)
        try:
            parsed = parsing.parse_dates(uniques)
        except ValueProblem as p:
            raise self._fail(heading, p) from None
        self.warnings.extend(Message(f"Kolonnen '{heading}': {w.da}", f"Column '{heading}': {w.en}")
                             for w in parsed.warnings)
        return codes, parsed.values

    def months(self, name: str, drawn: dt.date | None) -> tuple[np.ndarray, np.ndarray]:
        heading = self.heading(name)
        codes, uniques = self._raw(heading)
        try:
            values, warnings = parsing.parse_months(uniques, drawn)
        except ValueProblem as p:
            raise self._fail(heading, p) from None
        self.warnings.extend(warnings)
        return codes, values

    def numbers(self, name: str, heading: str | None = None) -> tuple[np.ndarray, parsing.NumberColumn]:
        heading = heading or self.heading(name)
        codes, uniques = self._raw(heading)
        try:
            return codes, parsing.parse_numbers(uniques, self.table.danish_numbers)
        except ValueProblem as p:
            raise self._fail(heading, p) from None

    def span(self, start: str, end: str, start_da: str, start_en: str) -> tuple[np.ndarray, np.ndarray]:
        """Row datetimes of a required ``start`` column and an optional ``end`` column (NaT when empty)."""
        s_codes, s_parsed = self.dates(start)
        self.require(self.heading(start), s_codes, start_da, start_en)
        e_codes, e_parsed = self.dates(end)
        return gather(s_codes, s_parsed, np.datetime64("NaT")), gather(e_codes, e_parsed, np.datetime64("NaT"))

    def refuse_before(self, end: str, ends: np.ndarray, starts: np.ndarray, da: str, en: str) -> None:
        """Refuse the first row whose ``ends`` (column ``end``) is earlier than its start."""
        early = np.flatnonzero(~np.isnat(ends) & (ends < starts))
        if early.size:
            raise self.table.error(self.heading(end), self.table.row_of(int(early[0])), da, en)

    def flags(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        heading = self.heading(name)
        codes, uniques = self._raw(heading)
        try:
            return codes, parsing.parse_flags(uniques)
        except ValueProblem as p:
            raise self._fail(heading, p) from None


def gather(codes: np.ndarray, parsed: np.ndarray, fill: object) -> np.ndarray:
    """Row values from codes into parsed distinct values; ``fill`` for empty cells."""
    parsed = np.asarray(parsed)
    if len(parsed) == 0:
        return np.full(codes.shape, fill, dtype=parsed.dtype)
    out = parsed[np.where(codes >= 0, codes, 0)]  # fancy indexing copies
    out[codes < 0] = fill
    return out


def month_label(month: pd.Timestamp | np.datetime64) -> str:
    """'januar 2018' for data sheets and messages."""
    ts = pd.Timestamp(month)
    return f"{MONTH_NAMES_DA[ts.month - 1]} {ts.year}"
