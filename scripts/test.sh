#!/usr/bin/env bash
# Run every test: the modules' own tests (every laisui_* add-on) and the
# cross-module / browser tests in tests/, in ONE pytest call.
#
#   bash scripts/test.sh [pytest args...]           # SQLite (in memory)
#   TRYTOND_DATABASE_URI=postgresql://tryton:tryton@127.0.0.1:5432/ bash scripts/test.sh
#
# Extra arguments go to pytest (e.g. -x, -k name, -vv).
# Environment: LAISUI_NO_DB_CACHE=1 disables the activated-database cache.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LAISUI_ROOT"

# chromium is for the browser tests in tests/ (they drive Debian's
# /usr/bin/chromium through playwright; no browser download).
ensure_system_packages chromium
ensure_venv
# The back-office browser tests need the sao web client, the portal's
# accessibility checks axe-core.
ensure_sao
ensure_axe_core

# Tests must not pick up a developer's trytond config (the test database
# comes from TRYTOND_DATABASE_URI, SQLite :memory: when unset), and must not
# write attachments into the demo filestore.
unset TRYTOND_CONFIG DB_NAME
export TRYTOND_DATABASE__PATH="$LAISUI_VAR/test-filestore"
mkdir -p "$TRYTOND_DATABASE__PATH"

if [ -n "${TRYTOND_DATABASE_URI:-}" ]; then
    backend=postgresql
else
    backend=sqlite
fi

# DB_CACHE: trytond keeps each freshly activated test database and restores
# it for the next test class with the same module list.  trytond's own key
# is ONLY the module list, so the cache carries a hash of the addons/
# content: any change to the addons gives a new, empty cache.
# - SQLite: file copies in a folder named by the hash.
# - PostgreSQL: template databases (CREATE DATABASE ... TEMPLATE copies the
#   files inside the server: about a second less a test class than
#   pg_restore of a dump).  trytond names them test-<hash of the module
#   list>, so when addons/ changed since they were made (the hash in
#   $stamp) they are dropped first.  One PostgreSQL cluster, one addons/
#   state at a time: two checkouts testing on the same cluster would drop
#   each other's templates.
cache_root="$LAISUI_VAR/test-cache"
key="$(addons_hash)"
mkdir -p "$cache_root"
if [ -n "${LAISUI_NO_DB_CACHE:-}" ]; then
    unset DB_CACHE
elif [ "$backend" = sqlite ]; then
    export DB_CACHE="$cache_root/$key-$backend"
    # Drop the caches of older addons/ states.
    find "$cache_root" -mindepth 1 -maxdepth 1 -name "*-$backend" \
        ! -name "$key-$backend" -exec rm -rf {} + 2>/dev/null || true
    mkdir -p "$DB_CACHE"
elif command -v psql >/dev/null 2>&1; then
    stamp="$cache_root/postgresql-templates.key"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$key" ]; then
        admin_uri="${TRYTOND_DATABASE_URI%/}/postgres"
        for db in $(psql "$admin_uri" -Atc "SELECT datname FROM pg_database
                WHERE datname ~ '^test-[0-9a-f]{40}\$'"); do
            psql "$admin_uri" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
        done
        echo "$key" > "$stamp"
    fi
    export DB_CACHE=postgresql://
else
    unset DB_CACHE
fi

targets=(--pyargs)
for module in "${LAISUI_MODULES[@]}"; do
    targets+=("trytond.modules.$module.tests")
done
# tests/ may be absent in a fresh clone while it holds no file (git keeps
# no empty folders); pytest would stop with "file or directory not found".
# Absolute path: with --pyargs a bare "tests" would first be looked up as an
# importable module named tests.
if [ -d tests ] && [ -n "$(find tests -name 'test_*.py' -print -quit)" ]; then
    targets+=("$LAISUI_ROOT/tests")
fi

log "pytest on $backend${DB_CACHE:+ (DB_CACHE=${DB_CACHE#"$LAISUI_ROOT"/})}"
start=$SECONDS
rc=0
python -m pytest -q -p no:cacheprovider "${targets[@]}" "$@" || rc=$?
log "pytest finished in $((SECONDS - start)) s with exit code $rc"
if [ "$rc" -eq 5 ]; then
    echo "ERROR: no test was collected" >&2
    rc=1
fi
exit "$rc"
