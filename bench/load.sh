#!/usr/bin/env bash
# Load benchmark of the Sportello web server: /health and authenticated pages that read the
# database, under 200 concurrent connections, on SQLite (default) or PostgreSQL.
#
#   bench/load.sh [--database postgres://postgres@127.0.0.1:5432/sportello_bench]
#                 [--duration 20s] [--warmup 3s] [--connections 200] [--threads 2] [--port 18328]
#                 [--bin PATH] [--out DIR] [--perf]
#
# Needs: a release build of `sportello` (default ${CARGO_TARGET_DIR:-target}/release/sportello,
# build it with `cargo build --release -p sportello`), wrk, curl, jq; psql for PostgreSQL.
# Traffic goes to 127.0.0.1 only. See docs/performance.md for the figures.
# The cpu_us_req column is the server process's CPU time (user + system, from /proc) divided by
# the requests served; --perf also records `perf record -g` of the server for 8 s of each
# authenticated run (perf-*.data in the output folder; `perf report -i FILE --no-children`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
database=""
duration="20s"
warmup="3s"
connections=200
threads=2
port=18328
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
perf=""

while [ $# -gt 0 ]; do
    case "$1" in
        --database) database="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --perf) perf=1; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done

for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

tmp="$(mktemp -d -t sportello-bench.XXXXXX)"
out="${out:-$tmp}"
mkdir -p "$out"
server_pid=""
pg_admin=""
pg_db=""

cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$pg_db" ]; then
        psql "$pg_admin" -qAt -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [ "$out" != "$tmp" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

if [ -z "$database" ]; then
    database="sqlite://$tmp/s.db"
    backend="SQLite"
else
    case "$database" in
        postgres://*|postgresql://*)
            backend="PostgreSQL"
            command -v psql >/dev/null || { echo "manca psql" >&2; exit 2; }
            pg_db="${database##*/}"; pg_db="${pg_db%%\?*}"
            pg_admin="${database%/*}/postgres"
            psql "$pg_admin" -qAt -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null
            psql "$pg_admin" -qAt -c "CREATE DATABASE \"$pg_db\"" >/dev/null
            ;;
        sqlite:*) backend="SQLite" ;;
        *) echo "--database: sqlite://… o postgres://…" >&2; exit 2 ;;
    esac
fi

# Run from the temporary folder so that no ./sportello.toml of the caller is picked up.
cd "$tmp"
export SPORTELLO__ADMIN__PASSWORD="Bench-admin-$RANDOM-$RANDOM-password"
cli() { "$bin" --database "$database" "$@"; }

echo "== Sportello load benchmark: $backend, $connections connessioni, $threads thread wrk, $duration"
echo "   binario $bin"
echo "   cartella $tmp"

"$bin" --database "$database" serve --listen "127.0.0.1:$port" >"$out/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -fs "$base/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
    sleep 0.1
done
curl -fs "$base/health" >/dev/null

# Data: the organization under test with 40 operators, 20 more organizations with 3 users each,
# so that the queries read real rows out of populated tables.
echo "-- dati di prova"
cli org add comune-bench --name "Comune di Bergamo" --kind comune --comuni 016024 >/dev/null
otp="$(cli user add op.bench --name "Op Bench" --org comune-bench --role operatore_sportello \
    | sed -n 's/.*Password provvisoria: //p')"
cli user add resp.bench --name "Responsabile Bench" --org comune-bench --role responsabile >/dev/null
roles=(operatore_sportello assistente_sociale ragioneria operatore_caf)
for i in $(seq 1 40); do
    cli user add "op.bench$i" --name "Operatore Numero$i" --org comune-bench \
        --role "${roles[$((i % 4))]}" >/dev/null
done
for j in $(seq 1 20); do
    cli org add "caf-bench$j" --name "CAF Bench $j" --kind caf >/dev/null
    for i in 1 2 3; do
        cli user add "caf$j.op$i" --name "Operatore Caf$j" --org "caf-bench$j" --role operatore_caf >/dev/null
    done
done
op_token="$(cli token create --user op.bench | tail -n 1)"
resp_token="$(cli token create --user resp.bench | tail -n 1)"

org_id="$(curl -fs -H "Authorization: Bearer $op_token" "$base/api/v1/me" | jq -r .organization.id)"

# A browser session for op.bench: password, then the compulsory first change of it
# (an operatore_sportello needs no second factor).
jar="$tmp/cookies"
newpw="Sportello-bench-$RANDOM-cavallo-batteria-graffetta"
curl -fs -o /dev/null -c "$jar" --data-urlencode "login=op.bench" --data-urlencode "password=$otp" "$base/login"
curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "attuale=$otp" \
    --data-urlencode "nuova=$newpw" --data-urlencode "conferma=$newpw" "$base/password"
sid="$(awk '$6 == "sportello_sid" { print $7 }' "$jar" | tail -n 1)"

check() { # name, curl args… — one request, must answer 200
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' "${@:2}")"
    [ "$code" = 200 ] || { echo "$1: risposta $code invece di 200" >&2; exit 1; }
}
check health "$base/health"
check org-api -H "Authorization: Bearer $op_token" "$base/api/v1/organizations/$org_id"
check users-api -H "Authorization: Bearer $resp_token" "$base/api/v1/users"
check home -b "sportello_sid=$sid" "$base/"

# wrk prints latencies as 812.00us, 1.23ms, 2.00s: to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
        else printf "%s", v }'
}

results="$out/results.tsv"
printf 'backend\tendpoint\trps\tp50_ms\tp90_ms\tp99_ms\tmax_ms\trequests\tnon2xx\terrors\tcpu_us_req\n' >"$results"
hz="$(getconf CLK_TCK)"
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

run() { # slug, name, path, header or ""
    local name="$2" path="$3" header="$4" log="$out/wrk-$1.txt"
    local args=(-t "$threads" -c "$connections" --latency)
    [ -n "$header" ] && args+=(-H "$header")
    wrk "${args[@]}" -d "$warmup" "$base$path" >/dev/null
    local perf_pid=""
    if [ -n "$perf" ] && [ "$1" != health ]; then
        perf record -F 999 -g -p "$server_pid" -o "$out/perf-$1.data" -- sleep 8 >/dev/null 2>&1 &
        perf_pid=$!
    fi
    local t0 t1
    t0="$(server_ticks)"
    wrk "${args[@]}" -d "$duration" "$base$path" >"$log"
    t1="$(server_ticks)"
    if [ -n "$perf_pid" ]; then wait "$perf_pid" || true; fi
    local p50 p90 p99 max rps reqs non2xx errors
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$log")")"
    p90="$(to_ms "$(awk '$1 == "90%" { print $2 }' "$log")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$log")")"
    max="$(to_ms "$(awk '$1 == "Latency" && NF >= 4 { print $4; exit }' "$log")")"
    rps="$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$log")"
    reqs="$(awk '/requests in/ { print $1 }' "$log")"
    non2xx="$(awk '/Non-2xx/ { print $NF }' "$log")"
    errors="$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print }' "$log")"
    local cpu
    cpu="$(awk -v t="$((t1 - t0))" -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$name" "$rps" "$p50" "$p90" \
        "$p99" "$max" "$reqs" "${non2xx:-0}" "${errors:-none}" "$cpu" >>"$results"
    printf '%-34s %8s req/s  p50 %7s ms  p90 %7s ms  p99 %7s ms  max %8s ms  CPU %5s us/req\n' \
        "$name" "$rps" "$p50" "$p90" "$p99" "$max" "$cpu"
}

echo "-- carico (ogni misura preceduta da $warmup di riscaldamento)"
run health "GET /health" "/health" ""
run api-org "GET /api/v1/organizations/{id}" "/api/v1/organizations/$org_id" "Authorization: Bearer $op_token"
run api-users "GET /api/v1/users" "/api/v1/users" "Authorization: Bearer $resp_token"
run home "GET / (sessione)" "/" "Cookie: sportello_sid=$sid"

echo "-- risultati in $results (output di wrk in $out)"
column -t -s $'\t' "$results"
