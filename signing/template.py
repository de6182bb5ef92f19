"""DER templates: asn1crypto encodes a structure once, later copies only swap fixed-size values.

Signing many documents with one key produces the same DER again and again except for the
message digest, the signing time and the signature, whose encoded sizes do not change. A
template is the asn1crypto encoding made with unique marker values; ``render`` puts the real
values where the markers were. Every byte of structure still comes from asn1crypto, and
:func:`checked_template` proves the substitution equals a fresh asn1crypto encoding.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache

from asn1crypto import core

__all__ = ["DerTemplate", "checked_template", "marker_time", "time_from_value", "utc_time_value"]


class DerTemplate:
    """DER bytes with named slots, each found exactly once by its marker value."""

    def __init__(self, der: bytes, markers: dict[str, bytes]) -> None:
        slots = []
        for name, marker in markers.items():
            if der.count(marker) != 1:
                raise ValueError(f"marker for {name} is not unique in the encoding")
            slots.append((der.index(marker), len(marker), name))
        slots.sort()
        self._der = der
        self._slots = tuple(slots)

    def render(self, values: dict[str, bytes]) -> bytes:
        """The template with every slot filled; each value must keep the marker's size."""
        pieces, position = [], 0
        for offset, size, name in self._slots:
            value = values[name]
            if len(value) != size:
                raise ValueError(f"{name} has {len(value)} bytes, the template expects {size}")
            pieces.append(self._der[position:offset])
            pieces.append(value)
            position = offset + size
        pieces.append(self._der[position:])
        return b"".join(pieces)


def utc_time_value(when: datetime) -> bytes:
    """The content octets of ``when`` as a DER UTCTime (bulk signing reuses the same second)."""
    return _utc_time_value(when.astimezone(timezone.utc).replace(microsecond=0))


@lru_cache(maxsize=16)
def _utc_time_value(when: datetime) -> bytes:
    return core.UTCTime(when).contents


def marker_time() -> bytes:
    """UTCTime content octets of an arbitrary second in 1970-1999, used as a marker."""
    rng = random.SystemRandom()
    return utc_time_value(datetime(rng.randint(1970, 1999), rng.randint(1, 12), rng.randint(1, 28),
                     rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), tzinfo=timezone.utc))


def time_from_value(value: bytes) -> datetime:
    """The datetime of UTCTime content octets (years 1970-2068)."""
    return datetime.strptime(value.decode("ascii"), "%y%m%d%H%M%SZ").replace(tzinfo=timezone.utc)


def checked_template(encode: Callable[[dict[str, bytes]], bytes],
                     make_markers: Callable[[], dict[str, bytes]]) -> DerTemplate | None:
    """A template of ``encode`` whose rendering equals a fresh encoding; None if it cannot be made.

    ``encode`` takes slot values and returns the asn1crypto DER; ``make_markers`` draws fresh
    unique values of the final sizes for every slot.
    """
    markers = make_markers()
    try:
        template = DerTemplate(encode(markers), markers)
        probe = make_markers()
        return template if template.render(probe) == encode(probe) else None
    except ValueError:
        return None
