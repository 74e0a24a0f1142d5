#!/usr/bin/env bash
# Benchmark of the civil-registry import (`sportello import anagrafe`) on SQLite (default) or
# PostgreSQL: a synthetic comune of N residents (default 1,000,000) from `sportello demo
# generate`, imported as the first list (baseline), then the next month's list (births,
# deaths, moves: the incremental import), then the same list again (idempotent: no changes).
#
#   bench/import.sh [--persons 1000000] [--database postgres://postgres@127.0.0.1:5432/sportello_import_bench]
#                   [--bin PATH] [--dir DIR] [--out FILE]
#
# Needs a release build: CARGO_TARGET_DIR=/work/target-import cargo build --release -p sportello
# (default binary ${CARGO_TARGET_DIR:-target}/release/sportello). The SQLite database and the
# files go to a temporary folder (--dir to keep them); a PostgreSQL database is dropped and
# recreated. Prints one line per step (wall seconds, peak RSS MiB) and appends them, tab-separated,
# to --out if given. Figures in docs/performance.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
persons=1000000
database=""
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
dir=""
out=""

while [ $# -gt 0 ]; do
    case "$1" in
        --persons) persons="$2"; shift 2 ;;
        --database) database="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --dir) dir="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "argomento sconosciuto: $1" >&2; exit 2 ;;
    esac
done

[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello" >&2; exit 2; }
if [ -z "$dir" ]; then
    dir="$(mktemp -d)"
    trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
if [ -z "$database" ]; then
    database="sqlite://$dir/bench.db"
    rm -f "$dir"/bench.db*
    backend=sqlite
else
    backend=postgres
    admin="${database%/*}/postgres"
    name="${database##*/}"
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
fi

run() { "$bin" --database "$database" "$@"; }
# Wall time and peak RSS of one step.
step() {
    local label="$1"; shift
    local t0 t1 rss
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$dir/rss" "$@" > "$dir/$label.out"
    t1=$(date +%s.%N)
    rss=$(( $(cat "$dir/rss") / 1024 ))
    local secs
    secs=$(echo "$t1 - $t0" | bc -l)
    printf '%-28s %8.1f s  %6d MiB  %s\n' "$label" "$secs" "$rss" "$(head -1 "$dir/$label.out" | cut -c1-160)"
    if [ -n "$out" ]; then
        printf '%s\t%s\t%s\t%s\t%.2f\t%d\n' "$(date -u +%FT%TZ)" "$backend" "$persons" "$label" "$secs" "$rss" >> "$out"
    fi
}

base="$dir/anagrafe-1.csv"
next="$dir/anagrafe-2.csv"
echo "Generazione di $persons residenti in $dir ..."
"$bin" demo generate --persons "$persons" --data 2026-10-01 --out "$base" 2>/dev/null
"$bin" demo generate --persons "$persons" --data 2026-10-01 --mese-successivo --out "$next" 2>/dev/null
ls -la "$base" "$next" | awk '{print $5, $9}'

run migrate > /dev/null
run org add comune-bg --name "Comune di Bergamo" --kind comune --comuni 016024 > /dev/null

step baseline "$bin" --database "$database" import anagrafe "$base" --comune A794 --data-riferimento 2026-10-01
step incremental "$bin" --database "$database" import anagrafe "$next" --comune A794 --data-riferimento 2026-11-01
step same-file-again "$bin" --database "$database" import anagrafe "$next" --comune A794 --data-riferimento 2026-11-01
grep -E "^  (righe|persone|cancellate|evento)" "$dir/incremental.out" || true
