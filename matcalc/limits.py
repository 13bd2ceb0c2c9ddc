"""How much matcalc reads and computes for one question.

Each limit is generous for anything a person writes and small enough that matcalc answers or
explains within a few seconds, without exhausting the stack or memory: beyond it the user
gets a LimitError that names the limit. The tree walks (simplifier, rules, printers) are
recursive, so no tree may be deeper than MAX_TREE_DEPTH, and the recursion limit leaves room
for every walk over such a tree. Work is counted in nodes built, each operand weighing a
quarter of a node, because every step of parsing, differentiating and simplifying builds nodes.
"""
from __future__ import annotations

import sys
from functools import wraps

from .errors import LimitError

MAX_LENGTH = 100_000       # characters of input
MAX_NESTING = 200          # brackets, functions, signs and postfix operators inside one another
MAX_TREE_DEPTH = 500       # levels of any expression tree, questions and answers alike
MAX_DIGITS = 100           # digits of any number or size, written or computed
MAX_WORK = 250_000         # nodes built for one question (about two seconds)
MAX_ANSWER_SIZE = 200_000  # nodes of an answer to print (about a megabyte of text)
MAX_SYMPY_SIZE = 1_000     # nodes of an answer to build in sympy, which is slower by far
MAX_ARRAY_BYTES = 4 * 2 ** 30  # memory the values of one numerical evaluation may take (4 GiB)
RECURSION_LIMIT = 10 * MAX_TREE_DEPTH + 1_000  # the walks take 4 to 6 frames a level

NUMBER_BOUND = 10 ** MAX_DIGITS


def allow_deep_trees() -> None:
    """Raise the interpreter's recursion limit to what walks over the deepest tree need."""
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


def memory_text(n: int) -> str:
    """Bytes for a message: 18.5 TiB, 344.0 MiB."""
    for unit, size in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def check_depth(depth: int) -> None:
    if depth > MAX_TREE_DEPTH:
        raise LimitError(f"the expression or its derivative nests more than {MAX_TREE_DEPTH:,} "
                         "levels deep")


def check_number(value) -> None:
    """Numbers (int or Fraction) and sizes stay below 10^MAX_DIGITS, so arithmetic on them
    stays cheap and every one of them can be printed."""
    if abs(value.numerator) >= NUMBER_BOUND or value.denominator >= NUMBER_BOUND:
        raise LimitError(f"a number in this calculation has more than {MAX_DIGITS} digits")


def check_power(base, k: int) -> None:
    """Refuse base**k before computing it when the result would exceed MAX_DIGITS digits."""
    bits = max(abs(base.numerator).bit_length(), base.denominator.bit_length()) - 1
    if bits > 0 and abs(k) * bits > MAX_DIGITS * 10 / 3:
        raise LimitError(f"a number in this calculation has more than {MAX_DIGITS} digits")


def check_answer_size(size: int) -> None:
    if size > MAX_ANSWER_SIZE:
        raise LimitError(f"the answer is too large to print: it has {size:,} parts, and matcalc "
                         f"prints at most {MAX_ANSWER_SIZE:,}")


def check_sympy_size(size: int) -> None:
    if size > MAX_SYMPY_SIZE:
        raise LimitError(f"the answer is too large for sympy: it has {size:,} parts, and matcalc "
                         f"builds sympy expressions of at most {MAX_SYMPY_SIZE:,}; use another format")


# ── the work budget ────────────────────────────────────────────────────────────────────

class work_budget:
    """`with work_budget():` counts the work inside against MAX_WORK (or `units`); a budget
    opened inside another counts against the outer one. One question at a time per process."""

    left: int | None = None  # what the open budget has left; None when none is open

    def __init__(self, units: int = MAX_WORK):
        self.units = units
        self.outer = True

    def __enter__(self):
        self.outer = work_budget.left is None
        if self.outer:
            work_budget.left = self.units
        return self

    def __exit__(self, *exc):
        if self.outer:
            work_budget.left = None
        return False


def spend(units: int) -> None:
    """Count work against the open budget, if any."""
    left = work_budget.left
    if left is not None:
        work_budget.left = left = left - units
        if left < 0:
            raise LimitError("the question is too large: matcalc stops after "
                             f"{MAX_WORK:,} steps; split it into smaller parts")


def budgeted(fn):
    """Run fn within a work budget (a decorator for the library's entry points)."""
    @wraps(fn)
    def run(*args, **kwargs):
        with work_budget():
            return fn(*args, **kwargs)
    return run
