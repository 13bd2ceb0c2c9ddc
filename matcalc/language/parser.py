"""Text → expression tree: a small Pratt parser for the input language.

    question := expr | ("d" | "∂") expr "/" ("d" | "∂") NAME
    expr     := expr ("+" | "-") expr               binding power 10
              | expr "⊗" expr                       20
              | expr (".*" | "∘") expr               25  (Hadamard product)
              | expr ("*" | "@" | "/" | " ") expr   30  (juxtaposition multiplies)
              | ("-" | "+") expr                    35
              | expr postfix                        40
    postfix  := "'" | "ᵀ" | "⁻¹" | "⁻ᵀ" | superscript digits | "^" exponent | ".^" exponent
    exponent := "T" | "-T" | "H" | ["-"] NUMBER | "{" ["-"] ("T" | NUMBER ["/" NUMBER]) "}" | "(" … ")"
    primary  := NUMBER | NAME | FUNCTION "(" expr {"," expr} ")" | FUNCTION "|" expr "|"
              | "(" expr ")" | "|" expr "|" | "<" expr "," expr ">"
              | ("‖" expr "‖" | "||" expr "||") [norm subscript: ₂ _2 ₁ _1 _F]

Other tools' spellings read as ours: `**` as ^, `.T` as ', ⊙ as ∘ and ⊘ as ./; a function
applied to a call without brackets, as in `log det(X)`, to that call.
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

from ..calculus import build
from ..calculus.dims import ONE, Dim
from ..errors import LimitError, MatcalcError, ParseError, ShapeError, describe_char, quote
from ..calculus.expr import Expr, Var
from .syntax import Syn
from ..limits import MAX_DIGITS, MAX_LENGTH, MAX_NESTING, budgeted

DEFAULT_SIZE = "n"

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_NAME = r"[A-Za-z_\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*"
NAME = re.compile(_NAME)  # the names of variables and sizes
SPACE = " \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"  # ASCII and Unicode spaces
_TOKEN = re.compile(r"""
    (?P<space>[""" + SPACE + r"""]+)
  | (?P<number>(?:[0-9]+(?:\.(?![*^/])[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)
  | (?P<name>𝟏|""" + _NAME + r"""[₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ]*)
  | (?P<sup>⁻ᵀ|ᵀ|⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)
  | (?P<op>\.\*|\.\^|\./|\*\*|\.T(?![A-Za-z0-9_])|[-+*/@^'(){},<>|⊗∂·−∘√‖⊙⊘])
  | (?P<subscript>[₀₁₂₃₄₅₆₇₈₉]+)
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
            if kind == "number" and "e" in word.lower():
                mantissa, _, power = word.lower().partition("e")
                if abs(int(power)) > MAX_EXPONENT:
                    raise LimitError(f"a number's exponent may be at most {MAX_EXPONENT}", text, pos)
            if kind == "name" and word[-1] in _SUBSCRIPTS:
                word = _subscripted(word)
            word = SPELLINGS.get(word, word)
            tokens.append(Token(kind, word, pos, space))
            space = False
        pos = match.end()
    tokens.append(Token("end", "", len(text), space))
    return tokens


# Other tools' spellings of our operators: Python's ** and NumPy's and sympy's .T;
# MatrixCalculus.org's ⊙ and ⊘ (the Hadamard product and division it prints).
SPELLINGS = {"·": "*", "−": "-", "**": "^", ".T": "'", "⊙": "∘", "⊘": "./"}
MAX_EXPONENT = 300  # of a number in scientific notation, 1e-300 … 1e300
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
_PLAIN = str.maketrans(_SUBSCRIPTS, "0123456789aehijklmnoprstuvx")


def _subscripted(word: str) -> str:
    """X₁ → X1 (as answers print X1), Iₙ → I_n and Kₘₙ → K_mn (sized identities, K)."""
    stem = word.rstrip(_SUBSCRIPTS)
    suffix = word[len(stem):].translate(_PLAIN)
    return stem + ("_" if stem in ("I", "K", "D") or not suffix.isdigit() else "") + suffix


def kronecker_ascii(tokens: list[Token], text: str) -> list[Token]:
    """A (x) B, spaced so, is A ⊗ B as ASCII answers print it, when x is no name elsewhere;
    when it is, A (x) B could be either, and is refused."""
    texts = [t.text for t in tokens]
    spots = [k for k in range(1, len(tokens) - 3) if texts[k:k + 3] == ["(", "x", ")"]
             and tokens[k].space_before and tokens[k + 3].space_before]
    if not spots:
        return tokens
    if texts.count("x") > len(spots):
        raise ParseError("' (x) ' could be a Kronecker product (as ASCII answers print it) or a "
                         "product with the name x; write kron(A, B) or A*x*B", text,
                         tokens[spots[0]].pos)
    out, skip = [], set()
    for k, tok in enumerate(tokens):
        if k in spots:
            out.append(Token("op", "⊗", tok.pos, True))
            skip.update((k + 1, k + 2))
        elif k not in skip:
            out.append(tok)
    return out


_HINTS = {
    "[": "use ( ) for grouping", "]": "use ( ) for grouping", "=": "write an expression, not an equation",
    ".": "'.' only appears in numbers such as 0.5, in .* .^ ./ and in .T", '"': "names need no quotes",
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
# A function's shape rule is in language/infer.py; one not listed there acts element by element.

FUNCTIONS: dict[str, tuple[int, Callable[..., Expr]]] = {
    "inv": (1, build.inverse),
    "transpose": (1, build.transpose),
    "det": (1, build.det),
    "logdet": (1, build.logdet),
    "log": (1, lambda x: build.func("log", x)),
    "ln": (1, lambda x: build.func("log", x)),
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
    "sigmoid": (1, lambda x: build.func("sigmoid", x)),
    "σ": (1, lambda x: build.func("sigmoid", x)),  # as answers print it
    "softplus": (1, lambda x: build.func("softplus", x)),
    "softmax": (1, build.softmax),
    "logsumexp": (1, build.logsumexp),
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
    "tan": (1, lambda x: build.func("tan", x)),
    "arcsin": (1, lambda x: build.func("arcsin", x)),
    "arccos": (1, lambda x: build.func("arccos", x)),
    "arctan": (1, lambda x: build.func("arctan", x)),
    "abs": (1, lambda x: build.func("abs", x)),
    "sign": (1, lambda x: build.func("sign", x)),
    "relu": (1, lambda x: build.func("relu", x)),
    "norm1": (1, build.norm1),
    "norm2": (1, build.norm),
    "vector": (1, None),  # c·𝟏, sized by use: built from the inferred shape
    "matrix": (1, None),
}


Question = namedtuple("Question", "expr wrt text read open", defaults=((), ()))
Question.__doc__ = "A parsed question: the expression, the variable named by a " \
    "`d … / dX` form (or None), every name read, even one that vanishes (Q in Q^0), and " \
    "the lower-case names that are columns by their letter alone (nothing fixes their length)."


class _NotPlain(Exception):
    """A bracketed exponent that is an expression, not T or a number."""


class Parser:
    """Text → syntax tree (the Pratt parser), then shapes inferred (language/infer.py), then
    the typed tree built from both (language/elaborate.py)."""

    def __init__(self, text: str, shapes: dict[str, tuple[Dim, Dim]] | None = None):
        if len(text) > MAX_LENGTH:
            raise LimitError(f"the expression is {len(text):,} characters long; "
                             f"matcalc reads at most {MAX_LENGTH:,}")
        self.text = text
        self.read: dict[str, None] = {}  # the names read, in order
        self.shapes = shapes or {}
        self.tokens = self.read_tokens(text)
        self.i = 0
        self.depth = 0
        self.in_bars = 0
        self.in_norm = 0  # inside ‖…‖, where ‖ closes rather than multiplies
        self.inferred: dict[str, tuple[Dim, Dim]] = {}

    def read_tokens(self, text: str) -> list[Token]:
        return kronecker_ascii(tokenize(text), text)

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

    def end_of_last(self) -> int:
        tok = self.tokens[self.i - 1] if self.i else self.tok
        return tok.pos + len(tok.text)

    # ── entry points ──
    @budgeted
    def question(self, extra_names: tuple[str, ...] = ()) -> Question:
        tree, wrt = self.syntax()
        expr = self.typed(tree, extra_names + ((wrt,) if wrt else ()))
        return Question(expr, wrt, self.text, tuple(self.read), self.inference.open)

    def syntax(self) -> tuple[Syn, str | None]:
        """The untyped tree, and the variable of a `d … / dX` form."""
        wrt = self._question_form()
        tree = self.expression(0)
        if self.tok.kind != "end":
            self.leftover()
        return tree, wrt

    def typed(self, tree: Syn, extra_names: tuple[str, ...] = ()) -> Expr:
        """Infer the names' shapes, then build the typed tree."""
        from .elaborate import elaborate
        from .infer import Inference
        for guess in (True, False):  # a guess the rest of the question contradicts is dropped
            self.inference = Inference(self.text, self.shapes, guess=guess)
            try:
                self.inferred = self.inference.run(
                    tree, tuple(n for n in extra_names if NAME.fullmatch(n)),
                    getattr(self, "expected_shape", None))
            except ShapeError:
                if self.inference.guessed:
                    continue
                raise
            if not self.inference.guess_undone():
                break
        return elaborate(self, tree)

    def special_name(self, name: str) -> str | None:
        """'identity', 'sized identity' or 'ones' for I, eye, I_n, ones and 𝟏; None for a
        variable."""
        return self.inference.special(name)

    def node_dims(self, node: Syn) -> tuple[Dim, Dim]:
        return tuple(self.inference.dim(i) for i in node.shape)

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
    def expression(self, rbp: int) -> Syn:
        outer = self.depth
        self.deeper()
        start = self.tok.pos
        left = self.prefix()
        left.start, left.end = start, self.end_of_last()
        while True:
            bp, handler = self.infix_power()
            if bp <= rbp:
                break
            if handler == self.postfix:  # a run of postfix operators nests like brackets
                self.deeper()
            left = handler(left, bp)
            left.start, left.end = start, self.end_of_last()
        self.depth = outer
        return left

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise LimitError(f"the expression nests more than {MAX_NESTING} levels deep",
                             self.text, self.tok.pos)

    def infix_power(self) -> tuple[int, Callable[[Syn, int], Syn]]:
        tok = self.tok
        if tok.kind == "sup" or (tok.kind == "op" and tok.text in ("^", "'", ".^")):
            return 40, self.postfix
        if tok.kind == "op":
            if tok.text in "+-":
                return 10, self.sum
            if tok.text == "⊗":
                return 20, self.binary
            if tok.text in (".*", "∘", "./"):
                return 25, self.binary
            if tok.text in "*@/" or tok.text in "(<√" or (tok.text == "|" and not self.in_bars) \
                    or (tok.text == "‖" and not self.in_norm):
                return 30, self.product
            return 0, None
        if tok.kind in ("name", "number"):
            return 30, self.product
        return 0, None

    def sum(self, left: Syn, bp: int) -> Syn:
        """t₁ ± t₂ ± ⋯ ± t_k, read whole (a run is built once, not once per term)."""
        terms, ops = [left], [left.pos]
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            start = self.tok.pos
            right = self.expression(bp)
            if op.text == "-":
                right = Syn("neg", (right,), pos=op.pos)
                right.start, right.end = start, self.end_of_last()
            terms.append(right)
            ops.append(op.pos)
        return Syn("sum", terms, tuple(ops), pos=ops[1])

    def product(self, left: Syn, bp: int) -> Syn:
        """F₁F₂⋯F_k, the factors written side by side or joined by *, @ and /; A/s divides
        all the factors before it."""
        factors, ops = [left], [left.pos]
        while self.infix_power()[1] == self.product:
            tok = self.tok
            if tok.kind == "op" and tok.text in "*@/":
                self.advance()
            right = self.expression(bp)
            if tok.kind == "op" and tok.text == "/":
                before = factors[0] if len(factors) == 1 else Syn("product", factors, tuple(ops), ops[1])
                before.start, before.end = left.start, factors[-1].end
                div = Syn("div", (before, right), pos=tok.pos)
                div.start, div.end = left.start, right.end
                factors, ops = [div], [tok.pos]
                continue
            factors.append(right)
            ops.append(tok.pos)
        if len(factors) == 1:
            return factors[0]
        return Syn("product", factors, tuple(ops), pos=ops[1])

    def binary(self, left: Syn, bp: int) -> Syn:
        op = self.advance()
        right = self.expression(bp)
        kind = {"⊗": "kron", ".*": "hadamard", "∘": "hadamard", "./": "hdiv"}[op.text]
        return Syn(kind, (left, right), pos=op.pos)

    def postfix(self, left: Syn, bp: int) -> Syn:
        tok = self.advance()
        if tok.text == "'" or tok.text == "ᵀ":
            return Syn("transpose", (left,), pos=tok.pos)
        if tok.text == "⁻ᵀ":
            return self.inverse_transpose(left, tok)
        if tok.kind == "sup":
            return Syn("power", (left,), Fraction(int(tok.text.translate(SUPERSCRIPTS))), tok.pos)
        exponent = self.exponent(tok.text)
        if tok.text == ".^":
            if isinstance(exponent, Syn):
                return Syn("sepower", (left, exponent), pos=tok.pos)
            if isinstance(exponent, str):
                self.fail("expected a number after '.^'", tok)
            return Syn("epower", (left,), exponent, tok.pos)
        if isinstance(exponent, Syn):
            return Syn("spower", (left, exponent), pos=tok.pos)
        if exponent == "T":
            return Syn("transpose", (left,), pos=tok.pos)
        if exponent == "-T":
            return self.inverse_transpose(left, tok)
        return Syn("power", (left,), exponent, tok.pos)

    def inverse_transpose(self, left: Syn, tok: Token) -> Syn:
        inverse = Syn("invT", (left,), pos=tok.pos)
        inverse.start, inverse.end = left.start, left.end
        return Syn("transpose", (inverse,), pos=tok.pos)

    def exponent(self, operator: str = "^") -> str | Fraction | Syn:
        """After '^': T, -T, a (possibly negative, possibly fractional) number, or a scalar
        name or bracketed expression (a^b, X.^t)."""
        closer = {"{": "}", "(": ")"}.get(self.tok.text) if self.tok.kind == "op" else None
        if closer:
            opener = self.advance()
            saved = self.i
            try:
                return self.plain_exponent(operator, closer)
            except _NotPlain:
                self.i = saved  # not a plain exponent: a bracketed expression
            inner = self.grouped(lambda: self.expression(0))
            self.expect(closer, f"'{closer}' to close the exponent", opener)
            return inner
        return self.plain_exponent(operator, None)

    def plain_exponent(self, operator: str, closer: str | None) -> str | Fraction | Syn:
        sign = ""
        if self.at("-"):
            self.advance()
            sign = "-"
        tok = self.tok
        if tok.kind == "name" and (tok.text == "T" or tok.text == "H" and "H" not in self.shapes):
            self.advance()  # Aᴴ, the Cookbook's conjugate transpose, is Aᵀ of a real matrix
            value: str | Fraction = sign + "T"
        elif tok.kind == "number":
            self.advance()
            value = Fraction(tok.text)
            if closer and self.at("/"):
                self.advance()
                if self.tok.kind != "number":  # a^(2/t): an expression, read as one
                    raise _NotPlain
                denominator = Fraction(self.advance().text)
                if denominator == 0:
                    self.error("the exponent divides by zero", tok)
                value /= denominator
            value = -value if sign else value
        elif tok.kind == "name" and tok.text not in FUNCTIONS and not sign and \
                not (tok.text.startswith("T") and len(tok.text) > 1):
            self.advance()  # a^b: a scalar name as the exponent
            value = Syn("name", (), tok.text, tok.pos)
            value.start, value.end = tok.pos, tok.pos + len(tok.text)
        else:
            if closer and tok.kind != "end":
                raise _NotPlain
            if operator not in ("^", ".^"):
                self.fail(f"expected a number after '{operator}'")
            hint = ""
            if tok.kind == "name" and tok.text.startswith("T") and len(tok.text) > 1:
                hint = f" (for a transpose times {tok.text[1:]} write ^T {tok.text[1:]}, with a space)"
            what = "a number" if operator == ".^" else "an exponent (T, -1, -T or a number)"
            self.fail(f"expected {what} after '{operator}'", hint=hint)
        if closer:
            if not self.at(closer) and self.tok.kind != "end":
                raise _NotPlain
            self.expect(closer, f"'{closer}' to close the exponent")
        return value


    def prefix(self) -> Syn:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            return Syn("num", (), Fraction(tok.text), tok.pos)
        if tok.kind == "name":
            return self.name()
        if tok.kind == "op":
            if tok.text in "-+":
                self.advance()
                start = self.tok.pos
                operand = self.expression(35)
                if tok.text == "+":
                    return operand
                negated = Syn("neg", (operand,), pos=tok.pos)
                return negated
            if tok.text == "(":
                self.advance()
                inner = self.grouped(lambda: self.expression(0))
                self.expect(")", "')' to close '('", tok)
                return inner
            if tok.text == "‖" or (tok.text == "|" and self.peek().text == "|"
                                   and not self.peek().space_before):
                return self.norm_bars()
            if tok.text == "|":
                return self.bars("det")
            if tok.text == "√":  # √x, √(…): as answers print a square root
                self.advance()
                start = self.tok.pos
                arg = self.prefix()
                arg.start, arg.end = start, self.end_of_last()
                return Syn("call", (arg,), "sqrt", tok.pos)
            if tok.text == "<":
                self.advance()
                a = self.grouped(lambda: self.expression(0))
                self.expect(",", "',' between the two sides of <A,B>", tok)
                b = self.grouped(lambda: self.expression(0))
                self.expect(">", "'>' to close <A,B>", tok)
                return Syn("inner", (a, b), pos=tok.pos)
        if tok.kind == "end":
            self.fail("expected an expression")
        hint = ""
        previous = self.tokens[self.i - 1] if self.i else None
        if tok.text == "*" and previous is not None and previous.text == "*":
            hint = "; write powers with ^, as in A^2"
        elif tok.text == "∂":
            hint = "; ∂ can only begin a question such as ∂f/∂X"
        self.fail("expected a name, a number or '('", hint=hint)

    def grouped(self, parse: Callable[[], Syn]) -> Syn:
        """Parse inside brackets, where '|' may again open a determinant and '‖' a norm."""
        saved, (self.in_bars, self.in_norm) = (self.in_bars, self.in_norm), (0, 0)
        try:
            return parse()
        finally:
            self.in_bars, self.in_norm = saved

    def bars(self, op: str) -> Syn:
        start = self.expect("|", "'|'")
        self.in_bars += 1
        inner = self.expression(0)
        self.in_bars -= 1
        self.expect("|", "'|' to close '|'", start)
        return Syn(op, (inner,), pos=start.pos)

    def norm_bars(self) -> Syn:
        """‖e‖ or ||e||: the norm, as norm(e) (Euclidean, or Frobenius for a matrix); ‖e‖₂
        and ‖e‖₁ (or _2, _1) of a vector, ‖e‖_F of a matrix, as papers and the Cookbook write
        them."""
        start = self.advance()
        closer = "‖" if start.text == "‖" else "||"
        if closer == "||":
            self.advance()
        counter = "in_norm" if closer == "‖" else "in_bars"
        setattr(self, counter, getattr(self, counter) + 1)
        inner = self.expression(0)
        setattr(self, counter, getattr(self, counter) - 1)
        first = self.expect(closer[0], f"'{closer}' to close '{closer}'", start)
        if closer == "||" and (self.tok.text != "|" or self.tok.space_before):
            self.fail(f"expected '||' to close '||' (opened at column {start.pos + 1})")
        if closer == "||":
            self.advance()
        inner.start, inner.end = start.pos, self.end_of_last()
        sub = self.tok
        if sub.space_before or not (sub.kind == "subscript" or
                                    (sub.kind == "name" and sub.text.startswith("_"))):
            return Syn("call", (inner,), "norm", start.pos)
        which = sub.text.lstrip("_").translate(_PLAIN)
        if which not in ("2", "1", "F"):
            self.error(f"matcalc knows the norms ‖x‖₂ and ‖x‖₁ of a vector and ‖X‖_F, not "
                       f"‖…‖{sub.text}; write max(svd(X)) for the spectral norm of a matrix, "
                       "sum(svd(X)) for the nuclear norm", sub)
        self.advance()
        if which == "F":
            return Syn("call", (inner,), "norm", start.pos)
        return Syn("vnorm", (inner,), int(which), first.pos)

    def peek(self) -> Token:
        return self.tokens[min(self.i + 1, len(self.tokens) - 1)]

    def name(self) -> Syn:
        tok = self.advance()
        follows = self.tok
        glued = not follows.space_before
        if tok.text in FUNCTIONS and follows.text == "|" and tok.text in ("ln", "log"):
            return self.bars("logdet")
        if tok.text in FUNCTIONS and follows.text == "(":
            return self.call(tok)
        if tok.text in FUNCTIONS and FUNCTIONS[tok.text][0] == 1 and follows.text in FUNCTIONS \
                and self.peek().text == "(":  # log det(X), as papers write it
            inner = self.name()
            return Syn("call", (inner,), tok.text, tok.pos)
        if tok.text == "vec" and self.transposed_call():  # vecᵀ(x), vec^T(x): as answers print
            inner = self.call(tok)
            inner.start, inner.end = tok.pos, self.end_of_last()
            return Syn("transpose", (inner,), pos=tok.pos)
        if tok.text in FUNCTIONS:
            self.fail(f"expected '(' after the function {tok.text}")
        if follows.text == "(" and len(tok.text) > 1 and tok.text not in self.shapes \
                and not tok.text.startswith(("I_", "K_")) \
                and (glued or tok.text[0].islower()):
            close = _closest_function(tok.text)
            if glued or close:
                self.unknown_function(tok, close)
        return Syn("name", (), tok.text, tok.pos)

    def transposed_call(self) -> bool:
        """At ᵀ( or ^T( after a function's name: step over the ᵀ and say so."""
        toks, i = self.tokens, self.i
        if toks[i].text == "ᵀ" and toks[i + 1].text == "(":
            self.i += 1
            return True
        if toks[i].text == "^" and toks[i + 1].text == "T" and toks[i + 2].text == "(":
            self.i += 2
            return True
        return False

    def unknown_function(self, tok: Token, close: str | None):
        """name(…) with a name that is not a function: most likely a misspelt one. A name
        declared with a shape, or a matrix name written with a space (Tr (A)), is a product."""
        name = quote(tok.text)
        if close:
            self.error(f"unknown function {name} (did you mean {close}?)", tok)
        self.error(f"unknown function {name}; the functions are {', '.join(FUNCTIONS)} "
                   f"(for a product write {tok.text[:20]}*(…))", tok)

    def call(self, tok: Token) -> Syn:
        arity, _ = FUNCTIONS[tok.text]
        self.advance()  # (
        args = [self.grouped(lambda: self.expression(0))]
        while self.at(","):
            self.advance()
            args.append(self.grouped(lambda: self.expression(0)))
        self.expect(")", f"')' to close {tok.text}(", tok)
        if len(args) != arity:
            raise ParseError(f"{tok.text} takes {arity} argument{'s' * (arity > 1)}, "
                             f"given {len(args)}", self.text, tok.pos)
        return Syn("call", args, tok.text, tok.pos)

    def variable(self, name: str, pos: int = 0) -> Expr:
        """The variable `name` with its inferred shape (or, for a name the question lacks,
        its --shape or the shape its letter gives)."""
        self.read.setdefault(name, None)
        if name in self.inferred:
            rows, cols = self.inferred[name]
        elif name in self.shapes:
            rows, cols = self.shapes[name]
        elif name[0].isupper():
            rows = cols = Dim.of(DEFAULT_SIZE)
        else:
            rows, cols = Dim.of(DEFAULT_SIZE), ONE
        return Var(name, rows, cols)

    def located(self, pos: int, make: Callable[[], Expr]) -> Expr:
        """Build a node; a shape error gets the position of the operator that caused it."""
        try:
            return make()
        except MatcalcError as err:
            if err.position is None:
                err.text, err.position = self.text, pos
            raise


def _closest_function(name: str) -> str | None:
    """The function a misspelt name most likely means: lgdet → logdet, Tr → tr."""
    import difflib  # only for a message, so not at start-up
    close = difflib.get_close_matches(name.lower(), FUNCTIONS, n=1, cutoff=0.75)
    return close[0] if close else None


def parse(text: str, shapes: dict | None = None) -> Question:
    return Parser(text, shapes).question()
