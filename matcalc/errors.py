"""The errors a user can cause. Each prints as one message and exits with status 2."""
from __future__ import annotations


class MatcalcError(Exception):
    """Bad input: a message for the user, exit status 2.

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
        line = "".join(ch if ch.isprintable() else " " for ch in self.text)
        start = max(0, self.position - 60)
        end = self.position + 20
        prefix = "…" if start else ""
        suffix = "…" if end < len(line) else ""
        shown = prefix + line[start:end] + suffix
        caret = " " * (self.position - start + len(prefix)) + "^"
        return f"{self.message}\n  {shown}\n  {caret}"


class ParseError(MatcalcError):
    """The text is not in the input language."""


class ShapeError(MatcalcError):
    """Operands whose shapes do not fit the operation."""


class VariableError(MatcalcError):
    """A missing or ambiguous variable to differentiate by."""
