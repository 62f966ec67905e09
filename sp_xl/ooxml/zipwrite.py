"""Writing the package's zip: unchanged members copied byte for byte, changed ones deflated.

Deflating in fixed 1 MiB pieces in parallel keeps a big sheet fast and the output the same
on any number of cores.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")          # signature .. extra length (30 bytes)
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")      # signature .. local header offset (46 bytes)
_END_RECORD = struct.Struct("<4s4H2LH")             # end of central directory (22 bytes)
_FLAG_ENCRYPTED, _FLAG_DESCRIPTOR, _FLAG_UTF8 = 0x1, 0x8, 0x800
_ZIP32_LIMIT = 0xFFFFFFFF - 1


def _raw_member(source: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The compressed bytes of a member as stored in ``source`` (None if its header is odd)."""
    at = info.header_offset
    head = source[at:at + _LOCAL_HEADER.size]
    if len(head) < _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(head)
    if fields[0] != b"PK\x03\x04":
        return None
    start = at + _LOCAL_HEADER.size + fields[9] + fields[10]
    raw = source[start:start + info.compress_size]
    return raw if len(raw) == info.compress_size else None


def _crc_of_raw(raw: bytes, method: int) -> int:
    if method == zipfile.ZIP_STORED:
        return zlib.crc32(raw)
    d = zlib.decompressobj(-15)
    crc = 0
    try:
        for i in range(0, len(raw), 1 << 22):           # bounded memory for big members
            crc = zlib.crc32(d.decompress(raw[i:i + (1 << 22)]), crc)
        return zlib.crc32(d.flush(), crc)
    except zlib.error:
        return -1                                       # never equal to a CRC


DEFLATE_CHUNK = 1 << 20                # parallel deflate: fixed 1 MiB pieces, so the output never
_WINDOW = 1 << 15               # depends on the number of cores; 32 KiB of history for each
# A big rewritten sheet (10^5-10^6 cells) is deflated at level 2: 3x faster than level 6 for
# an 18% bigger member (a 56 MB sheet: 0.15 s and 7.8 MB against 0.47 s and 6.6 MB).
_BIG_LEVEL = 2


def _deflate_piece(data: bytes, start: int) -> bytes:
    end = start + DEFLATE_CHUNK
    if start:
        # The previous 32 KiB as preset dictionary: matches reach across the cut as in one stream.
        c = zlib.compressobj(_BIG_LEVEL, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, data[start - _WINDOW:start])
    else:
        c = zlib.compressobj(_BIG_LEVEL, zlib.DEFLATED, -15)
    # A sync flush ends a piece on a byte boundary without a final block, so the pieces
    # concatenate into one valid deflate stream (as pigz does); the last piece finishes it.
    return c.compress(data[start:end]) + c.flush(zlib.Z_FINISH if end >= len(data) else zlib.Z_SYNC_FLUSH)


def deflate(data: bytes) -> bytes:
    """Raw deflate of a member: level 6 for a small one; a big one at a faster level, in pieces
    on all cores (zlib releases the GIL), which halves the biggest part of writing on 2 cores."""
    workers = min(4, os.cpu_count() or 1)
    if len(data) <= 2 * DEFLATE_CHUNK or workers < 2:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    with ThreadPoolExecutor(workers) as pool:
        return b"".join(pool.map(_deflate_piece, repeat(data), range(0, len(data), DEFLATE_CHUNK)))


def assemble_zip(source: bytes, infos: list[zipfile.ZipInfo], replaced: Mapping[str, bytes],
                  comment: bytes, checked: set[int]) -> bytes | None:
    """A new zip of ``infos`` in order: replaced members compressed anew, the others copied
    as stored. ``checked`` holds the header offsets of members already read through zipfile
    (so their CRC was verified); any
    other copied member is decompressed here to check its CRC, so a damaged member is
    never passed on silently. None when the fast path does not apply."""
    if len(infos) >= 0xFFFF or len(comment) > 0xFFFF:
        return None
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for info in infos:
        flags = info.flag_bits
        if flags & _FLAG_ENCRYPTED or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        data = replaced.get(info.filename)
        method = info.compress_type
        if data is None:
            raw = _raw_member(source, info)
            if raw is None:
                return None
            crc, size = info.CRC, info.file_size
            if info.header_offset not in checked and _crc_of_raw(raw, method) != crc:
                raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
        else:
            crc, size = zlib.crc32(data), len(data)
            raw = deflate(data) if method == zipfile.ZIP_DEFLATED else data
            flags &= ~0x6                                  # deflate option bits describe the old stream
        if max(size, len(raw), offset) > _ZIP32_LIMIT:
            return None
        try:
            name = info.filename.encode("ascii")
            flags &= ~_FLAG_UTF8
        except UnicodeEncodeError:
            name = info.filename.encode("utf-8")
            flags |= _FLAG_UTF8
        flags &= ~_FLAG_DESCRIPTOR                         # sizes and CRC are in the header
        y, mo, d, h, mi, sec = max(info.date_time, (1980, 1, 1, 0, 0, 0))
        dos_date, dos_time = (y - 1980) << 9 | mo << 5 | d, h << 11 | mi << 5 | sec // 2
        member_comment = info.comment or b""
        parts.append(_LOCAL_HEADER.pack(b"PK\x03\x04", 20, flags, method, dos_time, dos_date,
                                        crc, len(raw), size, len(name), 0))
        parts.append(name)
        parts.append(raw)
        central.append(_CENTRAL_HEADER.pack(b"PK\x01\x02", info.create_system << 8 | 20, 20, flags, method,
                                            dos_time, dos_date, crc, len(raw), size, len(name), 0,
                                            len(member_comment), 0, 0, info.external_attr, offset)
                       + name + member_comment)
        offset += _LOCAL_HEADER.size + len(name) + len(raw)
    directory = b"".join(central)
    if offset + len(directory) > _ZIP32_LIMIT:
        return None
    end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), len(directory), offset, len(comment))
    return b"".join(parts) + directory + end + comment


def rezip_with_zipfile(source: zipfile.ZipFile, real: Mapping[str, bytes],
                       added: Mapping[str, bytes] | None = None, stamp: tuple[int, ...] | None = None) -> bytes:
    """The slow, general way: every member through ``zipfile``, the replaced ones from ``real``,
    then the ``added`` members (dated ``stamp``) at the end."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", allowZip64=True) as out:
        out.comment = source.comment
        for info in source.infolist():
            data = real.get(info.filename)
            if data is None:
                data = source.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=max(info.date_time, (1980, 1, 1, 0, 0, 0)))
            known = info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            zi.compress_type = info.compress_type if known else zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zi.create_system = info.create_system
            zi.comment = info.comment
            out.writestr(zi, data, compresslevel=6 if zi.compress_type == zipfile.ZIP_DEFLATED else None)
        for member, data in (added or {}).items():
            zi = zipfile.ZipInfo(member, date_time=max(stamp or (1980, 1, 1, 0, 0, 0), (1980, 1, 1, 0, 0, 0)))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            out.writestr(zi, data)
    return buf.getvalue()


def check_rezip(source: zipfile.ZipFile, source_bytes: bytes, new: bytes, replaced: Mapping[str, bytes]) -> str | None:
    """What is wrong with ``new`` as ``source`` with the ``replaced`` members (None: nothing).

    The same members in the same order; each replaced member unpacks (CRC checked) to exactly
    the bytes meant for it; every other member is the very same compressed bytes (or, when
    ``rezip_with_zipfile`` had to compress it again, unpacks to the same bytes)."""
    try:
        out = zipfile.ZipFile(io.BytesIO(new))
        infos, got = source.infolist(), out.infolist()
        if [i.filename for i in got] != [i.filename for i in infos]:
            return "the members of the package"
        for old, info in zip(infos, got):
            want = replaced.get(info.filename)
            if want is not None:
                if not _unpacks_to(out, info, want):
                    return info.filename
            elif info.CRC != old.CRC:
                return info.filename
            elif (raw := _raw_member(new, info)) is None or raw != _raw_member(source_bytes, old):
                if out.read(info) != source.read(old):
                    return info.filename
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
        return "the zip package"
    return None


def _unpacks_to(archive: zipfile.ZipFile, info: zipfile.ZipInfo, want: bytes) -> bool:
    """Whether the member unpacks (CRC checked) to ``want``: compared piece by piece, so a
    big sheet is never unpacked whole beside the copy meant for it."""
    view, pos = memoryview(want), 0
    with archive.open(info) as member:
        while piece := member.read(1 << 22):
            if view[pos:pos + len(piece)] != piece:
                return False
            pos += len(piece)
    return pos == len(want)
