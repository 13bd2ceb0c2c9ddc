"""Every command's help: a whole summary in the list, and Examples that run as shown.

The commands are read off the command line itself, so a new command is held to the same.
"""
from __future__ import annotations

import re
import shlex

import click
import pytest
from click.testing import CliRunner

from matcalc.cli import main

COMMANDS = sorted(main.commands)


def help_text(*names: str) -> str:
    result = CliRunner().invoke(main, [*names, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.stdout


def examples_of(text: str) -> list[tuple[str, str]]:
    """(command line, meaning) pairs of the Examples section."""
    section = text.split("\nExamples:\n", 1)[1]
    lines = section.splitlines()
    return [(line.strip(), lines[i + 1].strip()) for i, line in enumerate(lines)
            if line.startswith("  ") and not line.startswith("   ")]


@pytest.mark.parametrize("names", [(), *[(name,) for name in COMMANDS]],
                         ids=lambda names: " ".join(names) or "matcalc")
def test_every_help_ends_with_examples_of_itself(names):
    text = help_text(*names)
    assert "\nExamples:\n" in text
    found = examples_of(text)
    assert found, text
    for line, meaning in found:
        assert meaning, line
        if names:
            assert re.search(rf"\bmatcalc {names[0]}\b", line), line


def runnable(line: str) -> tuple[list[str], str | None]:
    """The matcalc arguments of an example and its standard input (from `echo … |`), without
    what the shell does around it (`mkdir … &&`, `> FILE`, `| grep …`)."""
    line = line.split("&&")[-1]
    stdin = None
    if line.lstrip().startswith("echo "):
        echoed, line = line.split("|", 1)
        stdin = shlex.split(echoed)[1] + "\n"
    words = shlex.split(line.split("|")[0].split(">")[0])
    assert words[0] == "matcalc", line
    return [w if w != "512" else "8" for w in words[1:]], stdin  # a big size, made small


EXAMPLES = sorted({(line, meaning) for names in [(), *[(n,) for n in COMMANDS]]
                   for line, meaning in examples_of(help_text(*names))})


@pytest.mark.parametrize("line, meaning", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_runs_as_described(line, meaning):
    args, stdin = runnable(line)
    result = CliRunner().invoke(main, args, input=stdin)
    status = re.search(r"exit status (\d)", meaning)
    assert result.exit_code == (int(status.group(1)) if status else 0), result.output
    answer = re.search(r": (.*[⁻ᵀ⊗∘].*)\.$", meaning)  # a formula the example promises
    if answer and result.exit_code == 0:
        assert answer.group(1) in result.stdout


def test_the_command_list_shows_whole_summaries():
    text = help_text()
    listing = text.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    joined = re.sub(r"\n {6,}", " ", listing)  # a summary wrapped onto the next line
    for name in COMMANDS:
        command = main.commands[name]
        first = (command.short_help or command.help or "").split("\n\n")[0]
        sentence = " ".join(first.split()).split(". ")[0].rstrip(".")
        line = next(l for l in joined.splitlines() if l.split()[:1] == [name])
        assert "..." not in line and sentence in line, (name, line)


def test_completion_help_says_where_each_shells_file_goes():
    text = help_text("completion")
    for path in ("~/.local/share/bash-completion/completions/matcalc", "~/.zfunc/_matcalc",
                 "fpath", "~/.config/fish/completions/matcalc.fish",
                 "/usr/share/bash-completion/completions/matcalc",
                 "/usr/share/zsh/site-functions/_matcalc",
                 "/usr/share/fish/vendor_completions.d/matcalc.fish"):
        assert path in text
    assert "README" not in text


def test_a_new_command_gets_examples_and_completion_by_construction():
    @click.group(cls=type(main))
    def group():
        """A group."""

    @group.command()
    @click.argument("expr")
    @click.option("--order", type=click.IntRange(1, 3))
    def solve(expr, order):
        """Solve."""

    order = next(p for p in solve.params if p.name == "order")
    ctx = click.Context(solve)
    assert [c.value for c in order.shell_complete(ctx, "")] == ["1", "2", "3"]
    assert type(solve).__name__ == "DocumentedCommand"
