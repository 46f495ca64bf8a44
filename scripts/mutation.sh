#!/usr/bin/env bash
# Mutation testing (cosmic-ray, from PyPI) of the rules that decide a
# child's place (period arithmetic, points variables, the formula
# evaluator, the allocation), of the figures staff act on (the report
# engine, the monitoring rules) and of what outside systems read (the
# data API).  Each file's mutants run against the tests named for it in
# scripts/mutation/targets.tsv, in a copy of the tree: cosmic-ray edits
# files in place and the checkout must never hold a mutant.
#
#   bash scripts/mutation.sh [FILE...]     # e.g. laisui_points/period.py
#
# Prints the survivors of each file, then one JSON line of counts.
# Mutants that cannot be killed are listed, with the reason, in
# scripts/mutation/equivalent.txt ("file:line operator occurrence  reason").
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LAISUI_ROOT"
ensure_venv

tool_venv="$LAISUI_VAR/mutation-venv"
if [ ! -x "$tool_venv/bin/cosmic-ray" ]; then
    log "installing cosmic-ray into ${tool_venv#"$LAISUI_ROOT"/}"
    python3 -m venv "$tool_venv"
    "$tool_venv/bin/pip" install -q --disable-pip-version-check 'cosmic-ray==8.7.*'
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/laisui-mutation.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -C "$LAISUI_ROOT" -cf - addons scripts/mutation | tar -C "$work" -xf -
export LAISUI_MUTATION_ADDONS="$work/addons"
export PYTHONPATH="$work/scripts/mutation${PYTHONPATH:+:$PYTHONPATH}"
unset TRYTOND_CONFIG DB_NAME TRYTOND_DATABASE_URI
export TRYTOND_DATABASE__PATH="$work/filestore" DB_CACHE="$work/cache"
mkdir -p "$TRYTOND_DATABASE__PATH" "$DB_CACHE"

wanted=("$@")
summary="$work/summary.tsv"
: > "$summary"
while IFS=$'\t' read -r file targets; do
    case "$file" in ''|'#'*) continue ;; esac
    if [ "${#wanted[@]}" -gt 0 ] && [[ ! " ${wanted[*]} " == *" $file "* ]]; then
        continue
    fi
    name="${file//\//_}"
    config="$work/$name.toml"
    session="$work/$name.sqlite"
    # -x: the first failing test kills the mutant.
    cat > "$config" <<TOML
[cosmic-ray]
module-path = "addons/$file"
timeout = 120.0
excluded-modules = []
test-command = "$LAISUI_VENV/bin/python -m pytest -x -q -p no:cacheprovider -p redirect --pyargs $targets"

[cosmic-ray.distributor]
name = "local"
TOML
    log "$file: mutants against $targets"
    (cd "$work" && "$tool_venv/bin/cosmic-ray" init "$config" "$session" \
        && "$tool_venv/bin/cosmic-ray" baseline "$config" \
        && "$tool_venv/bin/cosmic-ray" exec "$config" "$session")
    "$tool_venv/bin/python" "$LAISUI_ROOT/scripts/mutation/report.py" \
        "$file" "$session" "$LAISUI_ROOT/scripts/mutation/equivalent.txt" \
        >> "$summary"
done < scripts/mutation/targets.tsv
"$tool_venv/bin/python" "$LAISUI_ROOT/scripts/mutation/report.py" --total "$summary"
