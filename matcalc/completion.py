"""Shell completion for the command line: click's completion classes, with scripts matcalc owns.

click answers the completion requests (`_MATCALC_COMPLETE=bash_complete matcalc …`) from the
commands, options and choices themselves; `complete_values` gives every command's options the
values click cannot see (the names in EXPR, small ranges of numbers). The scripts that ask are
click's, fixed here so that `completions/` does not change with the installed click, with these
repairs: click 8.4.0's fish script breaks in fish (pallets/click#3502: it writes a newline where
it meant to split on one); its zsh script, autoloaded from fpath, answered the first request but
not the second; `--opt=value` kept its `--opt=` in no shell but fish; bash did not complete
file names after a redirection (`> d.tex`); and a value that wants more (`--shape X=`) was
followed by a space. Each script and the answer format it reads are defined side by side.
"""
from __future__ import annotations

import os
import re
import shlex

import click
from click.shell_completion import (BashComplete, CompletionItem, FishComplete, ShellComplete,
                                    ZshComplete, add_completion_class)

PROGRAM, VARIABLE = "matcalc", "_MATCALC_COMPLETE"

BASH = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response completion type value

    COMPREPLY=()
    if [[ ${COMP_WORDS[COMP_CWORD-1]} == *[\\<\\>] ]]; then  # > FILE, 2>> FILE, < FILE
        compopt -o default
        return 0
    fi
    # the line up to the cursor, which matcalc splits as the shell does (COMP_WORDS is split
    # at every = and :, COMP_WORDBREAKS)
    response=$(env COMP_LINE="${COMP_LINE:0:COMP_POINT}" COMP_WORDBREAKS="$COMP_WORDBREAKS" \\
%(complete_var)s=bash_complete $1)

    for completion in $response; do
        type=${completion%%%%,*}
        value=${completion#*,}
        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("$value")
            [[ $value == *= ]] && compopt -o nospace  # --shape X= wants its sizes next
        fi
    done

    return 0
}

%(complete_func)s_setup() {
    complete -o nosort -F %(complete_func)s %(prog_name)s
}

%(complete_func)s_setup;
"""

ZSH = """\
#compdef %(prog_name)s

%(complete_func)s() {
    local -a completions
    local -a completions_with_descriptions
    local -a response
    (( ! $+commands[%(prog_name)s] )) && return 1

    response=("${(@f)$(env COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT-1)) \\
%(complete_var)s=zsh_complete %(prog_name)s)}")

    for type key descr in ${response}; do
        if [[ "$type" == "plain" ]]; then
            if [[ "$descr" == "_" ]]; then
                completions+=("$key")
            else
                completions_with_descriptions+=("$key":"$descr")
            fi
        elif [[ "$type" == "more" ]]; then
            compadd -U -V unsorted -S '' -- "$key"
        elif [[ "$type" == "dir" ]]; then
            _path_files -/
        elif [[ "$type" == "file" ]]; then
            _path_files -f
        fi
    done

    if [ -n "$completions_with_descriptions" ]; then
        _describe -V unsorted completions_with_descriptions -U
    fi

    if [ -n "$completions" ]; then
        compadd -U -V unsorted -a completions
    fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    # autoloaded from fpath: answer this request, and the next ones directly
    compdef %(complete_func)s %(prog_name)s
    %(complete_func)s "$@"
else
    # eval/source/. command, register function for later
    compdef %(complete_func)s %(prog_name)s
fi
"""

FISH = """\
function %(complete_func)s;
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) \\
COMP_CWORD=(commandline -t) %(prog_name)s);

    for completion in $response;
        set -l metadata (string split -m 1 "," $completion);

        if test $metadata[1] = "dir";
            __fish_complete_directories $metadata[2];
        else if test $metadata[1] = "file";
            __fish_complete_path $metadata[2];
        else if test $metadata[1] = "plain";
            echo $metadata[2];
        end;
    end;
end;

complete --no-files --command %(prog_name)s --arguments "(%(complete_func)s)";
"""


def _one_line(text: str | None) -> str:
    """Every answer is one line per field: a help text must not carry newlines or tabs."""
    return " ".join((text or "").split())


class WholeWords(ShellComplete):
    """Answers with whole words: a value asked for as `--format=l` is offered as
    `--format=latex`, which zsh and fish put in place of the word being completed."""

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        prefix = ""
        if incomplete.startswith("--") and "=" in incomplete:
            prefix = incomplete.partition("=")[0] + "="
        REQUEST[:] = args
        items = super().get_completions(args, incomplete)
        return [CompletionItem(prefix + item.value, type=item.type, help=item.help)
                if item.type == "plain" and prefix else item for item in items]


class Bash(WholeWords, BashComplete):
    """bash replaces only the part of the word after its last = or : (COMP_WORDBREAKS)."""

    source_template = BASH

    def get_completion_args(self) -> tuple[list[str], str]:
        if "COMP_LINE" not in os.environ:  # the request of an older script
            return super().get_completion_args()
        words, self.incomplete = split_line(os.environ["COMP_LINE"])
        return words[1:], self.incomplete

    def format_completion(self, item: CompletionItem) -> str:
        value, incomplete = item.value, getattr(self, "incomplete", "")
        breaks = os.environ.get("COMP_WORDBREAKS", "=:")
        cut = max((incomplete.rfind(ch) for ch in "=:" if ch in breaks), default=-1) + 1
        if cut and value.startswith(incomplete[:cut]):
            value = value[cut:]
        return f"{item.type},{value}"


class Zsh(WholeWords, ZshComplete):
    source_template = ZSH

    def format_completion(self, item: CompletionItem) -> str:
        value = item.value.replace(":", r"\:")
        kind = "more" if item.type == "plain" and item.value.endswith("=") else item.type
        return f"{kind}\n{value}\n{_one_line(item.help) or '_'}"


class Fish(WholeWords, FishComplete):
    source_template = FISH

    def format_completion(self, item: CompletionItem) -> str:
        help_text = _one_line(item.help)
        return f"{item.type},{item.value}" + (f"\t{help_text}" if help_text else "")


SHELLS: dict[str, type[ShellComplete]] = {"bash": Bash, "zsh": Zsh, "fish": Fish}
for _name, _cls in SHELLS.items():
    add_completion_class(_cls, _name)


def completion_script(command: click.Command, shell: str) -> str:
    """The script that makes `shell` complete `matcalc`; the files in completions/ are these."""
    return SHELLS[shell](command, {}, PROGRAM, VARIABLE).source()



REDIRECTION = re.compile(r"[0-9&]*[<>][<>&|]*(?<=&)?[0-9-]*")
SEPARATORS = {"|", "||", "&&", ";", "&"}


def split_line(line: str) -> tuple[list[str], str]:
    """The words of the command being completed, as the shell reads them, and the word under
    the cursor (empty after a space). An unclosed quote is closed; a redirection and its file,
    and whatever comes before the last | or ;, are left out."""
    marker = "\x00"
    for closing in ("", '"', "'"):
        try:
            words = shlex.split(line + marker + closing)
            break
        except ValueError:
            continue
    else:
        words = line.split() + [marker]
    incomplete = words.pop()[:-1]
    kept: list[str] = []
    skip = False
    for word in words:
        if word in SEPARATORS:
            kept = []
        elif skip:
            skip = False
        elif REDIRECTION.fullmatch(word):
            skip = not re.search(r"[<>]&[0-9-]+$", word)  # 2>&1 takes no file
        else:
            kept.append(word)
    return kept, incomplete


# ── values click cannot see ───────────────────────────────────────────────────────────────

REQUEST: list[str] = []  # the words before the one being completed, for what click drops


def _expression_text(ctx: click.Context) -> str | None:
    """EXPR as parsed, or, when click gave up parsing (an option still waiting for its
    value), the command's first positional word in the request."""
    if isinstance(ctx.params.get("expr"), str):
        return ctx.params["expr"]
    takes_value = {opt for p in ctx.command.params if isinstance(p, click.Option)
                   and not p.is_flag for opt in p.opts}
    words = REQUEST[REQUEST.index(ctx.info_name) + 1:] if ctx.info_name in REQUEST else []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("--") and len(word) > 2 or word.startswith("-") and word[1:2].isalpha():
            skip = word in takes_value
        else:
            return word
    return None

def expression_names(ctx: click.Context, matrices: bool = False) -> list[str]:
    """The names in EXPR, in order of appearance (only the square matrices, if asked)."""
    text = _expression_text(ctx)
    if not isinstance(text, str) or text in ("", "-"):
        return []
    try:
        from .api import parse
        from .calculus.expr import variables
        found = variables(parse(text))
    except Exception:  # half-written: the words that are not functions
        from .language.parser import FUNCTIONS, NAME
        text = re.sub(r"\^\s*\{?\s*-?\s*T\s*\}?", " ", text)  # the T of A^T, A^{-T}
        return list(dict.fromkeys(
            w for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text)
            if w not in FUNCTIONS and NAME.fullmatch(w) and not (matrices and w.islower())))
    return [name for name, var in found.items()
            if not matrices or (var.shape[0] == var.shape[1] and not var.is_scalar)]


def complete_names(ctx, param, incomplete: str) -> list[CompletionItem]:
    matrices = param.name == "symmetric"
    return [CompletionItem(n, help="a name in EXPR") for n in expression_names(ctx, matrices)
            if n.startswith(incomplete)]


SHAPES = (("m,n", "an m×n matrix"), ("n,n", "a square matrix"), ("n", "a vector of n"),
          ("1,1", "a scalar"))


def complete_shapes(ctx, param, incomplete: str) -> list[CompletionItem]:
    """NAME= for each name in EXPR, then NAME=m,n and the other usual shapes."""
    name, given, _ = incomplete.partition("=")
    if not given:
        return [CompletionItem(f"{n}=", help="its shape next") for n in expression_names(ctx)
                if n.startswith(incomplete)]
    return [CompletionItem(f"{name}={sizes}", help=meaning) for sizes, meaning in SHAPES
            if f"{name}={sizes}".startswith(incomplete)]


NAMED = {"wrt": complete_names, "symmetric": complete_names, "shapes": complete_shapes}


def small_range(param: click.Parameter) -> list[str] | None:
    """The values of a number option whose range is short enough to list (--order 1|2)."""
    kind = param.type
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is not None:
        low = kind.min + (1 if kind.min_open else 0)
        high = kind.max - (1 if kind.max_open else 0)
        if high - low < 10:
            return [str(k) for k in range(low, high + 1)]
    return None


def complete_values(command: click.Command) -> None:
    """Give the parameters of `command` (and its subcommands) the completions click cannot
    infer: names in EXPR for parameters named as in NAMED, the values of small ranges."""
    for param in command.params:
        if getattr(param, "_custom_shell_complete", None) is not None:
            continue
        if param.name in NAMED:
            param._custom_shell_complete = NAMED[param.name]
        elif (values := small_range(param)) is not None:
            param._custom_shell_complete = (
                lambda ctx, p, incomplete, values=values:
                [CompletionItem(v) for v in values if v.startswith(incomplete)])
    for sub in getattr(command, "commands", {}).values():
        complete_values(sub)
