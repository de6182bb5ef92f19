"""Read ZIP members as their stored (compressed) bytes and write them back unchanged.

A DOCX is a ZIP of a few dozen members; a render changes one to three of them. Copying the
others as already-deflated bytes (no inflate, no deflate) is what makes rendering fast.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["RawMember", "ZipAssembler", "deflate_member", "read_raw_members"]

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8_FLAG = 0x800


@dataclass(frozen=True, slots=True)
class RawMember:
    """One ZIP member with its data exactly as stored (deflated or not)."""

    name: str
    method: int
    crc: int
    compressed: bytes
    size: int
    date_time: tuple[int, int, int, int, int, int]
    external_attr: int = 0

    def inflate(self) -> bytes:
        """The member's uncompressed content."""
        if self.method == zipfile.ZIP_STORED:
            return self.compressed
        return zlib.decompress(self.compressed, -15)


def read_raw_members(data: bytes) -> list[RawMember]:
    """Every member of the ZIP ``data`` in archive order, with its stored bytes.

    Raises :class:`zipfile.BadZipFile` for archives this module cannot copy raw
    (encrypted members, methods other than stored/deflated).
    """
    import io

    members: list[RawMember] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.flag_bits & 0x1:
                raise zipfile.BadZipFile(f"member {info.filename} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise zipfile.BadZipFile(f"member {info.filename} uses compression {info.compress_type}")
            offset = info.header_offset
            header = data[offset : offset + _LOCAL.size]
            if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
                raise zipfile.BadZipFile(f"bad local header for {info.filename}")
            name_len, extra_len = struct.unpack("<2H", header[26:30])
            start = offset + _LOCAL.size + name_len + extra_len
            compressed = data[start : start + info.compress_size]
            if len(compressed) != info.compress_size:
                raise zipfile.BadZipFile(f"truncated member {info.filename}")
            members.append(RawMember(
                name=info.filename,
                method=info.compress_type,
                crc=info.CRC,
                compressed=compressed,
                size=info.file_size,
                date_time=info.date_time,
                external_attr=info.external_attr,
            ))
    return members


def deflate_member(template: RawMember, content: bytes, level: int) -> RawMember:
    """A member named like ``template`` holding ``content`` deflated at ``level``."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    compressed = compressor.compress(content) + compressor.flush()
    return RawMember(
        name=template.name,
        method=zipfile.ZIP_DEFLATED,
        crc=zlib.crc32(content),
        compressed=compressed,
        size=len(content),
        date_time=template.date_time,
        external_attr=template.external_attr,
    )


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    year = max(year, 1980)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _records(member: RawMember, offset: int) -> tuple[bytes, bytes]:
    """The local header + data, and the central directory record, of ``member`` at ``offset``."""
    name = member.name.encode("utf-8")
    flags = 0 if name.isascii() else _UTF8_FLAG
    dos_time, dos_date = _dos_time(member.date_time)
    local = _LOCAL.pack(b"PK\x03\x04", 20, flags, member.method, dos_time, dos_date,
                        member.crc, len(member.compressed), member.size, len(name), 0)
    central = _CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, member.method, dos_time, dos_date,
                            member.crc, len(member.compressed), member.size, len(name), 0, 0, 0, 0,
                            member.external_attr, offset)
    return local + name + member.compressed, central + name


class ZipAssembler:
    """Writes ZIPs whose fixed members are prebuilt and whose other members change per call.

    ``members`` lists the archive in order; ``dynamic`` names the members supplied to
    :meth:`assemble`. Fixed members are laid out once, as stored bytes, at the start.
    """

    def __init__(self, members: Sequence[RawMember], dynamic: Iterable[str]) -> None:
        dynamic_names = set(dynamic)
        self._order = [member.name for member in members]
        head: list[bytes] = []
        self._central: dict[str, bytes] = {}
        offset = 0
        for member in members:
            if member.name in dynamic_names:
                continue
            local, central = _records(member, offset)
            head.append(local)
            self._central[member.name] = central
            offset += len(local)
        self._head = b"".join(head)
        self._dynamic = [name for name in self._order if name in dynamic_names]

    def assemble(self, parts: dict[str, RawMember]) -> bytes:
        """The ZIP bytes with ``parts`` (one per dynamic name) placed after the fixed members."""
        chunks = [self._head]
        central = dict(self._central)
        offset = len(self._head)
        for name in self._dynamic:
            local, record = _records(parts[name], offset)
            chunks.append(local)
            central[name] = record
            offset += len(local)
        directory = b"".join(central[name] for name in self._order)
        count = len(self._order)
        chunks.append(directory)
        chunks.append(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))
        return b"".join(chunks)
