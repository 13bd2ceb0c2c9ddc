"""Derivatives with respect to a symmetric matrix, the Matrix Cookbook's way (§2.8.2).

A symmetric X has n(n+1)/2 free elements, vech(X), and vec X = Dₙ vech(X) with Magnus &
Neudecker's duplication matrix Dₙ. So for the unconstrained Jacobian J = ∂vec F/∂vecᵀX, the
derivative by the free elements is J·Dₙ; for a scalar f with unconstrained gradient G it reads,
laid out as a matrix, G + Gᵀ − G ∘ I (each off-diagonal element counted from both sides).
Knowing X (and the names declared symmetric with it) equal their transposes, Xᵀ, X⁻ᵀ and
(AXA)ᵀ are written X, X⁻¹ and AXA.
"""
from __future__ import annotations

from functools import cached_property

from ..api import Derivative
from ..errors import MatcalcError
from .expr import (Add, DiagMatrix, Duplication, ElementFunc, ElementPow, Expr, Hadamard, Identity, Inverse, Mul, Power,
                   Transpose, Var)
from .simplify import CONSTRUCTORS, add, hadamard, mul, number, simplify, transpose

NOTE = ("{x} is symmetric: the gradient is G + Gᵀ − G ∘ I for the unconstrained gradient G "
        "(Matrix Cookbook §2.8.2); the Jacobian is by vech({x}), J·Dₙ with vec {x} = Dₙ vech({x})")


def is_symmetric(e: Expr, names: frozenset[str]) -> bool:
    """e = eᵀ is known: a symmetric name, I, and inverses, powers, sums, scalar multiples and
    palindromic products (AXA, BᵀXB) of such."""
    if isinstance(e, Var):
        return e.name in names or e.is_scalar
    if isinstance(e, (Identity, DiagMatrix)) or e.is_scalar:
        return True
    if isinstance(e, Hadamard):
        return all(isinstance(s, Identity) or is_symmetric(s, names) for s in e.children) or \
            any(isinstance(s, Identity) for s in e.children)
    if isinstance(e, (Inverse, Power, ElementFunc, ElementPow)):
        return is_symmetric(e.arg, names)
    if isinstance(e, Add):
        return all(is_symmetric(t, names) for t in e.terms)
    if isinstance(e, Mul):
        chain = e.matrices
        for left, right in zip(chain, reversed(chain)):
            if left is right:
                if not is_symmetric(left, names):
                    return False
            elif not _transposes(left, right, names):
                return False
        return True
    return False


def _transposes(a: Expr, b: Expr, names: frozenset[str]) -> bool:
    return (isinstance(a, Transpose) and a.arg is b) or (isinstance(b, Transpose) and b.arg is a)


def assume_symmetric(e: Expr, names: frozenset[str], memo: dict | None = None) -> Expr:
    """e rebuilt through the simplifier with Sᵀ written S for every symmetric S."""
    memo = {} if memo is None else memo
    done = memo.get(e)
    if done is not None:
        return done
    children = [assume_symmetric(c, names, memo) for c in e.children]
    if isinstance(e, Transpose) and is_symmetric(children[0], names):
        done = children[0]
    else:
        build = CONSTRUCTORS.get(type(e))
        done = e if build is None or not children else build(e, children)
        if isinstance(done, Transpose) and is_symmetric(done.arg, names):
            done = done.arg
    memo[e] = done
    return done


def with_symmetry(first: Derivative, names: frozenset[str]) -> Derivative:
    """The derivative when the named matrices are symmetric: by the free elements of wrt if
    wrt is one of them, otherwise the unconstrained one written with Sᵀ = S."""
    for name in names:
        var = first.names.get(name)
        if var is not None and var.shape[0] != var.shape[1]:
            raise MatcalcError(f"a symmetric matrix is square, but {name} is "
                               f"{var.shape[0]}×{var.shape[1]}")
    if first.wrt.name in names:
        return symmetrize(first, names)
    jac = simplify(assume_symmetric(first.jacobian, names))
    return Derivative(first.question, first.wrt, first.raw, jac, first.steps, first.order)


def symmetrize(first: Derivative, names: frozenset[str]) -> SymmetricDerivative:
    """The derivative by a symmetric wrt from the unconstrained one."""
    if first.wrt.shape[0] != first.wrt.shape[1]:
        raise MatcalcError(f"a symmetric matrix is square, but {first.wrt.name} is "
                           f"{first.wrt.shape[0]}×{first.wrt.shape[1]}")
    return SymmetricDerivative(first.question, first.wrt, first.raw, first.jacobian, first.steps,
                               first.order, unconstrained=first, symmetric=names)


class SymmetricDerivative(Derivative):
    """J·Dₙ in the Jacobian layout, G + Gᵀ − G ∘ I in the gradient layout."""

    def __init__(self, *derivative, unconstrained: Derivative,
                 symmetric: frozenset = frozenset()):
        super().__init__(*derivative)
        self.unconstrained = unconstrained
        self.symmetric = frozenset(symmetric | {self.wrt.name})
        base = assume_symmetric(unconstrained.jacobian, self.symmetric)
        self.jacobian = simplify(mul(base, Duplication(self.wrt.shape[0])))

    @property
    def note(self) -> str:
        return NOTE.format(x=self.wrt.name)

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", {self.wrt.name} symmetric>"

    @cached_property
    def gradient(self) -> Expr | None:
        G = self.unconstrained.gradient
        if G is None:
            return None
        G = assume_symmetric(G, self.symmetric)
        diagonal = hadamard(G, Identity(self.wrt.shape[0]))
        return assume_symmetric(add(G, transpose(G), mul(number(-1), diagonal)), self.symmetric)

    @cached_property
    def hessian(self) -> Expr:
        return self.second().jacobian

    def second(self) -> Derivative:
        """Dₙᵀ H Dₙ: vec X = Dₙ vech X is linear, so no second-order term appears."""
        H = self.unconstrained.second()
        D = Duplication(self.wrt.shape[0])
        jac = simplify(mul(transpose(D), assume_symmetric(H.jacobian, self.symmetric), D))
        return Derivative(self.question, self.wrt, H.raw, jac, H.steps, order=2, first=self)

    @cached_property
    def derivation(self):
        raise MatcalcError("step-by-step derivations are shown for unconstrained matrices; "
                           "leave out --symmetric")
