#!/usr/bin/env bash
# One command demo: installs what is missing, creates and fills the SQLite
# database "laisui" (var/db/laisui.sqlite), then (re)starts the server and
# the cron daemon in the background.  Re-running it is safe: an initialised
# database is kept (modules are updated when addons/ changed) and the demo
# data script runs only once per database.
#
#   bash scripts/demo.sh
#   LAISUI_RESET=1 bash scripts/demo.sh          # drop the demo database first
#   LAISUI_ADMIN_PASSWORD=... bash scripts/demo.sh
#   bash scripts/demo.sh stop                    # stop server, cron and fake systems
#
# Files: var/db/laisui.sqlite (+ filestore var/db/laisui/), var/log/trytond.log,
# var/log/trytond-cron.log, var/log/fake-sources.log, var/trytond.pid,
# var/trytond-cron.pid, var/fake-sources.pid.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LAISUI_ROOT"

DB=laisui
CONF="$LAISUI_ROOT/config/sqlite.conf"
DB_FILE="$TRYTOND_DATABASE__PATH/$DB.sqlite"
ADDONS_STAMP="$TRYTOND_DATABASE__PATH/$DB.addons-hash"
DATA_STAMP="$TRYTOND_DATABASE__PATH/$DB.demo-data-done"
SERVER_PID="$LAISUI_VAR/trytond.pid"
CRON_PID="$LAISUI_VAR/trytond-cron.pid"
FAKE_PID="$LAISUI_VAR/fake-sources.pid"
URL=http://127.0.0.1:8000
export TRYTOND_CONFIG="$CONF"
unset TRYTOND_DATABASE_URI   # the demo always runs on SQLite

# stop_pidfile FILE NAME: stop the process recorded in FILE if it is still
# ours (its command line mentions NAME), waiting up to 15 s.  The daemons are
# started with setsid, so each leads its own process group: the whole group
# is signalled, because trytond-cron (like trytond-worker) runs a pool of
# child processes that would outlive their parent.
stop_pidfile() {
    local file="$1" name="$2" pid target i
    [ -f "$file" ] || return 0
    pid="$(cat "$file")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
            && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$name"; then
        target="$pid"
        if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
            target="-$pid"
        fi
        log "stopping $name (pid $pid)"
        kill -TERM -- "$target" 2>/dev/null || true
        for i in $(seq 1 30); do
            kill -0 -- "$target" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL -- "$target" 2>/dev/null || true
    fi
    rm -f "$file"
}

if [ "${1:-}" = stop ]; then
    stop_pidfile "$CRON_PID" trytond-cron
    stop_pidfile "$SERVER_PID" trytond
    stop_pidfile "$FAKE_PID" fake_sources
    exit 0
fi

# shellcheck disable=SC2119
ensure_system_packages
ensure_venv
ensure_sao
mkdir -p "$TRYTOND_DATABASE__PATH" "$LAISUI_VAR/log" \
    "$TRYTOND_LAISUI_CONNECTORS__DROP_FOLDER"/{housing_property,market_business}

if [ -n "${LAISUI_RESET:-}" ]; then
    stop_pidfile "$CRON_PID" trytond-cron
    stop_pidfile "$SERVER_PID" trytond
    log "LAISUI_RESET: removing $DB_FILE and its filestore"
    rm -rf "$DB_FILE" "${TRYTOND_DATABASE__PATH:?}/${DB:?}"
fi
if [ ! -f "$DB_FILE" ]; then
    # A WAL/journal left by a deleted database would be replayed into the
    # new file: remove them with the stamps and the previous demo logins.
    rm -f "$DB_FILE-wal" "$DB_FILE-shm" "$DB_FILE-journal" \
        "$ADDONS_STAMP" "$DATA_STAMP" "$LAISUI_VAR/demo-logins.txt"
    # SQLite: trytond-admin only opens an existing file.
    touch "$DB_FILE"
fi

# State of the database: "empty" (not initialised), "init" (ir/res only),
# "partial" (one of our modules not activated) or "activated".
db_state() {
    python - "$DB_FILE" "${LAISUI_MODULES[@]}" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
modules = sys.argv[2:]
try:
    states = dict(con.execute(
        "SELECT name, state FROM ir_module WHERE name IN (%s)"
        % ','.join('?' * len(modules)), modules))
except sqlite3.OperationalError:  # no ir_module table
    print('empty')
else:
    if not states:
        print('init')
    elif all(states.get(m) == 'activated' for m in modules):
        print('activated')
    else:
        print('partial')
EOF
}

# The laisui modules activated in the database, one per line.
activated_modules() {
    python - "$DB_FILE" "${LAISUI_MODULES[@]}" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
modules = sys.argv[2:]
for name, in con.execute(
        "SELECT name FROM ir_module WHERE state = 'activated' "
        "AND name IN (%s)" % ','.join('?' * len(modules)), modules):
    print(name)
EOF
}

# Count of zh_CN translations of our modules (0 = the .po files did not load).
zh_translations() {
    python - "$DB_FILE" "${LAISUI_MODULES[@]}" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
modules = sys.argv[2:]
print(con.execute(
    "SELECT COUNT(DISTINCT module) FROM ir_translation WHERE lang = 'zh_CN' "
    "AND module IN (%s)" % ','.join('?' * len(modules)),
    modules).fetchone()[0] == len(modules) and 1 or 0)
EOF
}

admin() {
    log "trytond-admin -d $DB $*"
    trytond-admin -c "$CONF" -d "$DB" "$@"
}

state="$(db_state)"
hash="$(addons_hash)"
if [ "$state" = empty ]; then
    passfile="$(mktemp "$LAISUI_VAR/.adminpass.XXXXXX")"
    trap 'rm -f "$passfile"' EXIT
    printf '%s' "${LAISUI_ADMIN_PASSWORD:-admin-Laisui-2026}" > "$passfile"
    TRYTONPASSFILE="$passfile" admin --all -l zh_CN --email admin@laisui.example -p
    rm -f "$passfile"
    state=init
fi
if [ "$state" != activated ] \
        || [ "$(cat "$ADDONS_STAMP" 2>/dev/null)" != "$hash" ]; then
    # A module missing or addons/ changed since the last run.
    update_laisui_modules $(activated_modules)
    echo "$hash" > "$ADDONS_STAMP"
fi
if [ "$(zh_translations)" = 0 ]; then
    # -l only marks a language translatable; .po files load during an update.
    admin --all -l zh_CN
fi

if [ -f "$DATA_STAMP" ]; then
    log "demo data already loaded (remove $DATA_STAMP or use LAISUI_RESET=1 to reload)"
elif [ -f scripts/demo_data.py ]; then
    log "python scripts/demo_data.py -c $CONF -d $DB"
    python scripts/demo_data.py -c "$CONF" -d "$DB"
    date -Is > "$DATA_STAMP"
else
    warn "scripts/demo_data.py does not exist yet: no demo data loaded"
fi

# (Re)start the fake external systems, the server and the cron daemon,
# detached from this shell.  The fake systems (127.0.0.1:8701-8705, where
# the seeded sources point) know the first 300 demo applicants; the cron
# synchronises them at its first pass and every day after.
stop_pidfile "$CRON_PID" trytond-cron
stop_pidfile "$SERVER_PID" trytond
stop_pidfile "$FAKE_PID" fake_sources
log "starting the fake external systems (log: var/log/fake-sources.log)"
setsid python scripts/fake_sources.py --db "$DB_FILE" \
    >> "$LAISUI_VAR/log/fake-sources.log" 2>&1 < /dev/null &
echo $! > "$FAKE_PID"
if python -c 'import socket, sys; s = socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1", 8000)) != 0)'; then
    die "127.0.0.1:8000 is already in use by another process (not $SERVER_PID)"
fi
log "starting trytond (log: var/log/trytond.log)"
PYTHONOPTIMIZE=1 setsid trytond -c "$CONF" -d "$DB" -v \
    >> "$LAISUI_VAR/log/trytond.log" 2>&1 < /dev/null &
echo $! > "$SERVER_PID"
log "starting trytond-cron (log: var/log/trytond-cron.log)"
PYTHONOPTIMIZE=1 setsid trytond-cron -c "$CONF" -d "$DB" -v \
    >> "$LAISUI_VAR/log/trytond-cron.log" 2>&1 < /dev/null &
echo $! > "$CRON_PID"

for i in $(seq 1 120); do
    if python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$URL/" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$(cat "$SERVER_PID")" 2>/dev/null; then
        tail -n 30 "$LAISUI_VAR/log/trytond.log" >&2
        die "trytond exited, see var/log/trytond.log"
    fi
    [ "$i" -eq 120 ] && die "trytond did not answer on $URL/ within 60 s"
    sleep 0.5
done

cat <<EOF

Laisui is running (server pid $(cat "$SERVER_PID"), cron pid $(cat "$CRON_PID")):
  back office: $URL/#$DB
  portal:      $URL/$DB/portal/
  admin login: admin / ${LAISUI_ADMIN_PASSWORD:-admin-Laisui-2026} (the password given when the database was created)
  logs:        var/log/trytond.log, var/log/trytond-cron.log, var/log/fake-sources.log
  data hub:    数据交换 › 同步批次 (the fake city and department systems run on 127.0.0.1:8701-8705;
               files dropped in var/drop/<dataset code>/ are loaded within 5 minutes)
  stop:        bash scripts/demo.sh stop
EOF
if [ -f "$LAISUI_VAR/demo-logins.txt" ]; then
    echo
    cat "$LAISUI_VAR/demo-logins.txt"
fi
