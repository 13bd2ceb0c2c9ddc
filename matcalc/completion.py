"""Shell completion for the command line: click's completion classes, with scripts matcalc owns.

click answers the completion requests (`_MATCALC_COMPLETE=bash_complete matcalc …`) from the
commands, options and choices themselves. The scripts that ask are click's, fixed here so that
`completions/` does not change with the installed click, with two repairs: click 8.4.0's fish
script breaks in fish (pallets/click#3502: it writes a newline where it meant to split on one),
and its zsh script, autoloaded from fpath, answered the first request but not the second.
Each script and the answer format it reads are defined side by side.
"""
from __future__ import annotations

import click
from click.shell_completion import (BashComplete, CompletionItem, FishComplete, ShellComplete,
                                    ZshComplete, add_completion_class)

PROGRAM, VARIABLE = "matcalc", "_MATCALC_COMPLETE"

BASH = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response

    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \\
%(complete_var)s=bash_complete $1)

    for completion in $response; do
        IFS=',' read type value <<< "$completion"

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=($value)
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


class Bash(BashComplete):
    source_template = BASH

    def format_completion(self, item: CompletionItem) -> str:
        return f"{item.type},{item.value}"


class Zsh(ZshComplete):
    source_template = ZSH

    def format_completion(self, item: CompletionItem) -> str:
        value = item.value.replace(":", r"\:")
        return f"{item.type}\n{value}\n{_one_line(item.help) or '_'}"


class Fish(FishComplete):
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
