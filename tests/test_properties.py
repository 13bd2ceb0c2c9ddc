"""Property tests: random expressions of the input language, differentiated and checked.

The strategy builds each expression twice at once: as TEXT in the input language (every
spelling, with no more brackets than the grammar needs, so the parser is exercised) and as an
independent NumPy function. matcalc parses the text and differentiates it; its Jacobian (as
printed NumPy code and as an evaluated tree) and, for scalars, its gradient must match central
differences of the NumPy function. Points where the function leaves its domain or where the
finite differences themselves are unreliable are assumed away, not tolerated.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from finite_differences import as_matrix, eval_numpy_code, fd_jacobian, vec
from matcalc import derive
from matcalc.checking.numeric import evaluate
from matcalc.render import FORMATS

SIZES = {"n": 3, "m": 4, "1": 1}
SUM, KRON, HADAMARD, PRODUCT, NEGATIVE, POSTFIX, ATOM = 10, 20, 25, 30, 35, 40, 50


class OutOfDomain(Exception):
    """The random point is where the function is undefined or badly conditioned."""


@dataclass(frozen=True)
class Term:
    text: str
    prec: int                          # how tightly the text's outermost operator binds
    fn: Callable[[dict], np.ndarray]   # the same expression in NumPy, as a 2-D array
    bars: bool = False                 # the text holds a '|': it must not go inside |…|

    def wrapped(self, level: int) -> str:
        return self.text if self.prec >= level else f"({self.text})"


SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def postfix(base: Term, op: str) -> str:
    """base op, bracketed when needed; superscript digits run together (X²² is X to the 22),
    so a power of a power written with them gets brackets: (X²)²."""
    text = base.wrapped(POSTFIX)
    if op[0] in SUPERSCRIPT_DIGITS and text[-1] in SUPERSCRIPT_DIGITS:
        text = f"({text})"
    return text + op


def _guard_square(M: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(M)) or np.linalg.cond(M) > 1e4:
        raise OutOfDomain
    return M


def _guard_positive(s: np.ndarray) -> float:
    value = float(np.asarray(s).item())
    if not value > 1e-3:
        raise OutOfDomain
    return value


def _guard_exp(s: np.ndarray) -> float:
    value = float(np.asarray(s).item())
    if abs(value) > 20:
        raise OutOfDomain
    return value


def _logdet(M):
    det = np.linalg.det(_guard_square(M))
    if det < 1e-3:
        raise OutOfDomain
    return np.log(det)


def _item(x) -> float:
    return float(np.asarray(x).item())


# ── the grammar, shape by shape ────────────────────────────────────────────────────────

class Grammar:
    """Draws typed expressions. Shapes are pairs of size names: ("n", "1") is a vector."""

    def __init__(self, draw, rect: bool, variable: str):
        self.draw = draw
        self.rect = rect
        self.variable = variable
        self.names = {"X": ("m", "n") if rect else ("n", "n"), "A": ("n", "n"), "B": ("n", "n"),
                      "C": ("m", "n"), "D": ("m", "m"), "a": ("n", "1"), "b": ("m", "1"),
                      "t": ("1", "1")}

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def flip(self) -> bool:
        return self.draw(st.booleans())

    # leaves
    def leaf(self, shape) -> Term:
        direct = [n for n, s in self.names.items() if s == shape]
        flipped = [n for n, s in self.names.items() if s == shape[::-1] and s != shape]
        choices = [("name", n) for n in direct] + [("transposed", n) for n in flipped]
        if shape == ("1", "1"):
            choices += [("number", k) for k in ("2", "3", "0.5", "1e-1", "2.5E0")]
        mine = [c for c in choices if c[1] == self.variable]
        kind, name = self.pick(mine if mine and self.flip() else choices)  # mostly the variable
        if kind == "number":
            return Term(name, ATOM, lambda env, v=float(name): np.array([[v]]))
        if kind == "name":
            return Term(name, ATOM, lambda env, n=name: env[n])
        text = name + self.pick(["^T", "'", "ᵀ"])
        return Term(text, POSTFIX, lambda env, n=name: env[n].T)

    def expr(self, shape, depth: int) -> Term:
        if depth <= 0:
            return self.leaf(shape)
        makers = [self.sum, self.negative, self.scaled, self.product, self.transpose]
        if shape[0] == shape[1] and shape[0] != "1":
            makers += [self.inverse, self.power]
        if shape[1] == "1" and shape[0] != "1":
            makers += [self.vec]
        makers += [self.kron]
        if shape != ("1", "1"):
            makers += [self.elementwise, self.constant]

        if shape == ("1", "1"):
            makers += [self.scalar_function, self.scalar_function, self.scalar_power,
                       self.trace, self.determinant, self.inner, self.reduction]
        return self.pick(makers)(shape, depth)

    def other_depth(self, depth: int) -> int:
        return self.draw(st.integers(0, max(0, depth - 2)))

    # matrices of any shape
    def sum(self, shape, depth):
        left, right = self.expr(shape, depth - 1), self.expr(shape, self.other_depth(depth))
        if self.flip():
            left, right = right, left
        op = self.pick(["+", "-"])
        sign = 1 if op == "+" else -1
        return Term(f"{left.wrapped(SUM)} {op} {right.wrapped(SUM + 1)}", SUM,
                    lambda env: left.fn(env) + sign * right.fn(env), left.bars or right.bars)

    def negative(self, shape, depth):
        inner = self.expr(shape, depth - 1)
        return Term("-" + inner.wrapped(NEGATIVE), NEGATIVE, lambda env: -inner.fn(env), inner.bars)

    def scaled(self, shape, depth):
        inner = self.expr(shape, depth - 1)
        how = self.pick(["k*M", "k M", "M/k", "s*M", "s M", "M/p"])
        if how.startswith("s"):
            s = self.expr(("1", "1"), self.other_depth(depth))
            sep = " * " if how == "s*M" else " "
            return Term(f"{s.wrapped(PRODUCT)}{sep}{self._right(inner, sep)}", PRODUCT,
                        lambda env: _item(s.fn(env)) * inner.fn(env), s.bars or inner.bars)
        if how == "M/p":
            p = self.positive(self.other_depth(depth))
            return Term(f"{inner.wrapped(PRODUCT)}/{p.wrapped(PRODUCT + 1)}", PRODUCT,
                        lambda env: inner.fn(env) / _guard_positive(p.fn(env)), p.bars or inner.bars)
        k = self.pick(["2", "3", "0.5", "2e-1"])
        if how == "M/k":
            return Term(f"{inner.wrapped(PRODUCT)}/{k}", PRODUCT,
                        lambda env: inner.fn(env) / float(k), inner.bars)
        sep = "*" if how == "k*M" else " "
        return Term(f"{k}{sep}{self._right(inner, sep)}", PRODUCT,
                    lambda env: float(k) * inner.fn(env), inner.bars)

    def _right(self, term: Term, sep: str) -> str:
        """A product's right operand: tighter than the product, and after a bare space not
        starting with a sign (A -B is a difference)."""
        text = term.wrapped(PRODUCT + 1)
        if sep.strip() == "" and text[0] in "+-":
            text = f"({text})"
        return text

    def product(self, shape, depth):
        inner = self.pick(["n", "m", "1"])
        deep, shallow = depth - 1, self.other_depth(depth)
        if self.flip():
            deep, shallow = shallow, deep
        left = self.expr((shape[0], inner), deep)
        right = self.expr((inner, shape[1]), shallow)
        sep = self.pick([" * ", " @ ", " ", "*"])
        return Term(f"{left.wrapped(PRODUCT)}{sep}{self._right(right, sep)}", PRODUCT,
                    lambda env: left.fn(env) @ right.fn(env), left.bars or right.bars)

    def transpose(self, shape, depth):
        inner = self.expr(shape[::-1], depth - 1)
        spelling = self.pick(["^T", "'", "ᵀ", "transpose"])
        if spelling == "transpose":
            return Term(f"transpose({inner.text})", ATOM, lambda env: inner.fn(env).T, inner.bars)
        return Term(inner.wrapped(POSTFIX) + spelling, POSTFIX, lambda env: inner.fn(env).T,
                    inner.bars)

    def kron(self, shape, depth):
        r, c = shape
        shapes = [((r, "1"), ("1", c)), (("1", c), (r, "1"))]
        if r == "1" or c == "1":
            shapes += [(shape, ("1", "1")), (("1", "1"), shape)]
        (ls, rs) = self.pick(shapes)
        left, right = self.expr(ls, depth - 1), self.expr(rs, self.other_depth(depth))
        fn = lambda env: np.kron(left.fn(env), right.fn(env))  # noqa: E731
        if self.flip():
            return Term(f"kron({left.text}, {right.text})", ATOM, fn, left.bars or right.bars)
        return Term(f"{left.wrapped(KRON)} ⊗ {right.wrapped(KRON + 1)}", KRON, fn,
                    left.bars or right.bars)

    def vec(self, shape, depth):
        inner = self.expr(self.pick([shape, shape[::-1]]), depth - 1)
        return Term(f"vec({inner.text})", ATOM, lambda env: vec(inner.fn(env)).reshape(-1, 1),
                    inner.bars)

    # square matrices
    def well_conditioned(self, size: str, depth: int) -> Term:
        """A square matrix near a well-conditioned one: W, W + M/8, W₁W₂, Wᵀ, W⁻¹."""
        if depth <= 0:
            names = ["A", "B"] + (["X"] if not self.rect else []) if size == "n" else ["D"]
            name = self.pick(names)
            return Term(name, ATOM, lambda env: env[name])
        how = self.pick(["W + M/8", "W + M/8", "W W", "W^T", "inv(W)", "2 W"])
        base = self.well_conditioned(size, depth - 1)
        if how == "W + M/8":
            M = self.expr((size, size), self.other_depth(depth))
            return Term(f"{base.wrapped(SUM)} + {M.wrapped(PRODUCT)}/8", SUM,
                        lambda env: base.fn(env) + M.fn(env) / 8, base.bars or M.bars)
        if how == "W W":
            other = self.well_conditioned(size, self.other_depth(depth))
            return Term(f"{base.wrapped(PRODUCT)} {self._right(other, ' ')}", PRODUCT,
                        lambda env: base.fn(env) @ other.fn(env), base.bars or other.bars)
        if how == "W^T":
            return Term(base.wrapped(POSTFIX) + "'", POSTFIX, lambda env: base.fn(env).T, base.bars)
        if how == "2 W":
            return Term(f"2 {self._right(base, ' ')}", PRODUCT, lambda env: 2 * base.fn(env),
                        base.bars)
        return Term(f"inv({base.text})", ATOM,
                    lambda env: np.linalg.inv(_guard_square(base.fn(env))), base.bars)

    def inverse(self, shape, depth):
        W = self.well_conditioned(shape[0], depth - 1)
        spelling = self.pick(["inv", "^-1", "^{-1}", "⁻¹", "^{-T}", "⁻ᵀ", "^-T"])
        if spelling == "inv":
            return Term(f"inv({W.text})", ATOM,
                        lambda env: np.linalg.inv(_guard_square(W.fn(env))), W.bars)
        transposed = "T" in spelling or "ᵀ" in spelling
        return Term(postfix(W, spelling), POSTFIX,
                    lambda env: (lambda Wi: Wi.T if transposed else Wi)(
                        np.linalg.inv(_guard_square(W.fn(env)))), W.bars)

    def power(self, shape, depth):
        k = self.pick([2, 3, -2])
        base = (self.well_conditioned(shape[0], depth - 1) if k < 0
                else self.expr(shape, depth - 1))
        spelling = {2: ["^2", "²", "^{2}"], 3: ["^3", "³"], -2: ["^{-2}", "⁻²", "^-2"]}[k]
        text = postfix(base, self.pick(spelling))

        def fn(env):
            M = base.fn(env)
            return np.linalg.matrix_power(_guard_square(M) if k < 0 else M, k)
        return Term(text, POSTFIX, fn, base.bars)

    # scalars
    def positive(self, depth: int) -> Term:
        """A scalar that is positive wherever it is defined."""
        if depth <= 0:
            return Term("t", ATOM, lambda env: env["t"])
        how = self.pick(["exp", "tr(MᵀM) + 1", "<M,M> + 1", "s^2 + 1", "|W|"])
        depth -= 1
        if how == "exp":
            s = self.expr(("1", "1"), depth)
            return Term(f"exp({s.text})", ATOM, lambda env: np.exp([[_guard_exp(s.fn(env))]]), s.bars)
        if how == "s^2 + 1":
            s = self.expr(("1", "1"), depth)
            return Term(f"{s.wrapped(POSTFIX)}^2 + 1", SUM, lambda env: s.fn(env) ** 2 + 1, s.bars)
        if how == "|W|":
            W = self.well_conditioned("n", depth)
            return Term(f"det({W.text})", ATOM, lambda env: np.array([[_item(np.exp(_logdet(W.fn(env))))]]),
                        W.bars)
        M = self.expr(self.pick([("n", "n"), ("m", "n"), ("n", "1")]), depth)
        if how == "<M,M> + 1":
            return Term(f"<{M.text}, {M.text}> + 1", SUM,
                        lambda env: np.array([[np.sum(M.fn(env) ** 2) + 1]]), M.bars)
        return Term(f"tr({M.wrapped(POSTFIX)}^T {self._right(M, ' ')}) + 1", SUM,
                    lambda env: np.array([[np.sum(M.fn(env) ** 2) + 1]]), M.bars)

    def scalar_function(self, shape, depth):
        name = self.pick(["exp", "log", "ln", "sqrt"])
        if name == "exp":
            s = self.expr(("1", "1"), depth - 1)
            return Term(f"exp({s.text})", ATOM, lambda env: np.exp([[_guard_exp(s.fn(env))]]), s.bars)
        p = self.positive(depth - 1)
        f = np.log if name in ("log", "ln") else np.sqrt
        return Term(f"{name}({p.text})", ATOM, lambda env: np.array([[f(_guard_positive(p.fn(env)))]]),
                    p.bars)

    def scalar_power(self, shape, depth):
        exponent = self.pick(["^2", "²", "^3", "^-1", "^{-2}", "^{1/2}", "^{-1/2}", "^s"])
        if exponent == "^s":  # a symbolic exponent: p^s = exp(s ln p), p > 0
            p, s = self.positive(depth - 1), self.expr(("1", "1"), self.other_depth(depth))
            power = s.text if s.prec >= ATOM and s.text.isalpha() else f"({s.text})"
            return Term(f"{p.wrapped(ATOM)}^{power}", POSTFIX,
                        lambda env: np.array([[_guard_positive(p.fn(env)) **
                                               _guard_exp(s.fn(env))]]), p.bars or s.bars)
        if exponent in ("^2", "²", "^3"):
            s = self.expr(("1", "1"), depth - 1)
            k = 3 if exponent == "^3" else 2
            return Term(postfix(s, exponent), POSTFIX, lambda env: s.fn(env) ** k, s.bars)
        p = self.positive(depth - 1)
        value = {"^-1": -1, "^{-2}": -2, "^{1/2}": 0.5, "^{-1/2}": -0.5}[exponent]
        return Term(postfix(p, exponent), POSTFIX,
                    lambda env: np.array([[_guard_positive(p.fn(env)) ** value]]), p.bars)

    def trace(self, shape, depth):
        M = self.expr(self.pick([("n", "n"), ("m", "m")]), depth - 1)
        name = self.pick(["tr", "trace"])
        return Term(f"{name}({M.text})", ATOM, lambda env: np.array([[np.trace(M.fn(env))]]), M.bars)

    def determinant(self, shape, depth):
        W = self.well_conditioned(self.pick(["n", "m"]), depth - 1)
        log = self.flip()
        spellings = (["logdet(W)", "ln|W|", "log(det(W))", "log(|W|)"] if log
                     else ["det(W)", "|W|"])
        if W.bars:
            spellings = [s for s in spellings if "|" not in s]
        text = self.pick(spellings).replace("W", W.text)
        if log:
            fn = lambda env: np.array([[_logdet(W.fn(env))]])  # noqa: E731
        else:
            fn = lambda env: np.array([[np.linalg.det(_guard_square(W.fn(env)))]])  # noqa: E731
        return Term(text, ATOM, fn, True if "|" in text else W.bars)

    def inner(self, shape, depth):
        s = self.pick([("n", "n"), ("m", "n"), ("n", "1"), ("m", "m")])
        left, right = self.expr(s, depth - 1), self.expr(s, self.other_depth(depth))
        return Term(f"<{left.text}, {right.text}>", ATOM,
                    lambda env: np.array([[np.sum(left.fn(env) * right.fn(env))]]),
                    left.bars or right.bars)

    # MatrixCalculus.org's operators: element by element, constants sized by use, reductions
    def elementwise(self, shape, depth):
        how = self.pick(["M .* N", "M ./ P", "f(M)", "f(M)", "M.^2"])
        M = self.expr(shape, depth - 1)
        if how == "M .* N":
            N = self.expr(shape, self.other_depth(depth))
            return Term(f"{M.wrapped(HADAMARD)} .* {N.wrapped(HADAMARD + 1)}", HADAMARD,
                        lambda env: M.fn(env) * N.fn(env), M.bars or N.bars)
        if how == "M ./ P":
            P = self.elementwise_positive(shape, self.other_depth(depth))
            return Term(f"{M.wrapped(HADAMARD)} ./ {P.wrapped(HADAMARD + 1)}", HADAMARD,
                        lambda env: M.fn(env) / P.fn(env), M.bars or P.bars)
        if how == "M.^2":
            return Term(M.wrapped(POSTFIX) + ".^2", POSTFIX, lambda env: M.fn(env) ** 2, M.bars)
        name = self.pick(["tanh", "sin", "cos", "arctan", "abs", "relu", "sigmoid", "exp"])
        fn = {"tanh": np.tanh, "sin": np.sin, "cos": np.cos, "arctan": np.arctan,
              "abs": lambda v: np.abs(_guard_kink(v)), "exp": lambda v: np.exp(_guard_exp_all(v)),
              "relu": lambda v: np.maximum(_guard_kink(v), 0),
              "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[name]
        return Term(f"{name}({M.text})", ATOM, lambda env: fn(M.fn(env)), M.bars)

    def elementwise_positive(self, shape, depth) -> Term:
        M = self.expr(shape, depth)
        return Term(f"exp({M.text})", ATOM, lambda env: np.exp(_guard_exp_all(M.fn(env))), M.bars)

    def constant(self, shape, depth):
        """M + I, M − eye, x + ones, x + vector(2), M + matrix(0.5): sized by their use."""
        M = self.expr(shape, depth - 1)
        r, c = shape
        options = [("matrix(0.5)", lambda n, k: np.full((n, k), 0.5))]
        if r == c:
            options += [("I", lambda n, k: np.eye(n)), ("eye", lambda n, k: np.eye(n))]
        if c == "1":
            options += [("ones", lambda n, k: np.ones((n, 1))),
                        ("vector(2)", lambda n, k: np.full((n, 1), 2.0))]
        text, value = self.pick(options)
        op = self.pick(["+", "-"])
        sign = 1 if op == "+" else -1
        return Term(f"{M.wrapped(SUM)} {op} {text}", SUM,
                    lambda env: M.fn(env) + sign * value(*M.fn(env).shape), M.bars)

    def reduction(self, shape, depth):
        how = self.pick(["sum", "norm1", "norm2", "norm2^2"])
        M = self.expr(self.pick([("n", "n"), ("m", "n"), ("n", "1")]), depth - 1)
        if how == "sum":
            return Term(f"sum({M.text})", ATOM, lambda env: np.array([[np.sum(M.fn(env))]]), M.bars)
        if how == "norm1":
            return Term(f"norm1({M.text})", ATOM,
                        lambda env: np.array([[np.sum(np.abs(_guard_kink(M.fn(env))))]]), M.bars)
        fn = lambda env: np.array([[_guard_positive(np.sqrt(np.sum(M.fn(env) ** 2)))]])  # noqa: E731
        if how == "norm2":
            return Term(f"norm2({M.text})", ATOM, fn, M.bars)
        return Term(f"norm2({M.text})^2", POSTFIX, lambda env: fn(env) ** 2, M.bars)


def _guard_kink(v: np.ndarray) -> np.ndarray:
    """Central differences straddle a kink of abs or relu only near 0."""
    if np.min(np.abs(v), initial=1) < 1e-3:
        raise OutOfDomain
    return v


def _guard_exp_all(v: np.ndarray) -> np.ndarray:
    if np.max(np.abs(v), initial=0) > 20:
        raise OutOfDomain
    return v


@dataclass
class Question:
    text: str
    wrt: str | None        # None when the text says it: d … / dX
    variable: str
    shapes: dict
    fn: Callable[[dict], np.ndarray]
    scalar: bool


@st.composite
def questions(draw, scalar: bool | None = None):
    rect = draw(st.booleans())
    variable = draw(st.sampled_from(["X", "X", "X", "X", "a", "t"]))
    grammar = Grammar(draw, rect, variable)
    shape = ("1", "1") if scalar or (scalar is None and draw(st.booleans())) else \
        draw(st.sampled_from([("n", "n"), ("m", "n"), ("n", "1"), ("1", "n"), ("n", "m")]))
    term = grammar.expr(shape, draw(st.integers(4, 6)))
    shapes = {n: tuple(1 if d == "1" else d for d in s) for n, s in grammar.names.items()
              if s != (("n", "n") if n.isupper() else ("n", "1"))}
    form = draw(st.sampled_from(["wrt", "wrt", "d", "∂"]))
    text, wrt = term.text, variable
    if form == "d":
        text, wrt = f"d {text} / d{variable}", None
    elif form == "∂":
        text, wrt = f"∂{text}/∂{variable}", None
    return Question(text, wrt, variable, shapes, term.fn, shape == ("1", "1"))


def random_point(q: Question, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n, m = SIZES["n"], SIZES["m"]
    X = rng.standard_normal((m, n)) / 2 if q.shapes.get("X") else np.eye(n) + 0.2 * rng.standard_normal((n, n))
    return {"X": X,
            "A": np.eye(n) + 0.2 * rng.standard_normal((n, n)),
            "B": np.eye(n) + 0.2 * rng.standard_normal((n, n)),
            "C": rng.standard_normal((m, n)) / 2,
            "D": np.eye(m) + 0.2 * rng.standard_normal((m, m)),
            "a": rng.standard_normal((n, 1)) / 2,
            "b": rng.standard_normal((m, 1)) / 2,
            "t": np.array([[0.5 + rng.random() / 2]])}


def _value(q: Question, env: dict) -> np.ndarray:
    try:
        with np.errstate(all="raise"):
            value = as_matrix(q.fn(env))
    except (OutOfDomain, FloatingPointError, np.linalg.LinAlgError):
        raise OutOfDomain
    if not np.all(np.isfinite(value)) or np.abs(value).max(initial=0) > 1e6:
        raise OutOfDomain
    return value


def reference_jacobian(q: Question, env: dict) -> tuple[np.ndarray, np.ndarray]:
    """The function's value and its finite-difference Jacobian, or OutOfDomain where the point
    is outside the domain or two step sizes disagree (the differences are unreliable there)."""
    F = _value(q, env)
    fine = fd_jacobian(lambda v: _value(q, v), env, q.variable, h=1e-6)
    coarse = fd_jacobian(lambda v: _value(q, v), env, q.variable, h=1e-5)
    scale = max(np.linalg.norm(fine), 1e-6 * (1 + np.linalg.norm(F)))
    if np.linalg.norm(fine - coarse) > 1e-6 * scale:
        raise OutOfDomain
    return F, fine


def fd_error(actual, expected, F) -> float:
    actual, expected = as_matrix(actual), as_matrix(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape}, expected {expected.shape}"
    scale = max(np.linalg.norm(expected), 1e-6 * (1 + np.linalg.norm(F)))
    return float(np.linalg.norm(actual - expected) / scale)


def checked_point(q: Question, seed: int):
    env = random_point(q, seed)
    try:
        F, J = reference_jacobian(q, env)
    except OutOfDomain:
        assume(False)
    return env, F, J


TOLERANCE = 1e-5  # central differences at h = 1e-6 agree with the truth to ~1e-8 here
EXAMPLES = int(os.environ.get("MATCALC_EXAMPLES", "150"))  # raise it to search harder


@settings(max_examples=EXAMPLES, deadline=None)
@given(questions(), st.integers(0, 2**16))
def test_jacobian_matches_finite_differences(q: Question, seed: int):
    env, F, J = checked_point(q, seed)
    d = derive(q.text, q.wrt, q.shapes)
    assert fd_error(evaluate(d.expr, env, SIZES), F, F) < 1e-9, "the parse differs from the text"
    numpy_code = eval_numpy_code(d.render("numpy"), env)
    tree = evaluate(d.jacobian, env, SIZES)
    where = f"{q.text!r} by {q.variable}: {d.unicode}"
    assert fd_error(numpy_code, J, F) < TOLERANCE, f"numpy code of {where}"
    assert fd_error(tree, J, F) < TOLERANCE, f"evaluated Jacobian of {where}"


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(questions(scalar=True), st.integers(0, 2**16))
def test_gradient_matches_finite_differences(q: Question, seed: int):
    env, F, J = checked_point(q, seed)
    d = derive(q.text, q.wrt, q.shapes)
    G = J.reshape(np.shape(env[q.variable]), order="F")
    where = f"{q.text!r} by {q.variable}: {d.render('unicode', 'gradient')}"
    assert fd_error(eval_numpy_code(d.render("numpy", "gradient"), env), G, F) < TOLERANCE, where
    assert fd_error(evaluate(d.gradient, env, SIZES), G, F) < TOLERANCE, where


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(questions())
def test_every_printer_renders_every_derivative(q: Question):
    d = derive(q.text, q.wrt, q.shapes)
    layouts = ["jacobian", "gradient"] if d.expr.is_scalar else ["jacobian"]
    for layout in layouts:
        for fmt in FORMATS:
            text = d.render(fmt, layout)
            assert text
            if fmt in ("unicode", "ascii", "latex", "numpy"):
                assert "\n" not in text
            if fmt in ("ascii", "latex", "numpy"):
                assert text.isascii(), f"{fmt} output is not ASCII: {text}"
