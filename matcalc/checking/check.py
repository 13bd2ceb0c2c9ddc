"""Check a claimed derivative: the user's own answer against matcalc's, numerically.

The claim is written in the input language, in either layout: a gradient G of X's shape
(for a scalar function, ∂f/∂X = vecᵀ(G)) or the Jacobian ∂vec F/∂vecᵀX itself, written with
vec, ⊗ and the commutation matrix. In a claim, `I` is an identity matrix and `K` a
commutation matrix; their sizes are the ones that make the claim fit the answer's shape,
chosen from the sizes of the question (n, m, mn, n², …). Where that is ambiguous, or to be
explicit, write the size: `I_n`, `I_3`, `I_mn` (the product m·n), `K_mn` (one letter or
digit a size). A question that has variables named I or K keeps them as variables.

Both sides are evaluated at random well-conditioned points with matcalc.checking.numeric (no code is
written or run) and compared.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import resources
from ..api import Derivative, derive, parse_shapes
from ..calculus.dims import ONE, Dim, shape_str
from ..errors import MatcalcError, ParseError, ShapeError
from ..calculus.expr import (Num, Size, Zero, Commutation, Det, ElementFunc, ElementPow, Expr, Func, Identity, Inverse, LogDet,
                   ScalarPow, Var)
from .numeric import evaluate
from ..language.parser import NAME, Parser, Token, kronecker_ascii, tokenize
from ..render import render

POINTS = 3
MAX_SIZE_CHOICES = 4096
RELATIVE_TOLERANCE = 1e-7


@dataclass
class Verdict:
    """The outcome of a check; `difference` is the largest absolute gap over the points."""
    agree: bool
    layout: str            # "gradient" or "jacobian"
    claim: Expr
    answer: Expr           # matcalc's answer, in the claim's layout
    difference: float
    relative: float
    points: int
    derivative: Derivative

    def report(self, fmt: str = "unicode") -> str:
        shown = render(self.answer, fmt)
        if self.agree:
            return (f"agree: the claim equals matcalc's answer ({self.layout} layout) at "
                    f"{self.points} random points")
        if np.isfinite(self.difference):
            gap = (f"differs from matcalc's answer by up to {self.difference:.3g} "
                   f"(relative {self.relative:.3g}) at {self.points} random points")
        else:
            gap = "is not a finite number at a random point where matcalc's answer is"
        return f"disagree: the claim {gap}\nmatcalc's answer ({self.layout} layout): {shown}"


def check(text: str, wrt: str | None = None, claim: str = "", shapes: dict | None = None,
          points: int = POINTS, seed: int = 0) -> Verdict:
    """Compare `claim` with matcalc's derivative of `text` by `wrt` at random points."""
    if not claim.strip():
        raise MatcalcError("give the claimed answer, e.g. --claim \"inv(X)^T\"")
    derivative = derive(text, wrt, shapes)
    names = derivative.names
    jacobian_shape = derivative.jacobian.shape
    scalar = derivative.expr.is_scalar
    wanted = {jacobian_shape} | ({derivative.wrt.shape} if scalar else set())
    largest = _largest_sizes(derivative)
    resources.require_check([derivative.expr, derivative.jacobian], names.values(), largest,
                            points)
    envs, sizes = random_points(derivative, points, seed)
    claimed = read_claim(claim, names, parse_shapes(shapes), wanted, envs[0], sizes)
    resources.require_check([claimed], (), largest, points)

    layout = "gradient" if scalar and claimed.shape == derivative.wrt.shape else "jacobian"
    difference = scale = 0.0
    used = 0
    for env in envs:
        with np.errstate(all="ignore"):
            exact = evaluate(derivative.jacobian, env, sizes)
        if not np.all(np.isfinite(exact)):
            continue  # the answer overflows here (exp(exp(…))): nothing to compare with
        used += 1
        value = _value_of(claimed, env, sizes, exact.shape)
        if layout == "gradient":  # vecᵀ(G) against the Jacobian row
            value = value.reshape(1, -1, order="F")
        gap = np.abs(value - exact)
        difference = max(difference, float(np.max(gap)) if np.all(np.isfinite(gap)) else np.inf)
        scale = max(scale, float(np.max(np.abs(exact))))
    if not used:
        raise MatcalcError("matcalc found no random point where its answer is a finite number "
                           "(it overflows at each one tried)")
    relative = difference / scale if scale else difference
    agree = difference <= RELATIVE_TOLERANCE * max(1.0, scale)
    return Verdict(agree, layout, claimed, _answer_in(layout, derivative), difference, relative,
                   used, derivative)


def _value_of(claimed: Expr, env, sizes, shape) -> np.ndarray:
    """The claim's value; where it is undefined (a singular inverse), not a number."""
    with np.errstate(all="ignore"):
        try:
            return evaluate(claimed, env, sizes)
        except np.linalg.LinAlgError:
            return np.full(shape, np.nan)


def _answer_in(layout: str, derivative: Derivative) -> Expr:
    if layout == "gradient":
        try:
            return derivative.gradient
        except MatcalcError:  # no gradient form: show the Jacobian
            pass
    return derivative.jacobian


# ── reading the claim ───────────────────────────────────────────────────────────────────

class ClaimParser(Parser):
    """The input language, plus I and K; names must be the question's.

    Answers print products of names side by side (QQᵀ, X⁻ᵀabᵀX⁻ᵀ) and names as they print
    (α for alpha, X₁ for X1). So in a claim, where the question's names are known, a run of
    letters that is not one of them but splits into them in exactly one way is that product;
    one that splits in two ways is refused with both readings.
    """

    def __init__(self, text, shapes, question_names: dict[str, Var], size_choices=(),
                 expected_shape=None):
        self.question_names = question_names
        super().__init__(text, {**shapes, **{n: v.shape for n, v in question_names.items()}})
        self.size_choices = iter(size_choices)
        self.expected_shape = expected_shape  # the answer's: what sizes a bare 𝟏

    @cached_property
    def size_names(self) -> set[str]:
        """The sizes of the question's matrices, n and m, which an answer may hold as numbers."""
        return {sym for v in self.question_names.values() for d in v.shape for sym in d.symbols}

    def read_tokens(self, text: str) -> list:
        return kronecker_ascii(split_names(text, tokenize(text), self.question_names), text)

    def special_name(self, name: str) -> str | None:
        if name in self.question_names or name in ("I", "K") or name.startswith(("I_", "K_")):
            return None
        return super().special_name(name)

    def variable(self, name: str, pos: int = 0) -> Expr:
        if name in self.question_names:
            return self.question_names[name]
        where = pos
        if name in ("I", "K"):
            choice = next(self.size_choices, None)
            if choice is None:
                return Identity(ONE) if name == "I" else Commutation(ONE, ONE)
            return Identity(choice) if name == "I" else Commutation(*choice)
        if name.startswith(("I_", "K_")):
            return self.sized(name, where)
        if name in self.size_names:  # tr(Iₙ) = n, as answers print it
            return Size(Dim.of(name))
        raise ParseError(f"the claim uses the name {name}, which the question does not have",
                         self.text, where)

    def sized(self, name: str, where: int) -> Expr:
        """I_n, I_3, I_mn; K_mn with one letter or digit a size, and K_n = K_nn."""
        known = {s for v in self.question_names.values() for d in v.shape for s in d.symbols}
        suffix = name[2:]

        def size(part: str) -> Dim:
            if part.isdigit() and int(part) > 0:
                return Dim(int(part))
            if part in known:
                return Dim.of(part)
            raise ParseError(f"unknown size '{part}' in {name}; the question's sizes are "
                             f"{', '.join(sorted(known)) or 'numbers only'}", self.text, where)

        if name[0] == "I":
            if suffix in known or suffix.isdigit():
                return Identity(size(suffix))
            dim = ONE
            for part in suffix:
                dim = dim * size(part)
            return Identity(dim)
        if len(suffix) == 1:  # Kₙ = K_nn, as answers print it
            return Commutation(size(suffix), size(suffix))
        if len(suffix) != 2:
            raise ParseError(f"write the commutation matrix as K_mn with two one-letter sizes, "
                             f"or as K and let matcalc find its size", self.text, where)
        return Commutation(size(suffix[0]), size(suffix[1]))


def printed_names(names: dict[str, Var]) -> dict[str, str]:
    """How each name of the question prints (alpha as α, X1 as X₁, read back as X1)."""
    from ..render import render
    out = {}
    for name, var in names.items():
        out[name] = name
        shown = render(var, "unicode")
        if shown != name and shown not in names:
            out.setdefault(shown, name)
    return out


def split_names(text: str, tokens: list, names: dict[str, Var]) -> list:
    """Name tokens that are not names of the question but split uniquely into them become
    those names, side by side; a second split is an error that shows both."""
    known = printed_names(names)
    if not known:
        return tokens
    pieces = {**known, **{s: s for s in ("I", "K", "𝟏") if s not in known}}  # αI, Kₘₙ(I ⊗ b)
    out = []
    for tok in tokens:
        if tok.kind != "name" or tok.text in known or tok.text in ("I", "K", "𝟏") \
                or tok.text.startswith(("I_", "K_")):
            if tok.kind == "name" and tok.text in known and known[tok.text] != tok.text:
                tok = tok._replace(text=known[tok.text])
            out.append(tok)
            continue
        splits = _splits(tok.text, pieces, limit=2)
        if len(splits) > 1:
            readings = " or ".join(" ".join(s) for s in splits)
            raise ParseError(f"{tok.text} could be read as {readings}; write the factors apart, "
                             "with spaces or *", text, tok.pos)
        if not splits:
            out.append(tok)
            continue
        pos = tok.pos
        for k, part in enumerate(splits[0]):
            out.append(Token("name", pieces.get(part, part), pos,
                             tok.space_before if k == 0 else False))
            pos += len(part)
    return out


def _splits(word: str, known: dict[str, str], limit: int) -> list[list[str]]:
    """Up to `limit` ways to write word as names of `known`, one after another."""
    memo: dict[int, list[list[str]]] = {}

    def ways(i: int) -> list[list[str]]:
        if i == len(word):
            return [[]]
        if i not in memo:
            out: list[list[str]] = []
            if word.startswith(("I_", "K_"), i):  # a sized I or K ends the run: tKₙₘ
                out.append([word[i:]])
            for name in known:
                if word.startswith(name, i):
                    out += [[name] + rest for rest in ways(i + len(name))][:limit - len(out)]
                if len(out) >= limit:
                    break
            memo[i] = out
        return memo[i]
    return ways(0)


_ONES = re.compile(r"𝟏|\bones\b(?!\()")
_VEC_ONES = re.compile(r"(vec(?:ᵀ|\^T)?)\(\s*(?:𝟏|ones)\s*\)")
WHERE = re.compile(r",\s*where\s+")
DEFINITION = re.compile(r",\s*(" + NAME.pattern + r")\s*=\s*")


def expand_where(text: str, names: dict[str, Var]) -> str:
    """`body, where s = σ(Ax), t = …` as answers print it: the body with each name it defines
    replaced by its definition in brackets (later definitions may use earlier ones)."""
    if not WHERE.search(text):
        return text
    head, tail = WHERE.split(text, maxsplit=1)
    parts = DEFINITION.split(", " + tail)  # ['', s, def, t, def, …]
    if parts[0].strip() or len(parts) < 3:
        raise ParseError("write a definition after 'where' as NAME = EXPRESSION", text,
                         len(head))
    definitions: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2]):
        if name in names or name in definitions:
            raise ParseError(f"'where' defines {name}, which is a name already; pick another",
                             text, len(head))
        definitions[name] = _substitute(body, definitions, names)
    return _substitute(head, definitions, names)


def _substitute(text: str, definitions: dict[str, str], names: dict[str, Var]) -> str:
    """Each defined name in text (alone, or run together with the question's names, as in
    ssᵀ) replaced by its definition in brackets."""
    if not definitions:
        return text
    pieces = {**printed_names(names), **{d: d for d in definitions},
              **{s: s for s in ("I", "K", "𝟏")}}
    out, last = [], 0
    for tok in tokenize(text):
        if tok.kind != "name":
            continue
        splits = [[tok.text]] if tok.text in pieces else _splits(tok.text, pieces, limit=2)
        if len(splits) != 1 or not any(part in definitions for part in splits[0]):
            continue
        words = [f"({definitions[part]})" if part in definitions else part for part in splits[0]]
        out += [text[last:tok.pos], " ".join(words)]
        last = tok.pos  # the name as written, Kₘₙ with its subscripts, not as read (K_mn)
        while last < len(text) and (text[last].isalnum() or text[last] == "_") \
                and text[last] not in "ᵀ⁰¹²³⁴⁵⁶⁷⁸⁹":  # Mᵀ, M²: M and a postfix
            last += 1
    return "".join(out) + text[last:]


def read_claim(text: str, names: dict[str, Var], shapes: dict, wanted: set,
               env: dict, sizes: dict[str, int]) -> Expr:
    """The claim as an expression; the sizes of a bare I or K are those that fit `wanted`.
    A claim may name what recurs, as answers do: `…, where s = σ(Ax)`."""
    text = expand_where(text, names)
    kinds = _unsized_kinds(text, names)
    if not kinds:
        claimed = _parse_claim(text, shapes, names, ())
        if isinstance(claimed, Num) and claimed.value == 0 and len(wanted) >= 1:
            return Zero(*max(wanted, key=lambda s: len(str(s))))  # a bare 0: the zero answer
        if claimed.shape not in wanted and _ONES.search(text):
            # 𝟏 is a column unless its use decides; a claim's use is the answer's shape too
            for shape in sorted(wanted, key=str):
                for written in (text, _ONES.sub("matrix(1)", text)):
                    try:
                        as_matrix = _parse_claim(written, shapes, names, (), shape)
                    except MatcalcError:
                        continue
                    if as_matrix.shape in wanted:
                        return as_matrix
            sized = _ones_shaped_as_a_name(text, shapes, names, wanted, env, sizes)
            if sized is not None:
                return sized
        return _fitting(claimed, wanted)
    dims = sorted({d for v in names.values() for d in v.shape}, key=str)
    identity_sizes = list(dict.fromkeys(dims + [a * b for a in dims for b in dims if
                                                not a.is_one and not b.is_one]))
    commutation_sizes = [(a, b) for a in dims for b in dims if not a.is_one and not b.is_one]
    options = [identity_sizes if kind == "I" else commutation_sizes for kind in kinds]
    if np.prod([len(o) for o in options], dtype=float) > MAX_SIZE_CHOICES:
        raise MatcalcError("the claim has too many I and K of unknown size; write their "
                           "sizes: I_n, K_mn")
    fits = _fits(text, shapes, names, options, wanted)
    for written in _ones_sized(text, names):
        if fits:
            break
        try:
            fits = _fits(written, shapes, names, options, wanted)
        except MatcalcError:
            continue
    if not fits:
        raise MatcalcError("matcalc found no sizes for I and K that make the claim the "
                           f"shape of the answer ({_wanted_text(wanted)}); write them: I_n, K_mn")
    # a 1×1 I is 1, and fits any product as a scalar: a reading without one comes first
    fits = [f for f in fits if not any(isinstance(d, Dim) and d.is_one for d in f[0])] or fits
    resources.require_check([expr for _, expr in fits], (), sizes, 1)
    values = [_value_of(expr, env, sizes, tuple(_value(d, sizes) for d in expr.shape))
              for _, expr in fits]
    differ = [k for k, v in enumerate(values)
              if v.shape != values[0].shape or not np.allclose(v, values[0], equal_nan=True)]
    if differ:
        readings = " or ".join(_sized_names(kinds, fits[k][0]) for k in (0, differ[0]))
        raise MatcalcError(f"the sizes of I and K in the claim are ambiguous ({readings}); "
                           "write them, e.g. I_n, I_mn, K_mn")
    return fits[0][1]


def _ones_sized(text: str, names: dict[str, Var]):
    """The claim with its 𝟏 given a size its use leaves open, from the question's names: the
    vecᵀ(𝟏) of a matrix 𝟏 of a name's shape, then every other 𝟏 a column of a name's rows
    (−(𝟏 ⊗ I)/2, where 𝟏 has b's length)."""
    by_shape = {v.shape: n for n, v in sorted(names.items()) if not v.is_scalar}
    if _VEC_ONES.search(text):
        for name in by_shape.values():
            yield _VEC_ONES.sub(rf"\1((0*{name} + matrix(1)))", text)
    if _ONES.search(text):
        rows = {v.shape[0]: n for n, v in sorted(names.items()) if not v.is_scalar}
        for name in rows.values():
            yield _ONES.sub(f"(0*{name}*ones + ones)", text)


def _fits(text: str, shapes: dict, names: dict[str, Var], options: list, wanted: set) -> list:
    """The claim read with each choice of sizes for its I and K that gives the answer's shape."""
    fits = []
    for choice in itertools.product(*options):
        try:
            expr = _parse_claim(text, shapes, names, choice)
        except ShapeError:
            continue
        if expr.shape in wanted:
            fits.append((choice, expr))
    return fits


def _ones_shaped_as_a_name(text: str, shapes: dict, names: dict[str, Var], wanted: set,
                           env: dict, sizes: dict[str, int]) -> Expr | None:
    """The claim with its 𝟏 of the shape of one of the question's matrices, vecᵀ(𝟏) of an
    m×n 𝟏: each shape that makes the claim the answer's shape, when all give one value."""
    fits = []
    for shape in sorted({v.shape for v in names.values() if not v.is_scalar}, key=str):
        name = next(n for n, v in names.items() if v.shape == shape)
        try:
            expr = _parse_claim(_ONES.sub(f"(0*{name} + matrix(1))", text), shapes, names, ())
        except MatcalcError:
            continue
        if expr.shape in wanted:
            fits.append(expr)
    values = [_value_of(e, env, sizes, tuple(_value(d, sizes) for d in e.shape)) for e in fits]
    if not fits or any(v.shape != values[0].shape or not np.allclose(v, values[0], equal_nan=True)
                       for v in values):
        return None
    return fits[0]


def _sized_names(kinds: list[str], choice: tuple) -> str:
    def name(kind, size):
        return f"I_{size}" if kind == "I" else f"K_{size[0]}{size[1]}"
    return ", ".join(name(kind, size) for kind, size in zip(kinds, choice))


def _parse_claim(text: str, shapes: dict, names: dict[str, Var], choice: tuple,
                 expected_shape=None) -> Expr:
    question = ClaimParser(text, shapes, names, choice, expected_shape).question()
    if question.wrt is not None:
        raise ParseError("write the claimed derivative itself, not d…/dX", text, 0)
    return question.expr


def _unsized_kinds(text: str, names: dict[str, Var]) -> list[str]:
    """"I" or "K" for each bare I or K in the claim, in reading order."""
    return [t.text for t in split_names(text, tokenize(text), names)
            if t.kind == "name" and t.text in ("I", "K") and t.text not in names]


def _fitting(expr: Expr, wanted: set) -> Expr:
    if expr.shape not in wanted:
        raise MatcalcError(f"the claim is {shape_str(expr.shape)}, but the answer is "
                           f"{_wanted_text(wanted)}")
    return expr


def _wanted_text(wanted: set) -> str:
    return " or ".join(sorted(shape_str(s) for s in wanted))


# ── random points ───────────────────────────────────────────────────────────────────────

SIZE_VALUES = (4, 3, 5, 2, 6, 7)


def random_points(derivative: Derivative, count: int, seed: int):
    """`count` environments where the question and its answer are well defined: matrices near
    a multiple of the identity, sizes distinct (so a transpose out of place shows), and every
    inverse, determinant and logarithm well away from its singularity."""
    names = derivative.names
    symbols = sorted({s for v in names.values() for d in v.shape for s in d.symbols})
    rng = np.random.default_rng(seed)
    delicate = [n for e in (derivative.expr, derivative.jacobian) for n in _nodes(e)
                if isinstance(n, (Inverse, Det, LogDet, ScalarPow, Func, ElementFunc, ElementPow))]
    positive = any(_needs_positive(n) for n in delicate)
    from ..calculus.matfunc import requirements
    needs = requirements(derivative.expr, derivative.jacobian)  # chol(S), eig(S), logm(X)
    for values in itertools.islice(itertools.permutations(SIZE_VALUES, len(symbols)), 24):
        sizes = dict(zip(symbols, values))
        envs = []
        for _ in range(count * 4):
            env = {name: _matrix(var, sizes, rng) for name, var in names.items()}
            if positive:  # element-wise logarithms and roots: every element away from 0
                env = {name: np.abs(value) + 0.1 for name, value in env.items()}
            env = {name: _meeting(needs.get(name), value) for name, value in env.items()}
            if _well_defined(delicate, env, sizes):
                envs.append(env)
                if len(envs) == count:
                    return envs, sizes
    raise MatcalcError(f"matcalc found no random point where {render(derivative.expr)} and "
                       "its derivative are well defined")


def _meeting(need: str | None, value: np.ndarray) -> np.ndarray:
    """A square matrix made symmetric, or symmetric positive definite, when a function needs it."""
    if need is None or value.shape[0] != value.shape[1]:
        return value
    if need == "spd":
        return value @ value.T / len(value) + 0.5 * np.eye(len(value))
    return (value + value.T) / 2


def _largest_sizes(derivative: Derivative) -> dict[str, int]:
    """The largest value random_points may give each size symbol: a bound for the estimates."""
    return {s: max(SIZE_VALUES) for v in derivative.names.values() for d in v.shape
            for s in d.symbols}


def _matrix(var: Var, sizes: dict[str, int], rng) -> np.ndarray:
    rows, cols = (_value(d, sizes) for d in var.shape)
    return 1.5 * np.eye(rows, cols) + 0.5 * rng.standard_normal((rows, cols))


def _value(d: Dim, sizes: dict[str, int]) -> int:
    out = d.coeff
    for s in d.symbols:
        out *= sizes[s]
    return out


def _nodes(e: Expr):
    seen, stack = set(), [e]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            yield node
            stack.extend(node.children)


def _well_defined(delicate: list[Expr], env, sizes) -> bool:
    with np.errstate(all="ignore"):
        for node in delicate:
            try:
                arg = evaluate(node.arg, env, sizes)
            except (np.linalg.LinAlgError, ValueError):
                return False
            if not np.all(np.isfinite(arg)):
                return False
            if isinstance(node, (Inverse, Det, LogDet)) and np.linalg.cond(arg) > 1e6:
                return False
            if isinstance(node, LogDet) and np.linalg.det(arg) <= 0:
                return False
            if isinstance(node, ScalarPow) and (abs(arg.item()) < 1e-3 or
                                                (node.exponent.denominator != 1 and arg.item() <= 0)):
                return False
            if isinstance(node, Func) and node.name in ("log", "sqrt") and arg.item() <= 1e-3:
                return False
            if _needs_positive(node) and np.min(arg) <= 1e-3:
                return False
            if isinstance(node, ElementPow) and np.min(np.abs(arg)) < 1e-3:
                return False
    return True


def _needs_positive(node: Expr) -> bool:
    """Element-wise log, sqrt and fractional powers are defined for positive elements only."""
    return (isinstance(node, ElementFunc) and node.name in ("log", "sqrt")) or \
        (isinstance(node, ElementPow) and node.exponent.denominator != 1)
