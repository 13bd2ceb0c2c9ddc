"""Names for what recurs: an answer as a paper prints it, `Aᵀ diag(s ∘ (𝟏 − s))A, where s = σ(Ax)`.

A subexpression written more than once may be named once and the name written instead. A unit a
reader knows (a softmax, a σ) written twice or more is always named, as papers do; other names
are chosen greedily, one at a time, each the one that makes the whole answer shortest in
Unicode glyphs, definitions included, and kept only when it shortens the answer. Names
never clash with the question's names or sizes. Every format then prints the same names:
`, where s = …` in text, `\\quad\\text{where } s = …` in LaTeX.
"""
from __future__ import annotations

from collections import namedtuple

from ..calculus.build import substitute

from ..calculus.expr import (Commutation, ElementFunc, Expr, Identity, Num, Ones, Softmax, Var, Zero,
                    tree_size, variables)

Definition = namedtuple("Definition", "name expr")
Definition.__doc__ = "name (a Var of the expression's shape) = expr, printed after the answer."

NAMED_FORMATS = ("unicode", "ascii", "latex")
MOST_NAMES = 3
CANDIDATES = 12  # the subexpressions tried at each round, those that recur most
LARGEST = 2_000  # answers of more nodes are printed as they are

# Names a reader expects for a kind of unit, then plain letters by shape.
_UNIT_NAMES = ("s", "p", "q")
_COLUMN_NAMES = ("u", "v", "w", "r", "h", "g", "z")
_MATRIX_NAMES = ("M", "N", "P", "R", "T", "Z")  # not the letters of decompositions (U, V, Q, L, F)
_SCALAR_NAMES = ("c", "k", "d", "f", "g")  # plain letters, so ASCII output stays ASCII
_LEAVES = (Var, Num, Identity, Ones, Zero, Commutation)


def named(e: Expr, taken: set[str] | frozenset[str] = frozenset()) -> tuple[Expr, tuple[Definition, ...]]:
    """e with recurring subexpressions replaced by names, and the names' definitions, in the
    order they are printed; e itself and no definitions when naming would not shorten it."""
    from . import render
    if tree_size(e) > LARGEST:
        return e, ()
    taken = set(taken) | set(variables(e)) | _sizes(e)
    body, definitions = e, []
    counts = _occurrences(e)
    for unit in sorted((n for n, c in counts.items() if c >= 2 and _is_unit(n)), key=tree_size):
        name = _name_for(unit, taken)  # a softmax or a σ written twice is named, as papers do
        if name is not None and len(definitions) < MOST_NAMES:
            var = Var(name, *unit.shape)
            body = substitute(body, {unit: var})
            definitions.append(Definition(var, substitute(unit, {d.expr: d.name for d in definitions})))
            taken.add(name)
    best = _length(body, definitions, render)
    for _ in range(MOST_NAMES):
        found = None
        for candidate in _candidates(body):
            name = _name_for(candidate, taken)
            if name is None:
                continue
            var = Var(name, *candidate.shape)
            trial_body = substitute(body, {candidate: var})
            trial = definitions + [Definition(var, candidate)]
            length = _length(trial_body, trial, render)
            if length < best:
                best, found = length, (trial_body, trial, name)
        if found is None:
            break
        body, definitions, name = found
        taken.add(name)
    return body, tuple(definitions)


def where(definitions, fmt: str) -> str:
    """The definitions as a paper prints them after the answer; "" when there are none."""
    from . import render
    if not definitions:
        return ""
    parts = [f"{render(d.name, fmt)} = {render(d.expr, fmt)}" for d in definitions]
    if fmt == "latex":
        return " \\quad\\text{where } " + ",\\; ".join(parts)
    return ", where " + ", ".join(parts)


def render_named(e: Expr, fmt: str = "unicode", taken=frozenset()) -> str:
    """e printed with names for what recurs (text and LaTeX only)."""
    from . import render
    body, definitions = named(e, taken)
    return render(body, fmt) + where(definitions, fmt)


def _length(body: Expr, definitions, render) -> int:
    return len(render(body, "unicode")) + len(where(definitions, "unicode"))


def _sizes(e: Expr) -> set[str]:
    return {s for v in variables(e).values() for d in v.shape for s in d.symbols}


def _candidates(e: Expr) -> list[Expr]:
    """The subexpressions written at least twice, those written most and largest first."""
    counts = _occurrences(e)
    found = [node for node, count in counts.items()
             if not isinstance(node, _LEAVES) and node is not e and count >= 2 and
             tree_size(node) > 2]
    found.sort(key=lambda node: -counts[node] * tree_size(node))
    return found[:CANDIDATES]


def _occurrences(e: Expr) -> dict[Expr, int]:
    """How many times each node is written in e printed as a tree."""
    order: list[Expr] = []
    seen: set[int] = set()

    def visit(node: Expr) -> None:  # post-order: a node after all of its children
        if id(node) in seen:
            return
        seen.add(id(node))
        for child in node.children:
            visit(child)
        order.append(node)
    visit(e)
    counts = {node: 0 for node in order}
    counts[e] = 1
    for node in reversed(order):  # parents before children
        for child in node.children:
            counts[child] += counts[node]
    return counts


def _is_unit(e: Expr) -> bool:
    return isinstance(e, Softmax) or (isinstance(e, ElementFunc) and e.name == "sigmoid")


def _name_for(e: Expr, taken: set[str]) -> str | None:
    if e.is_scalar:
        pool = _SCALAR_NAMES
    elif e.shape[1].is_one:
        pool = (_UNIT_NAMES + _COLUMN_NAMES) if _is_unit(e) else (_COLUMN_NAMES + _UNIT_NAMES)
    else:
        pool = _MATRIX_NAMES
    return next((name for name in pool if name not in taken), None)
