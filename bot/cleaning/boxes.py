"""Reading the boxes of ISO base media files (MP4, MOV, 3GP) without trusting any size.

Every size is checked to fit inside its parent before anything is read, the walk is iterative
(an explicit stack, never recursion) with a depth limit, and the number of boxes read is bounded,
so a hostile file costs at most ``MAX_BOXES`` steps and raises ``Unprovable`` rather than
anything else.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_DEPTH = 16
MAX_BOXES = 20_000
HEADER = 8


class Unprovable(Exception):
    """The file is not one whose every byte the cleaner can account for."""


@dataclass(frozen=True, slots=True)
class Box:
    """A box's ``kind`` and where it starts, where its body starts and where it ends.

    A tail too short to be a box (QuickTime ends some lists with four zero bytes) has kind b"".
    """

    kind: bytes
    start: int
    body: int
    end: int


class BoxReader:
    """Boxes read from ``data``, each one counted against ``MAX_BOXES``."""

    def __init__(self, data: bytes | bytearray) -> None:
        self.data = data
        self.budget = MAX_BOXES

    def children(self, start: int, end: int, *, top: bool = False) -> Iterator[Box]:
        """The boxes that fill ``start``..``end`` exactly; at the top level the last one may run
        to the end of the file (size 0)."""
        position = start
        while position < end:
            self.budget -= 1
            if self.budget < 0:
                raise Unprovable("too many boxes")
            if not top and end - position < HEADER:
                yield Box(b"", position, position, end)
                return
            box = self._box(position, end, top=top)
            yield box
            position = box.end

    def _box(self, position: int, end: int, *, top: bool) -> Box:
        size, header = self.uint(position, 4, end), HEADER
        if size == 1:
            size, header = self.uint(position + HEADER, 8, end), 2 * HEADER
        elif size == 0 and top:
            size = end - position
        if size < header or position + size > end:
            raise Unprovable("a box does not fit in its parent")
        return Box(
            bytes(self.data[position + 4 : position + 8]),
            position,
            position + header,
            position + size,
        )

    def uint(self, offset: int, width: int, end: int) -> int:
        return uint(self.data, offset, width, end)

    def table(self, offset: int, count: int, width: int, end: int) -> array[int]:
        """``count`` big-endian unsigned integers of ``width`` bytes (2, 4 or 8) at ``offset``."""
        size = count * width
        if offset + size > end:
            raise Unprovable("a table runs past its box")
        values = array({2: "H", 4: "I", 8: "Q"}[width], self.data[offset : offset + size])
        if values.itemsize != width:
            raise Unprovable("no native integer of this width")
        if sys.byteorder == "little":
            values.byteswap()
        return values


def uint(data: bytes | bytearray, offset: int, width: int, end: int) -> int:
    """The big-endian unsigned integer of ``width`` bytes at ``offset``, which must end by
    ``end``."""
    if offset < 0 or offset + width > end:
        raise Unprovable("a field runs past its box")
    return int.from_bytes(data[offset : offset + width], "big")


# What a visitor answers for a box: where its children start and the rules they follow, or None
# when it has none to visit.
Children = tuple[int, str] | None


def walk(
    reader: BoxReader,
    root: str,
    visit: Callable[[Box, str], Children],
) -> None:
    """Visit the file's boxes depth first with an explicit stack: ``visit(box, context)`` says
    whether and from where to go into a box. Deeper than ``MAX_DEPTH`` is ``Unprovable``."""
    stack = [(box, root, 1) for box in reader.children(0, len(reader.data), top=True)]
    stack.reverse()
    while stack:
        box, context, depth = stack.pop()
        inner = visit(box, context)
        if inner is None:
            continue
        if depth >= MAX_DEPTH:
            raise Unprovable("boxes nested too deep")
        start, child_context = inner
        found = [(child, child_context, depth + 1) for child in reader.children(start, box.end)]
        stack.extend(reversed(found))
