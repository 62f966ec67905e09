"""The add-in's VBA project as [MS-OVBA] prescribes for a version-independent project.

MS-OVBA 1.6 and 2.3.4.1: a project that any Office version (32- or 64-bit, any build) must
read from source carries ``_VBA_PROJECT`` with Version 0xFFFF and no PerformanceCache
(exactly seven bytes), no SRP streams, and module streams that hold only the compressed
source (MODULEOFFSET 0, no compiled p-code in front of it). Office then compiles every module
from source on first load.

``make_version_independent`` turns the project pyopenvba wrote from its Excel-made template
into that form (the template's Sheet1 module still carries the p-code Excel compiled).
``read_project`` is an independent reader for the checks and tests: olefile for the compound
file and oletools' MS-OVBA decompressor, with our own walk over the dir stream's records.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

# Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 0x0001 (MS-OVBA 3.1.1).
VBA_PROJECT_HEADER = b"\xcc\x61\xff\xff\x00\x01\x00"
VERSION_INDEPENDENT = 0xFFFF


def make_version_independent(vba_bin: bytes) -> bytes:
    """``vba_bin`` with a bare 7-byte ``_VBA_PROJECT``, no SRP streams and every module
    stream cut down to its compressed source (MODULEOFFSET 0)."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, parse_vba_project, serialize_dir_stream

    cfb = CFB.from_bytes(vba_bin)
    project = parse_vba_project(cfb)
    moved = False
    for m in project.modules:
        if m.text_offset:
            stream = cfb.get_stream_in_storage("VBA", m.stream_name)
            cfb.write_stream_in_storage("VBA", m.stream_name, bytes(stream[m.text_offset:]))
            m.text_offset = 0
            moved = True
    if moved:
        cfb.write_stream_in_storage("VBA", "dir", compress(serialize_dir_stream(project)))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_HEADER)
    try:
        cfb.drop_streams_in_storage("VBA", lambda n: n.startswith("__SRP_"))
    except KeyError:
        pass
    return cfb.to_bytes()


# ---------------------------------------------------------------------------------------
# Independent reader
# ---------------------------------------------------------------------------------------

@dataclass
class ModuleRecord:
    """One module as the dir stream describes it, with what its stream holds."""

    name: str
    stream_name: str = ""
    offset: int = 0                 # MODULEOFFSET: where the compressed source starts
    standard: bool = True           # MODULETYPE 0x0021 (procedural) or 0x0022 (class/document)
    stream_size: int = 0
    source: str = ""


@dataclass
class ProjectInfo:
    version: int                    # _VBA_PROJECT.Version
    cache_size: int                 # bytes after the 7-byte header (the PerformanceCache)
    code_page: int = 0
    srp_streams: list[str] = field(default_factory=list)
    modules: list[ModuleRecord] = field(default_factory=list)

    def module(self, name: str) -> ModuleRecord:
        return next(m for m in self.modules if m.name == name)


def _dir_records(raw: bytes):
    """(id, data) for each record of a decompressed dir stream (MS-OVBA 2.3.4.2)."""
    pos = 0
    while pos + 6 <= len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        pos += 6
        if rid == 0x0009:           # PROJECTVERSION: Reserved=4, then 4 + 2 bytes of data
            size = 6
        yield rid, raw[pos:pos + size]
        pos += size
        if rid == 0x0010:           # terminator of the whole stream
            return


def read_project(vba_bin: bytes) -> ProjectInfo:
    """What a vbaProject.bin says about its version, cache and modules."""
    import olefile
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    try:
        head = ole.openstream("VBA/_VBA_PROJECT").read()
        if len(head) < 7 or head[:2] != b"\xcc\x61":
            raise ValueError("_VBA_PROJECT does not start with 0x61CC")
        info = ProjectInfo(version=struct.unpack_from("<H", head, 2)[0], cache_size=len(head) - 7)
        info.srp_streams = ["/".join(e) for e in ole.listdir() if e[-1].lower().startswith("__srp_")]
        raw = decompress_stream(bytearray(ole.openstream("VBA/dir").read()))
        current: ModuleRecord | None = None
        for rid, data in _dir_records(bytes(raw)):
            if rid == 0x0003:
                info.code_page = struct.unpack("<H", data)[0]
            elif rid == 0x0019:
                current = ModuleRecord(data.decode("cp1252" if not info.code_page else f"cp{info.code_page}"))
            elif current is None:
                continue
            elif rid == 0x001A:
                current.stream_name = data.decode(f"cp{info.code_page or 1252}")
            elif rid == 0x0031:
                current.offset = struct.unpack("<I", data)[0]
            elif rid in (0x0021, 0x0022):
                current.standard = rid == 0x0021
            elif rid == 0x002B:
                stream = ole.openstream(f"VBA/{current.stream_name}").read()
                current.stream_size = len(stream)
                current.source = bytes(decompress_stream(bytearray(stream[current.offset:]))).decode(
                    f"cp{info.code_page or 1252}")
                info.modules.append(current)
                current = None
        return info
    finally:
        ole.close()


def has_private_module_option(source: str) -> bool:
    """True when a module's declarations section says ``Option Private Module``."""
    for line in source.splitlines():
        words = line.split("'", 1)[0].split()
        if [w.casefold() for w in words] == ["option", "private", "module"]:
            return True
        if words and words[0].casefold() in {"sub", "function", "property", "public", "private"} \
                and len(words) > 1 and words[1].casefold() in {"sub", "function", "property"}:
            return False   # a procedure: the declarations section is over
        if words and words[0].casefold() in {"sub", "function"}:
            return False
    return False
