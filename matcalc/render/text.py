"""Plain-text printers: Unicode in the article's notation (A⁻ᵀ, vecᵀ, ⊗, |A|), and ASCII."""
from __future__ import annotations

import unicodedata
from fractions import Fraction
from functools import cached_property

from ..calculus.dims import Dim
from ..calculus.expr import (Commutation, Expr, Identity, Inverse, Kron, Mul, Num, Ones, Partial,
                             ScalarPow, Transpose, Var, Vec)
from ..calculus.expr import symbolic_power, variables
from .base import (ATOM, HADAMARD, KRONECKER, NEGATIVE, POSTFIX, PRODUCT, SUM, Printer, is_tight,
                   precedence, split_fraction)

GREEK = {unicodedata.name(ch).split()[-1].lower(): ch for ch in "αβγδεζηθικλμνξπρστυφχψω"}
GREEK.update({name.capitalize(): ch.upper() for name, ch in GREEK.items()})
GREEK["Lambda"], GREEK["lambda"] = "Λ", "λ"

SUPERSCRIPT = str.maketrans("0123456789-T", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ")
SUBSCRIPT_GLYPHS = "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
SUBSCRIPT = str.maketrans("0123456789aehijklmnoprstuvx", SUBSCRIPT_GLYPHS)


DIGITS = "0123456789"  # ASCII only: 𝟏 is no digit of a number


class UnicodePrinter(Printer):
    """The article's notation. Glyphs that ASCII lacks are looked up in one table."""

    GLYPHS = {"T": "ᵀ", "-1": "⁻¹", "-T": "⁻ᵀ", "kron": " ⊗ ", "minus": "−", "vecT": "vecᵀ",
              "sqrt": "√", "ln": "ln", "partial": "∂", "hadamard": " ∘ ", "ones": "𝟏",
              "norm": ("‖", "‖"), "dup": "D", "sigmoid": "σ"}
    unicode = True

    # ── leaves ──
    def _print_Var(self, e: Var) -> str:
        name = e.name
        if not self.unicode:
            return name
        stem = name.rstrip("0123456789")
        digits = name[len(stem):]
        return GREEK.get(stem, stem) + digits.translate(SUBSCRIPT) if stem else name

    def _print_Num(self, e: Num) -> str:
        v = e.value
        text = str(abs(v.numerator)) if v.denominator == 1 else f"{abs(v.numerator)}/{v.denominator}"
        return (self.GLYPHS["minus"] if v < 0 else "") + text

    def _print_Identity(self, e) -> str:
        return "I" + (self.subscript(_size(e.n)) if Identity in self.sized else "")

    def _print_Size(self, e) -> str:
        return str(e.n)

    def _print_Zero(self, e) -> str:
        return "0"

    def _print_Commutation(self, e) -> str:
        if e.m == e.n:
            return "K" + (self.subscript(_size(e.m)) if Commutation in self.sized else "")
        return "K" + self.subscript(f"{e.m}{e.n}" if _short(e.m, e.n) else f"{e.m},{e.n}")

    def subscript(self, text: str) -> str:
        if self.unicode:
            converted = text.translate(SUBSCRIPT)
            if all(ch in SUBSCRIPT_GLYPHS for ch in converted):
                return converted
        if not self.unicode:
            text = text.replace("²", "^2")
        return f"_{text}" if text.isascii() and text.isalnum() else f"_({text})"

    def superscript(self, k) -> str:
        text = str(k)
        if self.unicode and (isinstance(k, int) or Fraction(k).denominator == 1):
            return text.translate(SUPERSCRIPT)
        return f"^{text}" if isinstance(k, int) or Fraction(k).denominator == 1 else f"^({text})"

    # ── sums and products ──
    def _print_Add(self, e) -> str:
        out = self.print(e.terms[0])
        for term in e.terms[1:]:
            minus = self.GLYPHS["minus"]
            if _is_negative(term):
                out += f" {minus} " + self.paren(_negate(term), NEGATIVE + 1)
            else:  # a leading minus, however deep, negates the whole term: − x, never + −x
                text = self.print(term)
                out += f" {minus} {text[len(minus):]}" if text.startswith(minus) else " + " + text
        return out

    def _print_Mul(self, e: Mul) -> str:
        coeff, top, bottom = split_fraction(e)
        sign = self.GLYPHS["minus"] if coeff < 0 else ""
        coeff = abs(coeff)
        numerator = self.product(([Num(Fraction(coeff.numerator))] if coeff.numerator != 1 else []) + top)
        denominator_factors = ([Num(Fraction(coeff.denominator))] if coeff.denominator != 1 else []) + bottom
        if not denominator_factors:
            return sign + (numerator or "1")  # 2·(1/2) is 1, not nothing
        if any(isinstance(f, Partial) for f in top):  # −(tr(X)/|X|²) ∂|X|/∂X, not ∂|X|/∂X/|X|²
            # a derivative by a scalar is a scalar too: it stays out of the coefficient, which
            # would otherwise hold it again and be printed by this very branch without end
            last = [f for f in top if not f.is_scalar or isinstance(f, Partial)]
            scalars = Mul((Num(Fraction(coeff)), *[f for f in top if f not in last],
                           *[ScalarPow(f, Fraction(-1)) for f in bottom]))
            return sign + self.group(self.print(scalars)) + " " + self.product(last)
        if len(denominator_factors) > 1:
            denominator = self.group(self.product(denominator_factors))
        else:
            denominator = self.paren(denominator_factors[0], POSTFIX)
        return f"{sign}{numerator or '1'}/{denominator}"

    def product(self, factors: list[Expr]) -> str:
        out, previous = "", None
        for f in factors:
            text = self.group(self.print(f)) if isinstance(f, Mul) and len(factors) > 1 \
                else self.paren(f, PRODUCT)
            if previous is not None:
                tight = self.tight(previous) and (self.tight(f) or isinstance(previous, Num))
                out += "" if tight and not self.merges(out, text, previous) else " "
            out += text
            previous = f
        return out

    def merges(self, left: str, right: str, previous: Expr) -> bool:
        """Would the two read back as one name or number: 2·2 as 22 (in any format), and in
        ASCII a^T b as a^Tb, t a as ta?"""
        if left[-1:] in DIGITS and right[:1] in DIGITS:
            return True
        if right[:1] == "(" and isinstance(previous, (Var, Ones)) and len(self.print(previous)) > 1:
            return True  # X1(A + B), ones(…) would read as calls of functions X1 and ones
        if self.unicode or not (right[:1].isalpha() or right[:1] == "_"):
            return False
        return left[-1:].isalpha() or left[-1:] == "_" or \
            (left[-1:] in DIGITS and isinstance(previous, Var))

    def tight(self, e: Expr) -> bool:
        if isinstance(e, Var):
            return len(self._print_Var(e).rstrip("₀₁₂₃₄₅₆₇₈₉0123456789")) == 1
        return isinstance(e, (Num, Mul)) or is_tight(e)

    def _print_Kron(self, e) -> str:
        return self.paren(e.left, KRONECKER) + self.GLYPHS["kron"] + self.paren(e.right, KRONECKER + 1)

    # ── postfix ──
    def _print_Transpose(self, e: Transpose) -> str:
        if isinstance(e.arg, Inverse):
            return self.paren(e.arg.arg, ATOM) + self.GLYPHS["-T"]
        if isinstance(e.arg, Vec):
            return f"{self.GLYPHS['vecT']}({self.print(e.arg.arg)})"
        return self.paren(e.arg, ATOM) + self.GLYPHS["T"]

    def _print_Inverse(self, e) -> str:
        if isinstance(e.arg, Transpose):
            return self.paren(e.arg.arg, ATOM) + self.GLYPHS["-T"]
        return self.paren(e.arg, ATOM) + self.GLYPHS["-1"]

    def _print_Power(self, e) -> str:
        return self.paren(e.arg, ATOM) + self.superscript(e.k)

    def _print_ScalarPow(self, e: ScalarPow) -> str:
        p = e.exponent
        if p == Fraction(1, 2):
            return self.root(e.arg)
        if p < 0:
            return self.print(Mul((Num(Fraction(1)), e)))
        return self.paren(e.arg, ATOM) + self.superscript(p if p.denominator != 1 else int(p))

    def root(self, arg: Expr) -> str:
        inner = self.print(arg)
        if self.unicode:
            return self.GLYPHS["sqrt"] + (inner if precedence(arg) == ATOM and len(inner) == 1
                                          else self.group(inner))
        return f"sqrt({inner})"

    # ── functions ──
    def _print_Det(self, e) -> str:
        return f"|{self.print(e.arg)}|"

    def _print_LogDet(self, e) -> str:
        return f"{self.GLYPHS['ln']}|{self.print(e.arg)}|"

    def _print_Trace(self, e) -> str:
        return f"tr({self.print(e.arg)})"

    def _print_Vec(self, e) -> str:
        return f"vec({self.print(e.arg)})"

    def _print_Func(self, e) -> str:
        if (power := symbolic_power(e)) is not None:  # exp(b ln a) is a^b
            return self.paren(power[0], ATOM) + "^" + self.exponent(power[1])
        if e.name == "sqrt":
            return self.root(e.arg)
        name = self.GLYPHS["ln"] if e.name == "log" else self.GLYPHS.get(e.name, e.name)
        return f"{name}({self.print(e.arg)})"

    def _print_Partial(self, e) -> str:
        d = self.GLYPHS["partial"]
        return f"{d}{self.paren(e.arg, POSTFIX)}/{d}{self.print(e.wrt)}"

    # ── element-wise operations, diagonals, sums and norms ──
    def _print_Ones(self, e) -> str:
        row = e.rows.is_one and not e.cols.is_one
        return self.GLYPHS["ones"] + (self.GLYPHS["T"] if row else "")

    def _print_ElementFunc(self, e) -> str:
        if (power := symbolic_power(e)) is not None:  # exp(t ln X) is X.^t
            return self.paren(power[0], ATOM) + ".^" + self.exponent(power[1])
        name = self.GLYPHS["ln"] if e.name == "log" else self.GLYPHS.get(e.name, e.name)
        return f"{name}({self.print(e.arg)})"

    def _print_Softmax(self, e) -> str:
        return f"softmax({self.print(e.arg)})"

    def _print_LogSumExp(self, e) -> str:
        return f"logsumexp({self.print(e.arg)})"

    def _print_ElementPow(self, e) -> str:
        p = e.exponent
        text = str(p) if p.denominator == 1 and p > 0 else f"({p})"
        return self.paren(e.arg, ATOM) + ".^" + text.replace("-", self.GLYPHS["minus"])

    def _print_Hadamard(self, e) -> str:
        return self.paren(e.left, HADAMARD) + self.GLYPHS["hadamard"] + self.paren(e.right, HADAMARD + 1)

    def _print_DiagMatrix(self, e) -> str:
        return f"diag({self.print(e.arg)})"

    def _print_DiagPart(self, e) -> str:
        return f"diag({self.print(e.arg)})"

    def _print_SumAll(self, e) -> str:
        return f"sum({self.print(e.arg)})"

    def _print_Norm(self, e) -> str:
        left, right = self.GLYPHS["norm"]
        return f"{left}{self.print(e.arg)}{right}"

    def _print_Duplication(self, e) -> str:
        return self.GLYPHS["dup"] + self.subscript(str(e.n))

    # ── matrix functions, decompositions and spectra ──
    def _print_MatFunc(self, e) -> str:
        if not self.unicode or e.name == "logm":
            return f"{e.name}({self.print(e.arg)})"
        if e.name == "sqrtm":
            return self.paren(e.arg, ATOM) + "^½"
        arg = self.print(e.arg)
        return "e^" + (arg if isinstance(e.arg, Var) and len(arg) == 1 else self.group(arg))

    def _print_Chol(self, e) -> str:
        return f"chol({self.print(e.arg)})" if self.question else self.named(e)

    def _print_Spectrum(self, e) -> str:
        name = {"eig": "λ", "svd": "σ"}[e.kind] if self.unicode else e.kind
        return f"{name}({self.print(e.arg)})"

    def _print_Extreme(self, e) -> str:
        return f"{e.kind}({self.print(e.arg)})"

    def _print_Adj(self, e) -> str:
        return f"adj({self.print(e.arg)})"

    def _print_Pinv(self, e) -> str:
        if not self.unicode:
            return f"pinv({self.print(e.arg)})"
        return self.paren(e.arg, ATOM) + "⁺"


class AsciiPrinter(UnicodePrinter):
    GLYPHS = {"T": "^T", "-1": "^-1", "-T": "^-T", "kron": " (x) ", "minus": "-",
              "vecT": "vec^T", "sqrt": "sqrt", "ln": "ln", "partial": "d", "hadamard": " .* ",
              "ones": "ones", "norm": ("norm(", ")"), "dup": "D", "sigmoid": "sigmoid"}
    unicode = False
    naming_style = "ascii"

    def _print_Kron(self, e) -> str:
        """A (x) B, unless x is a name here: then kron(A, B), which cannot be read as A x B."""
        if self._x_is_a_name:
            return f"kron({self.print(e.left)}, {self.print(e.right)})"
        return super()._print_Kron(e)

    def paren(self, e: Expr, level: int) -> str:
        return self.print(e) if isinstance(e, Kron) and self._x_is_a_name else super().paren(e, level)

    @cached_property
    def _x_is_a_name(self) -> bool:
        return "x" in variables(self._root)


def _size(d: Dim) -> str:
    """A size as a subscript writes it: n, mn, nn for n² (as I_nn is read back), 2n."""
    if all(len(sym) == 1 for sym in d.symbols):
        return ("" if d.coeff == 1 and d.symbols else str(d.coeff)) + "".join(d.symbols)
    return str(d)


def _short(*dims: Dim) -> bool:
    return all(len(str(d)) == 1 for d in dims)


def _is_negative(e: Expr) -> bool:
    if isinstance(e, Num):
        return e.value < 0
    return isinstance(e, Mul) and isinstance(e.factors[0], Num) and e.factors[0].value < 0


def _negate(e: Expr) -> Expr:
    if isinstance(e, Num):
        return Num(-e.value)
    first = Num(-e.factors[0].value)
    rest = e.factors[1:]
    return Mul((first, *rest)) if first.value != 1 else (rest[0] if len(rest) == 1 else Mul(rest))


__all__ = ["UnicodePrinter", "AsciiPrinter", "SUM"]
