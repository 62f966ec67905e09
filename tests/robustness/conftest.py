"""Bad inputs and faults for every `sp-xl` command, generated in the test's own folder.

``BAD_WORKBOOKS`` names each hostile or broken workbook a user can hand a command; ``make_bad``
writes it. ``Run`` runs the command in-process (``sp_xl.cli.main``) and ``assert_refused``
checks the contract of issue 13: exit 2, exactly one line "Afvist: …" on stderr without a
traceback or raw English exception text, nothing on stdout, and the folders exactly as they
were (inputs unchanged, no output, no temporary file, no backup).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import random
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from sp_xl import cli
from tests.conftest import CORPUS, ROOT

MASTER = ROOT / "workbooks" / "sp_status.xlsx"
FIXTURES = ROOT / "tests" / "extracts" / "fixtures"

# Words that must never reach the user on a refusal: a traceback, a C error, Python's or a
# library's own English exception text, or our "internal error" (a bad input is not a bug).
FORBIDDEN = ("Traceback", "Errno", "errno", "No space left", "File is not a zip file", "Permission denied",
             "No such file", "Is a directory", "Bad CRC", "BadZipFile", "Error", "Exception", "line 1, column",
             "intern fejl", "internal error", "uventet", "unexpected")


# ---------------------------------------------------------------- running a command

@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys):
    """``run(*argv)``: the command's exit code, stdout and stderr (in-process)."""
    def go(*argv) -> Result:
        capsys.readouterr()
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as exc:             # argparse's own usage errors
            code = exc.code
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return go


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with its sha256 (folders too, so a new one shows)."""
    out = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            out[str(p)] = hashlib.sha256(_raw_read(p)).hexdigest() if p.is_file() else "<dir>"
    return out


def _raw_read(path: Path) -> bytes:
    """The file's bytes below the level ``unreadable`` patches (the test itself may read)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def assert_one_danish_line(result: Result, *words: str) -> str:
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    line = lines[0]
    assert line.startswith("Afvist: "), line
    for bad in FORBIDDEN:
        assert bad not in line, f"{bad!r} in {line!r}"
    for w in words:
        assert w in line, f"{w!r} not in {line!r}"
    return line


def assert_refused(result: Result, before: dict[str, str], after: dict[str, str], *words: str) -> str:
    """Exit 2, one Danish line, no stdout, and not one file added, removed or changed."""
    assert result.code == 2, (result.code, result.out, result.err)
    line = assert_one_danish_line(result, *words)
    assert result.out == "", result.out
    assert after == before, sorted(set(after.items()) ^ set(before.items()))
    return line


# ---------------------------------------------------------------- building hostile packages

def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def with_dtd(xml: bytes) -> bytes:
    """The part with a DTD and an entity that expands (the billion laughs, kept small)."""
    body = xml.split(b"?>", 1)[1] if xml.lstrip().startswith(b"<?xml") else xml
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body)


def xml_parts(data: bytes) -> list[str]:
    return [n for n in members(data) if n.endswith((".xml", ".rels"))]


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def zip_with_raw(parts: dict[str, bytes], raw: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip of ``parts`` (deflated) plus ``raw`` members given as (deflate stream, crc, size):
    a zip bomb costs only its compressed bytes to build."""
    entries = [(n, *_deflated(d)) for n, d in parts.items()] + [(n, *v) for n, v in raw.items()]
    body, central, offset = [], [], 0
    for name, stream, crc, size in entries:
        b = name.encode()
        local = _LOCAL.pack(b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(stream), size, len(b), 0) + b + stream
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(stream), size, len(b),
                                     0, 0, 0, 0, 0, offset) + b)
        body.append(local)
        offset += len(local)
    directory = b"".join(central)
    return b"".join(body) + directory + _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries),
                                                  len(directory), offset, 0)


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def bomb_stream(size_mib: int) -> tuple[bytes, int, int]:
    """A real deflate stream of ``size_mib`` MiB of spaces, built from one compressed MiB repeated
    (a full flush resets the compressor, so every MiB compresses to the same bytes)."""
    block = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(block, crc)
    return piece * size_mib + b"\x03\x00", crc, size_mib << 20


def cfb_encrypted() -> bytes:
    """The start of an encrypted Office file: a compound file (OLE/CFB) holding 'EncryptedPackage'."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1C] = struct.pack("<HH", 0x3E, 3)        # minor, major version
    header[0x1C:0x20] = struct.pack("<HH", 0xFFFE, 9)      # byte order, sector shift
    entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\0")
    return bytes(header) + entry + bytes(4096 - 512 - len(entry))


def ods_bytes() -> bytes:
    return rezip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                  "content.xml": b'<?xml version="1.0"?><office:document-content '
                                 b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
                  "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest/>'})


# name -> (what it is, the words the refusal must contain)
BAD_WORKBOOKS = {
    "empty": ("tom",),
    "truncated_10": ("beskadiget",),
    "truncated_50": ("beskadiget",),
    "truncated_90": ("beskadiget",),
    "random_bytes": ("ikke en Excel-projektmappe",),
    "renamed_csv": ("ikke en Excel-projektmappe",),
    "renamed_xls": ("gammel binær",),
    "renamed_ods": ("",),
    "encrypted_cfb": ("adgangskode",),
    "encrypted_corpus": ("adgangskode",),
    "zip_bomb": ("zip-bombe",),
    "traversal": ("uden for pakken",),
    "absolute_member": ("uden for pakken",),
    "dtd_sheet": ("DTD",),
    "dtd_core": ("DTD",),
    "not_xml_workbook": ("ikke gyldig XML",),
    "foreign_zip": ("",),
    "bad_cell_address": ("",),
    "invalid_utf8": ("ikke UTF-8",),
    "bad_table_ref": ("",),
    "damaged_member": ("docProps/app.xml kan ikke pakkes ud",),
    "broken_content_types": ("[Content_Types].xml er ikke gyldig XML",),
    "sheet_cut_after_cells": ("sheet4.xml er ikke gyldig XML",),
}


def make_bad(kind: str, folder: Path, name: str = "bad.xlsx") -> Path:
    """Write the bad workbook ``kind`` into ``folder`` and return its path."""
    master = MASTER.read_bytes()
    path = folder / name
    rng = random.Random(kind)
    if kind == "empty":
        data = b""
    elif kind.startswith("truncated_"):
        data = master[: len(master) * int(kind.rsplit("_", 1)[1]) // 100]
    elif kind == "random_bytes":
        data = bytes(rng.randrange(256) for _ in range(5000))
    elif kind == "renamed_csv":
        data = (FIXTURES / "lpr_fejl.csv").read_bytes()
    elif kind == "renamed_xls":
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(4088))
    elif kind == "renamed_ods":
        data = ods_bytes()
    elif kind == "encrypted_cfb":
        data = cfb_encrypted()
    elif kind == "encrypted_corpus":
        data = (CORPUS / "pass_protected.xlsx").read_bytes()
    elif kind == "zip_bomb":
        data = zip_with_raw(members(master), {"xl/worksheets/sheet99.xml": bomb_stream(1024)})
    elif kind == "traversal":
        data = rezip({**members(master), "../../evil.xml": b"<x/>"})
    elif kind == "absolute_member":
        data = rezip({**members(master), "/etc/evil.xml": b"<x/>"})
    elif kind == "dtd_sheet":
        parts = members(master)
        data = rezip({**parts, "xl/worksheets/sheet1.xml": with_dtd(parts["xl/worksheets/sheet1.xml"])})
    elif kind == "dtd_core":
        parts = members(master)
        data = rezip({**parts, "docProps/core.xml": with_dtd(parts["docProps/core.xml"])})
    elif kind == "not_xml_workbook":
        data = rezip({**members(master), "xl/workbook.xml": b'<workbook xmlns="http://schemas.openxmlformats.org/'
                                                          b'spreadsheetml/2006/main"><sheets></workbook>'})
    elif kind == "bad_cell_address":              # found by the property test: a cell r="E" in a sheet
        parts = members(master)
        sheet = parts["xl/worksheets/sheet2.xml"]
        at = re.search(rb'<c r="([A-Z]+)(\d+)"', sheet)
        data = rezip({**parts, "xl/worksheets/sheet2.xml": sheet[:at.start(2)] + sheet[at.end(2):]})
    elif kind == "invalid_utf8":                  # found by the property test: bytes that are not UTF-8
        parts = members(master)
        sheet = parts["xl/worksheets/sheet5.xml"]
        at = sheet.index(b"<f>") + 4
        data = rezip({**parts, "xl/worksheets/sheet5.xml": sheet[:at] + b"\xff\xfe" + sheet[at:]})
    elif kind == "bad_table_ref":                 # found by the property test: a table range cut short
        parts = members(master)
        table = parts["xl/tables/table5.xml"]
        m = re.search(rb'ref="[A-Z]+\d+:([A-Z]+)(\d+)"', table)
        data = rezip({**parts, "xl/tables/table5.xml": table[:m.start(2)] + table[m.end(2):]})
    elif kind == "damaged_member":                # found by the property test: a member no command reads
        data = master[:4] + master[6:]                # its local header loses two bytes
    elif kind == "broken_content_types":          # found by the property test: import wrote into it
        parts = members(master)
        ct = parts["[Content_Types].xml"]
        data = rezip({**parts, "[Content_Types].xml": ct[:len(ct) // 2]})
    elif kind == "sheet_cut_after_cells":         # found by the property test: import failed on it
        parts = members(master)
        sheet = parts["xl/worksheets/sheet4.xml"]
        end = sheet.index(b"</sheetData>") + len(b"</sheetData>") + 10
        data = rezip({**parts, "xl/worksheets/sheet4.xml": sheet[:end]})
    elif kind == "foreign_zip":
        data = rezip({"readme.txt": b"hello", "data/x.bin": bytes(100)})
    else:
        raise ValueError(kind)
    path.write_bytes(data)
    return path


def unreadable(monkeypatch, path: Path) -> None:
    """Make ``path`` unreadable: chmod 000 where that works; as root (who reads anything) every
    way of opening it raises PermissionError as the system would."""
    if os.geteuid() != 0:
        path.chmod(0)
        return
    target = str(path.resolve())
    denied = PermissionError(errno.EACCES, "Permission denied", str(path))
    real_open = io.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and str(Path(file).resolve()) == target:
            raise denied
        return real_open(file, *args, **kwargs)
    real_read_bytes = Path.read_bytes

    def guarded_read_bytes(self):
        if str(self.resolve()) == target:
            raise denied
        return real_read_bytes(self)
    monkeypatch.setattr(Path, "read_bytes", guarded_read_bytes)
    monkeypatch.setattr("builtins.open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)


def read_only_folder(monkeypatch, folder: Path) -> None:
    """Make ``folder`` refuse new files: chmod 555 where that works; as root, creating a file in
    it (os.open for writing, an unnamed O_TMPFILE in it, mkstemp) and os.access report it as the
    system would."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    import tempfile

    base = str(folder.resolve())
    real_mkstemp, real_access, real_open = tempfile.mkstemp, os.access, os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | getattr(os, "O_TMPFILE", 0)

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and str(Path(dir).resolve()) == base:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    def access(p, mode, *args, **kwargs):
        if str(Path(p).resolve()) == base and mode & os.W_OK:
            return False
        return real_access(p, mode, *args, **kwargs)

    def os_open(p, flags, *args, **kwargs):
        resolved = Path(p).resolve()
        if flags & writing and (str(resolved) == base or str(resolved.parent) == base):
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        return real_open(p, flags, *args, **kwargs)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", os_open)


def disk_full(monkeypatch, after_bytes: int = 4096) -> None:
    """Every file written through a file object fills the disk after ``after_bytes`` bytes:
    the bytes up to there are really written (a partial file), then ENOSPC, as a full disk does."""
    real_fdopen = os.fdopen

    class Filling:
        def __init__(self, fh):
            self._fh, self._written = fh, 0

        def write(self, data):
            room = after_bytes - self._written
            if len(data) > room:
                self._fh.write(bytes(data[:max(room, 0)]))
                self._fh.flush()
                self._written = after_bytes
                raise OSError(errno.ENOSPC, "No space left on device")
            self._written += len(data)
            return self._fh.write(data)

        def __getattr__(self, name):
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()
            return False

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        return Filling(fh) if "w" in mode or "a" in mode else fh
    monkeypatch.setattr(os, "fdopen", fdopen)


def temp_files(*folders: Path) -> list[str]:
    return [str(p) for f in folders for p in f.rglob("*") if re.search(r"sp-xl-tmp|\.tmp$|^~", p.name)]
