# shellcheck shell=bash
# Helpers shared by scripts/demo.sh, scripts/test.sh and .ci/run.
# Source it (". scripts/lib.sh"); it sets LAISUI_ROOT and exports the
# TRYTOND_* paths that the config files deliberately leave out.

LAISUI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LAISUI_ROOT
LAISUI_VENV="$LAISUI_ROOT/.venv"
LAISUI_VAR="$LAISUI_ROOT/var"
# Our Tryton modules, in dependency order; the one list the scripts use.
LAISUI_MODULES=(laisui_base laisui_points laisui_integrity laisui_connectors laisui_review laisui_admission laisui_services laisui_report laisui_api)

# trytond reads TRYTOND_<SECTION>__<OPTION> from the environment BEFORE the
# -c config files, so a value written in a config file wins over the
# environment.  config/*.conf therefore never set [database] path nor
# [web] root: they come from here, relative to wherever the repo is cloned.
export TRYTOND_DATABASE__PATH="${TRYTOND_DATABASE__PATH:-$LAISUI_VAR/db}"
export TRYTOND_WEB__ROOT="${TRYTOND_WEB__ROOT:-$LAISUI_VAR/sao/package}"
# Common passwords no staff account may use (trytond needs an absolute path).
export TRYTOND_PASSWORD__FORBIDDEN="${TRYTOND_PASSWORD__FORBIDDEN:-$LAISUI_ROOT/config/password_forbidden.txt}"
# Where departments without an interface drop their files, one folder per
# dataset code (laisui_connectors/folder.py).
export TRYTOND_LAISUI_CONNECTORS__DROP_FOLDER="${TRYTOND_LAISUI_CONNECTORS__DROP_FOLDER:-$LAISUI_VAR/drop}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[33mWARNING: %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

_deb_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# ensure_system_packages [EXTRA_DEB_PACKAGE...]
# Installs (Debian/Ubuntu) only the packages that are missing.
# clamav-daemon: the virus scan of uploads (laisui_base/scan.py); the tests
# start their own clamd with a test signature, so clamav-freshclam (pulled
# in) may fail to download signatures offline without harm.
ensure_system_packages() {
    local wanted=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 clamav-daemon "$@")
    local missing=() pkg
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        warn "not a Debian system: make sure python3-venv, npm, fonts-noto-cjk, pango and clamd (ClamAV) are installed"
        return 0
    fi
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        missing+=(python3-venv)
    fi
    if ! command -v npm >/dev/null 2>&1; then
        # Debian's nodejs/npm conflict with a node installed elsewhere:
        # only ask for them when there is no npm at all.
        missing+=(nodejs npm)
    fi
    for pkg in "${wanted[@]}"; do
        _deb_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    log "apt-get install ${missing[*]}"
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

_venv_stamp_value() {
    # The install depends on pyproject.toml and on the pins in requirements.txt.
    cat "$LAISUI_ROOT/pyproject.toml" "$LAISUI_ROOT/requirements.txt" 2>/dev/null \
        | sha256sum | cut -d' ' -f1
}

# ensure_venv: create .venv if missing and (re)install the project in
# editable mode when pyproject.toml / requirements.txt changed since the last
# install (stamp: .venv/.laisui-install.sha256).  requirements.txt is used
# as a constraints file so that every machine gets the same versions.
ensure_venv() {
    local stamp="$LAISUI_VENV/.laisui-install.sha256" want start
    local piplog="$LAISUI_VAR/log/pip-install.log"
    mkdir -p "$LAISUI_VAR/log"
    if [ ! -x "$LAISUI_VENV/bin/python" ]; then
        log "creating $LAISUI_VENV"
        python3 -m venv "$LAISUI_VENV"
        "$LAISUI_VENV/bin/python" -m pip install -q --disable-pip-version-check -U pip \
            >"$piplog" 2>&1 || { cat "$piplog" >&2; die "pip upgrade failed"; }
        rm -f "$stamp"
    fi
    want="$(_venv_stamp_value)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        start=$SECONDS
        log "pip install -e '.[test,server]' (log: ${piplog#"$LAISUI_ROOT"/})"
        local constraints=()
        if [ -f "$LAISUI_ROOT/requirements.txt" ]; then
            constraints=(-c "$LAISUI_ROOT/requirements.txt")
        fi
        # setuptools' build warnings are verbose: keep them in the log.
        if ! (cd "$LAISUI_ROOT" && "$LAISUI_VENV/bin/python" -m pip install \
                --disable-pip-version-check "${constraints[@]}" -e '.[test,server]') \
                >"$piplog" 2>&1; then
            tail -n 40 "$piplog" >&2
            die "pip install failed (full log: $piplog)"
        fi
        echo "$want" > "$stamp"
        log "venv ready in $((SECONDS - start)) s"
    fi
    export VIRTUAL_ENV="$LAISUI_VENV"
    export PATH="$LAISUI_VENV/bin:$PATH"
}

# ensure_sao: the Tryton web client (tryton-sao 8.0.x from npm) in
# var/sao/package, served by trytond from [web] root.  It is built in a
# temporary folder and moved into place only when complete, so an
# interrupted install is redone on the next run.
ensure_sao() {
    ensure_sao_client
    patch_sao
    ensure_bpmn_js
    ensure_elkjs
}

# patch_sao: a fix to tryton-sao 8.0.11 (the latest 8.0 on npm), applied
# to the installed client until a release has it. A tick in an editable
# list inside a form (原件核验's 原件已核验) raised "Cannot read properties of
# undefined (reading 'parent')": BooleanColumn.clicked reads this.group,
# which a column does not have, instead of the record's group.
patch_sao() {
    local file="$LAISUI_VAR/sao/package/dist/tryton-sao.js"
    sed -i 's/if ((!this\.group\.parent) & (record !== current_record))/if ((!record.group.parent) \&\& (record !== current_record))/' "$file"
    grep -qF 'if ((!record.group.parent) && (record !== current_record))' "$file" \
        || die "patch_sao: the BooleanColumn fix did not apply to $file"
}

ensure_sao_client() {
    local dest="$LAISUI_VAR/sao/package" tmp tarball start
    if [ -f "$dest/index.html" ]; then
        return 0
    fi
    command -v npm >/dev/null 2>&1 || die "npm is missing (run ensure_system_packages)"
    start=$SECONDS
    log "installing tryton-sao@8.0 into $dest"
    mkdir -p "$LAISUI_VAR/sao"
    tmp="$(mktemp -d "$LAISUI_VAR/sao/.build.XXXXXX")"
    tarball="$(cd "$tmp" && npm pack --silent tryton-sao@8.0 | tail -n1)"
    tar -xzf "$tmp/$tarball" -C "$tmp"
    (cd "$tmp/package" && npm install --omit=dev --legacy-peer-deps \
        --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$tmp/package/custom.js" "$tmp/package/custom.css"
    rm -rf "$dest"
    mv "$tmp/package" "$dest"
    mv "$tmp/$tarball" "$LAISUI_VAR/sao/"
    rm -rf "$tmp"
    log "sao $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dest/package.json" | head -n1) ready in $((SECONDS - start)) s"
}

# ensure_bpmn_js: bpmn-js (npm) for the workflow designer page, in the web
# root beside sao at /laisui/bpmn-js/. Its dist/ is a self-contained
# bundle: no npm install needed.
BPMN_JS_VERSION=18.31.1
ensure_bpmn_js() {
    local dest="$LAISUI_VAR/sao/package/laisui/bpmn-js" tmp tarball
    if [ -f "$dest/dist/bpmn-modeler.production.min.js" ] \
            && grep -q "\"version\": \"$BPMN_JS_VERSION\"" "$dest/package.json"; then
        return 0
    fi
    log "installing bpmn-js@$BPMN_JS_VERSION into $dest"
    tmp="$(mktemp -d "$LAISUI_VAR/sao/.bpmn.XXXXXX")"
    tarball="$(cd "$tmp" && npm pack --silent "bpmn-js@$BPMN_JS_VERSION" | tail -n1)"
    tar -xzf "$tmp/$tarball" -C "$tmp"
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest"
    mv "$tmp/package" "$dest"
    rm -rf "$tmp"
}

# ensure_elkjs: elkjs (npm, the Eclipse Layout Kernel) for the designer's
# automatic layout, beside bpmn-js at /laisui/elkjs/. lib/elk.bundled.js
# runs in the page itself (no worker, no eval): no npm install needed.
ELKJS_VERSION=0.12.1
ensure_elkjs() {
    local dest="$LAISUI_VAR/sao/package/laisui/elkjs" tmp tarball
    if [ -f "$dest/lib/elk.bundled.js" ] \
            && grep -q "\"version\": \"$ELKJS_VERSION\"" "$dest/package.json"; then
        return 0
    fi
    command -v npm >/dev/null 2>&1 || die "npm is missing (run ensure_system_packages)"
    log "installing elkjs@$ELKJS_VERSION into $dest"
    tmp="$(mktemp -d "$LAISUI_VAR/sao/.elkjs.XXXXXX")"
    tarball="$(cd "$tmp" && npm pack --silent "elkjs@$ELKJS_VERSION" | tail -n1)"
    tar -xzf "$tmp/$tarball" -C "$tmp"
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest"
    mv "$tmp/package" "$dest"
    rm -rf "$tmp"
}

# ensure_axe_core: axe-core (npm) for the browser tests' accessibility
# audit (tests/axe.py injects var/axe-core/axe.min.js into the page). A
# test tool only: kept out of the web root, never served.
AXE_CORE_VERSION=4.11.4
ensure_axe_core() {
    local dest="$LAISUI_VAR/axe-core" tmp tarball
    if [ -f "$dest/axe.min.js" ] \
            && grep -q "\"version\": \"$AXE_CORE_VERSION\"" "$dest/package.json"; then
        return 0
    fi
    command -v npm >/dev/null 2>&1 || die "npm is missing (run ensure_system_packages)"
    log "installing axe-core@$AXE_CORE_VERSION into $dest"
    mkdir -p "$LAISUI_VAR"
    tmp="$(mktemp -d "$LAISUI_VAR/.axe.XXXXXX")"
    tarball="$(cd "$tmp" && npm pack --silent "axe-core@$AXE_CORE_VERSION" | tail -n1)"
    tar -xzf "$tmp/$tarball" -C "$tmp"
    rm -rf "$dest"
    mv "$tmp/package" "$dest"
    rm -rf "$tmp"
}

# update_laisui_modules ACTIVATED...: -u the laisui modules already
# activated (every one: a child's update does not update a changed parent),
# then activate the others in a run of their own. Activated in the same run
# as their parents' upgrade they would load as upgrades (Tryton passes
# 'to upgrade' down the graph) and skip the noupdate records a seed
# redefines, such as a form published once its fields are added.
# Calls the caller's admin function.
update_laisui_modules() {
    local activated=" $* " new=() m
    for m in "${LAISUI_MODULES[@]}"; do
        case "$activated" in *" $m "*) ;; *) new+=("$m") ;; esac
    done
    if [ $# -gt 0 ]; then admin -u "$@"; fi
    if [ ${#new[@]} -gt 0 ]; then admin -u "${new[@]}" --activate-dependencies; fi
}

# addons_hash: sha256 over the content of addons/ (and pyproject.toml):
# used to key the test DB cache, whose own key is only the module list.
addons_hash() {
    (cd "$LAISUI_ROOT" && find addons pyproject.toml -type f \
        ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '*.pyo' -print0 \
        | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}
