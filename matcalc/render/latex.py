"""LaTeX for an amsmath document: \\operatorname{vec}, ^{\\top}, A^{-\\top}, \\otimes, |A|."""
from __future__ import annotations

import re
from fractions import Fraction

from ..calculus.dims import Dim
from ..calculus.expr import Commutation, Expr, Identity, Inverse, Mul, Num, ScalarPow, Transpose, Var, Vec
from ..calculus.expr import symbolic_power
from ..calculus.build import spread_sign
from .base import (ATOM, HADAMARD, KRONECKER, NEGATIVE, POSTFIX, PRODUCT, Printer,
                   split_fraction)
from .text import GREEK, _is_negative, _negate

# Capital Greek letters that look Latin have no command of their own in LaTeX.
_LATIN_LOOKING = {"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I",
                  "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T",
                  "Chi": "X", "omicron": "o"}
# Unicode calls λ "lamda"; LaTeX spells it \lambda.
LATEX_GREEK = {name: "\\" + name.replace("amda", "ambda") for name in GREEK} | _LATIN_LOOKING
GREEK_LETTERS = {ch: LATEX_GREEK[name] for name, ch in GREEK.items()} | {"ς": "\\varsigma"}


def latex_name(name: str) -> str:
    """A name as LaTeX: X, X_{1}, \\Sigma_{1}, \\alpha (also for α), x_{i}, \\mathit{rows}."""
    head, sep, tail = name.partition("_")
    if sep and head and tail:
        index = tail if tail.isascii() and tail.isalnum() else latex_name(tail)
        return f"{latex_name(head)}_{{{index}}}"
    stem = name.rstrip("0123456789")
    digits = name[len(stem):]
    if not stem:
        return digits
    letters = [GREEK_LETTERS.get(ch, "\\_" if ch == "_" else ch) for ch in stem]
    if stem in LATEX_GREEK:
        base = LATEX_GREEK[stem]
    elif len(stem) == 1:
        base = letters[0]
    else:  # Greek letters braced, so that a letter may follow: {\\alpha}b
        base = "\\mathit{" + "".join("{" + s + "}" if s.startswith("\\") else s
                                     for s in letters) + "}"
    return base + (f"_{{{digits}}}" if digits else "")


BIG = ("", "\\big", "\\Big", "\\bigg", "\\Bigg")
_SIZED = re.compile(r"\\(big|Big|bigg|Bigg)[lr]")
_ONE_TOKEN = re.compile(r"\([^()\s]*\)")


def bracket_size(text: str) -> int:
    """0 for plain brackets; else the index in BIG: one more than the largest inside."""
    inside = max((BIG.index("\\" + m.group(1)) for m in _SIZED.finditer(text)), default=-1)
    text = _ONE_TOKEN.sub("", text)  # exp(X), (A^{\top}) are no taller than their letters
    if inside < 0 and any(mark in text for mark in ("(", "\\lvert", "\\lVert")):
        inside = 0
    return min(len(BIG) - 1, max(inside + 1, 2 if "\\frac" in text else 0))


def latex_dim(d: Dim) -> str:
    """A size as LaTeX: 3, n, mn, n^{2}, \\mathit{rows} \\cdot n."""
    parts = [] if d.coeff == 1 and d.symbols else [str(d.coeff)]
    for sym in dict.fromkeys(d.symbols):
        power = d.symbols.count(sym)
        parts.append(latex_name(sym) + (f"^{{{power}}}" if power > 1 else ""))
    return ("" if all(len(sym) == 1 for sym in d.symbols) else " \\cdot ").join(parts)


# Functions LaTeX has no command for, or writes otherwise.
_FUNCTION_NAMES = {"log": "\\ln", "sigmoid": "\\sigma", "softplus": "\\operatorname{softplus}",
                   "abs": "\\operatorname{abs}", "sign": "\\operatorname{sign}",
                   "relu": "\\operatorname{relu}"}


class LatexPrinter(Printer):
    def group(self, text: str, left: str = "(", right: str = ")") -> str:
        """Brackets as a typesetter sizes them: plain around plain content, one size up per
        level of brackets inside, \\Bigl at least around a fraction. Never \\left…\\right: they
        would space an operator name from its argument, and could not break across lines."""
        size = bracket_size(text)
        if size == 0:
            return f"{left}{text}{right}"
        return f"{BIG[size]}l{left}{text}{BIG[size]}r{right}"

    # ── leaves ──
    def _print_Var(self, e: Var) -> str:
        return latex_name(e.name)

    def _print_Num(self, e: Num) -> str:
        v = e.value
        sign = "-" if v < 0 else ""
        if v.denominator == 1:
            return sign + str(abs(v.numerator))
        return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"

    def _print_Identity(self, e) -> str:
        return f"I_{{{latex_dim(e.n)}}}" if Identity in self.sized else "I"

    def _print_Size(self, e) -> str:
        return str(e.n)

    def _print_Zero(self, e) -> str:
        return "0"

    def _print_Commutation(self, e) -> str:
        if e.m == e.n:
            return f"K_{{{latex_dim(e.m)}}}" if Commutation in self.sized else "K"
        m, n = latex_dim(e.m), latex_dim(e.n)
        return f"K_{{{m}{n}}}" if len(str(e.m)) == len(str(e.n)) == 1 else f"K_{{{m},{n}}}"

    # ── sums and products ──
    def _print_Add(self, e) -> str:
        out = self.print(e.terms[0])
        for term in e.terms[1:]:
            if _is_negative(term):
                out += " - " + self.paren(_negate(term), NEGATIVE + 1)
            else:  # a leading minus, however deep, negates the whole term: - x, never + -x
                text = self.print(term)
                out += " - " + text[1:] if text.startswith("-") else " + " + text
        return out

    def _print_Mul(self, e: Mul) -> str:
        coeff, top, bottom = split_fraction(e)
        sign = "-" if coeff < 0 else ""
        coeff = abs(coeff)
        top_factors = ([Num(Fraction(coeff.numerator))] if coeff.numerator != 1 else []) + top
        bottom_factors = ([Num(Fraction(coeff.denominator))] if coeff.denominator != 1 else []) + bottom
        if not bottom_factors:
            return sign + (self.product(top_factors) or "1")  # 2·(1/2) is 1, not nothing
        scalars = [f for f in top_factors if f.is_scalar]
        matrices = [f for f in top_factors if not f.is_scalar]
        fraction = f"\\frac{{{self.fraction_part(scalars) or '1'}}}{{{self.fraction_part(bottom_factors)}}}"
        return sign + fraction + (" " + self.product(matrices) if matrices else "")

    def fraction_part(self, factors: list[Expr]) -> str:
        """A numerator or denominator: the fraction bar groups it, so one factor needs no brackets."""
        return self.print(factors[0]) if len(factors) == 1 else self.product(factors)

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
        return f"{self.paren(base, ATOM)}^{{{exponent}}}"

    # ── functions ──
    def _print_Det(self, e) -> str:
        return self.group(self.print(e.arg), "\\lvert ", "\\rvert ").rstrip()

    def _print_LogDet(self, e) -> str:
        return "\\ln" + self.group(self.print(e.arg), "\\lvert ", "\\rvert ").rstrip()

    def _print_Trace(self, e) -> str:
        return f"\\operatorname{{tr}}{self.group(self.print(e.arg))}"

    def _print_Vec(self, e) -> str:
        return f"\\operatorname{{vec}}{self.group(self.print(e.arg))}"

    def _print_Func(self, e) -> str:
        if (power := symbolic_power(e)) is not None:  # exp(b ln a) is a^{b}
            return self.sup(power[0], self.print(spread_sign(power[1])))
        if e.name == "sqrt":
            return f"\\sqrt{{{self.print(e.arg)}}}"
        name = _FUNCTION_NAMES.get(e.name, "\\" + e.name)
        return f"{name}{self.group(self.print(e.arg))}"

    def _print_Partial(self, e) -> str:
        return f"\\frac{{\\partial {self.paren(e.arg, POSTFIX)}}}{{\\partial {self.print(e.wrt)}}}"

    # ── element-wise operations, diagonals, sums and norms ──
    def _print_Ones(self, e) -> str:
        row = e.rows.is_one and not e.cols.is_one
        return "\\mathbf{1}" + ("^{\\top}" if row else "")

    def _print_ElementFunc(self, e) -> str:
        if (power := symbolic_power(e)) is not None:  # exp(t ln X) is X^{∘t}
            return self.sup(power[0], "\\circ " + self.exponent(power[1]))
        name = {**_FUNCTION_NAMES, "sqrt": "\\operatorname{sqrt}"}.get(e.name, "\\" + e.name)
        return f"{name}{self.group(self.print(e.arg))}"

    def _print_Softmax(self, e) -> str:
        return f"\\operatorname{{softmax}}{self.group(self.print(e.arg))}"

    def _print_LogSumExp(self, e) -> str:
        return f"\\operatorname{{logsumexp}}{self.group(self.print(e.arg))}"

    def _print_ElementPow(self, e) -> str:
        p = e.exponent
        return self.sup(e.arg, "\\circ " + (str(p) if p.denominator == 1 else f"{p.numerator}/{p.denominator}"))

    def _print_Hadamard(self, e) -> str:
        return self.paren(e.left, HADAMARD) + " \\circ " + self.paren(e.right, HADAMARD + 1)

    def _print_DiagMatrix(self, e) -> str:
        return f"\\operatorname{{diag}}{self.group(self.print(e.arg))}"

    def _print_DiagPart(self, e) -> str:
        return f"\\operatorname{{diag}}{self.group(self.print(e.arg))}"

    def _print_SumAll(self, e) -> str:
        return f"\\operatorname{{sum}}{self.group(self.print(e.arg))}"

    def _print_Norm(self, e) -> str:
        return self.group(self.print(e.arg), "\\lVert ", "\\rVert ").rstrip()

    def _print_Duplication(self, e) -> str:
        return f"D_{{{e.n}}}"

    # ── matrix functions, decompositions and spectra ──
    naming_style = "latex"

    def _print_MatFunc(self, e) -> str:
        if e.name == "expm":
            return f"e^{{{self.print(e.arg)}}}"
        if e.name == "sqrtm":
            return self.sup(e.arg, "1/2")
        return f"\\log{self.group(self.print(e.arg))}"

    def _print_Chol(self, e) -> str:
        if self.question:
            return f"\\operatorname{{chol}}{self.group(self.print(e.arg))}"
        return self.named(e)

    def _print_Spectrum(self, e) -> str:
        name = {"eig": "\\lambda", "svd": "\\sigma"}[e.kind]
        return f"{name}{self.group(self.print(e.arg))}"

    def _print_Extreme(self, e) -> str:
        return f"\\{e.kind}{self.group(self.print(e.arg))}"

    def _print_Adj(self, e) -> str:
        return f"\\operatorname{{adj}}{self.group(self.print(e.arg))}"

    def _print_Pinv(self, e) -> str:
        return self.sup(e.arg, "+")





# ── widths, to break long formulas into lines (points of a 10 pt Computer Modern page) ──

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_BINARY = {"otimes", "circ", "cdot", "times"}
_ARGUMENT_WIDTH = {"operatorname": 5.0, "text": 5.0, "mathit": 6.0, "mathbf": 6.5}


def latex_width(text: str, scale: float = 1.0) -> float:
    """About how wide `text` prints in display math, in points: an estimate on the wide side,
    enough to choose line breaks (the gallery test compiles the result and reads the log)."""
    width, i = 0.0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            name = _COMMAND.match(text, i).group(1)
            i += 1 + len(name)
            if name == "frac":
                top, i = _braced(text, i)
                bottom, i = _braced(text, i)
                width += max(latex_width(top, scale), latex_width(bottom, scale)) + 2
            elif name in _ARGUMENT_WIDTH:
                arg, i = _braced(text, i)
                per = _ARGUMENT_WIDTH[name] * scale
                width += len(arg) * per if name in ("operatorname", "text") else \
                    latex_width(arg, scale)
                width += 2 * scale if name == "operatorname" else 0
            elif name == "sqrt":
                arg, i = _braced(text, i)
                width += latex_width(arg, scale) + 9 * scale
            elif name in _BINARY:  # the sign and a medium space either side
                width += (14 if name == "circ" else 17) * scale
            elif name in ("big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
                          "biggr", "Biggl", "Biggr", "left", "right"):
                width += 2 * scale
            elif name in ("quad", "qquad"):
                width += (10 if name == "quad" else 20) * scale
            elif name in (",", ";", ":", "!", " "):
                width += 3 * scale
            else:  # a Greek letter, \top, \partial, \ln, \exp, \lvert
                width += (len(name) * 5 if name in ("ln", "exp", "sin", "cos", "tan", "log")
                          else 8) * scale
        elif ch in "^_":
            arg, i = _braced(text, i + 1)
            width += latex_width(arg, scale * 0.7)
        elif ch == "{":
            arg, i = _braced(text, i)
            width += latex_width(arg, scale)
        elif ch in "+-=":
            binary = i > 0 and text[i - 1] == " "
            width += (17 if binary else 8) * scale
            i += 1
        else:
            width += (4.5 if ch in "()[]|,." else 0 if ch in " &}" else 5 if ch.isdigit()
                      else 8.5 if ch.isupper() else 6) * scale
            i += 1
    return width


def _braced(text: str, i: int) -> tuple[str, int]:
    """The argument at i: a braced group (without its braces) or one token; and where it ends."""
    if i >= len(text):
        return "", i
    if text[i] != "{":
        match = _COMMAND.match(text, i) if text[i] == "\\" else None
        end = match.end() if match else i + 1
        return text[i:end], end
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{" and text[j - 1] != "\\":
            depth += 1
        elif text[j] == "}" and text[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[i + 1:j], j + 1
    return text[i + 1:], len(text)
__all__ = ["LatexPrinter", "POSTFIX", "latex_width", "bracket_size"]
