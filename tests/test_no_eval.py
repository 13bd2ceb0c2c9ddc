"""No code path of the package can evaluate text: the source holds no call that could.

sympy's _sympify, with which the sympy export turns numbers into sympy's, is allowed: it is
the strict conversion that refuses text (tested below).
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "matcalc"

CALLS = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "execfile"}  # by name
METHODS = {"eval", "exec", "sympify", "parse_expr", "run_path", "run_module"}
ALLOWED_METHODS = {("re", "compile")}  # a regular expression is not code
MODULES = {"sympy.parsing", "code", "codeop", "runpy", "pickle", "marshal", "shelve"}


def evaluating_calls(source: str, filename: str = "<source>") -> list[str]:
    """Every place in `source` that could evaluate a string as code."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in CALLS:
                found.append(f"{where} {func.id}()")
            elif isinstance(func, ast.Attribute) and func.attr in METHODS | {"compile"}:
                owner = func.value.id if isinstance(func.value, ast.Name) else None
                if (owner, func.attr) not in ALLOWED_METHODS:
                    found.append(f"{where} .{func.attr}()")
            elif "import_module" in (getattr(func, "id", None), getattr(func, "attr", None)) and not (
                    node.args and isinstance(node.args[0], ast.Constant)):  # a fixed module is fine
                found.append(f"{where} import_module(…)")
            elif isinstance(func, ast.Name) and func.id in ("getattr", "vars", "globals", "locals") \
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "builtins":
                found.append(f"{where} {func.id}(builtins, …)")
        elif isinstance(node, ast.Import):
            found += [f"{where} import {a.name}" for a in node.names
                      if any(a.name == m or a.name.startswith(m + ".") for m in MODULES)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if any(node.module == m or node.module.startswith(m + ".") for m in MODULES) \
                    or names & (CALLS | METHODS):
                found.append(f"{where} from {node.module} import {', '.join(sorted(names))}")
    return found


def test_the_package_has_no_call_that_evaluates_text():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 10
    found = [hit for f in files for hit in evaluating_calls(f.read_text(), str(f.relative_to(PACKAGE)))]
    assert found == []


@pytest.mark.parametrize("planted", [
    "eval(text)", "exec(code)", "compile(text, 'f', 'eval')", "__import__('os')",
    "sympy.sympify(text)", "from sympy import sympify", "from sympy.parsing.sympy_parser import parse_expr",
    "parse_expr(text)", "importlib.import_module(name)", "import_module(text)", "builtins.eval(x)",
    "getattr(builtins, 'ev' + 'al')(x)", "import pickle",
])
def test_the_scan_finds_a_planted_call(planted):
    assert evaluating_calls(f"def f(text, code, name, x):\n    {planted}\n")


def test_the_scan_allows_regular_expressions_and_fixed_imports():
    assert evaluating_calls("import re\nPATTERN = re.compile(r'x')\n") == []
    assert evaluating_calls("import importlib\nnp = importlib.import_module('numpy')\n") == []


def test_the_strict_sympy_conversion_refuses_text():
    sympify_module = pytest.importorskip("sympy.core.sympify")
    with pytest.raises(sympify_module.SympifyError):
        sympify_module._sympify("__import__('os')")
