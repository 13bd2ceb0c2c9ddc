"""Fuzzing the command line: every input ends in an answer (exit 0) or one clear message
(exit 2) within seconds, never a traceback and never an internal error (exit 3).

Inputs are random strings over the grammar's alphabet, random expressions built from the
grammar, and both kinds of valid question with random insertions, deletions and replacements:
2,800 in all. They run in-process through click's CliRunner (with --debug, so that a bug shows
its traceback in the failure), and a few through a real process.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from matcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 5  # an answer or a message within this, even on a busy machine
FORMATS = ("unicode", "latex", "ascii", "numpy")  # sympy's own speed is not under test here

NAMES = ["A", "B", "X", "x", "y", "t", "Sigma", "X1", "α", "T", "d", "dX"]
FUNCTIONS = ["inv", "det", "logdet", "ln", "log", "exp", "sqrt", "tr", "trace", "vec", "transpose",
             "sin", "diag", "sum", "norm"]
OPERATORS = ["+", "-", "*", "/", "@", "^", "'", "|", "<", ">", ",", "(", ")", "{", "}", "⊗", "ᵀ",
             "⁻¹", "⁻ᵀ", "²", "∂", "·", "−", " ", ".*", ".^", "∘", "."]
TOKENS = NAMES + FUNCTIONS + ["kron"] + OPERATORS + ["0", "1", "2", "0.5", "10", "-1", "-T", "T"]
CHARACTERS = sorted(set("".join(TOKENS)) | set("0123456789 "))

QUESTIONS = [  # valid questions to start mutations from
    "inv(A)", "det(A)", "logdet(X^T X)", "d ln|A| / dA", "tr(A^T B)", "<A,B>", "a^T inv(X) b",
    "X^T X", "tr(X^T A X)", "kron(A, B)", "A ⊗ X", "∂tr(X)/∂X", "exp(tr(X)) X", "sqrt(x^T x)",
    "X^2 + 2X - inv(X)'", "|X|^-1", "vec(X)^T vec(X)", "(A + X)^{-1}", "X⁻ᵀ ⊗ X⁻¹", "t X / 2",
    "ln(det(X' X))", "log(tr(X)) + x' y", "-X^{-T} A", "tr(X)^{1/2}", "X A X^T B X",
    "sum(exp(X))", "x .* y", "X.^2 ∘ A", "norm(A x - y)", "diag(x) X", "sin(X) + 1",
]

OPTIONS = st.tuples(
    st.sampled_from([None, "A", "X", "x", "B", "t"]),
    st.sampled_from(FORMATS),
    st.sampled_from(["jacobian", "gradient"]),
    st.sampled_from([(), ("--shape", "X=m,n"), ("--shape", "t=1,1"), ("--shape", "x=3")]),
)


def expressions(leaves=st.sampled_from(NAMES[:9] + ["2", "0.5", "3"])) -> st.SearchStrategy[str]:
    """Expressions built by the grammar's productions (shapes may or may not fit)."""

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from([" + ", " - ", " ", "*", " @ ", " ⊗ ", "/", " .* "]),
                      inner).map("".join),
            inner.map(lambda e: f"({e})"),
            st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"kron({t[0]}, {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"<{t[0]}, {t[1]}>"),
            inner.map(lambda e: f"|{e}|"),
            inner.map(lambda e: f"-{e}"),
            st.tuples(inner, st.sampled_from(["'", "^T", "ᵀ", "⁻¹", "⁻ᵀ", "^-1", "^{-1}", "^{-T}",
                                              "^2", "²", "^(1/2)", "^{-3}", ".^2", ".^(1/2)"]))
            .map(lambda t: f"({t[0]}){t[1]}"),
            st.tuples(inner, st.sampled_from(["X", "A", "x"])).map(lambda t: f"d {t[0]} / d{t[1]}"),
        )
    return st.recursive(leaves, extend, max_leaves=8)


EDITS = st.lists(st.tuples(st.sampled_from(["insert", "delete", "replace"]),
                           st.integers(0, 10_000), st.sampled_from(TOKENS + CHARACTERS)), max_size=4)


def mutate(text: str, edits) -> str:
    for kind, at, piece in edits:
        at = at % (len(text) + 1)
        if kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + 1:]
        else:
            text = text[:at] + piece + text[at + 1:]
    return text


def command(text: str, options) -> list[str]:
    wrt, fmt, layout, shapes = options
    return ["derive", text, *([wrt] if wrt else []), "--format", fmt, "--layout", layout, *shapes]


def check(text: str, options) -> None:
    check_command(command(text, options), options[1])


def check_command(args: list[str], fmt: str):
    """Run one command line: an answer, or one message on stderr with exit status 2."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["--debug", *args])
    elapsed = time.perf_counter() - start
    event("an answer" if result.exit_code == 0 else "a message")
    assert result.exit_code in (0, 2), f"{args!r} exited {result.exit_code}:\n{result.output}"
    assert elapsed < SECONDS, f"{args!r} took {elapsed:.1f} s"
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert result.stdout.strip()
        assert all(line.startswith(("warning: ", "note: ")) for line in result.stderr.splitlines())
        if fmt == "numpy":
            compile(result.stdout, "<matcalc numpy code>", "eval")  # matcalc's own output parses
    else:
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        message = "\n".join(line for line in lines if not line.startswith(("warning: ", "note: ")))
        assert message.startswith("error: ") or "Error: " in message, message
        assert all(ch.isprintable() for ch in message.replace("\n", "")), message
    return result


FUZZ = settings(deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(FUZZ, max_examples=700)
@given(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join), OPTIONS)
def test_random_token_strings(text, options):
    check(text, options)


@settings(FUZZ, max_examples=400)
@given(st.text(alphabet=CHARACTERS, max_size=40), OPTIONS)
def test_random_character_strings(text, options):
    check(text, options)


@settings(FUZZ, max_examples=700)
@given(expressions(), EDITS, OPTIONS)
def test_grammar_expressions_with_random_edits(text, edits, options):
    check(mutate(text, edits), options)


@settings(FUZZ, max_examples=600)
@given(expressions(st.sampled_from(["A", "B", "X", "t", "2", "0.5"])),
       st.sampled_from(FORMATS), st.sampled_from(["jacobian", "gradient"]))
def test_grammar_expressions_of_square_matrices(text, fmt, layout):
    """Mostly well-shaped, so that they reach the rules, the simplifier and the printers."""
    check(text, ("X", fmt, layout, ("--shape", "t=1,1")))


@settings(FUZZ, max_examples=400)
@given(st.sampled_from(QUESTIONS), EDITS, OPTIONS)
def test_valid_questions_with_random_edits(text, edits, options):
    check(mutate(text, edits), options)


@settings(FUZZ, max_examples=8)
@given(st.sampled_from(QUESTIONS), EDITS, OPTIONS)
def test_random_edits_in_a_real_process(text, edits, options):
    args = command(mutate(text, edits), options)
    done = subprocess.run([sys.executable, "-m", "matcalc", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode in (0, 2), f"{args!r} exited {done.returncode}:\n{done.stderr}"
    assert "Traceback" not in done.stderr
    assert (done.returncode == 0) == bool(done.stdout.strip())


# ── the paths past the first derivative: --steps, --symmetric, --order 2 ────────────────

PATHS = st.sampled_from([("--steps",), ("--order", "2"), ("--symmetric", "X"),
                         ("--order", "2", "--symmetric", "X"), ("--steps", "--symmetric", "X"),
                         ("--symmetric", "X", "--layout", "gradient"), ("--symmetric", "A")])


@settings(FUZZ, max_examples=int(os.environ.get("MATCALC_FUZZ_EXAMPLES") or 300))
@given(expressions(st.sampled_from(["A", "B", "X", "t", "2", "0.5"])), st.sampled_from(FORMATS),
       PATHS, st.sampled_from(["X", "X", "t"]))
def test_steps_symmetric_and_hessian_paths(text, fmt, path, wrt):
    """Mostly well-shaped questions down the derivation, symmetric and Hessian paths; the
    NumPy code of each answer is run and must give the value matcalc's own evaluator gives."""
    result = check_command(["derive", text, wrt, "--format", fmt, "--shape", "t=1,1", *path],
                           fmt)
    if result.exit_code == 0 and fmt == "numpy":
        run_numpy_code(result.stdout, text, path, wrt)


def run_numpy_code(code: str, text: str, path: tuple, wrt: str) -> None:
    import numpy as np

    from finite_differences import eval_numpy_code
    from matcalc import derive
    from matcalc.calculus.expr import Zero
    from matcalc.checking.numeric import evaluate

    symmetric = tuple(path[k + 1] for k, p in enumerate(path) if p == "--symmetric")
    order = 2 if "--order" in path else 1
    d = derive(text, wrt, {"t": (1, 1)}, order=order, symmetric=symmetric)
    if wrt in symmetric and isinstance(d.jacobian, Zero):
        return  # printed as np.zeros((1, n(n+1)/2)): see test_found_by_fuzzing.py
    rng = np.random.default_rng(0)
    sizes = {"n": 3}
    env = {}
    for name, var in d.names.items():
        rows, cols = (dim.coeff * 3 ** len(dim.symbols) for dim in var.shape)
        value = np.eye(rows, cols) + 0.3 * rng.standard_normal((rows, cols))
        env[name] = (value + value.T) / 2 if name in symmetric else value
    layout = "gradient" if "gradient" in path else "jacobian"
    with np.errstate(all="ignore"):
        try:
            expected = evaluate(d.answer(layout), env, sizes)
        except np.linalg.LinAlgError:
            return  # singular at this point: nothing to compare
        actual = np.atleast_2d(eval_numpy_code(code, env))
    assert actual.shape == expected.shape, f"{text!r} {path}: {actual.shape} ≠ {expected.shape}"
    assert np.allclose(actual, expected, rtol=1e-8, atol=1e-8, equal_nan=True), (text, path)


# ── the numeric commands: check and verify at any size, answered or refused at once ────

SIZES = st.sampled_from([(), ("--shape", "X=m,n"), ("--shape", "X=2,2"), ("--shape", "X=40,40"),
                         ("--shape", "X=60,60"), ("--shape", "X=100000,1"),
                         ("--shape", "t=1,1")])


@settings(FUZZ, max_examples=int(os.environ.get("MATCALC_FUZZ_EXAMPLES") or 30))
@given(expressions(st.sampled_from(["A", "B", "X", "t", "x", "2", "0.5"])), SIZES,
       st.sampled_from(["I", "X", "inv(X)^T", "vec(X)^T", "K", "I ⊗ X", "2X", "0", "t"]),
       st.sampled_from(["1", "3", "64", "5000", "100000"]),
       st.sampled_from([("--method", "central"), ("--method", "complex"), ("--exact",)]))
def test_check_and_verify_at_any_size(text, shapes, claim, size, method):
    """An agreement or a disagreement (exit 0 or 1), or one message (exit 2), within seconds:
    sizes too large for memory or time are refused before anything is allocated."""
    for args in (["check", text, "X", "--claim", claim, *shapes],
                 ["verify", text, "X", "--size", size, *method, *shapes]):
        start = time.perf_counter()
        result = CliRunner().invoke(main, ["--debug", *args])
        elapsed = time.perf_counter() - start
        assert result.exit_code in (0, 1, 2), f"{args!r} exited {result.exit_code}:\n{result.output}"
        assert "Traceback" not in result.output
        assert elapsed < 3 * SECONDS, f"{args!r} took {elapsed:.1f} s"
        if result.exit_code == 2:
            assert result.stderr.startswith("error: ") or "Error: " in result.stderr
