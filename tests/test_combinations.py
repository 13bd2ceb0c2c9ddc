"""Every combination of derive's options ends in an answer or a usage error, never in a bug.

The combinations are read off the command itself: a flag is given or not, a choice is left out
or given each of its values, a bounded number each value of its range. A new option is walked
too, once it has sample values here (a test says so when it has none).
"""
from __future__ import annotations

import itertools

import click
import pytest
from click.testing import CliRunner

from matcalc.cli import main

DERIVE = main.commands["derive"]
# Options whose values cannot be read off their type: sample values, or None for left out.
SAMPLES = {"shapes": [None, "X=m,n"], "symmetric": [None, "X"]}
QUESTIONS = [("logdet(X)", "X"), ("inv(X) A", "X")]  # a scalar and a matrix function


def values(param: click.Option) -> list:
    """What the walk gives an option: None stands for leaving it out."""
    if param.name in SAMPLES:
        return SAMPLES[param.name]
    if param.is_flag:
        return [None, True]
    if isinstance(param.type, click.Choice):
        return [None, *param.type.choices]
    if isinstance(param.type, click.IntRange) and param.type.min is not None \
            and param.type.max is not None:
        return [None, *range(param.type.min, param.type.max + 1)]
    raise LookupError(param.name)


OPTIONS = [p for p in DERIVE.params if isinstance(p, click.Option) and not p.hidden
           and p.name not in ("help",)]


def test_every_option_is_walked():
    for param in OPTIONS:
        try:
            values(param)
        except LookupError:
            pytest.fail(f"derive's option {param.opts[0]} has no sample values in SAMPLES")


def arguments(choice: tuple) -> list[str]:
    args = []
    for param, value in zip(OPTIONS, choice):
        if value is True:
            args.append(param.opts[0])
        elif value is not None:
            args += [param.opts[0], str(value)]
    return args


@pytest.mark.parametrize("expr, wrt", QUESTIONS)
def test_every_combination_is_an_answer_or_a_usage_error(expr, wrt):
    runner = CliRunner()
    combinations = list(itertools.product(*(values(p) for p in OPTIONS)))
    assert len(combinations) >= 500
    failures, answered = [], 0
    for choice in combinations:
        args = ["derive", expr, wrt, *arguments(choice)]
        result = runner.invoke(main, args)
        if result.exit_code == 0:
            answered += 1
            ok = result.stdout.strip() != ""
        else:
            messages = [line for line in result.stderr.splitlines()
                        if line.lower().startswith("error")]
            ok = (result.exit_code == 2 and len(messages) == 1 and result.stdout == ""
                  and "Traceback" not in result.stderr)
        if not ok:
            failures.append(f"exit {result.exit_code}: matcalc {' '.join(args)}\n"
                            f"{result.stderr[-300:]}")
    assert not failures, f"{len(failures)} combinations fail:\n" + "\n".join(failures[:20])
    assert answered >= len(combinations) // 20  # a walk of refusals alone would prove little


@pytest.mark.parametrize("args, message", [
    (["--steps", "--format", "sympy"], "--steps shows the derivation in unicode, ascii, latex"),
    (["--steps", "--format", "numpy"], "leave out --format numpy"),
    (["--steps", "--layout", "gradient"], "leave out --layout gradient"),
    (["--document", "--format", "ascii"], "--document writes LaTeX"),
])
def test_options_that_do_not_go_together_say_so(args, message):
    result = CliRunner().invoke(main, ["derive", "logdet(X)", "X", *args])
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""
