#!/usr/bin/env bash
# The production stack on one machine, without Docker: PostgreSQL, gunicorn
# (trytond), trytond-worker, trytond-cron and nginx as the TLS reverse
# proxy, with the settings that docker-compose.yml uses too
# (config/production.conf, config/production.env, config/gunicorn.conf.py,
# config/nginx/laisui.conf.template).
#
#   TRYTOND_LAISUI_SMS__URL=https://sms.example/send \
#   TRYTOND_LAISUI_SMS__SECRET=... bash scripts/prod.sh      # start (idempotent)
#   bash scripts/prod.sh stop
#   bash scripts/prod.sh status
#
# Environment (all optional but the SMS gateway):
#   TRYTOND_LAISUI_SMS__URL, __KEY, __SECRET, __CALLBACK   the SMS gateway
#   LAISUI_HTTPS_PORT (443), LAISUI_HTTP_PORT (80)          nginx
#   LAISUI_TLS_CERT, LAISUI_TLS_KEY    a certificate; self-signed if unset
#   LAISUI_ADMIN_PASSWORD, LAISUI_ADMIN_EMAIL, LAISUI_ADMIN_MOBILE
#                                      the admin account at the first start
#   LAISUI_DEMO=1                      load the demo data once
#   TRYTOND_EMAIL__URI                 SMTP server (smtp://localhost:25)
#
# Everything lives in var/prod: filestore, logs (JSON access log of every
# request in var/prod/log/access.log), pid files, TLS files, the database
# password (var/prod/db-password, 0600).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LAISUI_ROOT"

DB=laisui
DB_USER=laisui
PROD="$LAISUI_VAR/prod"
RUN="$PROD/run"
LOGS="$PROD/log"
NGINX="$PROD/nginx"
export LAISUI_HTTPS_PORT="${LAISUI_HTTPS_PORT:-443}"
export LAISUI_HTTP_PORT="${LAISUI_HTTP_PORT:-80}"
export LAISUI_UPSTREAM=127.0.0.1:8000
export LAISUI_BIND="$LAISUI_UPSTREAM"
export LAISUI_NGINX_CACHE="$NGINX/cache"
export LAISUI_ACCESS_LOG="$LOGS/access.log"
export LAISUI_ERROR_LOG="$LOGS/gunicorn.log"

# stop_process NAME: TERM the process group of $RUN/NAME.pid, then KILL.
stop_process() {
    local file="$RUN/$1.pid" pid i
    [ -f "$file" ] || return 0
    pid="$(cat "$file")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "stopping $1 (pid $pid)"
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

stop_nginx() {
    if [ -f "$NGINX/nginx.pid" ]; then
        log "stopping nginx"
        nginx -p "$NGINX" -c "$NGINX/nginx.conf" -s quit 2>/dev/null || true
        for _ in $(seq 1 30); do
            [ -f "$NGINX/nginx.pid" ] || break
            sleep 0.5
        done
    fi
}

running() {
    [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null
}

case "${1:-start}" in
    stop)
        stop_nginx
        stop_process gunicorn
        stop_process trytond-worker
        stop_process trytond-cron
        exit 0
        ;;
    status)
        rc=0
        for name in gunicorn trytond-worker trytond-cron; do
            if running "$name"; then
                echo "$name: running (pid $(cat "$RUN/$name.pid"))"
            else
                echo "$name: stopped"; rc=3
            fi
        done
        if [ -f "$NGINX/nginx.pid" ] && kill -0 "$(cat "$NGINX/nginx.pid")" 2>/dev/null; then
            echo "nginx: running (pid $(cat "$NGINX/nginx.pid"))"
        else
            echo "nginx: stopped"; rc=3
        fi
        exit "$rc"
        ;;
    start) ;;
    *) die "usage: $0 [start|stop|status]" ;;
esac

[ -n "${TRYTOND_LAISUI_SMS__URL:-}" ] || die \
    "TRYTOND_LAISUI_SMS__URL is not set: production sends SMS through the HTTP gateway (README, Production)"

# shellcheck disable=SC2119
ensure_system_packages postgresql nginx openssl gettext-base curl
ensure_venv
ensure_sao
mkdir -p "$RUN" "$LOGS" "$PROD/filestore" "$LAISUI_NGINX_CACHE" "$PROD/tls"

# --- PostgreSQL ---------------------------------------------------------------
if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf "%f\n" | sort -V | tail -n1)"
    _as_root pg_createcluster "$version" main
fi
read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ < <(pg_lsclusters -h | head -n1)
if [ "$PG_STATUS" != online ]; then
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
    _as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL does not answer on port $PG_PORT"
if [ ! -s "$PROD/db-password" ]; then
    (umask 077; openssl rand -hex 24 > "$PROD/db-password")
fi
DB_PASSWORD="$(cat "$PROD/db-password")"
# The application's role owns its database and nothing else: no superuser.
_as_root su postgres -c "psql -v ON_ERROR_STOP=1 -q -p $PG_PORT" <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$DB_USER')
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER PASSWORD '$DB_PASSWORD' NOSUPERUSER NOCREATEDB NOCREATEROLE;
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', '$DB', '$DB_USER', 'UTF8')
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec
SQL

# --- trytond --------------------------------------------------------------------
set -a
# shellcheck source=config/production.env
. "$LAISUI_ROOT/config/production.env"
set +a
export TRYTOND_CONFIG="$LAISUI_ROOT/config/production.conf"
export TRYTOND_DATABASE__URI="postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/"
export TRYTOND_DATABASE__PATH="$PROD/filestore"
unset TRYTOND_DATABASE_URI

psql_db() {
    PGPASSWORD="$DB_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB" -tAc "$1"
}
admin() {
    log "trytond-admin -d $DB $*"
    trytond-admin -d "$DB" "$@" >> "$LOGS/admin.log" 2>&1 \
        || { tail -n 30 "$LOGS/admin.log" >&2; die "trytond-admin failed (var/prod/log/admin.log)"; }
}

hash="$(addons_hash)"
if [ "$(psql_db "SELECT to_regclass('ir_module') IS NOT NULL")" != t ]; then
    passfile="$(mktemp "$PROD/.adminpass.XXXXXX")"
    trap 'rm -f "$passfile"' EXIT
    printf '%s' "${LAISUI_ADMIN_PASSWORD:-admin-Laisui-2026}" > "$passfile"
    TRYTONPASSFILE="$passfile" admin --all -l zh_CN \
        --email "${LAISUI_ADMIN_EMAIL:-admin@laisui.example}" -p
    rm -f "$passfile"
    update_laisui_modules
    echo "$hash" > "$PROD/addons-hash"
elif [ "$(cat "$PROD/addons-hash" 2>/dev/null)" != "$hash" ]; then
    update_laisui_modules $(psql_db "SELECT name FROM ir_module
        WHERE state = 'activated' AND name LIKE 'laisui\_%'")
    echo "$hash" > "$PROD/addons-hash"
fi
# Staff sign in with a password and an SMS code ([session]
# authentications): the admin account needs a mobile.
if [ -n "${LAISUI_ADMIN_MOBILE:-}" ]; then
    [[ "$LAISUI_ADMIN_MOBILE" =~ ^1[3-9][0-9]{9}$ ]] \
        || die "LAISUI_ADMIN_MOBILE: a mainland mobile number of 11 digits"
    psql_db "UPDATE res_user SET mobile = '$LAISUI_ADMIN_MOBILE' WHERE login = 'admin' AND mobile IS NULL" >/dev/null
fi
if [ -n "${LAISUI_DEMO:-}" ] && [ ! -f "$PROD/demo-data-done" ]; then
    log "loading the demo data"
    python scripts/demo_data.py -d "$DB" \
        --logins-file "$PROD/demo-logins.txt" >> "$LOGS/admin.log" 2>&1 \
        || { tail -n 30 "$LOGS/admin.log" >&2; die "demo data failed"; }
    date -Is > "$PROD/demo-data-done"
fi

# Uploads are refused unless clamd scans them ([laisui_upload] scan).
if [ ! -S /run/clamav/clamd.ctl ]; then
    if compgen -G '/var/lib/clamav/*.c[lv]d' >/dev/null; then
        log "starting clamd"
        _as_root mkdir -p /run/clamav
        _as_root chown clamav:clamav /run/clamav 2>/dev/null || true
        _as_root clamd || warn "clamd did not start: uploads are refused"
    else
        warn "no ClamAV signatures (run freshclam): evidence uploads are refused until clamd runs"
    fi
fi

# daemon NAME COMMAND...: start COMMAND in its own process group.
daemon() {
    local name="$1"
    shift
    if running "$name"; then
        stop_process "$name"
    fi
    log "starting $name"
    setsid "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null &
    echo $! > "$RUN/$name.pid"
}
daemon trytond-worker trytond-worker -d "$DB"
daemon trytond-cron trytond-cron -d "$DB"
daemon gunicorn gunicorn -c "$LAISUI_ROOT/config/gunicorn.conf.py" trytond.application:app

# --- nginx ----------------------------------------------------------------------
if [ -z "${LAISUI_TLS_CERT:-}" ]; then
    export LAISUI_TLS_CERT="$PROD/tls/cert.pem" LAISUI_TLS_KEY="$PROD/tls/key.pem"
    if [ ! -s "$LAISUI_TLS_CERT" ]; then
        log "creating a self-signed certificate for localhost"
        (umask 077; openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
            -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
            -keyout "$LAISUI_TLS_KEY" -out "$LAISUI_TLS_CERT" 2>/dev/null)
    fi
fi
# shellcheck disable=SC2016
envsubst '${LAISUI_UPSTREAM} ${LAISUI_NGINX_CACHE} ${LAISUI_HTTP_PORT} ${LAISUI_HTTPS_PORT} ${LAISUI_TLS_CERT} ${LAISUI_TLS_KEY}' \
    < config/nginx/laisui.conf.template > "$NGINX/laisui.conf"
nginx_user=www-data
id "$nginx_user" >/dev/null 2>&1 || nginx_user="$(id -un)"
[ "$(id -u)" -eq 0 ] && chown -R "$nginx_user" "$LAISUI_NGINX_CACHE"
cat > "$NGINX/nginx.conf" <<EOF
# Written by scripts/prod.sh; the site is config/nginx/laisui.conf.template.
$([ "$(id -u)" -eq 0 ] && echo "user $nginx_user;")
worker_processes 1;
pid $NGINX/nginx.pid;
error_log $LOGS/nginx-error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    access_log $LOGS/nginx-access.log;
    client_body_temp_path $NGINX/body;
    proxy_temp_path $NGINX/proxy;
    fastcgi_temp_path $NGINX/fastcgi;
    uwsgi_temp_path $NGINX/uwsgi;
    scgi_temp_path $NGINX/scgi;
    sendfile on;
    keepalive_timeout 65;
    include $NGINX/laisui.conf;
}
EOF
nginx -t -p "$NGINX" -c "$NGINX/nginx.conf" 2>> "$LOGS/nginx-error.log" \
    || { tail -n 5 "$LOGS/nginx-error.log" >&2; die "nginx configuration refused"; }
if [ -f "$NGINX/nginx.pid" ] && kill -0 "$(cat "$NGINX/nginx.pid")" 2>/dev/null; then
    nginx -p "$NGINX" -c "$NGINX/nginx.conf" -s reload
else
    nginx -p "$NGINX" -c "$NGINX/nginx.conf"
fi

URL="https://127.0.0.1:$LAISUI_HTTPS_PORT"
for i in $(seq 1 120); do
    if curl -ksf -o /dev/null "$URL/$DB/laisui/health"; then
        break
    fi
    if ! running gunicorn; then
        tail -n 30 "$LOGS/gunicorn.log" >&2
        die "gunicorn exited (var/prod/log/gunicorn.log)"
    fi
    [ "$i" -eq 120 ] && die "no answer from $URL/$DB/laisui/health within 60 s"
    sleep 0.5
done
log "Laisui is up: $URL/ (back office), $URL/$DB/portal/ (applicants)"
curl -ks "$URL/$DB/laisui/health"
echo
