"""Bad input: one clear message on stderr and exit status 2; bugs exit 3; nothing is executed."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import matcalc.cli
from matcalc.cli import main
from matcalc.errors import caret_line, glyph
from matcalc.language.parser import FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_LIST = ", ".join(FUNCTIONS)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def error(*args: str) -> list[str]:
    """The lines of the message for a command that must fail with a user error."""
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[0].startswith("error: ")
    return lines


def pointed_at(lines: list[str]) -> str:
    """What the caret points at in the input shown above it."""
    assert len(lines) == 3, lines
    column = lines[2].index("^")
    assert set(lines[2][:column]) <= {" "} and lines[2][column + 1:] == ""
    return lines[1][column:]


def matcalc_process(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "matcalc", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=60)


# ── parse errors: every message of the parser ───────────────────────────────────────────

PARSE_ERRORS = [  # input, first line of the message, what the caret points at
    ("(A+B", "expected ')' to close '(' (opened at column 1), found the end of the input", ""),
    ("inv(A", "expected ')' to close inv( (opened at column 1), found the end of the input", ""),
    ("A + |B", "expected '|' to close '|' (opened at column 5), found the end of the input", ""),
    ("<A B>", "expected ',' between the two sides of <A,B> (opened at column 1), found '>'", ">"),
    ("<A,B", "expected '>' to close <A,B> (opened at column 1), found the end of the input", ""),
    ("A)", "unmatched ')'", ")"),
    ("A}", "unmatched '}'", "}"),
    ("A, B", "',' outside the arguments of a function or <A,B>", ", B"),
    ("A ∂B", "'∂' can only begin a question such as ∂f/∂X", "∂B"),
    ("A+", "expected an expression, found the end of the input", ""),
    ("A* *2", "expected a name, a number or '(', found '*'; write powers with ^, as in A^2", "*2"),
    ("A+)", "expected a name, a number or '(', found ')'", ")"),
    ("A+∂", "expected a name, a number or '(', found '∂'; ∂ can only begin a question such as ∂f/∂X", "∂"),
    ("tr A", "expected '(' after the function tr, found 'A'", "A"),
    ("A^)", "expected an exponent (T, -1, -T or a number) after '^', found ')'", ")"),
    ("A^TB", "expected an exponent (T, -1, -T or a number) after '^', found 'TB' "
             "(for a transpose times B write ^T B, with a space)", "TB"),
    ("A^{1/0}", "the exponent divides by zero", "1/0}"),
    ("A^{-1", "expected '}' to close the exponent, found the end of the input", ""),
    ("X.^)", "expected a number after '.^', found ')'", ")"),
    ("lgdet(A)", "unknown function 'lgdet' (did you mean logdet?)", "lgdet(A)"),
    ("2 lodget (A)", "unknown function 'lodget' (did you mean logdet?)", "lodget (A)"),
    ("Tr(A)", "unknown function 'Tr' (did you mean tr?)", "Tr(A)"),
    ("foo(A)", f"unknown function 'foo'; the functions are {FUNCTION_LIST} (for a product write foo*(…))",
     "foo(A)"),
    ("kron(A)", "kron takes 2 arguments, given 1", "kron(A)"),
    ("inv(A, B)", "inv takes 1 argument, given 2", "inv(A, B)"),
    ("d / d A", "expected an expression after 'd', found '/'", "/ d A"),
    ("A = B", "unexpected character '=' (U+003D EQUALS SIGN); write an expression, not an equation", "= B"),
    ("A[0]", "unexpected character '[' (U+005B LEFT SQUARE BRACKET); use ( ) for grouping", "[0]"),
    ("A × B", "unexpected character '×' (U+00D7 MULTIPLICATION SIGN); write * or a space for a product",
     "× B"),
    ("A’", "unexpected character '’' (U+2019 RIGHT SINGLE QUOTATION MARK); write ' or ^T for a transpose",
     "’"),
    ('"A"', "unexpected character '\"' (U+0022 QUOTATION MARK); names need no quotes", '"A"'),
    ("A \\otimes B", "unexpected character '\\' (U+005C REVERSE SOLIDUS); write ⊗, ', inv(…) and the "
                     "like, not LaTeX commands", "\\otimes B"),
]


@pytest.mark.parametrize("text, message, caret", PARSE_ERRORS, ids=[p[0] for p in PARSE_ERRORS])
def test_parse_errors_say_what_was_expected_and_point_at_it(text, message, caret):
    lines = error("derive", text, "A")
    assert lines[0] == "error: " + message
    assert lines[1] == "  " + text
    assert pointed_at(lines) == caret


def test_a_name_given_a_shape_is_a_variable_even_before_brackets():
    result = run("derive", "Sigma(A + B)", "A", "--shape", "Sigma=1,1")
    assert (result.exit_code, result.stdout) == (0, "ΣI\n")
    result = run("derive", "Tr (A)", "A")  # a matrix Tr times A, not a misspelt trace
    assert (result.exit_code, result.stdout) == (0, "I ⊗ Tr\n")


# ── characters outside the grammar: named, escaped, the caret in its column ───────────────

CHARACTERS = [  # input, the message's first line, the glyph shown for the offending character
    ("A\x00B", "unexpected character U+0000 (a control character)", "<U+0000>"),
    ("A\x1b[31mB", "unexpected character U+001B (a control character)", "<U+001B>"),
    ("A + 😀 B", "unexpected character U+1F600 GRINNING FACE", "<U+1F600>"),
    ("A\u200fB", "unexpected character U+200F RIGHT-TO-LEFT MARK", "<U+200F>"),
    ("A\u202eB", "unexpected character U+202E RIGHT-TO-LEFT OVERRIDE", "<U+202E>"),
    ("A\u0301 + B", "unexpected character U+0301 COMBINING ACUTE ACCENT", "<U+0301>"),
    ("A\u200bB", "unexpected character U+200B ZERO WIDTH SPACE; an invisible character, "
                 "probably pasted with the text", "<U+200B>"),
    ("\ufeffA", "unexpected character U+FEFF ZERO WIDTH NO-BREAK SPACE; an invisible character, "
                "probably pasted with the text", "<U+FEFF>"),
    ("Ａ + B", "unexpected character U+FF21 FULLWIDTH LATIN CAPITAL LETTER A (did you mean 'A'?)",
     "<U+FF21>"),
    ("A ＋ B", "unexpected character U+FF0B FULLWIDTH PLUS SIGN (did you mean '+'?)", "<U+FF0B>"),
    ("行列", "unexpected character U+884C CJK UNIFIED IDEOGRAPH-884C", "<U+884C>"),
    ("A\udcffB", "unexpected character U+DCFF", "<U+DCFF>"),  # an undecodable byte in argv
    ("A\u2028B", "unexpected character U+2028 LINE SEPARATOR", "<U+2028>"),
    ("α ⊗ Aᵀ\t+\u3000B ⊕ C", "unexpected character '⊕' (U+2295 CIRCLED PLUS)", "⊕"),
]


@pytest.mark.parametrize("text, message, shown", CHARACTERS, ids=[ascii(c[0]) for c in CHARACTERS])
def test_characters_outside_the_grammar_are_named_and_pointed_at(text, message, shown):
    lines = error("derive", text, "A")
    assert lines[0] == "error: " + message
    assert pointed_at(lines).startswith(shown)
    assert all(ch.isprintable() for line in lines for ch in line)  # nothing raw reaches a terminal


def test_the_caret_line_counts_columns_not_characters():
    text = "α ⊗ Aᵀ\t+\u3000B ⊕ C"  # a tab and an ideographic space are shown as one space each
    line, column = caret_line(text, text.index("⊕"))
    assert line == "α ⊗ Aᵀ + B ⊕ C" and line[column] == "⊕"
    assert all(len(glyph(ch)) in (1, 8, 9) for ch in "A😀\u200f\u0301Ａ\x00")


def test_a_long_input_is_shown_as_a_window_around_the_caret():
    text = "A + " * 1000 + "]" + " + B" * 1000
    lines = error("derive", text, "A")
    assert lines[1].startswith("  …") and lines[1].endswith("…")
    assert len(lines[1]) < 100 and pointed_at(lines).startswith("]")


@pytest.mark.parametrize("space", ["\u00a0", "\u2009", "\u202f", "\u3000", "\t", "\n"])
def test_unicode_spaces_are_white_space(space):
    assert run("derive", f"A{space}B", "A").stdout == run("derive", "A B", "A").stdout == "Bᵀ ⊗ I\n"


# ── shape errors name the operands and their shapes ──────────────────────────────────────

SHAPE_ERRORS = [  # args, message, caret
    (["A + x"], "cannot add A (n×n) and x (n×1)", "+ x"),
    (["x A", "--shape", "x=m"], "cannot multiply x (m×1) by A (n×n): 1 column against n rows", "A"),
    (["A x y", "--shape", "y=m"], "cannot multiply A x (n×1) by y (m×1): 1 column against m rows", "y"),
    (["inv(X)", "--shape", "X=m,n"], "the inverse needs a square matrix, but X (m×n)", "inv(X)"),
    (["det(X)", "--shape", "X=m,n"], "the determinant needs a square matrix, but X (m×n)", "det(X)"),
    (["|X|", "--shape", "X=m,n"], "the determinant needs a square matrix, but X (m×n)", "|X|"),
    (["logdet(X)", "--shape", "X=2,3"], "the log-determinant needs a square matrix, but X (2×3)",
     "logdet(X)"),
    (["tr(X)", "--shape", "X=m,n"], "the trace needs a square matrix, but X (m×n)", "tr(X)"),
    (["X^2", "--shape", "X=m,n"], "a matrix power needs a square matrix, but X (m×n)", "^2"),
    (["A/B"], "can only divide by a scalar, but B (n×n)", "/B"),
    (["A/0"], "division by zero", "/0"),
    (["A^{1/2}"], "a matrix can only be raised to an integer power, but A (n×n) is raised to 1/2", "^{1/2}"),
    (["x .* A"], "the Hadamard product needs two matrices of one shape, but x (n×1) and A (n×n)", ".* A"),
    (["diag(x^T)", "--shape", "x=m"], "diag needs a column vector or a square matrix, but x^T (1×m)", "diag(x^T)"),
    (["sum(A) + A"], "cannot add sum(A) (1×1) and A (n×n)", "+ A"),
    (["<A, x>"], "⟨A,B⟩ needs two matrices of one shape, but A (n×n) and x (n×1)", "<A, x>"),
]


@pytest.mark.parametrize("args, message, caret", SHAPE_ERRORS, ids=[s[0][0] for s in SHAPE_ERRORS])
def test_shape_errors_name_the_operands_and_their_shapes(args, message, caret):
    lines = error("derive", args[0], "A", *args[1:])
    assert lines[0].startswith("error: " + message)  # and perhaps the --shape that fits
    assert pointed_at(lines).startswith(caret)


def test_long_operands_are_cut_short_in_shape_errors():
    long_sum = "(" + " + ".join(f"A{i}" for i in range(300)) + ")"
    lines = error("derive", f"{long_sum} B + x", "x", "--shape", "x=n")
    assert lines[0].startswith("error: cannot add (A0 + A1 + A2 + A3 + A4 + A5 + …  A299) B (n×n) and x (n×1)")
    lines = error("derive", "(" + " + ".join(f"A{i} B{i}" for i in range(800)) + ") x y", "x",
                  "--shape", "y=m")
    assert lines[0].startswith("error: cannot multiply (A0 B0 + A1 B1 + A2 B2 + A3 B3 …  B799) x (n×1) "
                               "by y (m×1): 1 column against m rows")
    lines = error("derive", "x + (" + " + ".join(f"A{i} B{i}" for i in range(800)) + ") C", "x",
                  "--shape", "x=n")
    assert lines[0].startswith("error: cannot add x (n×1) and (A0 B0 + A1 B1 + A2 B2 + A3 B3 …  B799) C (n×n)")


# ── the variable to differentiate by ─────────────────────────────────────────────────────

VARIABLE_ERRORS = [
    (["A + B"], "say which variable to differentiate by: the expression has the variables A, B"),
    ([" + ".join(f"A{i}" for i in range(20))], "say which variable to differentiate by: the "
     "expression has the variables A0, A1, A2, A3, A4, A5, A6, A7, … (20 in all)"),
    (["2"], "say which variable to differentiate by: the expression has no variables"),
    (["A", "1x"], "'1x' is not a variable name"),
    (["A", "A B"], "'A B' is not a variable name"),
    (["tr(A)", "tr"], "'tr' is a function, not a variable"),
    (["A", "\x1b[2J"], "'<U+001B>[2J' is not a variable name"),
    (["A", "X" * 5000 + "!"], "'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX…XXXXXXXX!' is not a variable name"),
    (["d A / dB", "A"], "the question differentiates by B, but A was also given"),
]


@pytest.mark.parametrize("args, message", VARIABLE_ERRORS, ids=[str(i) for i in range(len(VARIABLE_ERRORS))])
def test_variable_errors(args, message):
    assert error("derive", *args) == ["error: " + message]


# ── options ──────────────────────────────────────────────────────────────────────────────

SHAPE_HELP = "e.g. X=m,n for a matrix, a=n for a vector, t=1,1 for a scalar"
SHAPE_OPTION_ERRORS = [
    ("A", f"bad --shape 'A': expected NAME=ROWS,COLS, {SHAPE_HELP}"),
    ("1A=2,2", f"bad --shape '1A=2,2': expected NAME=ROWS,COLS, {SHAPE_HELP}"),
    ("A=0,1", "bad shape A=0,1: sizes must be positive"),
    ("A=2,00", "bad shape A=2,00: sizes must be positive"),
    ("A=1,2,3", f"bad shape A=1,2,3: give one or two sizes; {SHAPE_HELP}"),
    ("A=", "bad shape A=: '' is not a size; sizes are whole numbers up to 999999 or names such as n"),
    ("A=-1,2", "bad shape A=-1,2: '-1' is not a size; sizes are whole numbers up to 999999 or names "
               "such as n"),
    ("A=1e3,2", "bad shape A=1e3,2: '1e3' is not a size; sizes are whole numbers up to 999999 or "
                "names such as n"),
    ("A=9999999,2", "bad shape A=9999999,2: '9999999' is not a size; sizes are whole numbers up to "
                    "999999 or names such as n"),
    ("A=n\x00,2", "bad shape A=n<U+0000>,2: 'n<U+0000>' is not a size; sizes are whole numbers up "
                  "to 999999 or names such as n"),
]


@pytest.mark.parametrize("option, message", SHAPE_OPTION_ERRORS, ids=[ascii(s[0]) for s in SHAPE_OPTION_ERRORS])
def test_bad_shape_options(option, message):
    assert error("derive", "A", "A", "--shape", option) == ["error: " + message]


def test_a_shape_given_twice_must_agree():
    assert error("derive", "A", "A", "--shape", "A=2,2", "--shape", "A=3,3") == [
        "error: --shape A is given twice, as 2,2 and as 3,3"]
    assert run("derive", "A", "A", "--shape", "A=2,2", "--shape", "A=2,2").exit_code == 0


def test_a_shape_for_a_name_not_in_the_question_is_warned_about():
    result = run("derive", "A", "A", "--shape", "B=2,2")
    assert (result.exit_code, result.stdout) == (0, "I\n")
    assert result.stderr == "warning: --shape 'B' is not used: the question has no name 'B'\n"
    result = run("derive", "A", "B", "--shape", "B=2,2")  # WRT's own shape is used
    assert (result.exit_code, result.stderr) == (0, "note: B does not occur in the expression, "
                                                 "so the derivative is the n²×4 zero; its variables are A\n")


def test_symmetric_for_a_name_not_in_the_question_is_warned_about():
    result = run("derive", "tr(X)", "X", "--symmetric", "Y")
    assert (result.exit_code, result.stdout) == (0, "vecᵀ(I)\n")
    assert result.stderr == "warning: --symmetric 'Y' is not used: the question has no name 'Y'\n"
    result = run("derive", "tr(A X)", "X", "--symmetric", "A")  # a symmetric constant is used
    assert (result.exit_code, result.stderr) == (0, "")


def test_gradient_layout_needs_a_scalar():
    assert error("derive", "A", "A", "--layout", "gradient") == [
        "error: the gradient layout needs a scalar expression, but A (n×n) is not; use the Jacobian layout"]


def test_an_expression_may_begin_with_a_minus_sign():
    assert run("derive", "-tr(A)", "A").stdout == "−vecᵀ(I)\n"
    assert run("derive", "-A", "A", "--format", "latex").stdout == "-I\n"
    assert run("derive", "--format=ascii", "-A", "A").stdout == "-I\n"
    assert run("derive", "--", "-A", "A").stdout == "−I\n"
    result = run("derive", "A", "A", "--fromat", "latex")  # a mistyped option is still reported
    assert result.exit_code == 2 and "No such option '--fromat'" in result.stderr


# ── WRT not in the expression: a zero of the right size ──────────────────────────────────

@pytest.mark.parametrize("fmt", ["unicode", "latex", "ascii"])
@pytest.mark.parametrize("expr, layout", [("A", "jacobian"), ("tr(A)", "jacobian"), ("tr(A)", "gradient"),
                                          ("2", "jacobian")])
def test_an_absent_variable_has_a_zero_derivative(expr, layout, fmt):
    result = run("derive", expr, "B", "--format", fmt, "--layout", layout)
    assert (result.exit_code, result.stdout) == (0, "0\n")
    assert result.stderr.startswith("note: B does not occur in the expression, so the derivative is the ")


@pytest.mark.parametrize("expr, layout, shape", [
    ("A", "jacobian", (9, 8)), ("tr(A)", "jacobian", (1, 8)), ("tr(A)", "gradient", (2, 4)),
    ("2", "jacobian", (1, 8)), ("d A x / dB", "jacobian", (3, 8))])
def test_an_absent_variable_has_numpy_zeros_of_the_right_shape(expr, layout, shape):
    """The code sizes a zero from the names it has: the expression's, and WRT's own."""
    args = ["derive", expr] + ([] if expr.startswith("d ") else ["B"])
    result = run(*args, "--shape", "B=m,p", "--format", "numpy", "--layout", layout)
    assert result.exit_code == 0
    env = {"np": np, "A": np.ones((3, 3)), "x": np.ones((3, 1)), "B": np.ones((2, 4))}
    value = eval(result.stdout, env)  # matcalc's own generated code, never user input
    assert value.shape == shape and not value.any()


# ── internal errors: exit status 3, a traceback only with --debug ────────────────────────

@pytest.fixture
def broken_derive(monkeypatch):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("a planted bug")
    monkeypatch.setattr(matcalc.cli, "derive_expression", boom)


INTERNAL = ("internal error: matcalc failed on this input; please report it with the command "
            "you ran (add --debug to see the traceback)\n")


def test_an_internal_error_asks_for_a_report_without_a_traceback(broken_derive):
    result = run("derive", "A", "A")
    assert (result.exit_code, result.stdout, result.stderr) == (3, "", INTERNAL)


def test_debug_shows_the_traceback_of_an_internal_error(broken_derive):
    result = run("--debug", "derive", "A", "A")
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "ZeroDivisionError: a planted bug" in result.stderr and result.stderr.endswith(INTERNAL)


def test_a_recursion_error_is_a_bug_not_a_message(monkeypatch):
    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(matcalc.cli, "derive_expression", deep)
    assert run("derive", "A", "A").exit_code == 3


@pytest.mark.parametrize("debug", [False, True])
def test_internal_errors_in_a_real_process(debug):
    argv = ["matcalc"] + (["--debug"] if debug else []) + ["derive", "A", "A"]
    code = ("import sys, matcalc.cli as cli\n"
            "def boom(*a, **k): raise ZeroDivisionError('a planted bug')\n"
            "cli.derive_expression = boom\n"
            f"sys.argv = {argv!r}\n"
            "cli.main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 3 and done.stdout == ""
    assert ("Traceback" in done.stderr) == debug
    assert done.stderr.endswith(INTERNAL)


# ── nothing the user types is executed ───────────────────────────────────────────────────

INJECTIONS = [
    "__import__('os').system('touch pwned')",
    "eval(\"open('pwned', 'w')\")",
    "exec('import os')",
    "open('pwned', 'w')",
    "A; import os; os.system('touch pwned')",
    "$(touch pwned)",
    "`touch pwned`",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 0",
    "A if 1 else B",
    "import os",
    "A.shape",
    "{'a': 1}",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_python_is_not_evaluated(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["derive", text])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert os.listdir(tmp_path) == []


def test_an_injection_attempt_creates_nothing_in_a_real_process(tmp_path):
    done = matcalc_process("derive", "__import__('os').system('touch x')", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: unexpected character '.' (U+002E FULL STOP)")
    assert list(tmp_path.iterdir()) == []


# ── limits through the command line ──────────────────────────────────────────────────────

@pytest.mark.parametrize("text", ["(" * 10_000 + "A" + ")" * 10_000, "inv(" * 10_000 + "A" + ")" * 10_000,
                                  "-" * 10_000 + "A", "A" + "'" * 10_000, "|" * 10_000 + "A" + "|" * 10_000,
                                  "A" + "^T" * 10_000],
                         ids=["(", "inv(", "-", "'", "|", "^T"])
def test_nesting_10000_deep_is_a_message(text):
    lines = error("derive", text, "A")
    assert lines[0] == "error: the expression nests more than 200 levels deep"
    assert lines[1].startswith("  …") and len(lines[1]) < 100


def test_300_kilobytes_is_a_message_at_once():
    assert error("derive", "A+" * 100_000 + "A", "A") == [
        "error: the expression is 200,001 characters long; matcalc reads at most 100,000"]


def test_the_quick_path_reports_a_limit_itself_in_the_command_line_words(capsys):
    """A question too large is found after seconds of work; it is not worked out twice."""
    from matcalc import entry
    args = ["derive", "det(" + "+".join(f"A{i} X B{i}" for i in range(300)) + ")", "X"]
    with pytest.raises(SystemExit) as done:
        entry.answer(*entry.plain_derive(args))
    assert done.value.code == 2
    quick = capsys.readouterr()
    assert quick.out == ""
    assert quick.err == run(*args).stderr
    assert quick.err.startswith("error: the answer is too large to print: it has ")
    assert quick.err.endswith(" parts, and matcalc prints at most 200,000\n")


def test_the_quick_path_leaves_an_unused_shape_to_the_command_line(capsys):
    from matcalc import entry
    assert entry.answer(*entry.plain_derive(["derive", "A", "A", "--shape", "B=2,2"])) is False
    assert capsys.readouterr().out == ""


def test_debug_in_a_real_process_for_a_user_error_is_still_one_message(tmp_path):
    done = matcalc_process("--debug", "derive", "inv(A", "A", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_bad_input_in_a_real_process_is_one_message(tmp_path):
    done = matcalc_process("derive", "inv(A", "A", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("error: expected ')' to close inv( (opened at column 1), found the end "
                           "of the input\n  inv(A\n       ^\n")


def test_the_readme_shows_real_messages():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Errors and limits"):]
    section = section[:section.index("\n## ")]
    blocks = re.findall(r"```console\n(.*?)```", section, re.S)
    examples = [e for block in blocks
                for e in re.findall(r"^\$ matcalc (.*)\n((?:(?!\$ ).*\n)*)", block, re.M)]
    assert len(examples) >= 4
    for command_line, shown in examples:
        result = run(*shlex.split(command_line))
        assert result.exit_code == 2 and result.stderr == shown
