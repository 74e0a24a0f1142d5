#!/usr/bin/env bash
# Search benchmark of the anagrafe sociale: a synthetic population (default 1,000,000
# residents, `sportello demo generate`) loaded through the civil-registry import, then
# concurrent searches as the search box sends them while typing (`/persone?frammento=1&q=…`).
#
#   bench/search.sh [--database postgres://postgres@127.0.0.1:5432/sportello_search]
#                   [--persons 1000000] [--connections 50] [--duration 20s] [--port 18329]
#                   [--think MS[,MS...]] [--bin PATH] [--out DIR] [--reuse]
#
# The queries are drawn from the population itself: surname and name, surname and the start
# of the name, names first, codice fiscale, surname and birth date, the start of a surname.
# --think: the mean pause of each connection between two searches, once per value (0, the
#    default: none, the server's saturation). bench/lib.sh, bench_wrk.
# --reuse keeps the database (SQLite: DIR/s.db, so with --out; PostgreSQL: not dropped) and the
# queries (DIR/queries.txt) and, when both are there from an earlier --reuse run, skips the
# load and gives op.bench a new provisional password: two builds measured on the same data.
# Needs a release build (cargo build --release -p sportello), wrk, curl, python3; psql for
# PostgreSQL. Figures: docs/performance.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
database=""
persons=1000000
connections=50
duration="20s"
think="0"
port=18329
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
reuse=""

while [ $# -gt 0 ]; do
    case "$1" in
        --database) database="$2"; shift 2 ;;
        --persons) persons="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --think) think="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --reuse) reuse=1; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

. "$here/lib.sh"
bench_scratch search
bench_database s.db "$out/queries.txt"
cd "$tmp"
export SPORTELLO__ADMIN__PASSWORD="Bench-admin-$RANDOM-$RANDOM-password"
cli() { "$bin" --database "$database" "$@"; }

echo "== Ricerca nell'anagrafe sociale: $backend, $persons persone, $connections ricerche concorrenti, $duration"
if [ -z "$load" ]; then
    otp="$(bench_reused op.bench)"
else
cli migrate >/dev/null
cli org add comune-bench --name "Comune di Bergamo" --kind comune --comuni 016024 >/dev/null
otp="$(cli user add op.bench --name "Op Bench" --org comune-bench --role operatore_sportello \
    | sed -n 's/.*Password provvisoria: //p')"
t0=$(date +%s.%N)
"$bin" demo generate --persons "$persons" --seed 1 --out "$tmp/residenti.csv" 2>/dev/null
t1=$(date +%s.%N)
cli import anagrafe "$tmp/residenti.csv" --comune A794 --ente comune-bench >"$out/import.txt"
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "-- generazione %.1f s, importazione %.1f s\n", b - a, c - b }' | tee "$out/load.txt"

# The queries, from a sample of the population (fixed seed).
python3 - "$tmp/residenti.csv" >"$out/queries.txt" <<'PY'
import csv, random, sys, urllib.parse, unicodedata
def fold(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()
random.seed(7)
rows = []
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for i, r in enumerate(csv.DictReader(f, delimiter=";")):
        if random.random() < 0.002:
            rows.append(r)
out = []
for r in rows:
    s, n = fold(r["cognome"]), fold(r["nome"]).split()[0]
    d = r["data_nascita"].split("-")
    out += [f"{s} {n}", f"{s} {n[:3]}", f"{n} {s}", r["codice_fiscale"], f"{s} {d[2]}/{d[1]}/{d[0]}", s[:3]]
random.shuffle(out)
print("\n".join(urllib.parse.quote_plus(q) for q in out))
PY
fi

bench_serve
bench_login op.bench "$otp"
code="$(curl -s -o "$tmp/first.html" -w '%{http_code}' -b "sportello_sid=$sid" "$base/persone?frammento=1&q=$(head -n 1 "$out/queries.txt")")"
[ "$code" = 200 ] || { echo "la ricerca risponde $code" >&2; exit 1; }
echo "-- $(wc -l <"$out/queries.txt") ricerche diverse; riscaldamento 5 s"
export SEARCH_QUERIES="$out/queries.txt" SEARCH_SID="$sid"
bench_wrk "$here/search.lua" "$base"
