"""The derive path imports only what it needs, and `matcalc derive` answers without click.

Each check runs in a fresh interpreter, since this one has imported everything already.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from external import matcalc_env

from matcalc import entry
from matcalc.cli import main

HEAVY = ("sympy", "numpy", "rich", "click", "dataclasses", "difflib")


def modules_after(code: str, *args: str) -> set[str]:
    """Which of HEAVY the snippet has imported, run with stdout on a pipe (not a terminal)."""
    probe = (f"import sys\nsys.argv = ['matcalc', *{list(args)!r}]\n{code}\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", "import json\n" + probe], capture_output=True,
                         text=True, env=matcalc_env(), timeout=60)
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stderr.strip().splitlines()[-1]))


def test_the_interpreter_alone_imports_none_of_them():
    """So that the checks below can fail: a bare start-up must not already hold them."""
    assert not modules_after("pass") & {"sympy", "numpy", "rich", "click"}


@pytest.mark.parametrize("fmt", ["unicode", "latex", "ascii", "numpy"])
def test_the_entry_point_answers_with_the_library_alone(fmt):
    """The numpy format prints code; it does not need numpy to do so."""
    loaded = modules_after("from matcalc.entry import main\nmain()",
                           "derive", "inv(A)", "A", "--format", fmt)
    assert not loaded & {"sympy", "numpy", "rich", "click", "dataclasses", "difflib"}


def test_python_m_matcalc_takes_the_same_path():
    loaded = modules_after("import runpy\nrunpy.run_module('matcalc', run_name='__main__')",
                           "derive", "tr(X^T A X)", "X", "--layout", "gradient")
    assert not loaded & {"sympy", "numpy", "rich", "click"}


def test_the_click_command_line_imports_no_sympy_numpy_or_rich_on_a_pipe():
    loaded = modules_after("from click.testing import CliRunner\nfrom matcalc.cli import main\n"
                           "result = CliRunner().invoke(main, sys.argv[1:])\n"
                           "assert result.exit_code == 0, result.output",
                           "derive", "logdet(X^T X)", "X", "--shape", "X=m,n")
    assert "click" in loaded
    assert not loaded & {"sympy", "numpy", "rich"}


def test_an_error_goes_to_the_command_line_which_reports_it():
    loaded = modules_after("from matcalc.entry import main\n"
                           "try:\n    main()\nexcept SystemExit as done:\n"
                           "    assert done.code == 2, done.code",
                           "derive", "inv(A", "A")
    assert "click" in loaded


# ── the quick path and the command line give the same answers ──────────────────────────

PLAIN = [
    ["derive", "inv(A)", "A"],
    ["derive", "d logdet(X^T X) / dX", "--shape", "X=m,n", "--layout", "gradient"],
    ["derive", "X^T X", "X", "--shape=X=m,n", "--format=latex"],
    ["derive", "--format", "numpy", "a^T inv(X) b", "X"],
    ["derive", "tr(A X B)", "X", "--format", "ascii", "--format", "unicode"],
    ["derive", "exp(x) .* x", "x"],
    ["derive", "-A X - X^T B", "X"],                       # an expression may start with a minus
    ["derive", "--layout", "gradient", "--", "-tr(X)", "X"],
]


@pytest.mark.parametrize("args", PLAIN)
def test_the_quick_path_prints_what_the_command_line_prints(args, capsys):
    question = entry.plain_derive(args)
    assert question is not None
    assert entry.answer(*question)
    expected = CliRunner().invoke(main, args)
    assert expected.exit_code == 0
    printed = capsys.readouterr()
    assert (printed.out, printed.err) == (expected.stdout, expected.stderr)  # notes as well


@pytest.mark.parametrize("args", [
    ["derive", "inv(A", "A"],                              # a parse error
    ["derive", "A + x", "A"],                              # a shape error
    ["derive", "inv(A)", "B C"],                           # a bad variable
    ["derive", "inv(A)", "A", "--shape", "A=0,0"],         # a bad shape
    ["derive", "X^T X", "X", "--layout", "gradient"],      # no gradient of a matrix
])
def test_the_quick_path_leaves_errors_to_the_command_line(args, capsys):
    question = entry.plain_derive(args)
    assert question is not None
    assert entry.answer(*question) is False
    assert capsys.readouterr().out == ""
    assert CliRunner().invoke(main, args).exit_code == 2


@pytest.mark.parametrize("args", [
    ["derive", "inv(A)", "A", "--steps"],
    ["derive", "inv(A)", "A", "--order", "2"],
    ["derive", "inv(A)", "A", "--symmetric", "A"],
    ["derive", "--help"],
    ["derive", "-h"],
    ["derive"],
    ["derive", "inv(A)", "A", "B"],
    ["derive", "inv(A)", "A", "--format", "rtf"],
    ["derive", "inv(A)", "A", "--layout"],
    ["derive", "inv(A)", "A", "--stepz"],
    ["--debug", "derive", "inv(A)", "A"],
    ["--version"],
    ["rules"],
    [],
])
def test_everything_else_goes_to_the_command_line(args):
    assert entry.plain_derive(args) is None


def test_a_terminal_gets_the_styled_answer_from_the_command_line(monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert entry.plain_derive(["derive", "inv(A)", "A"]) is None
    assert entry.plain_derive(["derive", "inv(A)", "A", "--format", "latex"]) is not None


def test_shell_completion_goes_to_the_command_line(monkeypatch):
    monkeypatch.setenv("_MATCALC_COMPLETE", "bash_complete")
    assert entry.plain_derive(["derive", "inv(A)", "A"]) is None
