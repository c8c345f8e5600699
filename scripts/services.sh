#!/usr/bin/env bash
# Make sure a PostgreSQL and a Redis are reachable for the test suite.
#
#   source scripts/services.sh          # exports the variables below into this shell
#   scripts/services.sh [up]            # same, prints `export ...` lines on stdout:
#                                       #   eval "$(scripts/services.sh)"
#   scripts/services.sh stop            # stop the throwaway instances under var/services/
#   scripts/services.sh status          # show what a call would use, start nothing
#
# Exports COMPTOIR_PG_HOST, COMPTOIR_PG_PORT, COMPTOIR_PG_USER, COMPTOIR_PG_PASSWORD
# (may be empty), COMPTOIR_PG_DBNAME (default "test"; created when missing) and
# COMPTOIR_REDIS_URL.
#
# Each service is looked for in this order, first match wins:
#   a. the COMPTOIR_* variables already set (COMPTOIR_PG_HOST / COMPTOIR_REDIS_URL);
#   b. 127.0.0.1:5432 user postgres, and redis://127.0.0.1:6379/0;
#      (a throwaway instance from an earlier run of d. that is still running);
#   c. the machine's own services: pg_ctlcluster <ver> main start; redis-server on 6379;
#   d. throwaway instances under var/services/ (initdb + pg_ctl on port 54329 or the
#      next free one, redis-server on 63790 or the next free one). As root, Postgres runs
#      as an unprivileged user (COMPTOIR_SERVICES_USER, else "comptoir", created with
#      useradd when missing, else "postgres", else "nobody").
# COMPTOIR_SERVICES_FORCE_THROWAWAY=1 skips a-c and goes straight to d.
# Messages go to stderr. On failure: one message, status 1 (return when sourced).

_csvc_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
_csvc_dir="$_csvc_root/var/services"

_csvc_log() { echo "services: $*" >&2; }

_csvc_timeout() {  # _csvc_timeout SECONDS CMD...
    local s="$1"
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout "$s" "$@"
    else
        "$@"
    fi
}

# A python that can import psycopg (the project venv), or nothing.
_csvc_pg_python() {
    local p
    for p in "${COMPTOIR_PY:-}" "$_csvc_root/.venv/bin/python"; do
        if [[ -n "$p" && -x "$p" ]] && "$p" -c 'import psycopg' >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

_csvc_port_busy() {  # true if something accepts TCP connections on 127.0.0.1:$1
    _csvc_timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

_csvc_free_port() {  # first port >= $1 that nothing listens on
    local p="$1"
    while _csvc_port_busy "$p"; do
        p=$((p + 1))
    done
    echo "$p"
}

# ---------------------------------------------------------------- PostgreSQL

# _csvc_pg_run HOST PORT USER PASSWORD DB [SQL]: connect and run SQL (default select 1).
# SQL runs in autocommit (CREATE DATABASE needs it).
_csvc_pg_run() {
    local host="$1" port="$2" user="$3" password="$4" db="$5" sql="${6:-select 1}" py
    if py="$(_csvc_pg_python)"; then
        CSVC_HOST="$host" CSVC_PORT="$port" CSVC_USER="$user" CSVC_PASSWORD="$password" \
            CSVC_DB="$db" CSVC_SQL="$sql" _csvc_timeout 20 "$py" - 2>/dev/null <<'PY'
import os, sys
import psycopg
kw = dict(host=os.environ["CSVC_HOST"], port=os.environ["CSVC_PORT"],
          user=os.environ["CSVC_USER"], dbname=os.environ["CSVC_DB"],
          connect_timeout=3, autocommit=True)
if os.environ["CSVC_PASSWORD"]:
    kw["password"] = os.environ["CSVC_PASSWORD"]
try:
    with psycopg.connect(**kw) as conn:
        conn.execute(os.environ["CSVC_SQL"])
except Exception as exc:  # noqa: BLE001
    print(exc, file=sys.stderr)
    sys.exit(1)
PY
    elif command -v psql >/dev/null 2>&1; then
        PGPASSWORD="$password" PGCONNECT_TIMEOUT=3 _csvc_timeout 20 \
            psql -X -w -q -At -h "$host" -p "$port" -U "$user" -d "$db" \
            -v ON_ERROR_STOP=1 -c "$sql" >/dev/null 2>&1
    elif [[ "$sql" == "select 1" ]] && command -v pg_isready >/dev/null 2>&1; then
        # Only says the server accepts connections; cannot check credentials or database.
        pg_isready -q -t 3 -h "$host" -p "$port" -U "$user" -d "$db"
    else
        return 1
    fi
}

# _csvc_pg_ensure HOST PORT USER PASSWORD DB: reachable, and DB exists (created if not).
_csvc_pg_ensure() {
    local host="$1" port="$2" user="$3" password="$4" db="$5" qdb
    _csvc_pg_run "$host" "$port" "$user" "$password" "$db" && return 0
    # The server may be up without that database: create it through "postgres".
    _csvc_pg_run "$host" "$port" "$user" "$password" postgres || return 1
    qdb="\"${db//\"/\"\"}\""
    _csvc_log "creating database $db on $host:$port"
    _csvc_pg_run "$host" "$port" "$user" "$password" postgres "CREATE DATABASE $qdb" \
        || _csvc_log "CREATE DATABASE $db failed"
    _csvc_pg_run "$host" "$port" "$user" "$password" "$db"
}

_csvc_pg_wait() {  # _csvc_pg_wait HOST PORT USER PASSWORD SECONDS: wait for the server
    local i
    for ((i = 0; i < $5 * 4; i++)); do
        _csvc_pg_run "$1" "$2" "$3" "$4" postgres && return 0
        sleep 0.25
    done
    return 1
}

_csvc_pg_bindir() {  # directory holding initdb and pg_ctl
    local d cands=()
    if command -v pg_config >/dev/null 2>&1; then
        cands+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    # Highest installed version first.
    while IFS= read -r d; do
        cands+=("$d")
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn)
    if command -v initdb >/dev/null 2>&1; then
        cands+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
    fi
    for d in "${cands[@]}"; do
        if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# The account Postgres runs as when we are root (initdb/postgres refuse to run as root).
_csvc_pg_runuser() {
    local u
    if [[ "$(id -u)" != 0 ]]; then
        id -un
        return 0
    fi
    if [[ -n "${COMPTOIR_SERVICES_USER:-}" ]]; then
        echo "$COMPTOIR_SERVICES_USER"
        return 0
    fi
    if ! id comptoir >/dev/null 2>&1 && command -v useradd >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin comptoir >/dev/null 2>&1 || true
    fi
    for u in comptoir postgres nobody; do
        if id "$u" >/dev/null 2>&1; then
            echo "$u"
            return 0
        fi
    done
    return 1
}

_csvc_as() {  # _csvc_as USER CMD...: run CMD as USER (directly when that is us)
    local u="$1"
    shift
    if [[ "$(id -un)" == "$u" ]]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$u" -- "$@"
    elif command -v su >/dev/null 2>&1; then
        su -s /bin/sh "$u" -c "$(printf '%q ' "$@")"
    else
        echo "services: need runuser or su to run '$1' as $u" >&2
        return 1
    fi
}

# Where the throwaway cluster lives: var/services/pg, unless the run user cannot reach
# the repo (e.g. a clone under /root), then a per-repo directory under /tmp.
_csvc_pg_home() {  # _csvc_pg_home RUNUSER
    local u="$1" d
    if [[ -f "$_csvc_dir/pg.home" ]]; then
        d="$(cat "$_csvc_dir/pg.home")"
        if [[ -d "$d" ]]; then
            echo "$d"
            return 0
        fi
    fi
    d="$_csvc_dir/pg"
    mkdir -p "$d" || return 1
    if [[ "$(id -u)" == 0 ]]; then
        chown "$u" "$d" 2>/dev/null || true
        if ! _csvc_as "$u" test -w "$d" 2>/dev/null; then
            d="${TMPDIR:-/tmp}/comptoir-services-$(printf '%s' "$_csvc_root" | cksum | cut -d' ' -f1)/pg"
            mkdir -p "$d" && chmod 755 "$(dirname "$d")" && chown "$u" "$d" || return 1
        fi
    fi
    printf '%s\n' "$d" >"$_csvc_dir/pg.home"
    echo "$d"
}

# A throwaway cluster that is already running: print its port.
_csvc_pg_throwaway_running() {
    local home port
    [[ -f "$_csvc_dir/pg.home" ]] || return 1
    home="$(cat "$_csvc_dir/pg.home")"
    [[ -f "$home/data/postmaster.pid" && -f "$home/port" ]] || return 1
    port="$(cat "$home/port")"
    # postmaster.pid holds the PID on line 1; is it alive?
    kill -0 "$(head -n1 "$home/data/postmaster.pid")" 2>/dev/null || return 1
    echo "$port"
}

_csvc_pg_throwaway_start() {  # prints the port
    local bindir u home port
    if ! bindir="$(_csvc_pg_bindir)"; then
        _csvc_log "no initdb/pg_ctl found (pg_config --bindir, /usr/lib/postgresql/*/bin)"
        return 1
    fi
    if ! u="$(_csvc_pg_runuser)"; then
        _csvc_log "running as root and found no unprivileged user to run postgres as"
        return 1
    fi
    home="$(_csvc_pg_home "$u")" || {
        _csvc_log "cannot prepare a directory for the throwaway cluster"
        return 1
    }
    if [[ ! -f "$home/data/PG_VERSION" ]]; then
        rm -rf "$home/data"
        _csvc_log "initdb $home/data (as $u, $bindir)"
        if ! _csvc_as "$u" "$bindir/initdb" -D "$home/data" -A trust -U postgres \
            -E UTF8 --no-locale >"$_csvc_dir/pg-initdb.log" 2>&1; then
            _csvc_log "initdb failed, see $_csvc_dir/pg-initdb.log"
            return 1
        fi
        # TCP on 127.0.0.1 only: no Unix socket, so path length and permissions of the
        # clone do not matter. The port is given at start (-p), see below.
        _csvc_as "$u" sh -c "cat >>'$home/data/postgresql.conf'" <<'CONF'

# --- comptoir throwaway test cluster (scripts/services.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
CONF
    fi
    port=54329
    [[ -f "$home/port" ]] && port="$(cat "$home/port")"
    port="$(_csvc_free_port "$port")"
    _csvc_log "starting throwaway postgres on 127.0.0.1:$port (log $home/log)"
    if ! _csvc_as "$u" "$bindir/pg_ctl" -D "$home/data" -l "$home/log" -w -t 60 \
        -o "-p $port" start >"$_csvc_dir/pg-ctl.log" 2>&1; then
        _csvc_log "pg_ctl start failed, see $_csvc_dir/pg-ctl.log and $home/log"
        return 1
    fi
    printf '%s\n' "$port" >"$home/port.tmp" && mv "$home/port.tmp" "$home/port"
    echo "$port"
}

_csvc_pg_throwaway_stop() {
    local home bindir owner
    [[ -f "$_csvc_dir/pg.home" ]] || return 0
    home="$(cat "$_csvc_dir/pg.home")"
    [[ -f "$home/data/postmaster.pid" ]] || return 0
    bindir="$(_csvc_pg_bindir)" || return 1
    owner="$(stat -c %U "$home/data")"
    _csvc_log "stopping throwaway postgres ($home/data)"
    _csvc_as "$owner" "$bindir/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null 2>&1 || {
        _csvc_log "pg_ctl stop failed"
        return 1
    }
}

# Sets _csvc_pg_{host,port,user,password,how}. $1 = 1 to start nothing (status).
_csvc_resolve_pg() {
    local dry="${1:-0}" db="${COMPTOIR_PG_DBNAME:-test}" port ver cluster_port conf
    local force="${COMPTOIR_SERVICES_FORCE_THROWAWAY:-0}"
    _csvc_pg_db="$db"
    _csvc_pg_set() { _csvc_pg_host="$1" _csvc_pg_port="$2" _csvc_pg_user="$3" \
        _csvc_pg_password="$4" _csvc_pg_how="$5"; }

    if [[ "$force" != 1 ]]; then
        # a. Already configured.
        if [[ -n "${COMPTOIR_PG_HOST:-}" ]]; then
            if _csvc_pg_ensure "$COMPTOIR_PG_HOST" "${COMPTOIR_PG_PORT:-5432}" \
                "${COMPTOIR_PG_USER:-postgres}" "${COMPTOIR_PG_PASSWORD:-}" "$db"; then
                _csvc_pg_set "$COMPTOIR_PG_HOST" "${COMPTOIR_PG_PORT:-5432}" \
                    "${COMPTOIR_PG_USER:-postgres}" "${COMPTOIR_PG_PASSWORD:-}" "from environment"
                return 0
            fi
            _csvc_log "COMPTOIR_PG_HOST=$COMPTOIR_PG_HOST:${COMPTOIR_PG_PORT:-5432}" \
                "is not reachable; looking elsewhere"
        fi
        # b. The usual local server.
        if _csvc_pg_ensure 127.0.0.1 5432 postgres "" "$db"; then
            _csvc_pg_set 127.0.0.1 5432 postgres "" "local server"
            return 0
        fi
    fi
    # A throwaway cluster from an earlier call, still running.
    if port="$(_csvc_pg_throwaway_running)" && _csvc_pg_ensure 127.0.0.1 "$port" postgres "" "$db"; then
        _csvc_pg_set 127.0.0.1 "$port" postgres "" "throwaway (var/services, running)"
        return 0
    fi
    [[ "$dry" == 1 ]] && return 1
    if [[ "$force" != 1 ]]; then
        # c. The machine's own cluster(s), newest version first.
        if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
            while IFS= read -r ver; do
                conf="/etc/postgresql/$ver/main/postgresql.conf"
                [[ -f "$conf" ]] || continue
                _csvc_log "trying: pg_ctlcluster --skip-systemctl-redirect $ver main start"
                pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 || true
                cluster_port="$(sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' \
                    "$conf" | tail -n1)"
                cluster_port="${cluster_port:-5432}"
                if _csvc_pg_wait 127.0.0.1 "$cluster_port" postgres "" 15 \
                    && _csvc_pg_ensure 127.0.0.1 "$cluster_port" postgres "" "$db"; then
                    _csvc_pg_set 127.0.0.1 "$cluster_port" postgres "" "machine cluster $ver/main"
                    return 0
                fi
            done < <(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null \
                | sort -rn)
        fi
    fi
    # d. Throwaway cluster under var/services.
    if port="$(_csvc_pg_throwaway_start)" && _csvc_pg_wait 127.0.0.1 "$port" postgres "" 30 \
        && _csvc_pg_ensure 127.0.0.1 "$port" postgres "" "$db"; then
        _csvc_pg_set 127.0.0.1 "$port" postgres "" "throwaway (var/services, started)"
        return 0
    fi
    return 1
}

# --------------------------------------------------------------------- Redis

_csvc_redis_ping() {  # _csvc_redis_ping URL
    local url="$1" hostport host port py
    if command -v redis-cli >/dev/null 2>&1; then
        [[ "$(_csvc_timeout 5 redis-cli -u "$url" ping 2>/dev/null)" == PONG ]]
        return
    fi
    for py in "${COMPTOIR_PY:-}" "$_csvc_root/.venv/bin/python"; do
        if [[ -n "$py" && -x "$py" ]] && "$py" -c 'import redis' >/dev/null 2>&1; then
            CSVC_URL="$url" _csvc_timeout 10 "$py" -c 'import os, redis
redis.Redis.from_url(os.environ["CSVC_URL"], socket_connect_timeout=3).ping()' \
                >/dev/null 2>&1
            return
        fi
    done
    # Last resort, no client at all: speak RESP over /dev/tcp (no auth, no TLS).
    hostport="${url#redis://}"
    hostport="${hostport#*@}"
    hostport="${hostport%%/*}"
    host="${hostport%:*}"
    port="${hostport##*:}"
    [[ "$port" == "$hostport" ]] && port=6379
    _csvc_timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf "PING\r\n" >&3; IFS= read -r -t 3 line <&3; [[ "$line" == +PONG* ]]' \
        _ "$host" "$port" 2>/dev/null
}

_csvc_redis_wait() {  # URL SECONDS
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        _csvc_redis_ping "$1" && return 0
        sleep 0.1
    done
    return 1
}

_csvc_redis_throwaway_running() {  # prints the port
    local d="$_csvc_dir/redis" port pid
    [[ -f "$d/redis.pid" && -f "$d/port" ]] || return 1
    pid="$(cat "$d/redis.pid")"
    port="$(cat "$d/port")"
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$port"
}

_csvc_redis_throwaway_start() {  # prints the port
    local d="$_csvc_dir/redis" port
    if ! command -v redis-server >/dev/null 2>&1; then
        _csvc_log "no redis-server on PATH"
        return 1
    fi
    mkdir -p "$d" || return 1
    port=63790
    [[ -f "$d/port" ]] && port="$(cat "$d/port")"
    port="$(_csvc_free_port "$port")"
    _csvc_log "starting throwaway redis on 127.0.0.1:$port (log $d/redis.log)"
    rm -f "$d/redis.pid"
    if ! redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" \
        --appendonly no --dir "$d" --pidfile "$d/redis.pid" --logfile "$d/redis.log" \
        >/dev/null 2>&1; then
        _csvc_log "redis-server failed to start, see $d/redis.log"
        return 1
    fi
    printf '%s\n' "$port" >"$d/port"
    echo "$port"
}

_csvc_redis_throwaway_stop() {
    local d="$_csvc_dir/redis" port pid i
    port="$(_csvc_redis_throwaway_running)" || return 0
    pid="$(cat "$d/redis.pid")"
    _csvc_log "stopping throwaway redis (127.0.0.1:$port)"
    if command -v redis-cli >/dev/null 2>&1; then
        _csvc_timeout 5 redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    fi
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$d/redis.pid"; return 0; }
        sleep 0.1
    done
    _csvc_log "redis (pid $pid) did not stop"
    return 1
}

# Sets _csvc_redis_{url,how}. $1 = 1 to start nothing (status).
_csvc_resolve_redis() {
    local dry="${1:-0}" port url force="${COMPTOIR_SERVICES_FORCE_THROWAWAY:-0}"
    if [[ "$force" != 1 ]]; then
        if [[ -n "${COMPTOIR_REDIS_URL:-}" ]]; then
            if _csvc_redis_ping "$COMPTOIR_REDIS_URL"; then
                _csvc_redis_url="$COMPTOIR_REDIS_URL" _csvc_redis_how="from environment"
                return 0
            fi
            _csvc_log "COMPTOIR_REDIS_URL=$COMPTOIR_REDIS_URL is not reachable; looking elsewhere"
        fi
        url="redis://127.0.0.1:6379/0"
        if _csvc_redis_ping "$url"; then
            _csvc_redis_url="$url" _csvc_redis_how="local server"
            return 0
        fi
    fi
    if port="$(_csvc_redis_throwaway_running)" \
        && _csvc_redis_ping "redis://127.0.0.1:$port/0"; then
        _csvc_redis_url="redis://127.0.0.1:$port/0"
        _csvc_redis_how="throwaway (var/services, running)"
        return 0
    fi
    [[ "$dry" == 1 ]] && return 1
    if [[ "$force" != 1 ]] && command -v redis-server >/dev/null 2>&1 \
        && ! _csvc_port_busy 6379; then
        _csvc_log "trying: redis-server --daemonize yes on 127.0.0.1:6379"
        (cd / && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
            --appendonly no >/dev/null 2>&1) || true
        url="redis://127.0.0.1:6379/0"
        if _csvc_redis_wait "$url" 5; then
            _csvc_redis_url="$url" _csvc_redis_how="machine redis-server (started)"
            return 0
        fi
    fi
    if port="$(_csvc_redis_throwaway_start)" \
        && _csvc_redis_wait "redis://127.0.0.1:$port/0" 10; then
        _csvc_redis_url="redis://127.0.0.1:$port/0"
        _csvc_redis_how="throwaway (var/services, started)"
        return 0
    fi
    return 1
}

# ---------------------------------------------------------------------- main

_csvc_up() {  # $1 = 1: status only
    local dry="${1:-0}" failed=()
    mkdir -p "$_csvc_dir" 2>/dev/null || true
    if _csvc_resolve_pg "$dry"; then
        export COMPTOIR_PG_HOST="$_csvc_pg_host" COMPTOIR_PG_PORT="$_csvc_pg_port"
        export COMPTOIR_PG_USER="$_csvc_pg_user" COMPTOIR_PG_PASSWORD="$_csvc_pg_password"
        export COMPTOIR_PG_DBNAME="$_csvc_pg_db"
        _csvc_log "postgres $COMPTOIR_PG_USER@$COMPTOIR_PG_HOST:$COMPTOIR_PG_PORT/$COMPTOIR_PG_DBNAME [$_csvc_pg_how]"
    else
        failed+=("PostgreSQL (tried: COMPTOIR_PG_* env, 127.0.0.1:5432, pg_ctlcluster, throwaway initdb under var/services)")
    fi
    if _csvc_resolve_redis "$dry"; then
        export COMPTOIR_REDIS_URL="$_csvc_redis_url"
        _csvc_log "redis $COMPTOIR_REDIS_URL [$_csvc_redis_how]"
    else
        failed+=("Redis (tried: COMPTOIR_REDIS_URL, redis://127.0.0.1:6379/0, redis-server on 6379, throwaway under var/services)")
    fi
    if ((${#failed[@]})); then
        if [[ "$dry" == 1 ]]; then
            _csvc_log "not running: ${failed[*]}"
        else
            _csvc_log "ERROR: could not get a reachable ${failed[*]}. Install PostgreSQL 15 and" \
                "Redis 7 (Debian: postgresql-15 redis-server) or set" \
                "COMPTOIR_PG_HOST/PORT/USER/PASSWORD and COMPTOIR_REDIS_URL."
        fi
        return 1
    fi
}

_csvc_cleanup() {
    local f
    for f in $(declare -F | awk '{print $3}' | grep '^_csvc_'); do
        unset -f "$f"
    done
    unset _csvc_root _csvc_dir _csvc_pg_host _csvc_pg_port _csvc_pg_user _csvc_pg_password \
        _csvc_pg_db _csvc_pg_how _csvc_redis_url _csvc_redis_how
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # Sourced: export into the caller's shell.
    if _csvc_up 0; then
        _csvc_cleanup
    else
        _csvc_cleanup
        return 1
    fi
else
    set -euo pipefail
    case "${1:-up}" in
        up | env | start)
            _csvc_up 0
            for _v in COMPTOIR_PG_HOST COMPTOIR_PG_PORT COMPTOIR_PG_USER COMPTOIR_PG_PASSWORD \
                COMPTOIR_PG_DBNAME COMPTOIR_REDIS_URL; do
                printf 'export %s=%q\n' "$_v" "${!_v}"
            done
            ;;
        stop)
            rc=0
            _csvc_pg_throwaway_stop || rc=1
            _csvc_redis_throwaway_stop || rc=1
            exit "$rc"
            ;;
        status)
            _csvc_up 1
            ;;
        *)
            echo "usage: $0 [up|stop|status]" >&2
            exit 2
            ;;
    esac
fi
