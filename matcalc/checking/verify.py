"""Checks that derivatives are right: every rule, every identity of the simplifier, any answer.

The check list is read off the tables it checks, so it cannot drift from them:
- one row per rule of `rules.RULES`, each applied to specimens built from the rule's node type
  (its fields' types say what to fill in: operands for an Expr, small integers for an int, …)
  with operands F(X) whose Jacobians are given by their definition (∂(AXB) = Bᵀ ⊗ A), so a
  wrong rule fails its own row and no other;
- one row per pair rule of `simplify.PAIR_RULES`, on every pair of a pool of factors it fires on;
- one row per identity a canonical constructor of `simplify.CONSTRUCTORS` applies to the pool;
- one row that simplifies every rule's Jacobian and compares it with the raw one.
A rule or identity with nothing to check it on fails its row, so a new one is never skipped.

Numerically, a Jacobian J is applied to random directions vec(E) by structure (see
`directional`) and compared with the complex step Im f(X + ihE)/h or central differences
(f(X + hE) − f(X − hE))/2h; nothing of size n⁴ is formed. `--exact` compares, with sympy at
rational points, J vec(E) with the coefficient of t in f(X + tE) (see `exact`): equality.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterable, Iterator

import numpy as np

from ..calculus import rules as rules_module
from ..calculus import simplify as simplify_module
from ..calculus.dims import DERIVED_SIZES, ONE, Dim
from . import directional, resources
from .directional import DomainError, TooLarge, Values, apply
from ..errors import MatcalcError, ShapeError
from ..calculus.expr import (MATRIX_FUNCTIONS, Add, Chol, Extreme, Factor, Frechet, HalfLower, MatFunc,
                   Spectrum)
from ..calculus.expr import (Commutation, Det, DiagMatrix, Duplication, ElementFunc, ElementPow, Expr, Func,
                   Hadamard, Identity, Inverse, Kron, Mul, Num, Ones, Power, ScalarPow, Softmax, SumAll,
                   Trace, Transpose, Var, Vec,
                   variables)
from ..calculus.matfunc import requirements
from .numeric import dim_value
from ..render import render

TOLERANCE = {"complex": 1e-8, "central": 1e-5, "identity": 1e-9}
NOISE_FLOOR = {"complex": 1e-6, "central": 1e-4}  # × (1 + ‖f‖): below this a derivative is 0
ATTEMPTS = 8  # random points tried before a domain is given up on
CONFIRMATIONS = 3  # random points a numeric disagreement must recur at
EXACT_MAX_SIZE = 6


# ── points ──────────────────────────────────────────────────────────────────────────────

def size_values(names: Iterable[Var], size: int) -> dict[str, int]:
    """n takes the given size; other size names N+1, N+2, … so that shapes meant to differ do."""
    symbols = sorted({s for v in names for d in v.shape for s in d.symbols
                      if s not in DERIVED_SIZES})
    others = [s for s in symbols if s != "n"]
    sizes = {s: size + 1 + i for i, s in enumerate(others)}
    if "n" in symbols:
        sizes["n"] = size
    return sizes


def random_point(names: Iterable[Var], sizes: dict[str, int], rng, attempt: int,
                 needs: dict[str, str] | None = None) -> dict:
    """Random values that keep inverses tame: a square matrix is ±(I + 0.4G/√n), G Gaussian.

    ‖0.4G/√n‖ ≈ 0.8, so the matrix is invertible with a condition number of about 9 at any n,
    and its determinant is near 1 (no overflow at n = 1024). The first attempt has every
    determinant positive; odd ones make every element at least 1/2 (for log(X) element-wise), even
    ones flip signs at random (for ln(−tr X)).

    `needs` names the matrices that must be "symmetric" (eig(S)) or "spd" (chol(S), logm(X)):
    they are made so, the symmetric part of I + 0.4G/√n being positive definite.
    """
    env = {}
    for var in names:
        r, c = dim_value(var.rows, sizes), dim_value(var.cols, sizes)
        G = rng.standard_normal((r, c))
        if r == c and r > 1:
            value = np.eye(r) + 0.4 * G / np.sqrt(r)
        else:
            value = G / np.sqrt(max(r, c))
        if attempt % 2:
            value = np.abs(value) + 0.5
        elif attempt and rng.random() < 0.5:
            value = -value
        need = (needs or {}).get(var.name)
        if need == "spd" and r == c and r > 1:
            value = np.eye(r) + 0.2 * (G + G.T) / np.sqrt(r)
        elif need and r == c:
            value = (value + value.T) / 2
        env[var.name] = value
    return env


def _direction(rng, X: np.ndarray) -> np.ndarray:
    E = rng.standard_normal(X.shape)
    return E * (np.linalg.norm(X) / np.linalg.norm(E))


def _fitting(rows: Dim, columns: int, sizes: dict) -> int:
    """The number of rows, when a block of them fits in memory."""
    value = dim_value(rows, sizes)
    if value * columns > directional.MAX_ENTRIES:
        raise TooLarge(f"a block of {value} rows is too large to check at this size")
    return value


def _norm(x: np.ndarray) -> float:
    """The 2-norm, scaled first so that entries near 1e200 (exp of a large trace) do not overflow."""
    largest = float(np.max(np.abs(x), initial=0.0))
    return 0.0 if largest == 0 else largest * float(np.linalg.norm(x / largest))


def _relative(a: np.ndarray, b: np.ndarray, floor: float = 0.0) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖, floor); anything not finite counts as a total disagreement."""
    size = max(_norm(a), _norm(b), floor)
    error = 0.0 if size == 0 else _norm(a - b) / size
    return error if np.isfinite(error) else float("inf")


# ── judges: one numeric, one exact; both compare a Jacobian with f, or two expressions ──

class NumericJudge:
    """Structural J·vec(E) against the complex step or central differences, at random points."""

    def __init__(self, method: str = "central", directions: int = 2):
        if method not in NOISE_FLOOR:
            raise MatcalcError(f"unknown method {method!r}; use complex or central")
        self.method, self.directions = method, directions
        self.tolerance = TOLERANCE[method]
        self.identity_tolerance = TOLERANCE["identity"]

    def derivative_error(self, f: Expr, J: Expr, wrt: Var, sizes: dict, rng) -> float:
        """The error at a random point; a disagreement must recur at CONFIRMATIONS points.

        A wrong Jacobian disagrees everywhere; differences can also disagree at an unlucky
        point, such as (aᵀXb)^(−1/2) where aᵀXb happens to be near 0, and not at the next one.
        """
        errors = []
        for _ in range(CONFIRMATIONS):
            errors.append(self._error_at_random_point(f, J, wrt, sizes, rng))
            if errors[-1] <= self.tolerance:
                break
        return min(errors)

    def _error_at_random_point(self, f: Expr, J: Expr, wrt: Var, sizes: dict, rng) -> float:
        names, needs = _names(f, J, wrt), requirements(f, J)
        for attempt in range(ATTEMPTS):
            env = random_point(names, sizes, rng, attempt, needs)
            try:
                return self._derivative_at(f, J, wrt, env, sizes, rng)
            except DomainError as err:
                last = err
        raise _outside(last)

    def _derivative_at(self, f, J, wrt, env, sizes, rng) -> float:
        at_x = Values(env, sizes)
        f_norm = _norm(at_x(f))
        X = env[wrt.name]
        Es = [_direction(rng, X) for _ in range(self.directions)]
        V = np.column_stack([E.reshape(-1, order="F") for E in Es])
        answers = apply(J, V, at_x)
        floor = NOISE_FLOOR[self.method] * (1 + f_norm)
        worst = 0.0
        for i, E in enumerate(Es):
            reference = self._difference(f, wrt, env, sizes, E).reshape(-1, order="F")
            worst = max(worst, _relative(answers[:, i], reference, floor))
        return worst

    def _difference(self, f, wrt, env, sizes, E):
        X = env[wrt.name]
        if self.method == "complex":
            h = 1e-20
            return Values({**env, wrt.name: X + 1j * h * E}, sizes)(f).imag / h
        h = np.cbrt(np.finfo(float).eps) * max(1.0, np.abs(X).max()) / np.abs(E).max()
        ahead = Values({**env, wrt.name: X + h * E}, sizes)(f)
        behind = Values({**env, wrt.name: X - h * E}, sizes)(f)
        return (ahead - behind) / (2 * h)

    def identity_error(self, lhs: Expr, rhs: Expr, sizes: dict, rng) -> float:
        names, needs = _names(lhs, rhs), requirements(lhs, rhs)
        for attempt in range(ATTEMPTS):
            env = random_point(names, sizes, rng, attempt, needs)
            try:
                values = Values(env, sizes)
                V = rng.standard_normal((_fitting(lhs.shape[1], 2, sizes), 2))
                return _relative(apply(lhs, V, values), apply(rhs, V, values))
            except DomainError as err:
                last = err
        raise _outside(last)


class ExactJudge:
    """J vec(E) against the coefficient of t in f(X + tE), in exact arithmetic: 0 or 1."""

    tolerance = identity_tolerance = 0.5

    def __init__(self, directions: int = 1):
        import sympy  # noqa: F401  (fail early, and only here, if sympy is missing)
        self.directions = directions

    def derivative_error(self, f: Expr, J: Expr, wrt: Var, sizes: dict, rng) -> float:
        from .exact import EXACT_SECONDS, ExactDomainError, ExactSeries, is_zero, vec
        names = _names(f, J, wrt)
        deadline = time.perf_counter() + EXACT_SECONDS
        for attempt in range(ATTEMPTS):
            env = _rational_point(names, sizes, rng, attempt)
            try:
                answer_at = ExactSeries(env, sizes, deadline=deadline)
                for _ in range(self.directions):
                    E = _rational_matrix(rng, *env[wrt.name].shape, integers=True)
                    coefficient = ExactSeries(env, sizes, wrt, E, deadline)(f)[1]
                    answer = answer_at.value(J) * vec(E)
                    expected = vec(coefficient) if coefficient is not None else 0 * answer
                    if not is_zero(answer - expected):
                        return 1.0
                return 0.0
            except ExactDomainError as err:
                last = err
        raise _outside(last, "rational ")

    def identity_error(self, lhs: Expr, rhs: Expr, sizes: dict, rng) -> float:
        from .exact import ExactDomainError, ExactSeries, is_zero
        names = _names(lhs, rhs)
        for attempt in range(ATTEMPTS):
            env = _rational_point(names, sizes, rng, attempt)
            try:
                values = ExactSeries(env, sizes)
                return 0.0 if is_zero(values.value(lhs) - values.value(rhs)) else 1.0
            except ExactDomainError as err:
                last = err
        raise _outside(last, "rational ")


def _rational_matrix(rng, rows: int, cols: int, integers: bool = False):
    import sympy
    denominators = (1,) if integers else (1, 1, 2, 3)
    return sympy.Matrix(rows, cols, lambda i, j: sympy.Rational(
        int(rng.integers(-4, 5)), int(rng.choice(denominators))))


def _rational_point(names, sizes, rng, attempt: int) -> dict:
    """Small rationals; square matrices get 2I added, which makes most of them invertible.
    Odd attempts make every element positive, as random_point does."""
    import sympy
    env = {}
    for var in names:
        r, c = dim_value(var.rows, sizes), dim_value(var.cols, sizes)
        M = _rational_matrix(rng, r, c)
        if attempt % 2:
            M = M.applyfunc(lambda x: abs(x) or sympy.Rational(1, 2))
        env[var.name] = M + 2 * sympy.eye(r) if r == c and r > 1 else M
    return env


def _outside(last: Exception, kind: str = "") -> DomainError:
    return DomainError(f"found no {kind}point in the expression's domain in {ATTEMPTS} random "
                       f"tries; the last: {last}")


def _names(*exprs: Expr) -> list[Var]:
    found: dict[str, Var] = {}
    for e in exprs:
        found.update(variables(e))
    return list(found.values())


# ── one answer ──────────────────────────────────────────────────────────────────────────

@dataclass
class ExpressionReport:
    """The outcome of checking one derivative."""
    question: str
    answer: str
    sizes: dict
    method: str
    points: int
    directions: int
    error: float
    tolerance: float
    seconds: float

    @property
    def passed(self) -> bool:
        return self.error <= self.tolerance

    def lines(self) -> list[str]:
        sizes = ", ".join(f"{k}={v}" for k, v in sorted(self.sizes.items())) or "fixed shapes"
        how = {"complex": "complex step", "central": "central differences",
               "exact": "exact arithmetic (sympy)"}[self.method]
        if self.method == "exact":
            outcome = "equal" if self.passed else "NOT equal"
        else:
            outcome = f"largest relative error {self.error:.1e} (tolerance {self.tolerance:.0e})"
        return [f"{self.question} = {self.answer}",
                f"{how} at {_count(self.points, 'random point')} × "
                f"{_count(self.directions, 'direction')}, {sizes}",
                f"{outcome}: {'pass' if self.passed else 'FAIL'}  ({self.seconds:.2f} s)"]


def _check_size(size: int, method: str) -> None:
    if size < 1:
        raise MatcalcError("--size must be at least 1")
    if method == "exact" and size > EXACT_MAX_SIZE:
        raise MatcalcError(f"--size {size} is too large for --exact: exact arithmetic works "
                           f"with sizes up to {EXACT_MAX_SIZE}; use the numeric check at this size")


def _count(k: int, noun: str) -> str:
    return f"{k} {noun}{'s' if k != 1 else ''}"


def verify_expression(text: str, wrt: str | None = None, shapes: dict | None = None,
                      size: int = 4, seed: int = 0, method: str = "central",
                      points: int | None = None, directions: int | None = None) -> ExpressionReport:
    """Derive `text`, then check the answer at random points (method: central, complex, exact).

    A wrong Jacobian disagrees with the differences in almost every direction, so one point
    and one direction decide; small sizes get two of each, large ones one (n > 64).
    """
    from ..api import derive
    _check_size(size, method)
    start = time.perf_counter()
    points = points or (2 if size <= 64 else 1)
    directions = directions or (2 if size <= 64 else 1)
    d = derive(text, wrt, shapes)
    sizes = size_values(d.names.values(), size)
    evaluations = points * (2 * directions + 2)  # f at X ± hE for each direction, and J·vec(E)
    resources.require_verify(d.expr, d.names.values(), sizes, evaluations, method,
                             "use smaller sizes in --shape, or symbolic ones (X=m,n), which "
                             "take the value of --size" if shapes else "use a smaller --size")
    given = max((dim.coeff for v in d.names.values() for dim in v.shape if not dim.symbols),
                default=1)
    if method == "exact" and given > EXACT_MAX_SIZE:  # --shape X=60,60, as --size 60 is
        raise MatcalcError(f"a size of {given} is too large for --exact: exact arithmetic works "
                           f"with sizes up to {EXACT_MAX_SIZE}; use the numeric check at this size")
    judge = ExactJudge(directions) if method == "exact" else NumericJudge(method, directions)
    rng = np.random.default_rng(seed)
    error = max(judge.derivative_error(d.expr, d.jacobian, d.wrt, sizes, rng)
                for _ in range(points))
    return ExpressionReport(d.label, d.unicode, sizes, method, points, directions, error,
                            judge.tolerance, time.perf_counter() - start)


# ── the table: specimens built from each node type's fields ─────────────────────────────

@dataclass(frozen=True)
class Operand:
    """F(X) with its Jacobian written from the definition, independent of the rule table."""
    expr: Expr
    jacobian: Expr


class Specimens:
    """The variables of the table checks, and the operands the rules are applied to."""

    def __init__(self):
        n, two, three = Dim.of("n"), Dim(2), Dim(3)
        self.n = n
        self.X = X = Var("X", n, n)
        A, B, C = (Var(name, n, n) for name in "ABC")
        a, b = Var("a", n, ONE), Var("b", n, ONE)
        P, Q, R = Var("P", three, n), Var("Q", n, two), Var("R", n, two)
        I = Identity(n)  # noqa: E741
        self.operands = [
            Operand(X, Identity(n * n)),
            Operand(Mul((A, X, B)), Kron(Transpose(B), A)),                      # ∂(AXB) = Bᵀ ⊗ A
            Operand(Mul((Transpose(X), C)), Mul((Kron(Transpose(C), I), Commutation(n, n)))),
            Operand(Mul((P, X, Q)), Kron(Transpose(Q), P)),                      # 3×2
            Operand(Mul((X, R)), Kron(Transpose(R), I)),                         # n×2
            Operand(Mul((X, a)), Kron(Transpose(a), I)),                         # n×1
            Operand(Mul((Transpose(a), X, b)), Kron(Transpose(b), Transpose(a))),  # aᵀXb
            Operand(Trace(Mul((Transpose(X), X))), Mul((Num(Fraction(2)), Transpose(Vec(X))))),
            Operand(Hadamard(X, X), Mul((Num(Fraction(2)), DiagMatrix(Vec(X))))),  # positive
            Operand(Mul((Transpose(R), X)), Kron(I, Transpose(R))),              # 2×n, wide
            # dλᵢ = qᵢᵀdX qᵢ and dσᵢ = uᵢᵀdX wᵢ (Magnus & Neudecker §8.7–8.9), for max(eig(X))
            Operand(Spectrum("eig", X), _selected(Transpose(Factor("Q", X)),
                                                  Transpose(Factor("Q", X)))),
            Operand(Spectrum("svd", X), _selected(Transpose(Factor("W", X)),
                                                  Transpose(Factor("U", X)))),
        ]
        self.known = {o.expr: o.jacobian for o in self.operands}

    def field_values(self, kind: str, node_type: type) -> list:
        """What fills a node's field of this kind when a specimen is built."""
        exprs = [o.expr for o in self.operands]
        if kind == "Expr":
            return exprs
        if kind == "tuple[Expr, ...]":
            return list(itertools.product(exprs, repeat=2)) + [(exprs[1], exprs[2], exprs[0])]
        if kind == "int":
            return [3, -2]
        if kind == "str":
            return list(function_names(node_type))
        if kind == "Fraction":
            return [Fraction(3, 2), Fraction(-1, 2)]
        if kind == "Dim":
            return [self.n, Dim(3)]
        raise LookupError(kind)

    def of(self, node_type: type) -> list[Expr]:
        """Every node of this type whose fields can be filled in and whose shapes fit."""
        if node_type is Var:  # a name is not an operand: X itself, and another variable
            return [self.X, Var("Y", self.n, self.n)]
        return build_all(node_type, self.field_values)


def _selected(C: Expr, A: Expr) -> Expr:
    """diag(A M Cᵀ) as a function of vec M: (𝟏ᵀ ⊗ I) diag(vec I)(C ⊗ A)."""
    n = A.shape[0]
    return Mul((Kron(Ones(ONE, n), Identity(n)), DiagMatrix(Vec(Identity(n))), Kron(C, A)))


def function_names(node_type: type) -> dict:
    """The names a function node may carry: those its rule knows a derivative for."""
    named = {MatFunc: MATRIX_FUNCTIONS, Spectrum: ("eig", "svd"), Extreme: ("max", "min")}
    if node_type in named:
        return dict.fromkeys(named[node_type])
    if node_type not in (Func, ElementFunc):
        raise LookupError(node_type)
    return rules_module.DERIVATIVES


def build_all(node_type: type, field_values: Callable[[str, type], list]) -> list[Expr]:
    """node_type(*fields) for every combination of field values that makes a well-shaped node."""
    kinds = [node_type.__annotations__[name] for name in node_type.fields]
    try:
        choices = [field_values(kind, node_type) for kind in kinds]
    except LookupError:
        return []
    built: dict[Expr, None] = {}
    for args in itertools.product(*choices):
        try:
            built[node_type(*args)] = None
        except (ShapeError, TypeError, ValueError):
            continue
    return list(built)


class _Given:
    """The d a rule is handed: operands' Jacobians from their definitions, X's is I."""

    def __init__(self, wrt: Var, known: dict[Expr, Expr]):
        self.wrt, self.known = wrt, known

    def depends(self, e: Expr) -> bool:
        return e is self.wrt or e in self.known or any(self.depends(c) for c in e.children)

    def __call__(self, e: Expr) -> Expr:
        if e is self.wrt:
            return Identity(e.size)
        if e in self.known:
            return self.known[e]
        if not self.depends(e):
            return rules_module._constant(e, self)
        raise MatcalcError(f"a rule asked for the Jacobian of {render(e)}, which is not an operand")


# ── rows ────────────────────────────────────────────────────────────────────────────────

@dataclass
class Outcome:
    kind: str
    name: str
    formula: str
    cases: int
    error: float | None
    passed: bool
    note: str = ""


@dataclass
class Check:
    """One row: a name, a formula, and the cases that check it."""
    kind: str  # "rule" or "identity"
    name: str
    formula: str
    cases: list = field(default_factory=list)  # callables (judge, sizes, rng) -> error
    why_empty: str = ""

    def run(self, judge, sizes: dict, rng) -> Outcome:
        if not self.cases:
            return Outcome(self.kind, self.name, self.formula, 0, None, False, self.why_empty)
        worst, checked, skipped, smallest, note = 0.0, 0, 0, sizes.get("n"), ""
        tolerance = judge.tolerance if self.kind == "rule" else judge.identity_tolerance
        inexact = 0
        for case in self.cases:
            try:
                error, used = _run_shrinking(case, judge, sizes, rng)
            except DomainError:
                skipped += 1
                continue
            except Exception as err:  # a wrong rule may build a badly shaped answer
                if type(err).__name__ == "Inexact":  # e^X, eigenvalues: irrational
                    inexact += 1
                    continue
                label = getattr(case, "label", "fails")
                return Outcome(self.kind, self.name, self.formula, checked + 1, float("inf"),
                               False, f"{label}: {type(err).__name__}: {err}")
            checked += 1
            error = error if error == error else float("inf")  # NaN fails
            smallest = min(smallest, used) if smallest else smallest
            if error > tolerance and not note:
                note = getattr(case, "label", "")
            worst = max(worst, error)
        if not checked and inexact and not skipped:
            return Outcome(self.kind, self.name, self.formula, 0, None, True,
                           "irrational at rational points: checked by the numeric methods")
        if not checked:
            return Outcome(self.kind, self.name, self.formula, 0, None, False,
                           f"all {skipped} cases fell outside their domain")
        passed = worst <= tolerance
        if passed:
            notes = [f"{skipped} of {checked + skipped} cases outside their domain"] if skipped \
                else []
            if inexact:
                notes.append(f"{inexact} irrational cases left to the numeric methods")
            if smallest is not None and smallest < sizes.get("n", 0):
                notes.append(f"some cases at n = {smallest}, where their pieces fit in memory")
            note = "; ".join(notes)
        return Outcome(self.kind, self.name, self.formula, checked, worst, passed, note)


def _run_shrinking(case, judge, sizes: dict, rng) -> tuple[float, int | None]:
    """Run a case; one that would write out too much (n⁴ for (A ⊗ B)⁻¹) runs at a smaller n."""
    while True:
        try:
            return case(judge, sizes, rng), sizes.get("n")
        except TooLarge:
            if sizes.get("n", 1) <= 2:
                raise
            sizes = {**sizes, "n": sizes["n"] // 2}


def _formula(fn: Callable) -> str:
    return (fn.__doc__ or fn.__name__).strip().splitlines()[0]


def _label(fn: Callable, label: str) -> Callable:
    fn.label = label
    return fn


def rule_checks(specimens: Specimens) -> list[Check]:
    """One row per distinct rule in rules.RULES, with every specimen of every node type it serves."""
    rows: dict[Callable, Check] = {}
    for node_type, r in rules_module.RULES.items():
        check = rows.setdefault(r.jacobian, Check("rule", r.name, _formula(r.jacobian)))
        check.cases += [_rule_case(r, node, specimens) for node in specimens.of(node_type)]
        if not check.cases:
            check.why_empty = f"no specimen of {node_type.__name__} can be built; see Specimens"
    return list(rows.values())


def _rule_case(r, node: Expr, specimens: Specimens) -> Callable:
    def case(judge, sizes, rng):
        J = r.jacobian(node, _Given(specimens.X, specimens.known))
        if J.shape != (node.size, specimens.X.size):
            raise ShapeError(f"the rule's answer has shape {J.shape}, not {node.size}×{specimens.X.size}")
        return judge.derivative_error(node, J, specimens.X, sizes, rng)
    return _label(case, f"fails on {render(node)}")


def simplified_jacobians_check(specimens: Specimens) -> Check:
    """simplify(∂F) = ∂F for every rule specimen: the rewriting keeps every value."""
    check = Check("identity", "simplified Jacobians", "simplify(∂F) = ∂F for every specimen above")
    for node_type, r in rules_module.RULES.items():
        check.cases += [_simplified_case(r, node, specimens) for node in specimens.of(node_type)]
    return check


def _simplified_case(r, node, specimens) -> Callable:
    def case(judge, sizes, rng):
        J = r.jacobian(node, _Given(specimens.X, specimens.known))
        return judge.identity_error(J, simplify_module.simplify(J), sizes, rng)
    return _label(case, f"fails on ∂{render(node)}")


class Pool:
    """Factors the simplifier's identities are tried on: rectangular where it can catch a swap."""

    def __init__(self):
        n, two, three = Dim.of("n"), Dim(2), Dim(3)
        A, B, C, D, G, M = (Var(name, n, n) for name in "ABCDGM")
        P, Q = Var("P", two, three), Var("Q", three, two)
        W, V = Var("W", n, two), Var("V", n, three)
        u, v = Var("u", n, ONE), Var("v", n, ONE)
        self.factors = [
            Kron(A, B), Kron(C, D), Kron(P, A), Kron(Q, B),
            Transpose(Vec(G)), Transpose(Vec(W)), Vec(M), Vec(V),
            Commutation(n, n), Commutation(two, n), Commutation(three, n), Commutation(n, three),
            A, B, Inverse(A), Power(A, 2), Transpose(A), Transpose(B), Transpose(Inverse(A)),
            DiagMatrix(u), DiagMatrix(v), DiagMatrix(Vec(M)), Hadamard(A, Identity(n)),
            Ones(n, ONE), Ones(ONE, n), Duplication(n), Transpose(Duplication(n)),
            Frechet("expm", A), Frechet("logm", B), Frechet("sqrtm", C),
            Transpose(Vec(Transpose(Power(A, 2)))), Vec(Power(A, 2)), Vec(Inverse(B)),
            Chol(D), Transpose(Chol(D)), Inverse(Chol(D)), Transpose(Inverse(Chol(D))),
            Add((Identity(n * n), Commutation(n, n))),
            Factor("Q", M), Transpose(Factor("Q", M)), Factor("U", V), Transpose(Factor("U", V)),
            u, Transpose(u),
        ]
        x = Var("x", n, ONE)
        self.operands = [A, Kron(A, B), Kron(A, P), Commutation(n, three), Transpose(A),
                         Inverse(A), Power(A, 2), Mul((Num(Fraction(2)), A)),
                         Mul((Transpose(A), A)), Transpose(x), Identity(n), Det(A), P,
                         Transpose(Vec(A)), Transpose(Vec(B)), HalfLower(n),
                         MatFunc("sqrtm", A)] + self.logistic(n)

    @staticmethod
    def logistic(n: Dim) -> list[Expr]:
        """Operands on which the identities of exp, log, σ and softmax fire: exp(x) and
        (𝟏 + exp(x)).^(−1) (σ), 𝟏 + exp(x) (softplus), sum(exp(x))⁻¹ (softmax), σ(−x);
        sinh(x) and cosh(x).^(−1) (tanh); y ∘ (𝟏 − σ(x)) and −σ(x) ∘ (𝟏 − y), whose sum is y − σ(x);
        σ(x) ∘ y (a common factor); diag(exp(x)) and diag(σ(x)) (a sum of diagonals); 4 sum(exp(x))
        and √sum(exp(x)) (√(4u) = 2√u, √u u = u^{3/2})."""
        x, y, t = Var("x", n, ONE), Var("y", n, ONE), Var("t", ONE, ONE)
        e, s = ElementFunc("exp", x), ElementFunc("sigmoid", x)
        one_plus = Add((Ones(n, ONE), e))

        def one_minus(v):
            return Add((Ones(n, ONE), Mul((Num(Fraction(-1)), v))))
        hadamards = [Hadamard(y, one_minus(s)), Mul((Num(Fraction(-1)), Hadamard(s, one_minus(y)))),
                     ElementFunc("sinh", x), ElementPow(ElementFunc("cosh", x), Fraction(-1)),
                     Hadamard(s, y), DiagMatrix(e), DiagMatrix(s),
                     Mul((Num(Fraction(4)), SumAll(e))), Func("sqrt", SumAll(e))]
        return [e, one_plus, ElementPow(one_plus, Fraction(-1)), SumAll(e),
                ScalarPow(SumAll(e), Fraction(-1)), ElementFunc("sigmoid", x),
                ElementFunc("sigmoid", Mul((Num(Fraction(-1)), x))), Softmax(x),
                Add((Num(Fraction(1)), Func("exp", t)))] + hadamards

    def field_values(self, kind: str, node_type: type) -> list:
        if kind == "Expr":
            return self.operands
        if kind == "tuple[Expr, ...]":
            return list(itertools.product(self.operands, repeat=2))
        if kind == "int":
            return [2]
        if kind == "str":
            return [name for name in ("log", "exp", "sigmoid") if name in function_names(node_type)]
        if kind == "Fraction":
            return [Fraction(-1), Fraction(1, 2)]
        if kind == "Dim":
            return [Dim.of("n"), ONE]
        raise LookupError(kind)


def pair_rule_checks(pool: Pool) -> list[Check]:
    """One row per pair rule of the simplifier, on every pair of pool factors it rewrites."""
    checks = []
    for pair_rule in simplify_module.PAIR_RULES:
        check = Check("identity", pair_rule.__name__.replace("_", " "), _formula(pair_rule),
                      why_empty="applies to no pair of the pool; add a factor to Pool")
        for a, b in itertools.product(pool.factors, repeat=2):
            try:
                lhs = Mul((a, b))
                replacement = pair_rule(a, b)
            except ShapeError:
                continue
            if replacement is not None:
                check.cases.append(_identity_case(lhs, replacement))
        checks.append(check)
    return checks


def _identity_case(lhs: Expr, replacement) -> Callable:
    rhs = replacement[0] if len(replacement) == 1 else Mul(tuple(replacement))

    def case(judge, sizes, rng):
        return judge.identity_error(lhs, rhs, sizes, rng)
    return _label(case, f"fails on {render(lhs)} = {render(rhs)}")


def constructor_checks(pool: Pool) -> list[Check]:
    """One row per identity a canonical constructor applies to a node built from the pool."""
    checks: dict[tuple, Check] = {}
    for node_type, build in simplify_module.CONSTRUCTORS.items():
        for node in build_all(node_type, pool.field_values):
            try:
                result = build(node, list(node.children))
            except ShapeError:
                continue
            if result is node:
                continue
            key = (node_type, _kind(result))
            check = checks.get(key)
            if check is None:
                check = checks[key] = Check("identity", _constructor_name(node_type),
                                            _identity_formula(node, result))
            check.cases.append(_identity_case(node, (result,)))
    return list(checks.values())


def _kind(e: Expr) -> str:
    """What an identity produced: rows of its table group the cases by this."""
    if isinstance(e, Transpose) and isinstance(e.arg, Vec):
        return "vecT"
    if isinstance(e, Mul) and isinstance(e.factors[0], Num):
        return "scaled"
    return type(e).__name__


def _identity_formula(node: Expr, result: Expr) -> str:
    """lhs = rhs; when both print alike ((Aᵀ)⁻¹ and A⁻ᵀ), the operation is spelled out."""
    lhs, rhs = render(node), render(result)
    if lhs == rhs:
        lhs = f"{type(node).__name__.lower()}({', '.join(render(c) for c in node.children)})"
    return f"{lhs} = {rhs}"


def _constructor_name(node_type: type) -> str:
    return {"Kron": "Kronecker", "Func": "scalar function", "ScalarPow": "scalar power",
            "LogDet": "log-determinant", "Det": "determinant", "Add": "sum", "Mul": "product",
            "Hadamard": "Hadamard", "DiagMatrix": "diag(v)", "DiagPart": "diag(X)",
            "SumAll": "sum of elements", "ElementFunc": "element-wise function",
            "ElementPow": "element-wise power"}.get(node_type.__name__,
                                                                    node_type.__name__.lower())


def plan_table(size: int, method: str = "central") -> tuple[list[Check], dict[str, int]]:
    """The whole check list, read off the tables, and the sizes it runs at."""
    _check_size(size, method)
    specimens, pool = Specimens(), Pool()
    checks = rule_checks(specimens) + pair_rule_checks(pool) + constructor_checks(pool)
    checks.append(simplified_jacobians_check(specimens))
    return checks, {"n": size}


def run_checks(checks: list[Check], sizes: dict, seed: int = 0,
               method: str = "central") -> Iterator[Outcome]:
    """Run the checks one at a time (so a caller can show progress); method: central, complex, exact.
    A table that would run for too long is refused here, before the first row."""
    if method != "exact":
        resources.require_table(sizes.get("n", 1))
    return _run(checks, sizes, seed, method)


def _run(checks: list[Check], sizes: dict, seed: int, method: str) -> Iterator[Outcome]:
    judge = ExactJudge() if method == "exact" else NumericJudge(method)
    for index, check in enumerate(checks):
        yield check.run(judge, sizes, np.random.default_rng([seed, index]))


def format_outcome(o: Outcome) -> str:
    """One plain-text row: status, kind, name, formula, error, note."""
    error = "—" if o.error is None else "∞" if o.error == float("inf") else f"{o.error:.1e}"
    status = "pass" if o.passed else "FAIL"
    line = f"{status}  {o.kind:<8} {o.name:<24} {error:>8}  {o.formula}"
    return line + (f"   [{o.note}]" if o.note else "")


def summary(outcomes: list[Outcome], size: int, seconds: float) -> str:
    failed = [o for o in outcomes if not o.passed]
    rules_n = sum(o.kind == "rule" for o in outcomes)
    cases = sum(o.cases for o in outcomes)
    verdict = "all pass" if not failed else f"{len(failed)} FAILED: " + ", ".join(o.name for o in failed)
    return (f"{rules_n} rules and {len(outcomes) - rules_n} identities, {cases} cases at n = {size}"
            f" in {seconds:.1f} s: {verdict}")

