"""What completion offers, asked of matcalc directly (fast); test_completion_interactive.py
types the same into real shells."""
from __future__ import annotations

import click
import pytest

from matcalc.cli import main
from matcalc.completion import Bash, Fish, Zsh, split_line

VARIABLE = "_MATCALC_COMPLETE"
FREE_TEXT = {"--claim", "--seed", "--size"}  # any text or number: nothing to offer


def offered(args: list[str], incomplete: str, shell=Zsh) -> list[str]:
    return [item.value for item in shell(main, {}, "matcalc", VARIABLE)
            .get_completions(list(args), incomplete)]


@pytest.mark.parametrize("line, words, incomplete", [
    ("matcalc derive --format=l", ["matcalc", "derive"], "--format=l"),
    ("matcalc derive 'logdet(X)' ", ["matcalc", "derive", "logdet(X)"], ""),
    ('matcalc derive "inv(A', ["matcalc", "derive"], "inv(A"),
    ("echo x | matcalc derive - A > d.tex --f", ["matcalc", "derive", "-", "A"], "--f"),
    ("matcalc derive A A 2>&1 --f", ["matcalc", "derive", "A", "A"], "--f"),
])
def test_a_line_is_split_as_the_shell_splits_it(line, words, incomplete):
    assert split_line(line) == (words, incomplete)


def test_the_value_of_opt_equals_keeps_its_option_in_zsh_and_fish():
    for shell in (Zsh, Fish):
        assert offered(["derive"], "--format=l", shell) == ["--format=latex"]
        assert offered(["derive"], "--layout=", shell) == ["--layout=jacobian", "--layout=gradient"]


def test_bash_is_given_what_follows_its_last_word_break(monkeypatch):
    monkeypatch.setenv("COMP_LINE", "matcalc derive x --format=l")
    monkeypatch.setenv("COMP_WORDBREAKS", "\"'><=;|&(:")
    bash = Bash(main, {}, "matcalc", VARIABLE)
    args, incomplete = bash.get_completion_args()
    items = bash.get_completions(args, incomplete)
    assert [bash.format_completion(item) for item in items] == ["plain,latex"]


def test_names_of_expr_for_wrt_symmetric_and_shape():
    assert offered(["derive", "a^T inv(X) b"], "") == ["a", "X", "b"]
    assert offered(["derive", "a^T inv(X) b", "--symmetric"], "") == ["X"]
    assert offered(["derive", "a^T inv(X) b", "--shape"], "") == ["a=", "X=", "b="]
    assert offered(["derive", "a^T inv(X) b", "--shape"], "X=") == [
        "X=m,n", "X=n,n", "X=n", "X=1,1"]
    assert offered(["derive", "logdet(X^T"], "") == ["X"]  # half-written: its words
    assert offered(["check", "logdet(X)"], "") == ["X"]
    assert offered(["verify", "inv(X) A X"], "") == ["X", "A"]


VALUE_OPTIONS = [pytest.param(name, command, param, id=f"{name} {param.opts[0]}")
                 for name, command in sorted(main.commands.items()) for param in command.params
                 if isinstance(param, click.Option) and not param.is_flag and not param.hidden]


@pytest.mark.parametrize("name, command, param", VALUE_OPTIONS)
def test_every_option_that_takes_a_value_offers_values(name, command, param):
    """A new option is held to this too: offer its values, or say here why it cannot."""
    takes_expr = any(p.name == "expr" for p in command.params)
    args = [name, *(["logdet(X)"] if takes_expr else []), param.opts[0]]
    values = offered(args, "")
    if param.opts[0] in FREE_TEXT:
        assert values == []
    else:
        assert values, f"matcalc {name} {param.opts[0]} <TAB> offers nothing"


def test_order_offers_one_and_two():
    assert offered(["derive", "logdet(X)", "--order"], "") == ["1", "2"]
