"""LaTeX for an amsmath document: \\operatorname{vec}, ^{\\top}, A^{-\\top}, \\otimes, |A|."""
from __future__ import annotations

from fractions import Fraction

from ..expr import Expr, Inverse, Mul, Num, ScalarPow, Transpose, Var, Vec
from .base import ATOM, KRONECKER, NEGATIVE, POSTFIX, PRODUCT, Printer, precedence, split_fraction
from .text import GREEK, _is_negative, _negate

LATEX_GREEK = {name: "\\" + name for name in GREEK}
LATEX_GREEK.update({"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H",
                    "Iota": "I", "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P",
                    "Tau": "T", "Chi": "X", "omicron": "o"})


class LatexPrinter(Printer):
    def group(self, text: str) -> str:
        return f"\\left({text}\\right)"

    # ── leaves ──
    def _print_Var(self, e: Var) -> str:
        stem = e.name.rstrip("0123456789")
        digits = e.name[len(stem):]
        if stem in LATEX_GREEK:
            base = LATEX_GREEK[stem]
        elif len(stem) == 1:
            base = stem
        else:
            base = "\\mathit{" + stem.replace("_", "\\_") + "}"
        return base + (f"_{{{digits}}}" if digits else "")

    def _print_Num(self, e: Num) -> str:
        v = e.value
        sign = "-" if v < 0 else ""
        if v.denominator == 1:
            return sign + str(abs(v.numerator))
        return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"

    def _print_Identity(self, e) -> str:
        return "I"

    def _print_Zero(self, e) -> str:
        return "0"

    def _print_Commutation(self, e) -> str:
        if e.m == e.n:
            return "K"
        return f"K_{{{e.m}{e.n}}}" if len(str(e.m)) == len(str(e.n)) == 1 else f"K_{{{e.m},{e.n}}}"

    # ── sums and products ──
    def _print_Add(self, e) -> str:
        out = self.print(e.terms[0])
        for term in e.terms[1:]:
            if _is_negative(term):
                out += " - " + self.paren(_negate(term), NEGATIVE + 1)
            else:
                out += " + " + self.print(term)
        return out

    def _print_Mul(self, e: Mul) -> str:
        coeff, top, bottom = split_fraction(e)
        sign = "-" if coeff < 0 else ""
        coeff = abs(coeff)
        top_factors = ([Num(Fraction(coeff.numerator))] if coeff.numerator != 1 else []) + top
        bottom_factors = ([Num(Fraction(coeff.denominator))] if coeff.denominator != 1 else []) + bottom
        if not bottom_factors:
            return sign + self.product(top_factors)
        denominator = self.product(bottom_factors)
        scalars = [f for f in top_factors if f.is_scalar]
        matrices = [f for f in top_factors if not f.is_scalar]
        fraction = f"\\frac{{{self.product(scalars) or '1'}}}{{{denominator}}}"
        return sign + fraction + (" " + self.product(matrices) if matrices else "")

    def product(self, factors: list[Expr]) -> str:
        return " ".join(self.group(self.print(f)) if isinstance(f, Mul) and len(factors) > 1
                        else self.paren(f, PRODUCT) for f in factors)

    def _print_Kron(self, e) -> str:
        return self.paren(e.left, KRONECKER) + " \\otimes " + self.paren(e.right, KRONECKER + 1)

    # ── postfix ──
    def _print_Transpose(self, e: Transpose) -> str:
        if isinstance(e.arg, Inverse):
            return self.sup(e.arg.arg, "-\\top")
        if isinstance(e.arg, Vec):
            return f"\\operatorname{{vec}}^{{\\top}}{self.group(self.print(e.arg.arg))}"
        return self.sup(e.arg, "\\top")

    def _print_Inverse(self, e) -> str:
        if isinstance(e.arg, Transpose):
            return self.sup(e.arg.arg, "-\\top")
        return self.sup(e.arg, "-1")

    def _print_Power(self, e) -> str:
        return self.sup(e.arg, str(e.k))

    def _print_ScalarPow(self, e: ScalarPow) -> str:
        p = e.exponent
        if p == Fraction(1, 2):
            return f"\\sqrt{{{self.print(e.arg)}}}"
        if p < 0:
            return self.print(Mul((Num(Fraction(1)), e)))
        return self.sup(e.arg, str(p) if p.denominator == 1 else f"{p.numerator}/{p.denominator}")

    def sup(self, base: Expr, exponent: str) -> str:
        text = self.paren(base, ATOM)
        if precedence(base) >= ATOM and text.endswith("}") and "_" in text:
            text = "{" + text + "}"  # X_{1}^{-1}, not a double subscript-superscript clash
        return f"{text}^{{{exponent}}}"

    # ── functions ──
    def _print_Det(self, e) -> str:
        return f"\\left|{self.print(e.arg)}\\right|"

    def _print_LogDet(self, e) -> str:
        return f"\\ln\\left|{self.print(e.arg)}\\right|"

    def _print_Trace(self, e) -> str:
        return f"\\operatorname{{tr}}{self.group(self.print(e.arg))}"

    def _print_Vec(self, e) -> str:
        return f"\\operatorname{{vec}}{self.group(self.print(e.arg))}"

    def _print_Func(self, e) -> str:
        if e.name == "sqrt":
            return f"\\sqrt{{{self.print(e.arg)}}}"
        name = "\\ln" if e.name == "log" else "\\" + e.name
        return f"{name}{self.group(self.print(e.arg))}"

    def _print_Partial(self, e) -> str:
        return f"\\frac{{\\partial {self.paren(e.arg, POSTFIX)}}}{{\\partial {self.print(e.wrt)}}}"


__all__ = ["LatexPrinter", "POSTFIX"]
