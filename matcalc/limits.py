"""How much matcalc reads and computes for one question.

Each limit is generous for anything a person writes and small enough that matcalc answers or
explains within a few seconds, without exhausting the stack or memory: beyond it the user
gets a LimitError that names the limit. The tree walks (simplifier, rules, printers) are
recursive, so no tree may be deeper than MAX_TREE_DEPTH, and the recursion limit leaves room
for every walk over such a tree. Work is counted in nodes built, each weighted by its number
of operands, because every step of parsing, differentiating and simplifying builds nodes.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from functools import wraps

from .errors import LimitError

MAX_LENGTH = 100_000       # characters of input
MAX_NESTING = 200          # brackets, functions, signs and postfix operators inside one another
MAX_TREE_DEPTH = 500       # levels of any expression tree, questions and answers alike
MAX_DIGITS = 100           # digits of any number, written or computed
MAX_WORK = 250_000         # nodes built for one question (≈ 2 seconds)
MAX_ANSWER_SIZE = 200_000  # nodes of an answer to print (≈ a megabyte of text)
RECURSION_LIMIT = 10 * MAX_TREE_DEPTH + 1_000  # walks take 4 to 6 frames a level

_NUMBER_BOUND = 10 ** MAX_DIGITS


def allow_deep_trees() -> None:
    """Raise the interpreter's recursion limit to what walks over the deepest tree need."""
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


def check_depth(depth: int) -> None:
    if depth > MAX_TREE_DEPTH:
        raise LimitError(f"the expression or its derivative nests more than {MAX_TREE_DEPTH:,} "
                         "levels deep")


def check_number(value: Fraction) -> None:
    """Numbers and sizes stay below 10^MAX_DIGITS, so arithmetic on them stays cheap."""
    if abs(value.numerator) >= _NUMBER_BOUND or value.denominator >= _NUMBER_BOUND:
        raise LimitError(f"a number in this calculation has more than {MAX_DIGITS} digits")


def check_power(base: Fraction, k: int) -> None:
    """Refuse base**k before computing it when the result would exceed MAX_DIGITS digits."""
    bits = max(abs(base.numerator).bit_length(), base.denominator.bit_length()) - 1
    if bits > 0 and abs(k) * bits > MAX_DIGITS * 10 / 3:
        raise LimitError(f"a number in this calculation has more than {MAX_DIGITS} digits")


# ── the work budget ────────────────────────────────────────────────────────────────────

class _Budget:
    __slots__ = ("left",)

    def __init__(self, units: int):
        self.left = units


_current: ContextVar[_Budget | None] = ContextVar("matcalc_budget", default=None)


def spend(units: int) -> None:
    """Count work against the budget of the question being answered, if any."""
    budget = _current.get()
    if budget is not None:
        budget.left -= units
        if budget.left < 0:
            raise LimitError("the question is too large: matcalc stops after "
                             f"{MAX_WORK:,} steps; split it into smaller parts")


@contextmanager
def work_budget(units: int = MAX_WORK):
    """Give the work done inside a budget; nested budgets count against the outermost."""
    if _current.get() is not None:
        yield
        return
    token = _current.set(_Budget(units))
    try:
        yield
    finally:
        _current.reset(token)


def budgeted(fn):
    """Run fn within a work budget (a decorator for the library's entry points)."""
    @wraps(fn)
    def run(*args, **kwargs):
        with work_budget():
            return fn(*args, **kwargs)
    return run


def check_answer_size(size: int) -> None:
    if size > MAX_ANSWER_SIZE:
        raise LimitError(f"the answer is too large to print: it has {size:,} parts, and matcalc "
                         f"prints at most {MAX_ANSWER_SIZE:,}")
