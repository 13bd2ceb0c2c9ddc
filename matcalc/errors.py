"""The errors a user can cause. Each prints as one message and exits with status 2.

There are five kinds: the text is not in the input language (ParseError), operands do not fit
(ShapeError), the variable to differentiate by is missing or not a name (VariableError), an
option is malformed (UsageError), or the question exceeds one of matcalc's limits (LimitError).
Anything else that escapes is a bug in matcalc, and the command line says so.

Messages echo what the user typed, which may hold control characters, invisible marks or
megabytes of text; `shown` and `quote` make any text safe and short to print, and the caret
line under an input lines up on a terminal whatever characters precede it.
"""
from __future__ import annotations

_BEFORE, _AFTER = 60, 20  # columns of input shown before and after the caret


class MatcalcError(ValueError):
    """Bad input: a message for the user, exit status 2.

    A ValueError, so that code calling the library can catch it as a bad value.

    When the error belongs to a place in the input, `text` and `position` are set and the
    message shows the input with a caret under that place.
    """

    exit_code = 2

    def __init__(self, message: str, text: str | None = None, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        if self.text is None or self.position is None:
            return self.message
        line, column = caret_line(self.text, self.position)
        return f"{self.message}\n  {line}\n  {' ' * column}^"


class ParseError(MatcalcError):
    """The text is not in the input language."""


class ShapeError(MatcalcError):
    """Operands whose shapes do not fit the operation."""


class VariableError(MatcalcError):
    """A missing or ambiguous variable to differentiate by."""


class UsageError(MatcalcError):
    """An option given in a form matcalc does not read, such as --shape X=0,2."""


class LimitError(MatcalcError):
    """A question beyond what matcalc reads or computes: too long, too deep, too large."""


def short(fn):
    """A decorator for the library's entry points: a MatcalcError is raised from the entry
    point itself, so that a notebook shows the message under a two-line traceback, not the
    dozen frames of the parser or simplifier that found it."""
    from functools import wraps

    @wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MatcalcError as err:
            raise err.with_traceback(None) from None
    return call


def require_str(value: object, what: str) -> str:
    """`value` when it is a string; a TypeError that says what was expected otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string such as \"inv(A)\" or \"X\", "
                        f"not {type(value).__name__} {value!r:.40}")
    return value


def write_failed(err: OSError) -> int:
    """Report an error writing the output (a full disk, a closed terminal): exit status 1.

    Standard output is pointed at the null device so that what is still buffered for it is not
    written, and fails, again as the interpreter exits."""
    import os
    import sys
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    reason = err.strerror or str(err) or type(err).__name__
    sys.stderr.write(f"error: cannot write the output: {reason}\n")
    sys.stderr.flush()
    return 1


# ── showing user text safely ───────────────────────────────────────────────────────────

def glyph(ch: str) -> str:
    """One character as it is shown: itself when it is visible and one column wide; white
    space as a space; anything else (controls, invisible marks, combining marks, wide
    characters such as emoji) as <U+XXXX>, so that columns can be counted."""
    if " " <= ch <= "~":
        return ch
    import unicodedata  # only for a message, so not at start-up
    category = unicodedata.category(ch)
    if ch in "\t\n\r\f\v" or category == "Zs":  # what the parser reads as white space
        return " "
    if category[0] in "CZM" or unicodedata.east_asian_width(ch) in "WF":
        return f"<U+{ord(ch):04X}>"
    return ch


def shown(text: str) -> str:
    """The text made safe to print on one line."""
    return "".join(glyph(ch) for ch in text)


def quote(text: str, limit: int = 40) -> str:
    """'text', made safe to print and cut to about `limit` columns."""
    safe = shown(text)
    if len(safe) > limit:
        safe = safe[:limit - 10] + "…" + safe[-9:]
    return f"'{safe}'"


def describe_char(ch: str) -> str:
    """'⊕' (U+2295 CIRCLED PLUS), or just the code and name for an invisible character."""
    import unicodedata
    name = unicodedata.name(ch, "")
    if not name and unicodedata.category(ch) == "Cc":
        name = "(a control character)"
    code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    return f"'{ch}' ({code})" if glyph(ch) == ch and not ch.isspace() else code


def caret_line(text: str, position: int) -> tuple[str, int]:
    """A window of the input around `position`, safe to print, and the caret's column in it."""
    before = ""
    start = position
    while start > 0 and len(before) < _BEFORE:
        start -= 1
        before = glyph(text[start]) + before
    after = ""
    end = position
    while end < len(text) and len(after) < _AFTER:
        after += glyph(text[end])
        end += 1
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + before + after + suffix, len(prefix) + len(before)
