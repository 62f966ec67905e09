"""Refusals, fingerprints, backups and atomic replacement of a workbook file.

Everything here protects the analyst's master workbook: we refuse early and specifically
(open in Excel, encrypted, not a workbook), and when we do write, the new file appears in
one ``os.replace`` from a temporary file in the same folder, only if the file on disk is
still exactly the one we read, and only after the previous version is safe in a backup.
"""

from __future__ import annotations

import codecs
import datetime as dt
import glob
import hashlib
import os
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sp_xl import i18n
from sp_xl.ooxml import oserrors, tempfiles

# Backups live in a visible folder beside the workbook, one timestamped copy per refresh.
BACKUP_DIR_NAME = "sp-xl-backup"
BACKUPS_KEPT = 10

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a normal zip, or an empty one
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


class WorkbookRefused(Exception):
    """We will not touch this file; the message says why, in Danish and English."""

    def __init__(self, reason_da: str, reason_en: str):
        super().__init__(reason_en)
        self.reason_da = reason_da
        self.reason_en = reason_en

    @property
    def message(self) -> str:
        return i18n.pick(self.reason_da, self.reason_en)

    def __str__(self) -> str:
        return self.message


def refuse(da: str, en: str) -> WorkbookRefused:
    return WorkbookRefused(da, en)


def read_refusal(path: Path, exc: BaseException) -> WorkbookRefused:
    """A file that cannot be read (permission, I/O error ...), in plain words."""
    return WorkbookRefused(*oserrors.read_texts(path, exc))


def write_refusal(target: Path, exc: BaseException) -> WorkbookRefused:
    """An output that cannot be written (disk full, read-only folder ...), in plain words."""
    return WorkbookRefused(*oserrors.write_texts(target, exc))


# ---------------------------------------------------------------- what the file is

def check_path(path: Path) -> None:
    """Refuse paths that cannot be a workbook we may rewrite, before reading anything."""
    name = path.name
    if not path.exists():
        raise refuse(f"Filen findes ikke: {path}", f"The file does not exist: {path}")
    if not path.is_file():
        raise refuse(f"Det er ikke en fil: {path}", f"Not a file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise refuse(
            f"{name} er i det gamle .xls-format. Gem den som .xlsx i Excel (Filer > Gem som) og prøv igen.",
            f"{name} is in the old .xls format. Save it as .xlsx in Excel (File > Save As) and try again.")
    if suffix == ".xlsb":
        raise refuse(
            f"{name} er en binær Excel-projektmappe (.xlsb), som sp-xl ikke kan opdatere. Gem den som .xlsx.",
            f"{name} is a binary Excel workbook (.xlsb), which sp-xl cannot refresh. Save it as .xlsx.")
    if suffix not in ACCEPTED_SUFFIXES:
        raise refuse(
            f"{name} er ikke en Excel-projektmappe (.xlsx eller .xlsm).",
            f"{name} is not an Excel workbook (.xlsx or .xlsm).")


def check_writable(path: Path) -> None:
    """Refuse before any work when the file or its folder cannot be written."""
    if not os.access(path, os.W_OK):
        raise refuse(f"{path.name} er skrivebeskyttet. Fjern skrivebeskyttelsen og prøv igen.",
                     f"{path.name} is read-only. Remove the write protection and try again.")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise refuse(f"Mappen {path.parent} er skrivebeskyttet, så {path.name} kan ikke gemmes sikkert.",
                     f"The folder {path.parent} is read-only, so {path.name} cannot be saved safely.")


def lock_file_for(path: Path) -> Path | None:
    """Excel's owner file '~$<name>' beside an open workbook, if present (any letter case)."""
    wanted = "~$" + path.name
    candidate = path.with_name(wanted)
    if candidate.exists():
        return candidate
    try:
        for entry in os.scandir(path.parent):
            if entry.name.lower() == wanted.lower():
                return Path(entry.path)
    except OSError:
        pass
    return None


def check_not_open(path: Path) -> None:
    lock = lock_file_for(path)
    if lock is not None:
        raise refuse(
            f"{path.name} er åben i Excel (låsefilen {lock.name} findes). Luk projektmappen i Excel og prøv igen.",
            f"{path.name} is open in Excel (the lock file {lock.name} exists). Close the workbook in Excel and try again.")


def is_encrypted(data: bytes) -> bool:
    """An Office file encrypted with a password: a compound file holding 'EncryptedPackage'."""
    return data.startswith(_OLE_MAGIC) and _ENCRYPTED_STREAM in data


def check_package_bytes(data: bytes, name: str) -> None:
    """Refuse bytes that are not an OOXML zip package, with the specific reason."""
    if not data:
        raise refuse(f"{name} er tom (0 byte).", f"{name} is empty (0 bytes).")
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise refuse(
                f"{name} er beskyttet med adgangskode (krypteret). Fjern adgangskoden i Excel "
                "(Filer > Oplysninger > Beskyt projektmappe) og prøv igen.",
                f"{name} is password-protected (encrypted). Remove the password in Excel "
                "(File > Info > Protect Workbook) and try again.")
        raise refuse(
            f"{name} er en gammel binær Office-fil (.xls), selv om navnet siger andet. Gem den som .xlsx.",
            f"{name} is an old binary Office file (.xls) despite its name. Save it as .xlsx.")
    if not data.startswith(_ZIP_MAGIC):
        raise refuse(
            f"{name} er ikke en Excel-projektmappe: filens indhold er ikke en .xlsx-pakke "
            "(måske en omdøbt tekst- eller CSV-fil).",
            f"{name} is not an Excel workbook: its content is not an .xlsx package (perhaps a renamed text or CSV file).")


def damaged_xml(name: str, part: str, exc: BaseException) -> tuple[str, str]:
    """Danish and English text for a part that is not well-formed XML (where, not the parser's words)."""
    line = getattr(exc, "lineno", None)
    at_da, at_en = (f" (linje {line})", f" (line {line})") if line else ("", "")
    return (f"{name} er beskadiget: delen {part} er ikke gyldig XML{at_da}. Brug en tidligere version, "
            "fx fra sp-xl-backup, eller gem filen igen i Excel.",
            f"{name} is damaged: the part {part} is not valid XML{at_en}. Use an earlier version, "
            "e.g. from sp-xl-backup, or save the file again in Excel.")


def check_utf8(name: str, part: str, data: bytes) -> None:
    """Refuse an XML part that is not valid UTF-8 (Excel would not open it; the byte-level
    sheet scanner would stumble on it). Checked in 1 MiB pieces: no copy of a big sheet."""
    if not part.lower().endswith(_XML_SUFFIXES) or data.startswith((b"\xff\xfe", b"\xfe\xff")) or data.isascii():
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for i in range(0, len(data), 1 << 20):
            decoder.decode(view[i:i + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise refuse(f"{name} er beskadiget: delen {part} indeholder ugyldige tegn (ikke UTF-8). Brug en tidligere "
                     "version, fx fra sp-xl-backup, eller åbn og gem filen i Excel.",
                     f"{name} is damaged: the part {part} holds invalid characters (not UTF-8). Use an earlier "
                     "version, e.g. from sp-xl-backup, or open and save the file in Excel.") from None


def check_readable(zf, name: str, done: set[str]) -> None:
    """Unpack every member not in ``done`` (streamed, its CRC checked at the end), so a damaged
    member that no part of the work reads is refused before the package is written again."""
    for info in zf.infolist():
        if info.filename in done:
            continue
        try:
            with zf.open(info) as f:
                while f.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
            raise refuse(f"{name} er beskadiget: delen {info.filename} kan ikke pakkes ud. Brug en tidligere "
                         "version, fx fra sp-xl-backup, eller gem filen igen i Excel.",
                         f"{name} is damaged: the part {info.filename} cannot be unpacked. Use an earlier "
                         "version, e.g. from sp-xl-backup, or save the file again in Excel.") from None


# ---------------------------------------------------------------- what a package may hold

MAX_PART_BYTES = 1 << 30          # no worksheet of a real report comes near 1 GiB uncompressed
MAX_RATIO = 500                   # a deflated part expanding more than this is a zip bomb, not data
_RATIO_FROM = 50 << 20            # ... when it expands to more than 50 MiB at all
_PROLOG_LIMIT = 1 << 20
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def check_members(zf, name: str) -> None:
    """Refuse a package whose parts would blow up on reading (sizes, ratio), whose names leave
    the package (``..``, absolute paths), or whose XML declares a DTD or entities (an entity
    expansion attack; Excel itself refuses such a file)."""
    for info in zf.infolist():
        part = info.filename
        if part.startswith(("/", "\\")) or ".." in part.replace("\\", "/").split("/"):
            raise refuse(f"{name} er ikke en gyldig projektmappe: delen '{part}' peger uden for pakken.",
                         f"{name} is not a valid workbook: the part '{part}' points outside the package.")
        if info.file_size > MAX_PART_BYTES or (
                info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise refuse(f"{name} afvises: delen '{part}' fylder {info.file_size // (1 << 20)} MB udpakket "
                         f"(pakket {info.compress_size // 1024} kB) – det ligner en zip-bombe, ikke en projektmappe.",
                         f"{name} is refused: the part '{part}' is {info.file_size // (1 << 20)} MB unpacked "
                         f"({info.compress_size // 1024} kB packed) – it looks like a zip bomb, not a workbook.")
        if part.lower().endswith(_XML_SUFFIXES) and _declares_dtd(zf, info):
            raise refuse(f"{name} afvises: delen '{part}' indeholder en DTD (<!DOCTYPE/<!ENTITY), som Excel ikke "
                         "åbner. Åbn og gem filen i Excel, eller bed afsenderen om en ny.",
                         f"{name} is refused: the part '{part}' holds a DTD (<!DOCTYPE/<!ENTITY), which Excel does "
                         "not open. Open and save the file in Excel, or ask the sender for a new one.")


def _declares_dtd(zf, info) -> bool:
    """A DTD can only stand in the prolog, before the root element: read up to that."""
    try:
        with zf.open(info) as f:
            head = f.read(4096)
            while len(head) < _PROLOG_LIMIT:
                root = re.search(rb"<(?![?!])", head)
                if root is not None:
                    head = head[:root.start()]
                    break
                more = f.read(65536)
                if not more:
                    break
                head += more
    except Exception:  # noqa: BLE001 - a part that cannot be read is reported when it is read
        return False
    return b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper()


# ---------------------------------------------------------------- fingerprints

@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str


def read_with_fingerprint(path: Path) -> tuple[bytes, Fingerprint]:
    """The file's bytes and a fingerprint that is guaranteed to describe exactly those bytes."""
    for _ in range(3):
        try:
            before = path.stat()
            data = path.read_bytes()
            after = path.stat()
        except (OSError, MemoryError) as exc:
            raise read_refusal(path, exc) from None
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) == (len(data), after.st_mtime_ns):
            return data, Fingerprint(len(data), after.st_mtime_ns, hashlib.sha256(data).hexdigest())
    raise refuse(
        f"{path.name} ændrer sig, mens den læses (gemmer et andet program den?). Prøv igen om lidt.",
        f"{path.name} keeps changing while it is read (is another program saving it?). Try again shortly.")


def fingerprint(path: Path) -> Fingerprint:
    st = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return Fingerprint(st.st_size, st.st_mtime_ns, digest.hexdigest())


def check_unchanged(path: Path, expected: Fingerprint) -> None:
    try:
        now = fingerprint(path)
    except FileNotFoundError:
        now = None
    if now != expected:
        raise refuse(
            f"{path.name} blev ændret på disken, mens opdateringen kørte. Filen er ikke rørt; kør opdateringen igen.",
            f"{path.name} was changed on disk while the refresh ran. The file was not touched; run the refresh again.")


# ---------------------------------------------------------------- writing

def _prepare(folder: Path, name: str, data: bytes) -> tempfiles.Pending:
    """``data`` written and synced beside ``name`` in ``folder``, not yet in place
    (``tempfiles``); a refusal (and no file) when the folder cannot take it."""
    try:
        return tempfiles.Pending(folder, name, data)
    except OSError as exc:
        raise write_refusal(folder / name, exc) from None


def write_atomically(path: Path, data: bytes, mode_from: Path | None = None, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and one rename,
    with the permissions of ``mode_from`` (or ``mode``). Raises WorkbookRefused (and leaves
    neither a temporary file nor a changed ``path``) when the file cannot be written."""
    pending = _prepare(path.parent, path.name, data)
    try:
        if mode_from is not None and mode_from.exists():
            mode = mode_from.stat().st_mode & 0o7777
        pending.commit(path, mode)
    except OSError as exc:
        raise write_refusal(path, exc) from None
    finally:
        pending.discard()


_STAMP = re.compile(r" (\d{4}-\d{2}-\d{2} \d{6})(?:-(\d+))?$")


def backup_path_for(path: Path, now: dt.datetime | None = None) -> Path:
    """sp-xl-backup/<stem> <YYYY-MM-DD HHMMSS><suffix> beside the workbook, never overwriting."""
    now = now or dt.datetime.now()
    folder = path.parent / BACKUP_DIR_NAME
    base = f"{path.stem} {now:%Y-%m-%d %H%M%S}"
    # Within one second, count upwards past every name ever used (even pruned ones are older).
    taken = [p.stem for p in folder.glob(f"{glob.escape(base)}*{path.suffix}")] if folder.is_dir() else []
    counters = [int(m.group(2) or 1) for t in taken if (m := _STAMP.search(t)) and _STAMP.sub("", t) == path.stem]
    if not counters:
        return folder / f"{base}{path.suffix}"
    return folder / f"{base}-{max(counters) + 1}{path.suffix}"


def write_backup(path: Path, original: bytes) -> Path:
    """Store the version we read (its exact bytes) and prune old backups of the same file."""
    target = backup_path_for(path)
    made = not target.parent.exists()
    try:
        target.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise write_refusal(target, exc) from None
    try:
        write_atomically(target, original)
    except BaseException:
        if made:                         # a failed first backup leaves no empty folder behind
            shutil.rmtree(target.parent, ignore_errors=True)
        raise
    _prune_backups(path, target.parent)
    return target


def _prune_backups(path: Path, folder: Path) -> None:
    def age(p: Path) -> tuple[str, int]:        # '... 030405-10' is newer than '... 030405-9'
        m = _STAMP.search(p.stem)
        return m.group(1), int(m.group(2) or 1)
    mine = sorted(
        (p for p in folder.iterdir()
         if p.suffix == path.suffix and _STAMP.search(p.stem) and _STAMP.sub("", p.stem) == path.stem),
        key=age)
    for old in mine[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


def replace_workbook(path: Path, new_data: bytes, *, expected: Fingerprint, original: bytes,
                     backup: bool = True,
                     before_replace: Callable[[], None] | None = None) -> Path | None:
    """Replace the workbook with ``new_data`` if it is still the file we read.

    Order matters: the temporary file is complete and synced first; then we check that
    the workbook is unchanged and not opened in Excel meanwhile; then the backup; then one
    os.replace. Any failure leaves the workbook as it was and removes the temporary file.
    Returns the backup path (None without backup).
    """
    pending = _prepare(path.parent, path.name, new_data)
    backup_path = None
    try:
        mode = path.stat().st_mode & 0o7777
        if before_replace is not None:
            before_replace()
        check_not_open(path)
        check_unchanged(path, expected)
        if backup:
            backup_path = write_backup(path, original)
        check_unchanged(path, expected)
        pending.commit(path, mode)
    except PermissionError:
        # Windows refuses to replace a file another program holds open.
        raise refuse(f"{path.name} kunne ikke gemmes: adgang nægtet. Er den åben i et andet program? "
                     "Luk den, og prøv igen. Filen er ikke ændret.",
                     f"{path.name} could not be saved: access denied. Is it open in another program? "
                     "Close it and try again. The file was not changed.") from None
    except OSError as exc:
        raise write_refusal(path, exc) from None
    finally:
        pending.discard()
    return backup_path

