"""Syntax tree + inferred shapes → the typed expression tree, with the builders of build.py.

Names get the shapes inference found; the identity, 𝟏, vector(c) and matrix(c) get the sizes
their use gave them. A shape error still possible here (one inference does not model) points
at the operator that caused it.
"""
from __future__ import annotations

from fractions import Fraction

from ..calculus import build
from ..calculus.dims import ONE
from ..calculus.expr import Expr, Identity, Ones
from .infer import sized
from .syntax import Syn, walk


def elaborate(parser, tree: Syn) -> Expr:
    return _Elaborate(parser).run(tree)


class _Elaborate:
    def __init__(self, parser):
        self.parser = parser
        self.built: dict[int, Expr] = {}

    def run(self, tree: Syn) -> Expr:
        for node in walk(tree):  # children first, without recursion
            self.built[id(node)] = getattr(self, "_" + node.op)(node)
        return self.built[id(tree)]

    def visit(self, node: Syn) -> Expr:
        """The typed tree of a child, built already."""
        return self.built[id(node)]

    def at(self, node: Syn, make) -> Expr:
        return self.parser.located(node.pos, make)

    def dims(self, node: Syn):
        """The size of each of node's size classes, as inference settled them."""
        return self.parser.node_dims(node)

    def _num(self, node):
        return build.number(node.value)

    def _name(self, node):
        parser = self.parser
        kind = parser.special_name(node.value)
        if kind == "identity":
            return Identity(self.dims(node)[0])
        if kind == "sized identity":
            return Identity(sized(node.value[2:]))
        if kind == "ones":
            return Ones(*self.dims(node))
        return parser.variable(node.value, node.pos)

    def _neg(self, node):
        return build.neg(self.visit(node.args[0]))

    def _sum(self, node):
        """A term of the sum's shape is kept to be added with the others at the end; any other
        (a number meeting a matrix, a shape that differs) is added at once, so that a number
        becomes a multiple of 𝟏 and a shape error points at the term's operator."""
        terms = [self.visit(node.args[0])]
        for pos, arg in zip(node.value[1:], node.args[1:]):
            term = self.visit(arg)
            if term.shape == terms[0].shape:
                terms.append(term)
            else:
                terms = [self.parser.located(pos, lambda: build.add(*terms, term))]
        return build.add(*terms)

    def _product(self, node):
        """As when read one factor at a time, a row times a column (aᵀx) becomes one scalar,
        which the factors after it scale."""
        first = self.visit(node.args[0])
        factors = [first]
        shape = None if first.is_scalar else first.shape
        for pos, arg in zip(node.value[1:], node.args[1:]):
            right = self.visit(arg)
            factors.append(right)
            if right.is_scalar:
                continue
            if shape is not None and right.shape[0] != shape[1]:
                self.parser.located(pos, lambda: build.mul(*factors))  # the shape error, at pos
            shape = (shape[0] if shape else right.shape[0], right.shape[1])
            if shape == (ONE, ONE):
                factors, shape = [build.mul(*factors)], None
        return build.mul(*factors)

    def _div(self, node):
        a, b = (self.visit(x) for x in node.args)
        return self.at(node, lambda: build.div(a, b))

    def _kron(self, node):
        a, b = (self.visit(x) for x in node.args)
        return self.at(node, lambda: build.kron(a, b))

    def _hadamard(self, node):
        a, b = (self.visit(x) for x in node.args)
        return self.at(node, lambda: build.hadamard(a, b))

    def _hdiv(self, node):
        """x ./ y = x ∘ y.^(−1)"""
        a, b = (self.visit(x) for x in node.args)
        return self.at(node, lambda: build.hadamard(a, build.elementwise_power(b, Fraction(-1))))

    def _transpose(self, node):
        x = self.visit(node.args[0])
        return self.at(node, lambda: build.transpose(x))

    def _invT(self, node):
        x = self.visit(node.args[0])
        return self.at(node, lambda: build.inverse(x))

    def _power(self, node):
        x = self.visit(node.args[0])
        return self.at(node, lambda: build.power(x, node.value))

    def _epower(self, node):
        x = self.visit(node.args[0])
        return self.at(node, lambda: build.elementwise_power(x, node.value))

    def _spower(self, node):
        """a^b = exp(b ln a), for a > 0"""
        a, b = (self.visit(x) for x in node.args)
        return self.at(node, lambda: build.symbolic_power(a, b))

    def _sepower(self, node):
        """X.^t = exp(t ln X) element by element, for X > 0; with a matrix exponent,
        X.^Y = exp(Y ∘ ln X) and c.^Y = exp(ln(c) Y)"""
        a, b = (self.visit(x) for x in node.args)
        if not b.is_scalar:
            return self.at(node, lambda: build.func("exp", build.hadamard(b, build.func("log", a))))
        return self.at(node, lambda: build.symbolic_power(a, b))

    def _det(self, node):
        """|X| is the determinant of a square matrix, |t| the absolute value of a scalar"""
        x = self.visit(node.args[0])
        if x.is_scalar:
            return self.at(node, lambda: build.func("abs", x))
        return self.at(node, lambda: build.det(x))

    def _vnorm(self, node):
        """‖x‖₂ = norm(x), ‖x‖₁ = norm1(x)"""
        x = self.visit(node.args[0])
        return self.at(node, lambda: build.norm(x) if node.value == 2 else build.norm1(x))

    def _logdet(self, node):
        """ln|X| is the log-determinant of a square matrix, ln|t| the log of a scalar's
        absolute value (the Cookbook's ln|det(X)|)"""
        x = self.visit(node.args[0])
        if x.is_scalar:
            return self.at(node, lambda: build.func("log", build.func("abs", x)))
        return self.at(node, lambda: build.logdet(x))

    def _inner(self, node):
        a, b = (self.visit(x) for x in node.args)
        return self.at(node, lambda: build.inner(a, b))

    def _call(self, node):
        from .parser import FUNCTIONS
        args = [self.visit(x) for x in node.args]
        if node.value in ("vector", "matrix"):
            return self.at(node, lambda: build.mul(args[0], Ones(*self.dims(node))))
        builder = FUNCTIONS[node.value][1]
        return self.at(node, lambda: builder(*args))
