"""How long `sp-xl check` takes on a workbook of 2 million cells (issue 13: under 10 s).

    python benchmarks/bench_check.py [--cells N] [--sheets N] [--profile]   (from the repository root)

The workbook is generated here, XML written directly (numbers, texts, a few error values and
formulas with stored results, one Excel table with a month column), so generating it is quick.
Prints the time of the check in-process and of the command as a user runs it; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sp_xl.ooxml.cellrefs import col_letters  # noqa: E402

COLUMNS = 20
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def sheet_xml(rows: int, first_sheet: bool) -> bytes:
    """``rows`` rows of ``COLUMNS`` cells: a month, a hospital, numbers, a formula per row."""
    letters = [col_letters(c) for c in range(1, COLUMNS + 1)]
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS} {NS_R}><sheetData>']
    out.append('<row r="1">' + "".join(f'<c r="{letters[c]}1" t="inlineStr"><is><t>Kolonne{c + 1}</t></is></c>'
                                         for c in range(COLUMNS)) + "</row>")
    for r in range(2, rows + 1):
        month = 43101 + 31 * ((r - 2) // 7)
        cells = [f'<c r="A{r}"><v>{month}</v></c>',
                 f'<c r="B{r}" t="inlineStr"><is><t>Hospital {(r - 2) % 7}</t></is></c>']
        for c in range(2, COLUMNS - 1):
            cells.append(f'<c r="{letters[c]}{r}"><v>{(r * 7 + c) % 1000}</v></c>')
        if first_sheet and r % 50_000 == 0:
            cells.append(f'<c r="{letters[-1]}{r}" t="e"><f>C{r}/0</f><v>#DIV/0!</v></c>')
        else:
            cells.append(f'<c r="{letters[-1]}{r}"><f>C{r}+D{r}</f><v>{(r * 7 + 2) % 1000 + (r * 7 + 3) % 1000}</v></c>')
        out.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    out.append("</sheetData>")
    if first_sheet:
        out.append('<tableParts count="1"><tablePart r:id="rId1"/></tableParts>')
    out.append("</worksheet>")
    return "".join(out).encode()


def make_workbook(path: Path, cells: int, sheets: int = 4) -> None:
    rows = cells // (COLUMNS * sheets)
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/tables/table1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>']
    wb_sheets, wb_rels = [], []
    for i in range(1, sheets + 1):
        ct.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        wb_sheets.append(f'<sheet name="Data{i}" sheetId="{i}" r:id="rId{i}"/>')
        wb_rels.append(f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" '
                       'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>')
    ct.append("</Types>")
    rel_ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    columns = "".join(f'<tableColumn id="{c + 1}" name="{"Måned" if c == 0 else "Hospital" if c == 1 else f"Kolonne{c + 1}"}"/>'
                      for c in range(COLUMNS))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "".join(ct))
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships {rel_ns}>'
                   '<Relationship Id="rId1" Target="xl/workbook.xml" '
                   'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
                   '</Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {NS_R}><sheets>'
                   + "".join(wb_sheets) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships {rel_ns}>'
                   + "".join(wb_rels) + "</Relationships>")
        z.writestr("xl/worksheets/_rels/sheet1.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships {rel_ns}><Relationship Id="rId1" '
                   'Target="../tables/table1.xml" '
                   'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"/></Relationships>')
        z.writestr("xl/tables/table1.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><table {NS} id="1" name="tData" displayName="tData" '
                   f'ref="A1:{col_letters(COLUMNS)}{rows}"><tableColumns count="{COLUMNS}">{columns}</tableColumns>'
                   '</table>')
        for i in range(1, sheets + 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(rows, i == 1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=2_000_000)
    parser.add_argument("--sheets", type=int, default=4, help="the cells spread over this many sheets")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stor.xlsx"
        start = time.perf_counter()
        make_workbook(path, args.cells, args.sheets)
        print(f"generated {args.cells:,} cells in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        from sp_xl.actions.check import check_file

        start = time.perf_counter()
        if args.profile:
            profile = cProfile.Profile()
            outcome = profile.runcall(check_file, path)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            outcome = check_file(path)
        print(f"check_file, in-process: {time.perf_counter() - start:.1f} s; {outcome.lines[0]}")
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "sp_xl.cli", "check", str(path)], capture_output=True, text=True)
        print(f"sp-xl check, whole command: {time.perf_counter() - start:.1f} s, exit {proc.returncode}")


if __name__ == "__main__":
    main()
