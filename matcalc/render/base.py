"""What every printer shares: dispatch by node type, one precedence table, parentheses."""
from __future__ import annotations

from fractions import Fraction
from functools import cached_property

from ..calculus.build import spread_sign
from ..calculus.dims import ONE
from ..calculus.expr import (Add, Commutation, ElementPow, Expr, Hadamard, Identity, Inverse, Kron, Mul, Num, Ones,
                    Power, ScalarPow, Transpose, Var, Vec, Zero)
from ..calculus.expr import Chol, DivDiff, Factor, Frechet, HalfLower, MatFunc, Pinv, symbolic_power

SUM, NEGATIVE, KRONECKER, PRODUCT, POSTFIX, ATOM = 10, 15, 20, 30, 40, 50
HADAMARD = 25  # between ⊗ and the product, as the parser binds ∘ and .*


def precedence(e: Expr) -> int:
    if isinstance(e, Add):
        return SUM
    if isinstance(e, Mul):
        coeff = e.factors[0]
        negative = isinstance(coeff, Num) and coeff.value < 0
        fraction = any(isinstance(f, ScalarPow) and f.exponent < 0 for f in e.factors) or \
            (isinstance(coeff, Num) and coeff.value.denominator != 1)
        return NEGATIVE if negative else PRODUCT - 1 if fraction else PRODUCT
    if isinstance(e, Num):
        return NEGATIVE if e.value < 0 else PRODUCT - 1 if e.value.denominator != 1 else ATOM
    if isinstance(e, Kron):
        return KRONECKER
    if isinstance(e, ScalarPow):
        return PRODUCT - 1 if e.exponent < 0 else ATOM if e.exponent == Fraction(1, 2) else POSTFIX
    if isinstance(e, (Transpose, Inverse, Power)):
        return POSTFIX
    if isinstance(e, Hadamard):
        return HADAMARD
    if isinstance(e, ElementPow) or symbolic_power(e) is not None:  # a^b, X.^t
        return POSTFIX
    if isinstance(e, MatFunc):
        return ATOM if e.name == "logm" else POSTFIX  # (e^X)ᵀ, (X^½)ᵀ
    if isinstance(e, Frechet):
        return POSTFIX if e.name == "sqrtm" else PRODUCT
    if isinstance(e, Pinv):
        return POSTFIX
    return ATOM


class Printer:
    """Dispatches to `_print_<NodeType>`; a new node type costs one method per printer.

    A printer prints one expression (and its parts): `sized` tells which constants carry their
    size, I_m and I_n, K_m and K_n, because the expression holds several sizes of them.
    """

    _root: Expr | None = None
    sized: frozenset[type] = frozenset()

    def __call__(self, e: Expr) -> str:
        return self.print(e)

    def print(self, e: Expr) -> str:
        """A shared subexpression is printed once and its text reused wherever it recurs."""
        if self._root is None:  # the whole expression: which identities need their size
            self._root = e
            self.sized = sized_constants(e)
        text = self._printed.get(e)
        if text is None:
            text = self._printed[e] = getattr(self, "_print_" + type(e).__name__)(e)
        return text

    @cached_property
    def _printed(self) -> dict[Expr, str]:
        return {}

    naming_style = "unicode"
    question = False  # a question names chol(S) as written; an answer calls it L

    @cached_property
    def naming(self):
        """The letters given to factors of decompositions (V, L, F, …) and their where clause."""
        from .where import Naming
        return Naming(self.naming_style)

    def named(self, e: Expr) -> str:
        return self.naming.name(e, self.print)

    # Decompositions print as their letters (V, F, Φ) with a where clause; a Fréchet
    # derivative as its Kronecker form. The NumPy printer computes them instead.
    def _print_Factor(self, e) -> str:
        return self.named(e)

    _print_DivDiff = _print_HalfLower = _print_Factor

    def _print_Frechet(self, e) -> str:
        from ..calculus.matfunc import expanded
        return self.print(expanded(e))

    def where_entries(self) -> list[str]:
        """What each factor printed so far stands for ("X = VΛV⁻¹", …), one entry each."""
        return list(self.naming.entries) if "naming" in self.__dict__ else []

    def where(self) -> str:
        """", where X = VΛV⁻¹; …" for the factors printed so far, or ""."""
        return self.naming.clause() if "naming" in self.__dict__ else ""

    def paren(self, e: Expr, level: int) -> str:
        text = self.print(e)
        return self.group(text) if precedence(e) < level else text

    def group(self, text: str) -> str:
        return f"({text})"

    def exponent(self, u: Expr) -> str:
        """A symbolic exponent: a name or a whole number as it is, anything else bracketed,
        so that a^b, a^(b − 1) and a^(2b) read back as written."""
        text = self.print(spread_sign(u))
        plain = isinstance(u, Var) or (isinstance(u, Num) and u.value > 0 and u.value.denominator == 1)
        return text if plain else self.group(text)


def split_fraction(e: Mul) -> tuple[Fraction, list[Expr], list[Expr]]:
    """A product as coefficient, numerator factors and denominator factors (negative powers)."""
    coeff, top, bottom, inner = Fraction(1), [], [], []
    for f in e.factors:
        if isinstance(f, Num):
            coeff *= f.value
        elif isinstance(f, ScalarPow) and f.exponent < 0:
            bottom.append(f.arg if f.exponent == -1 else ScalarPow(f.arg, -f.exponent))
        elif isinstance(f, Mul) and f.is_scalar and len(e.factors) > 1:
            # a scalar factor's own fraction joins the product's: (xᵀy)x/(‖y‖‖x‖³)
            c, t, b = split_fraction(f)
            coeff, inner = coeff * c, inner + b
            top.extend([t[0]] if len(t) == 1 else [Mul(tuple(t))] if t else [])
        else:
            top.append(f)
    return coeff, top, bottom + inner


def sized_constants(e: Expr) -> frozenset[type]:
    """The constant kinds (Identity, Commutation) that occur in e in more than one size."""
    sizes: dict[type, set] = {Identity: set(), Commutation: set()}
    seen, stack = set(), [e]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if type(node) in sizes:
            sizes[type(node)].add(node.shape)
        stack.extend(node.children)
    return frozenset(kind for kind, found in sizes.items() if len(found) > 1)


def is_square_commutation(e: Commutation) -> bool:
    return e.m == e.n


def is_tight(e: Expr) -> bool:
    """Factors that read well written next to each other without a space: AX, (I + K)(I ⊗ Xᵀ)."""
    if isinstance(e, Transpose) and isinstance(e.arg, Vec):
        return False  # vecᵀ(G) is a word
    if isinstance(e, (Transpose, Inverse, Power, Pinv)):
        while isinstance(e, (Transpose, Inverse, Power, Pinv)):
            e = e.arg
        return isinstance(e, (Var, Identity, Ones) + NAMED) or precedence(e) < ATOM
    return isinstance(e, (Var, Identity, Commutation, Zero, Ones) + NAMED) or precedence(e) < PRODUCT


NAMED = (Factor, DivDiff, Chol, HalfLower)  # printed as a letter: V, F, L, Φ


__all__ = ["Printer", "precedence", "split_fraction", "is_tight", "ONE",
           "SUM", "NEGATIVE", "KRONECKER", "PRODUCT", "POSTFIX", "ATOM"]
