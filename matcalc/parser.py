"""Text → expression tree: a small Pratt parser for the input language.

    question := expr | ("d" | "∂") expr "/" ("d" | "∂") NAME
    expr     := expr ("+" | "-") expr               binding power 10
              | expr "⊗" expr                       20
              | expr (".*" | "∘") expr               25  (Hadamard product)
              | expr ("*" | "@" | "/" | " ") expr   30  (juxtaposition multiplies)
              | ("-" | "+") expr                    35
              | expr postfix                        40
    postfix  := "'" | "ᵀ" | "⁻¹" | "⁻ᵀ" | superscript digits | "^" exponent | ".^" exponent
    exponent := "T" | "-T" | ["-"] NUMBER | "{" ["-"] ("T" | NUMBER ["/" NUMBER]) "}" | "(" … ")"
    primary  := NUMBER | NAME | FUNCTION "(" expr {"," expr} ")" | FUNCTION "|" expr "|"
              | "(" expr ")" | "|" expr "|" | "<" expr "," expr ">"

Names starting with an upper-case letter are n×n matrices, lower-case ones n×1 vectors,
unless `shapes` says otherwise. exp, log, sqrt, sin, cos, tanh, cosh and sinh of a matrix or vector act
element by element, as does ".^"; a number added to a matrix is that number times 𝟏. Nothing here evaluates the text: it is read token by token.
White space is ASCII white space or any Unicode space (such as a no-break space); any other
character outside the grammar is an error that names it and points at it.
"""
from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable
from fractions import Fraction

from . import build
from .dims import ONE, Dim
from .errors import LimitError, MatcalcError, ParseError, describe_char, quote
from .expr import Expr, Var
from .limits import MAX_DIGITS, MAX_LENGTH, MAX_NESTING, budgeted

DEFAULT_SIZE = "n"

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_NAME = r"[A-Za-z_\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*"
NAME = re.compile(_NAME)  # the names of variables and sizes
SPACE = " \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"  # ASCII and Unicode spaces
_TOKEN = re.compile(r"""
    (?P<space>[""" + SPACE + r"""]+)
  | (?P<number>[0-9]+(?:\.(?![*^])[0-9]*)?|\.[0-9]+)
  | (?P<name>""" + _NAME + r""")
  | (?P<sup>⁻ᵀ|ᵀ|⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)
  | (?P<op>\.\*|\.\^|[-+*/@^'(){},<>|⊗∂·−∘])
""", re.VERBOSE)


Token = namedtuple("Token", "kind text pos space_before", defaults=(False,))
Token.__doc__ = "A token: its kind (name, number, sup, op or end), text, position, and " \
    "whether white space comes before it."


def tokenize(text: str) -> list[Token]:
    tokens, pos, space = [], 0, False
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            ch = text[pos]
            raise ParseError(f"unexpected character {describe_char(ch)}{_hint(ch)}", text, pos)
        kind = match.lastgroup
        if kind == "space":
            space = True
        else:
            word = match.group()
            if kind == "number" and len(word) > MAX_DIGITS:
                raise LimitError(f"a number may have at most {MAX_DIGITS} digits", text, pos)
            word = {"·": "*", "−": "-"}.get(word, word)
            tokens.append(Token(kind, word, pos, space))
            space = False
        pos = match.end()
    tokens.append(Token("end", "", len(text), space))
    return tokens


_HINTS = {
    "[": "use ( ) for grouping", "]": "use ( ) for grouping", "=": "write an expression, not an equation",
    ".": "'.' only appears in numbers such as 0.5 and in .* and .^", '"': "names need no quotes",
    "×": "write * or a space for a product", "⋅": "write * or a space for a product",
    "∙": "write * or a space for a product", "÷": "write / for division",
    "–": "write - for minus", "—": "write - for minus", "’": "write ' or ^T for a transpose",
    "ᵗ": "write ' or ^T for a transpose", "⊤": "write ' or ^T for a transpose",
    "\\": "write ⊗, ', inv(…) and the like, not LaTeX commands",
    "\u200b": "an invisible character, probably pasted with the text",
    "\ufeff": "an invisible character, probably pasted with the text",
}


def _hint(ch: str) -> str:
    """Why a character is not read, or what was probably meant: 'Ａ' is a full-width 'A'."""
    if ch in _HINTS:
        return f"; {_HINTS[ch]}"
    import unicodedata  # only for a message, so not at start-up
    plain = unicodedata.normalize("NFKC", ch)
    if plain != ch and len(plain) == 1 and _TOKEN.fullmatch(plain):
        return f" (did you mean '{plain}'?)"
    return ""


# ── functions: name → (number of arguments, builder) ───────────────────────────────────

def _log(x: Expr) -> Expr:
    return build.logdet(x.arg) if build.is_det(x) else build.func("log", x)


FUNCTIONS: dict[str, tuple[int, Callable[..., Expr]]] = {
    "inv": (1, build.inverse),
    "transpose": (1, build.transpose),
    "det": (1, build.det),
    "logdet": (1, build.logdet),
    "log": (1, _log),
    "ln": (1, _log),
    "exp": (1, lambda x: build.func("exp", x)),
    "sqrt": (1, lambda x: build.func("sqrt", x)),
    "tr": (1, build.trace),
    "trace": (1, build.trace),
    "vec": (1, build.vec),
    "kron": (2, build.kron),
    "sin": (1, lambda x: build.func("sin", x)),
    "cos": (1, lambda x: build.func("cos", x)),
    "tanh": (1, lambda x: build.func("tanh", x)),
    "cosh": (1, lambda x: build.func("cosh", x)),
    "sinh": (1, lambda x: build.func("sinh", x)),
    "diag": (1, build.diag),
    "sum": (1, build.total),
    "norm": (1, build.norm),
    # matrix functions, decompositions and spectra
    "expm": (1, lambda x: build.matrix_function("expm", x)),
    "logm": (1, lambda x: build.matrix_function("logm", x)),
    "sqrtm": (1, lambda x: build.matrix_function("sqrtm", x)),
    "chol": (1, build.cholesky),
    "eig": (1, lambda x: build.spectrum("eig", x)),
    "svd": (1, lambda x: build.spectrum("svd", x)),
    "max": (1, lambda x: build.extreme("max", x)),
    "min": (1, lambda x: build.extreme("min", x)),
    "adj": (1, build.adjugate),
    "pinv": (1, build.pseudo_inverse),
}


Question = namedtuple("Question", "expr wrt text read", defaults=((),))
Question.__doc__ = "A parsed question: the expression, the variable named by a " \
    "`d … / dX` form (or None), and every name read, even one that vanishes (Q in Q^0)."


class Parser:
    def __init__(self, text: str, shapes: dict[str, tuple[Dim, Dim]] | None = None):
        if len(text) > MAX_LENGTH:
            raise LimitError(f"the expression is {len(text):,} characters long; "
                             f"matcalc reads at most {MAX_LENGTH:,}")
        self.text = text
        self.read: dict[str, None] = {}  # the names read, in order
        self.shapes = shapes or {}
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.in_bars = 0

    # ── token helpers ──
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, text: str) -> bool:
        return self.tok.kind in ("op", "name") and self.tok.text == text

    def expect(self, text: str, what: str, opener: Token | None = None) -> Token:
        if not self.at(text):
            where = f" (opened at column {opener.pos + 1})" if opener else ""
            self.fail(f"expected {what}{where}")
        return self.advance()

    def fail(self, message: str, tok: Token | None = None, hint: str = ""):
        """Stop at tok (the current token): "expected …, found …"."""
        tok = tok or self.tok
        found = "the end of the input" if tok.kind == "end" else quote(tok.text)
        raise ParseError(f"{message}, found {found}{hint}", self.text, tok.pos)

    def error(self, message: str, tok: Token):
        raise ParseError(message, self.text, tok.pos)

    # ── entry points ──
    @budgeted
    def question(self) -> Question:
        wrt = self._question_form()
        expr = self.expression(0)
        if self.tok.kind != "end":
            self.leftover()
        return Question(expr, wrt, self.text, tuple(self.read))

    def leftover(self):
        """A token that cannot continue the expression: say why."""
        tok = self.tok
        if tok.text in (")", "}", ">"):
            self.error(f"unmatched {quote(tok.text)}", tok)
        if tok.text == ",":
            self.error("',' outside the arguments of a function or <A,B>", tok)
        if tok.text == "∂":
            self.error("'∂' can only begin a question such as ∂f/∂X", tok)
        self.fail("expected an operator or the end of the input")

    def _question_form(self) -> str | None:
        """Recognise `d EXPR / dX` and `∂EXPR/∂X`; strip the d's and return X."""
        toks = self.tokens
        if len(toks) < 5 or toks[0].text not in ("d", "∂"):
            return None
        depth, slash = 0, None
        for k, t in enumerate(toks):
            if t.text in "({<" and t.kind == "op":
                depth += 1
            elif t.text in ")}>" and t.kind == "op":
                depth -= 1
            elif t.text == "/" and depth == 0:
                slash = k
        if slash is None:
            return None
        denominator = toks[slash + 1:-1]
        if len(denominator) == 2 and denominator[0].text in ("d", "∂") and denominator[1].kind == "name":
            name = denominator[1].text
        elif len(denominator) == 1 and denominator[0].kind == "name" and len(denominator[0].text) > 1 \
                and denominator[0].text.startswith("d"):
            name = denominator[0].text[1:]
        else:
            return None
        if slash == 1:
            self.fail("expected an expression after 'd'", toks[1])
        self.tokens = toks[1:slash] + [Token("end", "", toks[slash].pos)]
        return name

    # ── Pratt core ──
    def expression(self, rbp: int) -> Expr:
        outer = self.depth
        self.deeper()
        left = self.prefix()
        while True:
            bp, handler = self.infix_power()
            if bp <= rbp:
                break
            if handler == self.postfix:  # a run of postfix operators nests like brackets
                self.deeper()
            left = handler(left, bp)
        self.depth = outer
        return left

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise LimitError(f"the expression nests more than {MAX_NESTING} levels deep",
                             self.text, self.tok.pos)

    def infix_power(self) -> tuple[int, Callable[[Expr, int], Expr]]:
        tok = self.tok
        if tok.kind == "sup" or (tok.kind == "op" and tok.text in ("^", "'", ".^")):
            return 40, self.postfix
        if tok.kind == "op":
            if tok.text in "+-":
                return 10, self.sum
            if tok.text == "⊗":
                return 20, self.binary
            if tok.text in (".*", "∘"):
                return 25, self.binary
            if tok.text in "*@/" or tok.text in "(<" or (tok.text == "|" and not self.in_bars):
                return 30, self.product
            return 0, None
        if tok.kind in ("name", "number"):
            return 30, self.product
        return 0, None

    # A run of terms or of factors is read whole and built once: building a partial sum or
    # product per operand would copy the operands read so far each time, quadratic in the run.

    def sum(self, left: Expr, bp: int) -> Expr:
        """t₁ ± t₂ ± ⋯ ± t_k

        A term of the sum's shape is kept to be added with the others at the end. Any other
        (a number or scalar meeting a matrix, a shape that differs) is added at once, as when
        the sum is read one term at a time: a number becomes a multiple of 𝟏, and a shape
        error is reported at the term's operator.
        """
        terms = [left]
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            right = self.expression(bp)
            term = right if op.text == "+" else build.neg(right)
            if term.shape == terms[0].shape:
                terms.append(term)
            else:
                terms = [self.located(op, lambda: build.add(*terms, term))]
        return build.add(*terms)

    def product(self, left: Expr, bp: int) -> Expr:
        """F₁F₂⋯F_k, the factors written side by side or joined by *, @ and /.

        As when read one factor at a time, a row times a column (aᵀx) becomes one scalar,
        which the factors after it scale, and A/s divides all the factors before it.
        """
        factors = [left]
        shape = None if left.is_scalar else left.shape  # of the matrices so far
        while self.infix_power()[1] == self.product:
            tok = self.tok
            dividing = tok.kind == "op" and tok.text == "/"
            if tok.kind == "op" and tok.text in "*@/":
                self.advance()
            right = self.expression(bp)
            if dividing:
                factors = [self.located(tok, lambda: build.div(build.mul(*factors), right))]
                continue
            factors.append(right)
            if right.is_scalar:
                continue
            if shape is not None and right.shape[0] != shape[1]:
                self.located(tok, lambda: build.mul(*factors))  # the shape error, at tok
            shape = (shape[0] if shape else right.shape[0], right.shape[1])
            if shape == (ONE, ONE):
                factors, shape = [build.mul(*factors)], None
        return build.mul(*factors)

    def binary(self, left: Expr, bp: int) -> Expr:
        op = self.advance()
        right = self.expression(bp)
        return self.located(op, lambda: {
            "⊗": lambda: build.kron(left, right),
            ".*": lambda: build.hadamard(left, right),
            "∘": lambda: build.hadamard(left, right),
        }[op.text]())

    def postfix(self, left: Expr, bp: int) -> Expr:
        tok = self.advance()
        if tok.text == "'" or tok.text == "ᵀ":
            return self.located(tok, lambda: build.transpose(left))
        if tok.text == "⁻ᵀ":
            return self.located(tok, lambda: build.transpose(build.inverse(left)))
        if tok.kind == "sup":
            return self.located(tok, lambda: build.power(left, Fraction(int(tok.text.translate(SUPERSCRIPTS)))))
        exponent = self.exponent(tok.text)
        if tok.text == ".^":
            if isinstance(exponent, str):
                self.fail("expected a number after '.^'", tok)
            return self.located(tok, lambda: build.elementwise_power(left, exponent))
        if exponent == "T":
            return self.located(tok, lambda: build.transpose(left))
        if exponent == "-T":
            return self.located(tok, lambda: build.transpose(build.inverse(left)))
        return self.located(tok, lambda: build.power(left, exponent))

    def exponent(self, operator: str = "^") -> str | Fraction:
        """After '^': T, -T, or a (possibly negative, possibly fractional) number."""
        closer = {"{": "}", "(": ")"}.get(self.tok.text) if self.tok.kind == "op" else None
        if closer:
            self.advance()
        sign = ""
        if self.at("-"):
            self.advance()
            sign = "-"
        tok = self.tok
        if tok.kind == "name" and tok.text == "T":
            self.advance()
            value: str | Fraction = sign + "T"
        elif tok.kind == "number":
            self.advance()
            value = Fraction(tok.text)
            if closer and self.at("/"):
                self.advance()
                if self.tok.kind != "number":
                    self.fail("expected a number after '/' in the exponent")
                denominator = Fraction(self.advance().text)
                if denominator == 0:
                    self.error("the exponent divides by zero", tok)
                value /= denominator
            value = -value if sign else value
        else:
            if operator != "^":
                self.fail(f"expected a number after '{operator}'")
            hint = ""
            if tok.kind == "name" and tok.text.startswith("T") and len(tok.text) > 1:
                hint = f" (for a transpose times {tok.text[1:]} write ^T {tok.text[1:]}, with a space)"
            self.fail("expected an exponent (T, -1, -T or a number) after '^'", hint=hint)
        if closer:
            self.expect(closer, f"'{closer}' to close the exponent")
        return value

    def prefix(self) -> Expr:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            return build.number(Fraction(tok.text))
        if tok.kind == "name":
            return self.name()
        if tok.kind == "op":
            if tok.text in "-+":
                self.advance()
                operand = self.expression(35)
                return operand if tok.text == "+" else build.neg(operand)
            if tok.text == "(":
                self.advance()
                inner = self.grouped(lambda: self.expression(0))
                self.expect(")", "')' to close '('", tok)
                return inner
            if tok.text == "|":
                return self.bars(build.det)
            if tok.text == "<":
                self.advance()
                a = self.grouped(lambda: self.expression(0))
                self.expect(",", "',' between the two sides of <A,B>", tok)
                b = self.grouped(lambda: self.expression(0))
                self.expect(">", "'>' to close <A,B>", tok)
                return self.located(tok, lambda: build.inner(a, b))
        if tok.kind == "end":
            self.fail("expected an expression")
        hint = ""
        previous = self.tokens[self.i - 1] if self.i else None
        if tok.text == "*" and previous is not None and previous.text == "*":
            hint = "; write powers with ^, as in A^2"
        elif tok.text == "∂":
            hint = "; ∂ can only begin a question such as ∂f/∂X"
        self.fail("expected a name, a number or '('", hint=hint)

    def grouped(self, parse: Callable[[], Expr]) -> Expr:
        """Parse inside brackets, where '|' may again open a determinant."""
        saved, self.in_bars = self.in_bars, 0
        try:
            return parse()
        finally:
            self.in_bars = saved

    def bars(self, apply: Callable[[Expr], Expr]) -> Expr:
        start = self.expect("|", "'|'")
        self.in_bars += 1
        inner = self.expression(0)
        self.in_bars -= 1
        self.expect("|", "'|' to close '|'", start)
        return self.located(start, lambda: apply(inner))

    def name(self) -> Expr:
        tok = self.advance()
        follows = self.tok
        glued = not follows.space_before
        if tok.text in FUNCTIONS and follows.text == "|" and tok.text in ("ln", "log"):
            return self.bars(build.logdet)
        if tok.text in FUNCTIONS and follows.text == "(":
            return self.call(tok)
        if tok.text in FUNCTIONS:
            self.fail(f"expected '(' after the function {tok.text}")
        if follows.text == "(" and len(tok.text) > 1 and tok.text not in self.shapes \
                and (glued or tok.text[0].islower()):
            close = _closest_function(tok.text)
            if glued or close:
                self.unknown_function(tok, close)
        return self.variable(tok.text)

    def unknown_function(self, tok: Token, close: str | None):
        """name(…) with a name that is not a function: most likely a misspelt one. A name
        declared with a shape, or a matrix name written with a space (Tr (A)), is a product."""
        name = quote(tok.text)
        if close:
            self.error(f"unknown function {name} (did you mean {close}?)", tok)
        self.error(f"unknown function {name}; the functions are {', '.join(FUNCTIONS)} "
                   f"(for a product write {tok.text[:20]}*(…))", tok)

    def call(self, tok: Token) -> Expr:
        arity, builder = FUNCTIONS[tok.text]
        self.advance()  # (
        args = [self.grouped(lambda: self.expression(0))]
        while self.at(","):
            self.advance()
            args.append(self.grouped(lambda: self.expression(0)))
        self.expect(")", f"')' to close {tok.text}(", tok)
        if len(args) != arity:
            raise ParseError(f"{tok.text} takes {arity} argument{'s' * (arity > 1)}, "
                             f"given {len(args)}", self.text, tok.pos)
        return self.located(tok, lambda: builder(*args))

    def variable(self, name: str) -> Var:
        self.read.setdefault(name, None)
        if name in self.shapes:
            rows, cols = self.shapes[name]
        elif name[0].isupper():
            rows = cols = Dim.of(DEFAULT_SIZE)
        else:
            rows, cols = Dim.of(DEFAULT_SIZE), ONE
        return Var(name, rows, cols)

    def located(self, tok: Token, make: Callable[[], Expr]) -> Expr:
        """Build a node; a shape error gets the position of the operator that caused it."""
        try:
            return make()
        except MatcalcError as err:
            if err.position is None:
                err.text, err.position = self.text, tok.pos
            raise


def _closest_function(name: str) -> str | None:
    """The function a misspelt name most likely means: lgdet → logdet, Tr → tr."""
    import difflib  # only for a message, so not at start-up
    close = difflib.get_close_matches(name.lower(), FUNCTIONS, n=1, cutoff=0.75)
    return close[0] if close else None


def parse(text: str, shapes: dict | None = None) -> Question:
    return Parser(text, shapes).question()
