"""Test helpers for the share tests: a refreshed master with its refresh stamp."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from sp_xl.workbook.master import build_master
from sp_xl.workbook.refresh import refresh

STAMP = dt.datetime(2018, 5, 30, 9, 15)


def write_stamp(path: Path, when: dt.datetime = STAMP, sheet_part: str = "xl/worksheets/sheet1.xml", ref: str = "B12") -> None:
    """Put the refresh timestamp into Forside!B12 (what `sp-xl refresh` is to write there)."""
    serial = (when - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == sheet_part:
                def stamped(m: re.Match) -> bytes:
                    attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(1))
                    return b'<c r="' + ref.encode() + b'"' + attrs + b"><v>" + repr(serial).encode() + b"</v></c>"
                data, n = re.subn(rb'<c r="' + ref.encode() + rb'"([^>]*)>.*?</c>', stamped, data, count=1, flags=re.S)
                assert n == 1
            z.writestr(info, data)
    path.write_bytes(out.getvalue())


def refreshed_master(folder: Path, name: str = "m.xlsx") -> Path:
    path = folder / name
    build_master(path)
    refresh(path, backup=False)
    write_stamp(path)
    return path
