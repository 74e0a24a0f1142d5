#!/usr/bin/env bash
# WaaS benchmark (issue 24: "/flussi p99 ≤ 50 ms per page of 100").
#
#   bench/waas.sh [--connections 4] [--duration 20s] [--port 18352] [--bin PATH]
#                 [--think MS[,MS...]] [--out DIR]
#
# 1. `sportello serve --demo`: the demo comune with its SIUSS settings; the SIUSS job makes the
#    flows of the last 13 months at start; the demo plays the PDND and prints a voucher.
# 2. The flows are walked once, 100 at a time, as INPS would: the `since` of every page.
# 3. --connections concurrent callers (bench/waas.lua), each asking for a page of 100 after a
#    random one of those `since` (every answer a full page, base64 XML included).
# Needs a release build (cargo build --release -p sportello), wrk, curl, python3. Figures:
# docs/performance.md, "SIUSS".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
connections=4
duration="20s"
think="0"
port=18352
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
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }

source "$here/lib.sh"
bench_scratch waas
(cd "$tmp" && SPORTELLO__LISTEN="127.0.0.1:$port" SPORTELLO__LOG__LEVEL=warn \
    exec "$bin" serve --demo >"$out/server.log" 2>&1) &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 240); do
    curl -fs "$base/health" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fs "$base/health" >/dev/null || { echo "il server non risponde: $out/server.log" >&2; exit 1; }
line=$(grep -m1 "curl -H 'Authorization: Bearer" "$out/server.log")
token=$(printf '%s' "$line" | sed -n "s/.*Bearer \([^']*\)'.*/\1/p")
flussi=$(printf '%s' "$line" | sed -n "s#.*'\(http[^?']*/flussi\)?.*#\1#p")
path="/${flussi#http://*/}"
# The job makes the flows at start: wait until the first page is full.
for _ in $(seq 120); do
    n=$(curl -fs -H "Authorization: Bearer $token" "$flussi?since=0&limit=100" \
        | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["elenco_flussi"]))' || echo 0)
    [ "$n" = 100 ] && break
    sleep 1
done
# Every page's `since`, walking as INPS does.
sinces="$tmp/sinces.txt"
echo 0 >"$sinces"
since=0
while :; do
    next=$(curl -fs -H "Authorization: Bearer $token" "$flussi?since=$since&limit=100" | python3 -c '
import json, sys
from datetime import datetime
e = json.load(sys.stdin)["elenco_flussi"]
if len(e) == 100:
    t = datetime.fromisoformat(e[-1]["ts_flusso"].replace("Z", "+00:00"))
    print(int(t.timestamp() * 1000 + 0.5))')
    [ -n "$next" ] || break
    since="$next"
    echo "$since" >>"$sinces"
done
pages=$(wc -l <"$sinces")
echo "-- $pages pagine da 100 flussi"

export WAAS_TOKEN="$token" WAAS_PATH="$path" WAAS_SINCES="$sinces"
bench_wrk "$here/waas.lua" "$base"
