_matcalc_completion() {
    local IFS=$'\n'
    local response completion type value

    COMPREPLY=()
    if [[ ${COMP_WORDS[COMP_CWORD-1]} == *[\<\>] ]]; then  # > FILE, 2>> FILE, < FILE
        compopt -o default
        return 0
    fi
    # the line up to the cursor, which matcalc splits as the shell does (COMP_WORDS is split
    # at every = and :, COMP_WORDBREAKS)
    response=$(env COMP_LINE="${COMP_LINE:0:COMP_POINT}" COMP_WORDBREAKS="$COMP_WORDBREAKS" \
_MATCALC_COMPLETE=bash_complete $1)

    for completion in $response; do
        type=${completion%%,*}
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

_matcalc_completion_setup() {
    complete -o nosort -F _matcalc_completion matcalc
}

_matcalc_completion_setup;
