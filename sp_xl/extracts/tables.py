"""Opening an extract file (CSV or workbook) as a raw table of distinct values.

Every column is held as integer codes into its distinct values (-1 = empty cell), which keeps
a 5-million-row order extract small in memory and lets the parsers read each distinct value
once. CSV files are read by pyarrow's multi-threaded reader straight into dictionary-encoded
columns (chosen by measurement, see benchmarks/bench_import.py); workbooks by calamine.

The table header is the first of the first 30 lines whose cells name known columns; lines
above it are the preamble (they may carry the extraction date).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sp_xl.extracts import parsing
from sp_xl.extracts.problems import ExtractError

HEADER_SCAN_LINES = 30
DELIMITERS = (";", "\t", ",", "|")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")

HeaderScore = Callable[[Sequence[str]], int]
Needed = Callable[[list[str], int], list[str]]  # (headings, header row) -> columns to load


@dataclass
class RawTable:
    path: Path
    columns: list[str]  # headings as written in the file
    codes: dict[str, np.ndarray]  # per heading: int codes into uniques, -1 = empty
    uniques: dict[str, list[object]]
    header_row: int  # 1-based row of the headings
    preamble: list[str]
    danish_numbers: bool
    n_rows: int
    _row_numbers: np.ndarray | None = field(default=None, repr=False)  # workbook rows

    @property
    def file(self) -> str:
        return self.path.name

    def row_of(self, index: int) -> int:
        """The row number the user sees for data row ``index`` (0-based)."""
        return self.rows_of([index])[0]

    def rows_of(self, indices: list[int]) -> list[int]:
        """Row numbers for several data rows, with one pass over a CSV file."""
        if self._row_numbers is not None:
            return [int(self._row_numbers[i]) for i in indices]
        return _csv_lines_of(self.path, self.header_row, indices)

    def first_row_with(self, column: str, unique_index: int) -> int:
        return self.row_of(int(np.flatnonzero(self.codes[column] == unique_index)[0]))

    def error(self, column: str | None, row: int | None, da: str, en: str) -> ExtractError:
        return ExtractError(self.file, row, column, da, en)


def read_table(path: Path, score: HeaderScore, needed: Needed) -> RawTable:
    """Read ``path``; ``score`` rates a candidate header line, ``needed`` picks the columns to load."""
    if path.is_dir():
        raise ExtractError(path.name, None, None, "Det er en mappe, ikke en fil.", "It is a folder, not a file.")
    if not path.is_file():
        raise ExtractError(path.name, None, None, "Filen findes ikke.", "The file does not exist.")
    if path.stat().st_size == 0:
        raise ExtractError(path.name, None, None, "Filen er tom.", "The file is empty.")
    with path.open("rb") as f:
        magic = f.read(8)
    # By content, not name: a workbook saved as .csv is still read as a workbook.
    if path.suffix.lower() in WORKBOOK_SUFFIXES or magic.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _read_workbook(path, score, needed)
    return _read_csv(path, score, needed)


def normalise_heading(text: str) -> str:
    return " ".join(str(text).replace("_", " ").split()).strip().casefold()


def _find_header(rows: Sequence[Sequence[str]], score: HeaderScore) -> int | None:
    best, best_score = None, 1  # at least two known headings
    for i, row in enumerate(rows[:HEADER_SCAN_LINES]):
        s = score([normalise_heading(c) for c in row])
        if s > best_score:
            best, best_score = i, s
    return best


def _unknown_file(path: Path, first_cells: Sequence[str]) -> ExtractError:
    col = next((c for c in first_cells if str(c).strip()), None)
    return ExtractError(
        path.name, 1, col,
        "Filen har ingen overskriftsrække med kendte kolonnenavne i de første 30 rækker; det er ikke "
        "et kendt udtræk (sagssystem, SP-rapportmodul, Min SP-beskeder, LPR-fejl, Kursusportalen "
        "eller ordinationer).",
        "The file has no header row with known column names in its first 30 rows; it is not a known "
        "extract (case system, SP reporting module, Min SP messages, LPR errors, course portal or orders).")


# ----------------------------------------------------------------------------- CSV

_LINE_END = re.compile(r"\r\n|\r|\n")


def _read_csv(path: Path, score: HeaderScore, needed: Needed) -> RawTable:
    import pyarrow as pa

    with path.open("rb") as f:
        head_bytes = f.read(1 << 16)
    # The head decides; pyarrow validates UTF-8 in the rest, and a late non-UTF-8 byte
    # switches to Windows-1252 (one pass over the file instead of two).
    encoding = parsing.head_encoding(head_bytes)
    if encoding != "utf-16" and b"\x00" in head_bytes:
        raise ExtractError(path.name, None, None, "Filen er hverken en tekstfil (CSV) eller et regneark.",
                           "The file is neither a text file (CSV) nor a workbook.")
    head = head_bytes.decode(encoding, errors="replace").lstrip("\ufeff")
    # Lines end where the CSV reader ends them (\n, \r\n, \r), not at every character
    # str.splitlines knows (a vertical tab or form feed in a field is not a new row).
    lines = _LINE_END.split(head)[:HEADER_SCAN_LINES]
    best: tuple[int, int, str] | None = None  # (score, line, delimiter)
    for delim in DELIMITERS:
        rows = [next(csv.reader([ln], delimiter=delim), []) for ln in lines]
        i = _find_header(rows, score)
        if i is not None:
            s = score([normalise_heading(c) for c in rows[i]])
            if best is None or s > best[0]:
                best = (s, i, delim)
    if best is None:
        first = next(csv.reader([lines[0] if lines else ""], delimiter=";"), [])
        raise _unknown_file(path, first)
    _, header_index, delim = best
    headings = [c.strip() for c in next(csv.reader([lines[header_index]], delimiter=delim))]
    _refuse_duplicates(path, header_index + 1, headings)
    wanted = needed(headings, header_index + 1)
    bad_row: list[str] = []

    def on_invalid(row: object) -> str:
        bad_row.append(getattr(row, "text", ""))
        return "error"

    try:
        try:
            table = _arrow_read(path, header_index, encoding, delim, wanted, on_invalid)
        except pa.ArrowInvalid as exc:
            if encoding != "utf-8" or "UTF8" not in str(exc) or bad_row:
                raise
            encoding = "cp1252"
            table = _arrow_read(path, header_index, encoding, delim, wanted, on_invalid)
    except pa.ArrowInvalid as exc:
        raise _bad_row_error(path, encoding, headings, bad_row) from exc
    except pa.ArrowException as exc:     # the columns read do not match the header row
        raise ExtractError(path.name, header_index + 1, None,
                           "Filen kan ikke læses som CSV: rækkerne passer ikke med overskriftsrækken. Gem "
                           "udtrækket igen fra kildesystemet.",
                           "The file cannot be read as CSV: the rows do not match the header row. Export the "
                           "extract again from the source system.") from exc
    codes, uniques = {}, {}
    for name in wanted:
        cat = table.column(name).to_pandas()
        if not isinstance(cat.dtype, pd.CategoricalDtype):
            cat = cat.astype("category")
        codes[name] = cat.cat.codes.to_numpy(dtype=np.int32)
        uniques[name] = list(cat.cat.categories)
    return RawTable(path, headings, codes, uniques, header_index + 1,
                    [ln for ln in lines[:header_index] if ln.strip()],
                    danish_numbers=delim != ",", n_rows=table.num_rows)


def _arrow_read(path: Path, header_index: int, encoding: str, delim: str, wanted: list[str], on_invalid):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if encoding == "cp1252" and (bad := parsing.first_undecodable_line(path, "cp1252")):
        raise ExtractError(path.name, bad, None,
                           "Filen er hverken UTF-8 eller Windows-1252 (ukendte tegn).",
                           "The file is neither UTF-8 nor Windows-1252 (unknown characters).")
    dict_type = pa.dictionary(pa.int32(), pa.string())
    try:
        return pacsv.read_csv(
            path,
            # pyarrow reads "utf8" natively; any other name (even "utf-8") goes through a slow Python codec.
            read_options=pacsv.ReadOptions(skip_rows=header_index, encoding="utf8" if encoding == "utf-8" else encoding,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={h: dict_type for h in wanted}, include_columns=wanted,
                strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=True),
        )
    except UnicodeDecodeError as exc:
        raise ExtractError(path.name, parsing.first_undecodable_line(path, encoding), None,
                           f"Filen kan ikke læses som {encoding}.", f"The file cannot be read as {encoding}.") from exc


def _bad_row_error(path: Path, encoding: str, headings: list[str], bad_row: list[str]) -> ExtractError:
    line = _line_of_text(path, encoding, bad_row[0]) if bad_row else None
    return ExtractError(path.name, line, None,
                        f"Rækken har et andet antal felter end overskriftsrækken ({len(headings)}).",
                        f"The row has a different number of fields than the header row ({len(headings)}).")


def _refuse_duplicates(path: Path, row: int, headings: list[str]) -> None:
    seen: set[str] = set()
    for h in headings:
        key = normalise_heading(h)
        if key and key in seen:
            raise ExtractError(path.name, row, h, "Kolonnenavnet står to gange i overskriftsrækken.",
                               "The column name appears twice in the header row.")
        seen.add(key)


def _csv_lines_of(path: Path, header_row: int, indices: list[int]) -> list[int]:
    """Line numbers of data rows, skipping blank lines as the reader does (bytes: any encoding)."""
    wanted = sorted(set(indices))
    found: dict[int, int] = {}
    seen = -1
    with path.open("rb") as f:
        for n, line in enumerate(f, start=1):
            if n <= header_row or not line.strip(b"\r\n\x00"):
                continue
            seen += 1
            if seen == wanted[len(found)]:
                found[seen] = n
                if len(found) == len(wanted):
                    break
    return [found.get(i, header_row + 1 + i) for i in indices]


def _line_of_text(path: Path, encoding: str, text: str) -> int | None:
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        for n, line in enumerate(f, start=1):
            if line.rstrip("\r\n").lstrip("\ufeff") == text:
                return n
    return None


# ----------------------------------------------------------------------------- workbooks

def _read_workbook(path: Path, score: HeaderScore, needed: Needed) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [book.get_sheet_by_name(n) for n in book.sheet_names]
        grids = [s.to_python(skip_empty_area=False) for s in sheets]
    except OSError:
        raise                            # said in plain words by the caller
    except Exception as exc:  # calamine raises its own types for broken or encrypted files
        raise ExtractError(path.name, None, None,
                           "Filen kan ikke åbnes som regneark: den er beskadiget eller i et format, sp-xl ikke "
                           "læser (xlsx, xlsm, xls, ods, csv). Hent eller gem udtrækket igen.",
                           "The file cannot be opened as a workbook: it is damaged or in a format sp-xl does not "
                           "read (xlsx, xlsm, xls, ods, csv). Fetch or save the extract again.") from exc
    for grid in grids:
        text_rows = [[_cell_text(c) for c in r] for r in grid[:HEADER_SCAN_LINES]]
        i = _find_header(text_rows, score)
        if i is not None:
            break
    else:
        raise _unknown_file(path, [_cell_text(c) for c in grids[0][0]] if grids and grids[0] else [])
    headings = [_cell_text(c).strip() for c in grid[i]]
    while headings and not headings[-1]:
        headings.pop()
    _refuse_duplicates(path, i + 1, headings)
    body = [r for r in grid[i + 1:]]
    keep = [k for k, r in enumerate(body) if any(not parsing.is_missing(c) for c in r)]
    row_numbers = np.array(keep, dtype=np.int64) + i + 2
    codes, uniques = {}, {}
    for name in needed(headings, i + 1):
        j = headings.index(name)
        col = [body[k][j] if j < len(body[k]) else None for k in keep]
        col = [None if parsing.is_missing(v) else v for v in col]
        c, u = pd.factorize(pd.Series(col, dtype=object), use_na_sentinel=True)
        codes[name] = c.astype(np.int32)
        uniques[name] = list(u)
    preamble = [" ".join(_cell_text(c) for c in r if _cell_text(c)).strip() for r in grid[:i]]
    return RawTable(path, headings, codes, uniques, i + 1, [p for p in preamble if p],
                    danish_numbers=True, n_rows=len(keep), _row_numbers=row_numbers)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
