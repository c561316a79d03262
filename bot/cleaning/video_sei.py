"""H.264 and HEVC pictures lose the free-form user data an encoder or a camera wrote into them.

Inside each sample, NAL units follow one another, each after its length. Supplemental
enhancement information (SEI) units carry messages; a ``user_data_unregistered`` message (type 5)
holds anything at all after a 16-byte UUID: x264 and x265 write their version and settings there,
and some cameras their own data. Its bytes are overwritten with 0xFF in place, which keeps every
length and leaves a valid message of an unknown UUID that decoders skip. The zeros of an
emulation prevention sequence (00 00 03) are left as they are, so the unit decodes to the same
number of bytes. Other messages (HDR metadata, recovery points, captions) are kept.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from bot.cleaning.boxes import Box, Unprovable, uint

USER_DATA_UNREGISTERED = 5
HEVC_SEI = (39, 40)  # prefix and suffix SEI NAL unit types
AVC_SEI = 6
FILLER = 0xFF
MAX_SEI = 1 << 20  # bytes in one SEI unit; encoders write a few hundred


def nal_length_size(out: bytearray, config: Box) -> int:
    """The size of the length before each NAL unit, from ``avcC`` or ``hvcC``."""
    offset = config.body + (4 if config.kind == b"avcC" else 21)
    size = (uint(out, offset, 1, config.end) & 3) + 1
    if size == 3:
        raise Unprovable("NAL lengths of three bytes")
    return size


def blank_units(out: bytearray, start: int, end: int, length_size: int, *, hevc: bool) -> None:
    """Every NAL unit from ``start`` to ``end``, each after its length, loses its SEI user data."""
    position = start
    while position < end:
        length = uint(out, position, length_size, end)
        position += length_size
        if position + length > end:
            raise Unprovable("a NAL unit past its sample")
        blank_unit(out, position, position + length, hevc=hevc)
        position += length


def blank_config(out: bytearray, config: Box) -> int:
    """The SEI units in ``hvcC``'s arrays lose their user data; where its arrays end."""
    position = config.body + 23
    for _array in range(uint(out, config.body + 22, 1, config.end)):
        count = uint(out, position + 1, 2, config.end)
        position += 3
        for _unit in range(count):
            length = uint(out, position, 2, config.end)
            if position + 2 + length > config.end:
                raise Unprovable("a NAL unit past hvcC")
            blank_unit(out, position + 2, position + 2 + length, hevc=True)
            position += 2 + length
    return position


def blank_unit(out: bytearray, start: int, end: int, *, hevc: bool) -> None:
    if start == end:
        return
    first = out[start]
    if hevc and (first >> 1) & 0x3F in HEVC_SEI:
        _blank_messages(out, start + 2, end)
    elif not hevc and first & 0x1F == AVC_SEI:
        _blank_messages(out, start + 1, end)


def _blank_messages(data: bytearray, start: int, end: int) -> None:
    """Parse the SEI messages of the unit's payload (emulation prevention removed) and fill the
    user data ones, leaving every emulation prevention sequence as it was."""
    if end - start > MAX_SEI:
        raise Unprovable("an SEI unit too large")
    escapes: list[int] = []  # where each emulation prevention byte (the 03 of 00 00 03) is
    position = start
    while (found := data.find(b"\x00\x00\x03", position, end)) != -1:
        escapes.append(found + 2)
        position = found + 3
    pieces = zip([start, *(escape + 1 for escape in escapes)], [*escapes, end], strict=True)
    payload = b"".join(data[piece_start:piece_end] for piece_start, piece_end in pieces)
    # An escape's place in the payload: the payload byte it comes before.
    places = [escape - start - number for number, escape in enumerate(escapes)]
    index = 0
    while index + 1 < len(payload):  # the last byte holds the trailing bits
        kind, index = _number(payload, index)
        size, index = _number(payload, index)
        if index + size > len(payload):
            raise Unprovable("an SEI message past its unit")
        if kind == USER_DATA_UNREGISTERED and size:
            first = start + index + bisect_right(places, index)
            last = start + index + size - 1 + bisect_right(places, index + size - 1)
            data[first : last + 1] = bytes([FILLER]) * (last + 1 - first)
            for escape in escapes[bisect_left(escapes, first) : bisect_right(escapes, last + 2)]:
                for kept, value in ((escape - 2, 0), (escape - 1, 0), (escape, 3)):
                    if first <= kept <= last:
                        data[kept] = value
        index += size


def _number(payload: bytes, index: int) -> tuple[int, int]:
    """An SEI payload type or size: 255 for each 0xFF byte, plus the byte that ends it."""
    value = 0
    while index < len(payload) and payload[index] == 0xFF:
        value, index = value + 255, index + 1
    if index >= len(payload):
        raise Unprovable("an SEI message cut short")
    return value + payload[index], index + 1
