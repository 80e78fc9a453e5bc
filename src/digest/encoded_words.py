"""RFC 2047 encoded words: non-ASCII text in a mail header, as UTF-8 in base64.

An encoded word holds at most 75 characters, and a header line holding one at most 76
(RFC 2047 §2); "=?utf-8?b?" and "?=" take 12 of them. A word is cut between characters,
never inside one character's bytes (§5), so each word decodes on its own.
"""

from __future__ import annotations

import base64

_FRAME = len("=?utf-8?b??=")
WORD_BYTES = 45  # 60 base64 characters: a word of 72, which a folded line can hold


def encoded_words(text: str, first_room: int = 75) -> list[str]:
    """Encode `text` as encoded words; the first fits in `first_room` characters (what is
    left of its line after the header's name), the others in 75."""
    room = max(first_room - _FRAME, 4) // 4 * 3  # bytes that fit: 3 per 4 base64 characters
    words: list[str] = []
    chunk: list[bytes] = []
    size = 0
    for char in text:
        data = char.encode("utf-8")
        if size + len(data) > room and chunk:
            words.append(_word(b"".join(chunk)))
            chunk, size, room = [], 0, WORD_BYTES
        chunk.append(data)
        size += len(data)
    if chunk or not words:
        words.append(_word(b"".join(chunk)))
    return words


def _word(data: bytes) -> str:
    return "=?utf-8?b?" + base64.b64encode(data).decode("ascii") + "?="
