"""Go's strings and strconv where docker's words depend on them: unicode.IsSpace trimming (Python's
str.strip also takes \\x1c-\\x1f) and strconv.Quote, which `%q` prints."""
from __future__ import annotations

#: unicode.IsSpace: the Unicode White_Space property
GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                     + "".join(chr(c) for c in range(0x2000, 0x200B)))
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
            '"': '\\"', "\\": "\\\\"}


def trim_left_space(text: str) -> str:
    """strings.TrimLeftFunc(text, unicode.IsSpace)."""
    i = 0
    while i < len(text) and text[i] in GO_SPACE:
        i += 1
    return text[i:]


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    end = len(text)
    while end and text[end - 1] in GO_SPACE:
        end -= 1
    return trim_left_space(text[:end])


def fields(text: str) -> list[str]:
    """strings.Fields: the words between runs of unicode.IsSpace."""
    words, word = [], ""
    for char in text:
        if char in GO_SPACE:
            if word:
                words.append(word)
            word = ""
        else:
            word += char
    return words + [word] if word else words


def quote(text: str) -> str:
    """strconv.Quote: printable characters as they are, the usual escapes, others as \\x, \\u or \\U."""
    out = []
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'
