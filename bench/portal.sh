#!/usr/bin/env bash
# Portal benchmark (issue 22: "portal pages p99 ≤ 50 ms at 200 concurrent citizens, a call's
# last day").
#
#   bench/portal.sh [--connections 200] [--duration 20s] [--port 18351] [--bin PATH]
#                   [--think MS[,MS...]] [--out DIR]
#
# 1. `sportello serve --demo` (the demo comune, 300 applications, the local SPID provider).
# 2. Each citizen the provider offers signs in through the real flow (`/portale/accedi/0`, the
#    provider's page, `/portale/accesso`), with curl: a portal session each.
# 3. --connections concurrent citizens (bench/portal.lua), each in turn on its list of
#    applications, one application (a read logged in the audit chain) and its access log.
# Needs a release build (cargo build --release -p sportello), wrk, curl. Figures:
# docs/performance.md, "Portal".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
connections=200
duration="20s"
think="0"
port=18351
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --think) think="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }

tmp="$(mktemp -d)"
out="${out:-$tmp}"
mkdir -p "$out"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    [ "$out" = "$tmp" ] || rm -rf "$tmp"
}
trap cleanup EXIT

base="http://127.0.0.1:$port"
(cd "$tmp" && SPORTELLO__LISTEN="127.0.0.1:$port" SPORTELLO__LOG__LEVEL=warn \
    exec "$bin" serve --demo >"$out/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 120); do
    curl -fs "$base/health" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fs "$base/health" >/dev/null || { echo "il server non risponde: $out/server.log" >&2; exit 1; }

# One session per citizen the demo's provider offers.
sessions="$tmp/sessions.txt"
: >"$sessions"
citizens=$(grep -c "^Portale: accesso di prova" "$out/server.log")
for n in $(seq 0 $((citizens - 1))); do
    jar="$tmp/jar-$n"
    auth=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w "%{redirect_url}" "$base/portale/accedi/0")
    provider="${auth%%/authorize*}"
    page=$(curl -s "$auth")
    request_id=$(printf '%s' "$page" | sed -n 's/.*name="request_id" value="\([^"]*\)".*/\1/p')
    back=$(curl -s -o /dev/null -w "%{redirect_url}" -X POST \
        -d "request_id=$request_id&identity=$n" "$provider/authorize")
    curl -s -c "$jar" -b "$jar" -o /dev/null "$back"
    cookie=$(awk '$6 == "sportello_portale" { print $7 }' "$jar")
    app=$(curl -s -b "$jar" "$base/portale/domande" | sed -n 's#.*href="/portale/domande/\([0-9a-f-]*\)".*#\1#p' | head -1)
    [ -n "$cookie" ] && [ -n "$app" ] || { echo "accesso del cittadino $n non riuscito" >&2; exit 1; }
    echo "$cookie $app" >>"$sessions"
done
echo "-- $citizens cittadini collegati"

export PORTAL_SESSIONS="$sessions"
source "$here/lib.sh"
bench_wrk "$here/portal.lua" "$base"
