"""The library: derive(text, wrt) → Derivative. The command line is a thin layer over this."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property

from .calculus.dims import Dim, shape_str
from .errors import MatcalcError, UsageError, VariableError, quote, require_str, short, shown
from .calculus.expr import Expr, Partial, Var, Zero, _describe, variables
from .limits import allow_deep_trees, budgeted
from .language.syntax import walk
from .language.parser import FUNCTIONS, NAME, Parser, Question
from .render import render
from .render.names import NAMED_FORMATS, Definition, named, where
from .render.base import POSTFIX, precedence
from .calculus.rules import jacobian
from .calculus.simplify import _factors, mul, row_gradient, simplify, transpose

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    import numpy as np
    import sympy

    from .calculus.steps import Derivation

allow_deep_trees()

LAYOUTS = ("jacobian", "gradient")
ShapeSpec = "tuple[int | str, int | str] | int | str"
_SIZE = re.compile(r"[1-9][0-9]{0,5}")  # or a name, as the parser reads names
_SHAPE_HELP = "e.g. X=m,n for a matrix, a=n for a vector, t=1,1 for a scalar"


def parse_shapes(shapes: dict | None) -> dict[str, tuple[Dim, Dim]]:
    """{"X": ("m", "n"), "a": "n", "t": (1, 1)} → dimensions; a single size means a vector."""
    out = {}
    for name, spec in (shapes or {}).items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise UsageError(f"bad shape: {quote(str(name))} is not a name; {_SHAPE_HELP}")
        parts = [str(p).strip() for p in (spec if isinstance(spec, (tuple, list)) else [spec])]
        written = shown(f"{name}={','.join(parts)}"[:60])
        if len(parts) == 1:
            parts.append("1")
        if len(parts) != 2:
            raise UsageError(f"bad shape {written}: give one or two sizes; {_SHAPE_HELP}")
        for part in parts:
            if re.fullmatch(r"0+", part):
                raise UsageError(f"bad shape {written}: sizes must be positive")
            if not (_SIZE.fullmatch(part) or NAME.fullmatch(part)):
                raise UsageError(f"bad shape {written}: {quote(part)} is not a size; sizes are "
                                 "whole numbers up to 999999 or names such as n")
        out[name] = tuple(Dim.of(int(p) if p.isdigit() else p) for p in parts)
    return out


def parse_shape_option(text: str) -> tuple[str, tuple[str, ...]]:
    """NAME=R,C (or NAME=N for a vector) from the command line."""
    name, sep, sizes = text.partition("=")
    if not sep or not NAME.fullmatch(name.strip()):
        raise UsageError(f"bad --shape {quote(text)}: expected NAME=ROWS,COLS, {_SHAPE_HELP}")
    return name.strip(), tuple(s.strip() for s in sizes.split(","))


@short
def parse(text: str, shapes: dict | None = None) -> Expr:
    """The expression tree of `text`; shapes as for derive ({"X": ("m", "n")})."""
    require_str(text, "the expression")
    _require_shapes(shapes)
    return Parser(text, parse_shapes(shapes)).question().expr


class Derivative:
    """A derivative and the ways to read it."""

    def __init__(self, question: Question, wrt: Var, raw: Expr, jacobian: Expr,
                 steps: list | None = None, order: int = 1, first: Derivative | None = None):
        self.question, self.wrt, self.raw, self.jacobian = question, wrt, raw, jacobian
        self.steps = [] if steps is None else steps
        self.order = order
        self.first = first  # of a Hessian: the first derivative, whose gradient it shares
        self.notes: list[str] = []  # said on stderr by the command line: a WRT that is absent
        self.given: frozenset[str] = frozenset()  # the names whose shape --shape gave
        self._named: dict = {}

    @property
    def shapes(self) -> dict[str, tuple[Dim, Dim]]:
        """Every name's shape, as given or inferred from its use."""
        return {name: var.shape for name, var in self.names.items()}

    @property
    def inferred(self) -> dict[str, tuple[Dim, Dim]]:
        """The shapes that neither --shape nor the letter gave: what inference decided."""
        return {name: shape for name, shape in self.shapes.items()
                if name not in self.given and shape != letter_shape(name)}

    @property
    def open(self) -> tuple[str, ...]:
        """The lower-case names that are columns (n×1) by their letter alone: nothing in the
        question fixes their length, and nothing writes them as columns (x', sum(x)), so each
        might have been meant as a scalar. A note says so; --shape t=1,1 makes t a scalar."""
        return self.question.open

    def assumed(self) -> str:
        """"x is 1×1, X is m×n": the inferred shapes in words, or ""."""
        return ", ".join(f"{name} is {shape_str(shape)}" for name, shape in self.inferred.items())

    @property
    def expr(self) -> Expr:
        return self.question.expr

    @property
    def names(self) -> dict[str, Var]:
        return {**variables(self.expr), self.wrt.name: self.wrt}

    @cached_property
    @short
    @budgeted
    def gradient(self) -> Expr | None:
        """G with X's shape, for a scalar function: ∂f/∂X = vecᵀ(G)."""
        if not self.expr.is_scalar or self.order != 1:
            return None
        return gradient_of(self.jacobian, self.wrt)

    @cached_property
    def hessian(self) -> Expr:
        """∂²f / ∂vec X ∂vecᵀX = ∂vec G / ∂vecᵀX, a (pq)×(pq) matrix, for a scalar f."""
        return self.second().jacobian

    @short
    @budgeted
    def second(self) -> Derivative:
        """The Hessian as a Derivative of its own (order 2): the Jacobian of the gradient."""
        if self.order != 1 or not self.expr.is_scalar:
            if self.order != 1:
                raise MatcalcError("matcalc derives to order 1 or 2")
            raise MatcalcError(f"a second derivative needs a scalar expression, but "
                               f"{_describe(self.expr)} is not")
        raw, steps = jacobian(self.gradient, self.wrt)
        second = Derivative(self.question, self.wrt, raw, simplify(raw), steps, order=2, first=self)
        second.notes, second.given = list(self.notes), self.given
        return second

    @cached_property
    @short
    @budgeted
    def derivation(self) -> Derivation:
        """The derivation step by step (matcalc.calculus.steps.Derivation), ending at the answer."""
        from .calculus.steps import derivation
        if self.order != 1:
            raise MatcalcError("step-by-step derivations are shown for first derivatives")
        return derivation(self.expr, self.wrt, self.jacobian)

    @short
    @budgeted
    def render(self, fmt: str = "unicode", layout: str = "jacobian", names: bool = True) -> str:
        """The answer printed: fmt one of render.FORMATS ("sympy" imports sympy); "python" is
        a module with one function returning the value and the derivatives (see codegen). In
        text and LaTeX what recurs is named once (`…, where s = σ(Ax)`) unless names=False."""
        if names and fmt in NAMED_FORMATS:
            body, definitions = self.named(layout)
            return render(body, fmt, self.names) + where(definitions, fmt)
        if fmt == "python":
            from .codegen import compile_derivative, python_module
            title = f"{render(self.expr)} by {self.wrt.name}"
            return python_module(compile_derivative(self), title)
        if fmt == "numpy":  # an answer's code is generated: shared pieces once, cheap forms
            from .codegen import numpy_expression
            from .calculus.expr import tree_size
            from .limits import check_answer_size
            answer = self.answer(layout)
            check_answer_size(tree_size(answer))
            return numpy_expression(answer, self.names)
        return render(self.answer(layout), fmt, self.names)

    def named(self, layout: str = "jacobian") -> tuple[Expr, tuple[Definition, ...]]:
        """The answer with names for what recurs, and their definitions (name = expression)."""
        key = ("named", layout)
        if key not in self._named:
            self._named[key] = named(self.answer(layout), self.names.keys())
        return self._named[key]

    @property
    def definitions(self) -> tuple[Definition, ...]:
        """The names the printed Jacobian uses, as data: (Var, Expr) pairs, in order."""
        return self.named()[1]

    @short
    def document(self, layout: str = "jacobian", steps: bool = False, names: bool = True) -> str:
        """A whole LaTeX document (article, amsmath, amssymb) with the question and its answer,
        or with steps=True its derivation step by step."""
        from .render.document import latex_document, steps_document
        if steps:
            derivation = self.derivation.named(self.names.keys()) if names else self.derivation
            return steps_document(derivation, self.names)
        from .calculus.matfunc import conditions
        from .render.latex import LatexPrinter
        body, definitions = self.named(layout) if names else (self.answer(layout), ())
        printer = LatexPrinter()  # the answer; what its V, F, L stand for goes in the text
        answer = printer.print(body)
        return latex_document(self.expr, self.wrt, answer, layout,
                              self.names, getattr(self, "symmetric", frozenset()), self.order,
                              conditions(self.expr, self.jacobian, "latex"),
                              printer.where_entries(), definitions, self.open)

    @property
    def conditions(self) -> list[str]:
        """What the answer assumes (S symmetric positive definite, X diagonalisable, …), one
        phrase each; empty when it holds wherever the question is defined."""
        from .calculus.matfunc import conditions
        return conditions(self.expr, self.jacobian)

    @property
    def unicode(self) -> str:
        return self.render("unicode")

    @property
    def latex(self) -> str:
        return self.render("latex")

    @property
    def numpy(self) -> str:
        return self.render("numpy")

    def __str__(self) -> str:
        return self.unicode

    def _repr_latex_(self) -> str:
        """How a notebook shows the answer: display math, ∂F/∂X = the answer."""
        return f"$${self.label_latex} = {self.latex}$$"

    @property
    def label_latex(self) -> str:
        """The question in LaTeX: ∂vec F/∂(vec X)ᵀ, ∂f/∂X, or ∂²f/∂vec X∂(vec X)ᵀ."""
        from .render.document import question_latex
        by_vech = self.wrt.name in getattr(self, "symmetric", ())
        return question_latex(self.expr, self.wrt, "jacobian", by_vech, self.order)

    @property
    def label(self) -> str:
        """The question in the answer's notation: ∂F/∂X, or ∂²f/∂vec X ∂(vec X)ᵀ for a Hessian."""
        if self.order == 1:
            return _as_asked(Partial(self.expr, self.wrt))
        f, x = _as_asked(self.expr), render(self.wrt)
        if precedence(self.expr) < POSTFIX:
            f = f"({f})"
        if self.wrt.is_scalar:
            return f"∂²{f}/∂{x}²"
        if self.wrt.shape[1].is_one:
            return f"∂²{f}/∂{x} ∂{x}ᵀ"
        return f"∂²{f}/∂vec {x} ∂(vec {x})ᵀ"

    def __repr__(self) -> str:
        return f"<Derivative {self.label} = {self.unicode} : {shape_str(self.jacobian.shape)}>"

    @short
    def answer(self, layout: str = "jacobian") -> Expr:
        """The answer as a tree: the Jacobian, or with layout="gradient" the gradient G."""
        if layout not in LAYOUTS:
            raise UsageError(f"unknown layout {quote(str(layout))}; choose one of {', '.join(LAYOUTS)}")
        if layout == "jacobian":
            return self.jacobian
        if self.order != 1:
            raise MatcalcError("a second derivative has no gradient layout; it is the "
                               "Hessian ∂²f/∂vec X ∂(vec X)ᵀ")
        if self.gradient is None:
            raise UsageError("the gradient layout needs a scalar expression, but "
                             f"{_describe(self.expr)} is not; use the Jacobian layout")
        return self.gradient

    @short
    def to_sympy(self, layout: str = "jacobian") -> sympy.Basic:
        """The answer as a sympy matrix expression (see matcalc.render.sympy_export); sympy is
        imported only now."""
        from .render.sympy_export import to_sympy
        return to_sympy(self.answer(layout))

    def sympy_symbols(self) -> dict[str, sympy.Basic]:
        """The sympy symbols `to_sympy` uses, by name: sizes (n) and names (A), to substitute."""
        from .render.sympy_export import symbols
        return symbols(self.jacobian, self.names)

    @short
    @short
    def to_numpy(self, layout: str = "jacobian") -> Callable[..., np.ndarray]:
        """A function of the names, given as keyword arguments bound to arrays, that returns
        the Jacobian (or with layout="gradient" the gradient G) as a 2-D array. It runs the
        program `--format python` prints (matcalc.codegen)."""
        from .codegen import compile_outputs, runner
        what = "Hessian" if self.order == 2 else layout.capitalize()
        kind = "hessian" if self.order == 2 else "jacobian" if layout == "jacobian" else "gradient"
        compiled = compile_outputs(self.names, self.wrt, [(kind, self.answer(layout))])
        return runner(compiled, f"{what} of {render(self.expr)} by {self.wrt.name}", pick=[0],
                      vanished=self.question.read)

    @short
    def value_and_grad(self) -> Callable[..., tuple]:
        """A function of the names (keyword arguments) returning (value, gradient) of a scalar
        expression — (value, gradient, Hessian) at order 2, (value, Jacobian) for a matrix —
        computed together, sharing their work. A gradient has the shape its variable was
        given in (1-D for a 1-D vector), as scipy.optimize expects."""
        from .codegen import compile_derivative, runner
        return runner(compile_derivative(self), f"value and derivatives of {render(self.expr)} "
                      f"by {self.wrt.name}", vanished=self.question.read)


def letter_shape(name: str) -> tuple[Dim, Dim]:
    """The shape a name's letter gives when nothing else does: n×n upper case, n×1 lower."""
    n = Dim.of("n")
    return (n, n) if name[0].isupper() else (n, Dim(1))


def open_note(names: tuple[str, ...]) -> str:
    """What the letter alone decided: t + 3 reads t as a column, which may not be what was
    meant; the note names the --shape that reads it as a scalar."""
    first = names[0]
    if len(names) == 1:
        return (f"{first} is a column by its letter alone: nothing in the question fixes its "
                f"length, so it is n; --shape {first}=1,1 makes it a scalar")
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    options = ", ".join(f"--shape {name}=1,1 {name}" for name in names[1:])
    return (f"{listed} are columns by their letter alone: nothing in the question fixes their "
            f"lengths, so they are n; --shape {first}=1,1 makes {first} a scalar, {options}")


def gradient_of(jac: Expr, wrt: Var) -> Expr:
    """Read G off a scalar function's Jacobian c·vecᵀ(G)."""
    if isinstance(jac, Zero) or (jac.is_scalar and not wrt.is_scalar and _is_zero(jac)):
        return Zero(*wrt.shape)
    if wrt.shape[1].is_one or wrt.shape[0].is_one:
        return transpose(jac) if wrt.shape[1].is_one else jac
    factors = _factors(jac)
    rows = [f for f in factors if not f.is_scalar]
    if len(rows) == 1:
        G = row_gradient(rows[0])
        if G is not None and G.shape == wrt.shape:
            return mul(*[f for f in factors if f.is_scalar], G)
    raise MatcalcError("matcalc could not write this derivative as a gradient matrix; "
                       "use the Jacobian layout")


def _as_asked(e: Expr) -> str:
    """A question in Unicode, chol(S) written as asked rather than as the L of an answer."""
    from .render.text import UnicodePrinter
    printer = UnicodePrinter()
    printer.question = True
    return printer.print(e)


def _implied_symmetric(e: Expr) -> frozenset:
    """Names the question's functions take to be symmetric: S of chol(S) and eig(S)."""
    from .calculus.expr import Chol, Spectrum
    found, stack, seen = set(), [e], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, (Chol, Spectrum)) and isinstance(node.arg, Var) and \
                (isinstance(node, Chol) or node.kind == "eig"):
            found.add(node.arg.name)
        stack.extend(node.children)
    return frozenset(found)


def _listed(names, most: int = 8) -> str:
    names = list(names)
    return ", ".join(names[:most]) + (f", … ({len(names)} in all)" if len(names) > most else "")


def _is_zero(e: Expr) -> bool:
    from .calculus.expr import Num
    return isinstance(e, Num) and e.value == 0


def _require_shapes(shapes: object) -> None:
    if shapes is not None and not isinstance(shapes, dict):
        raise TypeError("shapes must be a dict such as {\"X\": (\"m\", \"n\")}, "
                        f"not {type(shapes).__name__}")


def _refuse_run_together(name: str, names, given: dict) -> None:
    """WRT inside a longer name (AXB by X, x'Bx by x): the factors were written together.
    A name that is WRT with digits or _ added (x1, x_0), a lower-case word (alpha by a) and a
    name given a --shape are names."""
    for longer in names:
        if name in longer and longer != name and longer not in given \
                and not longer.replace(name, "", 1).strip("_").isdigit() \
                and not (longer.islower() and longer.isalpha()):
            spaced = _spelled_apart(longer, name)
            raise VariableError(f"{longer} is one name here; write {' '.join(spaced)} or "
                                f"{'*'.join(spaced)}")


def _spelled_apart(longer: str, name: str) -> list[str]:
    """AXB with X → A, X, B: WRT and the letters around it as one-letter names (digits and
    primes stay with their letter)."""
    before, _, after = longer.partition(name)
    return [*_letters(before), name, *_letters(after)]


def _letters(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if out and (ch.isdigit() or ch == "_"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


@short
@budgeted
def derive(text: str, wrt: str | None = None, shapes: dict | None = None,
           order: int = 1, symmetric: bool | str | Iterable[str] = ()) -> Derivative:
    """Differentiate `text` (the input language) with respect to the variable named `wrt`;
    order=2 gives the Hessian ∂²f/∂vec X ∂(vec X)ᵀ of a scalar expression. `symmetric` names the
    matrices known to be symmetric (True: wrt itself); see matcalc.calculus.symmetric.

    A WRT that does not occur in the expression is no error: the answer is a zero of the
    right size, WRT having the shape `shapes` gives it or its default shape.
    """
    require_str(text, "the expression")
    if wrt is not None:
        require_str(wrt, "the variable to differentiate by")
    _require_shapes(shapes)
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be 1 or 2, not {type(order).__name__} {order!r:.20}")
    if order not in (1, 2):
        raise UsageError(f"matcalc derives to order 1 or 2, not {quote(str(order))}")
    parser = Parser(text, parse_shapes(shapes))
    tree, form = parser.syntax()
    given = form or wrt
    if given and NAME.fullmatch(given):
        _refuse_run_together(given, {n.value for n in walk(tree) if n.op == "name"}, parser.shapes)
    expr = parser.typed(tree, (given,) if given else ())
    question = Question(expr, form, text, tuple(parser.read), parser.inference.open)
    names = variables(question.expr)
    if question.wrt and wrt and question.wrt != wrt:
        raise VariableError(f"the question differentiates by {question.wrt}, "
                            f"but {shown(wrt[:40])} was also given")
    name = question.wrt or wrt
    if name is None:
        if len(names) != 1:
            raise VariableError("say which variable to differentiate by: the expression has "
                                + (f"the variables {_listed(names)}" if names else "no variables"))
        name = next(iter(names))
    if not NAME.fullmatch(name):
        raise VariableError(f"{quote(name)} is not a variable name")
    if name in FUNCTIONS:
        raise VariableError(f"{quote(name)} is a function, not a variable")
    var = names.get(name) or parser.variable(name)
    raw, steps = jacobian(simplify(question.expr), var)
    first = Derivative(question, var, raw, simplify(raw), steps)
    implied = _implied_symmetric(question.expr)
    if implied and not symmetric:  # chol(S), eig(S): the answer is written with Sᵀ = S
        from .calculus.symmetric import assume_symmetric
        first.jacobian = simplify(assume_symmetric(first.jacobian, implied))
    first.given = frozenset(parse_shapes(shapes))
    if name not in names:
        zero = shape_str(first.jacobian.shape)
        letter = f" ({name} is a column by its letter; --shape {name}=1,1 makes it a scalar)" \
            if not name[0].isupper() and name not in first.given else ""
        first.notes.append(f"{name} does not occur in the expression, so the derivative is the "
                           f"{zero} zero{letter}; " + (f"its variables are {_listed(names)}"
                                                       if names else "it has no variables"))
    if question.open:
        first.notes.append(open_note(question.open))
    if symmetric:
        from .calculus.symmetric import with_symmetry
        names = {name} if symmetric is True else {symmetric} if isinstance(symmetric, str) \
            else set(symmetric)
        first = with_symmetry(first, frozenset(names))
    return first.second() if order == 2 else first
