"""Long formulas broken into lines as a typesetter breaks them.

A formula is broken only at a space between tokens, never inside one, and preferably at the
outermost level: before a top-level + or − first, then before ⊗ or ∘, then between the factors
of a product, and only then at the same places inside brackets. The operator starts the new
line, as in a printed display. The same rules serve the terminal (widths in cells) and LaTeX
(widths in points, estimated by matcalc.render.latex.latex_width).
"""
from __future__ import annotations

from typing import Callable

OPENING, CLOSING = "([", ")]"
SUMS = ("+ ", "− ", "- ")
PRODUCTS = ("⊗ ", "∘ ", "(x) ", ".* ", "\\otimes ", "\\circ ")
# a line never ends with one of these: the operator goes with what follows it
OPERATORS = ("+", "−", "-", "⊗", "∘", "(x)", ".*", "\\otimes", "\\circ", "=", "&", "{}")


def break_points(text: str) -> list[tuple[int, tuple[int, int]]]:
    """The spaces where `text` may break, each with its cost (bracket depth, kind): kind 0
    before + or −, 1 before ⊗ or ∘, 2 between factors. Never inside LaTeX's braces."""
    points, depth, braces = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING:
            depth -= 1
        elif ch == "{" and text[i - 1:i] != "\\":
            braces += 1
        elif ch == "}" and text[i - 1:i] != "\\":
            braces -= 1
        elif ch == " " and braces == 0 and 0 < i < len(text) - 1 and text[i + 1] != " ":
            before, after = text[:i], text[i + 1:]
            if before.endswith(OPERATORS) or before.endswith("\\"):
                continue
            kind = 0 if after.startswith(SUMS) else 1 if after.startswith(PRODUCTS) else 2
            points.append((i, (max(depth, 0), kind)))
    return points


def break_lines(text: str, first: float, rest: float | None = None,
                measure: Callable[[str], float] = len) -> list[str]:
    """`text` in lines: the first at most `first` wide, the others at most `rest` (as wide as
    the first when not given), each broken at its cheapest break point that fits; a piece
    with no break point that fits is left whole, however wide."""
    rest = first if rest is None else rest
    points = break_points(text)
    lines, start = [], 0
    while True:
        width = first if not lines else rest
        if measure(text[start:]) <= width:
            break
        candidates = [(cost, i) for i, cost in points if i > start]
        if not candidates:
            break
        fitting = [(cost, i) for cost, i in candidates if measure(text[start:i]) <= width]
        if fitting:
            best = min(cost for cost, _ in fitting)
            end = max(i for cost, i in fitting if cost == best)
        else:
            end = min(i for _, i in candidates)
        lines.append(text[start:end])
        start = end + 1
    lines.append(text[start:])
    return lines


def wrap_words(text: str, width: float, measure: Callable[[str], float] = len) -> list[str]:
    """Plain words (a rule's name) in lines at most `width` wide, broken between words."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and measure(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def hanging(text: str, width: int, indent: int = 4,
            measure: Callable[[str], float] = len) -> list[str]:
    """A formula for a window `width` cells wide: broken at its operators, the lines after the
    first indented by `indent` (and a product's further factors by two more), so that they read
    as the continuation they are."""
    lines = break_lines(text, width, width - indent - 2, measure)
    return lines[:1] + [" " * (indent if line.startswith(SUMS + PRODUCTS) else indent + 2) + line
                        for line in lines[1:]]
