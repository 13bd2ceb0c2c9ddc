"""A derivation shown step by step, the way the article writes one.

∂F/∂X is first written, by F's rule, in terms of the derivatives of F's operands; then each
derivative still unexpanded is replaced by its own rule, one rule a step, from the top down
(∂X/∂X = I is put in as soon as it appears); then the simplifier's named identities turn the
result into the answer, one step for each node where identities fired.

Every step is a whole expression equal to the Jacobian: an unexpanded derivative is a node
of its own (Partial), valued numerically by finite differences, so each line can be checked,
not only the last.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from . import build
from .build import rebuild, substitute
from .expr import Add, Commutation, Expr, Identity, Kron, Mul, Num, Partial, Var, Vec, Zero
from ..render import render
from .rules import RULES, Differentiator
from .simplify import CONSTRUCTORS, simplify, tracing


@dataclass(frozen=True)
class Step:
    """One line of a derivation: the rule or identities used, and the Jacobian after them."""
    rule: str
    expr: Expr


@dataclass(frozen=True)
class Derivation:
    """∂F/∂X = steps[0].expr = steps[1].expr = … = the answer."""
    start: Partial
    steps: tuple[Step, ...]
    definitions: tuple = ()  # names the last line uses: (Var, Expr) pairs, see render.names

    @property
    def answer(self) -> Expr:
        return self.steps[-1].expr if self.steps else self.start

    @property
    def latex(self) -> str:
        """The derivation as an amsmath aligned block."""
        return latex_block(self)

    def __str__(self) -> str:
        return self.render("unicode")

    def __repr__(self) -> str:
        return (f"<Derivation {render(self.start)} = {render(self.answer)} "
                f"in {len(self.steps)} steps>")

    def _repr_latex_(self) -> str:
        """How a notebook shows the derivation: one aligned line a step."""
        return f"$${self.latex}$$"

    def render(self, fmt: str = "unicode") -> str:
        """Plain text (unicode, ascii) reading top to bottom, or a LaTeX aligned block."""
        if fmt == "latex":
            return latex_block(self)
        if fmt not in ("unicode", "ascii"):
            raise ValueError(f"a derivation prints as unicode, ascii or latex, not {fmt}")
        lines = [render(self.start, fmt)]
        for step in self.steps:
            lines.append(f"    ({rule_text(step.rule, fmt)})")
            lines.append(f"  = {render(step.expr, fmt)}")
        return "\n".join(lines) + self.where(fmt)

    def where(self, fmt: str) -> str:
        from ..render.names import where
        return where(self.definitions, fmt)

    def named(self, taken=frozenset()) -> Derivation:
        """The derivation ending with names for what recurs, a last step of its own."""
        from ..render.names import named
        body, definitions = named(self.answer, taken)
        if not definitions:
            return self
        return Derivation(self.start, self.steps + (Step("names for what recurs", body),),
                          definitions)


def rule_text(rule: str, fmt: str) -> str:
    if fmt == "ascii":
        return rule.replace("–", "-")
    if fmt == "latex":
        return rule.replace("–", "--")
    return rule


def latex_block(derivation: Derivation) -> str:
    """An amsmath aligned block, as the article lays a derivation out: the question, then for
    each step its rule's name on a row of its own and `= …`, broken to stay on the page."""
    from ..render.document import derivation_rows
    return "\\begin{aligned}\n  " + "\\\\\n  ".join(derivation_rows(derivation)) + \
        "\n\\end{aligned}"


def derivation(question: Expr, wrt: Var, answer: Expr | None = None) -> Derivation:
    """The steps from ∂question/∂wrt to `answer` (by default, what the simplifier makes)."""
    start = Partial(question, wrt)
    steps: list[Step] = []
    with tracing() as fired:
        expr = simplify(question)
    if expr is not question:
        steps.append(Step(_label(fired) or "simplification", Partial(expr, wrt)))
    steps.extend(rule_steps(expr, wrt))
    current = steps[-1].expr if steps else start
    steps.extend(simplification_steps(current, previous=render(current)))
    if answer is not None and steps and steps[-1].expr is not answer:
        if render(steps[-1].expr) == render(answer):
            steps[-1] = Step(steps[-1].rule, answer)
        else:
            steps.append(Step("simplification", answer))
    return Derivation(start, tuple(steps))


# ── the rules, one at a time ────────────────────────────────────────────────────────────

class _Unexpanded(Differentiator):
    """A rule's view of its operands' derivatives: left unexpanded, except ∂X/∂X = I (1 for
    a scalar) and the zero derivative of a constant."""

    def __call__(self, e: Expr) -> Expr:
        if e is self.wrt:
            return Num(Fraction(1)) if e.is_scalar else Identity(e.size)
        if not self.depends(e):
            return Zero(e.size, self.wrt.size)
        return Partial(e, self.wrt)


def rule_steps(expr: Expr, wrt: Var) -> list[Step]:
    """Expand ∂expr/∂wrt top down, one rule a step, until no unexpanded derivative is left."""
    d = _Unexpanded(wrt)
    first = d(expr)
    if not isinstance(first, Partial):
        rule = "variable rule" if expr is wrt else "constant rule"
        return [Step(rule, first)]
    current: Expr = first
    steps = []
    while (pending := _first_partial(current)) is not None:
        rule = RULES[type(pending.arg)]
        expansion = tidy(rule.jacobian(pending.arg, d))
        current = tidy(substitute(current, {pending: expansion}))
        steps.append(Step(rule.name, current))
    return steps


def _first_partial(e: Expr) -> Partial | None:
    """The first unexpanded derivative in reading order; shared subtrees are looked at once."""
    seen, stack = set(), [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Partial):
            return node
        if node not in seen:
            seen.add(node)
            stack.extend(reversed(node.children))
    return None


# ── the identities, one node at a time ──────────────────────────────────────────────────

def simplification_steps(expr: Expr, previous: str | None = None) -> list[Step]:
    """Simplify bottom-up as `simplify` does; after each node where named identities fired,
    a step shows the whole expression with every node done so far replaced by its result."""
    done: dict[Expr, Expr] = {}
    steps: list[Step] = []
    shown = [render(expr) if previous is None else previous]

    def show(rule: str, whole: Expr) -> None:
        text = render(whole)
        if text != shown[-1]:
            steps.append(Step(rule, whole))
            shown.append(text)

    def visit(node: Expr) -> Expr:
        result = done.get(node)
        if result is not None:
            return result
        children = [visit(c) for c in node.children]
        build_node = CONSTRUCTORS.get(type(node))
        with tracing() as fired:
            result = node if build_node is None else build_node(node, children)
        done[node] = result
        if fired:
            show(_label(fired), substitute(expr, done))
        return result

    final = visit(expr)
    show("simplification", final)
    if steps and steps[-1].expr is not final:  # it reads the same: end on the answer itself
        steps[-1] = Step(steps[-1].rule, final)
    return steps


def _label(fired: list) -> str:
    return ", ".join(dict.fromkeys(name for name, _, _ in fired))


def tidy(e: Expr, memo: dict | None = None) -> Expr:
    """What a derivation leaves unsaid: I factors, zero terms, products with a zero factor and
    the vec of a column drop out, and a product's numbers and scalars gather in front."""
    memo = {} if memo is None else memo
    done = memo.get(e)
    if done is not None:
        return done
    children = [tidy(c, memo) for c in e.children]
    if isinstance(e, Mul):
        done = _tidy_product(e, children)
    elif isinstance(e, Add):
        terms = [t for t in children if not isinstance(t, Zero)]
        done = build.add(*terms) if terms else Zero(*e.shape)
    elif isinstance(e, Commutation) and (e.m.is_one or e.n.is_one):
        done = Identity(e.shape[0])  # K_n1 = I
    elif isinstance(e, Vec) and children[0].shape[1].is_one:
        done = children[0]  # a column, or a scalar, is its own vec
    elif isinstance(e, Kron) and any(isinstance(c, Zero) for c in children):
        done = Zero(*e.shape)
    elif isinstance(e, Kron) and any(isinstance(c, Identity) and c.n.is_one for c in children):
        left, right = children
        done = right if isinstance(left, Identity) and left.n.is_one else left
    else:
        done = rebuild(e, children)
    memo[e] = done
    return done


def _tidy_product(e: Mul, children: list[Expr]) -> Expr:
    product = build.mul(*children)
    flat = list(product.factors) if isinstance(product, Mul) else [product]
    if any(isinstance(f, Zero) for f in flat):
        return Zero(*e.shape)
    coefficient = 1
    for f in flat:
        if isinstance(f, Num):
            coefficient *= f.value
    rest = [f for f in flat if not isinstance(f, Num)]
    if coefficient == 0:
        return Zero(*e.shape)
    identities = [f for f in rest if isinstance(f, Identity)]
    if identities:
        keep = [] if any(not f.is_scalar and not isinstance(f, Identity) for f in rest) \
            else identities[:1]
        rest = [f for f in rest if not isinstance(f, Identity)] + keep
    rest.sort(key=lambda f: 1 if not f.is_scalar else 2 if isinstance(f, Partial) else 0)
    factors = ([build.number(coefficient)] if coefficient != 1 or not rest else []) + rest
    return factors[0] if len(factors) == 1 else build.mul(*factors)
