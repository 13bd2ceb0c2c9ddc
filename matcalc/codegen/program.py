"""A straight-line program: instructions on named temporaries, printed as code or run.

Like the `let`s of a jaxpr, each instruction computes one value from earlier ones. The same
program prints as Python (a module's statements, or one NumPy expression with `:=`) and runs
as calls (what `to_numpy` does), so the code a user reads is the code matcalc runs — and no
text is ever evaluated.

An instruction is an operation and its arguments: references to earlier values (Ref), sizes
(Dim, printed from the arrays' shapes and evaluated from the same), tuples of them, and
constants. Each operation knows how to print itself and how to run.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from ..calculus.dims import Dim, Shape


LONG = 2_000  # characters of code a value may have and still be written into its reader


class Ref:
    """The value of instruction `id`. (Plain classes, not dataclasses: printing code must
    start as fast as the other printers.)"""
    __slots__ = ("id",)

    def __init__(self, id: int):
        self.id = id

    def __repr__(self) -> str:
        return f"Ref({self.id})"


class Op:
    """How an operation prints (from its arguments' text) and runs (on their values);
    `needs` is a module the printed code imports ("scipy.linalg"); `atomic` says whether its
    text is an operand as it stands (a call, x.T), None when that is to be read off the text."""
    __slots__ = ("name", "text", "run", "needs", "atomic")

    def __init__(self, name: str, text: Callable[..., str], run: Callable[..., Any], needs: str = "",
                 atomic: bool | None = True):
        self.name, self.text, self.run, self.needs, self.atomic = name, text, run, needs, atomic


class Code(str):
    """An operand's text, which may be wrapped in parentheses, and `bare`, without them."""
    __slots__ = ("bare",)

    def __new__(cls, text: str, bare: str):
        code = super().__new__(cls, text)
        code.bare = bare
        return code


def operand(op: Op, code: str) -> Code:
    """code as an operand: in parentheses unless it is atomic."""
    if op.atomic or (op.atomic is None and atomic(code)):
        return Code(code, code)
    return Code(f"({code})", code)


class Instr:
    """One instruction; `shape` is its value's, for the memory estimate."""
    __slots__ = ("op", "args", "shape", "kwargs")

    def __init__(self, op: Op, args: tuple, shape: Shape | None, kwargs: dict):
        self.op, self.args, self.shape, self.kwargs = op, args, shape, kwargs


class Program:
    """Instructions in order; `inputs` maps each name to its instruction; `outputs` name the
    results, in order."""

    def __init__(self):
        self.instrs: list[Instr] = []
        self.inputs: dict[str, int] = {}
        self.outputs: list[int] = []

    def add(self, op: Op, *args, shape: Shape | None = None, **kwargs) -> Ref:
        self.instrs.append(Instr(op, args, shape, kwargs))
        return Ref(len(self.instrs) - 1)

    def uses(self) -> list[int]:
        """How often each value is read, by the instructions the outputs need and as an
        output (0 for an instruction no output needs: it is not run or printed)."""
        counts = [0] * len(self.instrs)
        live = [False] * len(self.instrs)
        for out in self.outputs:
            counts[out] += 1
            live[out] = True

        def count(arg):
            if isinstance(arg, Ref):
                counts[arg.id] += 1
                live[arg.id] = True
            elif isinstance(arg, tuple):
                for a in arg:
                    count(a)
        for k in range(len(self.instrs) - 1, -1, -1):
            if live[k]:
                ins = self.instrs[k]
                for a in (*ins.args, *ins.kwargs.values()):
                    count(a)
        return counts

    def needs(self) -> list[str]:
        return sorted({i.op.needs for i in self.instrs if i.op.needs})

    # ── running ─────────────────────────────────────────────────────────────────────────

    def run(self, inputs: dict[str, Any], sizes: dict[str, int]) -> list:
        """The outputs' values, from the inputs' arrays and the sizes' values."""
        from ..checking.numeric import dim_value
        values: list = [None] * len(self.instrs)
        uses = self.uses()
        names = {i: n for n, i in self.inputs.items()}

        def value(arg):
            if isinstance(arg, Ref):
                return values[arg.id]
            if isinstance(arg, Dim):
                return dim_value(arg, sizes)
            if isinstance(arg, tuple):
                return tuple(value(a) for a in arg)
            if isinstance(arg, Fraction):
                return arg.numerator if arg.denominator == 1 else float(arg)
            if isinstance(arg, Raw):
                return arg.value
            if arg is SIZES:
                return sizes
            return arg
        for k, ins in enumerate(self.instrs):
            if k in names:
                values[k] = inputs[names[k]]
                continue
            if uses[k] == 0:
                continue
            values[k] = ins.op.run(*(value(a) for a in ins.args),
                                   **{key: value(a) for key, a in ins.kwargs.items()})
            if uses[k] == 0:
                values[k] = None
        return [values[k] for k in self.outputs]

    def memory(self, sizes: dict[str, int]) -> int:
        """Bytes of all the values the program computes: an upper bound on what it holds."""
        from ..checking.numeric import dim_value
        total, uses = 0, self.uses()
        for k, ins in enumerate(self.instrs):
            if ins.op.name in VIEWS:
                continue
            if ins.shape is not None and uses[k] and k not in self.inputs.values():
                total += 8 * dim_value(ins.shape[0], sizes) * dim_value(ins.shape[1], sizes)
        return total

    # ── printing ────────────────────────────────────────────────────────────────────────

    def statements(self, dim: Callable[[Dim], str], names: list[str],
                   long: int = LONG) -> tuple[list[tuple[str, str]], list[str]]:
        """Assignments (name, code), values read once written into their reader (unless
        their code is longer than `long`), and the outputs' text. `names` are the
        temporaries' names to use, in order."""
        uses = self.uses()
        text: dict[int, str] = {i: n for n, i in self.inputs.items()}
        lines, fresh = [], iter(names)
        for k, ins in enumerate(self.instrs):
            if k in text or uses[k] == 0:
                continue
            code = self._print(ins, text, dim)
            if uses[k] == 1 and len(code) <= long:
                text[k] = operand(ins.op, code)
            else:
                name = next(fresh)
                lines.append((name, code))
                text[k] = name
        return lines, [strip(text[k]) for k in self.outputs]

    def expression(self, dim: Callable[[Dim], str], names: list[str]) -> str:
        """The whole program as one expression: a value read more than once is bound with
        `:=` where it is first read (Python evaluates left to right) and reused after; a long
        program is a tuple of bindings, (t0 := …, t1 := …, result)[-1]."""
        lines, (out,) = self.statements(dim, names)
        if sum(len(code) for _, code in lines) + len(out) > 10 * LONG:
            return "(" + ", ".join(f"{name} := {strip(code)}" for name, code in lines) + \
                f", {out})[-1]"
        return _bind_first(out, dict(lines))

    def _print(self, ins: Instr, text: dict[int, str], dim) -> str:
        def show(arg) -> str:
            if isinstance(arg, Ref):
                return text[arg.id]
            if isinstance(arg, Dim):
                return dim(arg)
            if isinstance(arg, tuple):
                return "(" + ", ".join(show(a) for a in arg) + ("," if len(arg) == 1 else "") + ")"
            if isinstance(arg, Fraction):
                return str(arg.numerator) if arg.denominator == 1 else \
                    f"({arg.numerator}/{arg.denominator})"
            if isinstance(arg, Raw):
                return _fill(arg.text, text)
            return repr(arg)
        args = [show(a) for a in ins.args]
        kwargs = {key: show(a) for key, a in ins.kwargs.items()}
        return ins.op.text(*args, **kwargs)


class _Sizes:
    """An argument that runs as the sizes' values (for nodes evaluated by matcalc.checking.numeric)."""

    def __repr__(self) -> str:
        return "sizes"


SIZES = _Sizes()


VIEWS = {"T", "transpose", "broadcast", "input"}  # operations that allocate nothing


class Raw:
    """An argument printed as it is and run as `value` (a node for the NumPy printer)."""
    __slots__ = ("text", "value")

    def __init__(self, text: str, value: Any = None):
        self.text, self.value = text, value


def _fill(printed: str, text: dict[int, str]) -> str:
    """The NumPy printer's text with each child's placeholder replaced by the child's code
    (without parentheses where the printer wrote its own: a call's sole argument)."""
    import re

    def child(m) -> str:
        code = text[int(m.group(1))]
        before, after = printed[m.start() - 1:m.start()], printed[m.end():m.end() + 1]
        return strip(code) if before == "(" and after == ")" else code
    return re.sub("\x00(\\d+)\x00", child, printed)


def _bind_first(code: str, pending: dict[str, str]) -> str:
    """Write each pending name's code, `(name := code)`, at its first occurrence; the codes
    may hold other pending names, which are bound in turn."""
    import re
    done: set[str] = set()
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, pending)) + r")(?!\w)") \
        if pending else None
    if pattern is None:
        return code

    def expand(text: str) -> str:
        parts, last = [], 0
        for m in pattern.finditer(text):
            name = m.group(1)
            parts.append(text[last:m.start()])
            if name in done:
                parts.append(name)
            else:
                done.add(name)
                parts.append(f"({name} := {strip(expand(pending[name]))})")
            last = m.end()
        parts.append(text[last:])
        return "".join(parts)
    return expand(code)


def atomic(code: str) -> bool:
    """True when code needs no parentheses as an operand: a name, a call, an attribute."""
    depth = 0
    for i, ch in enumerate(code):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and (ch in " +-*/@<>=!%&|^~:," or (ch == "." and i == 0)):
            return False
    return True


def strip(code: str) -> str:
    """Code without one pair of outer parentheses that enclose all of it, where dropping
    them changes nothing: not a tuple, nor a `:=` binding, nor a lambda."""
    if isinstance(code, Code):
        return code.bare
    if not (code.startswith("(") and code.endswith(")")):
        return code
    depth = 0
    for i, ch in enumerate(code):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and i < len(code) - 1:
            return code
        if depth == 1 and (ch == "," or code.startswith(":=", i)):
            return code
    inner = code[1:-1]
    return code if inner.startswith("lambda") else inner
