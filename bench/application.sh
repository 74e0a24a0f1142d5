#!/usr/bin/env bash
# Application-page benchmark (issue target: "an application page p99 ≤ 20 ms with 100
# concurrent operators on a database with 1,000,000 persons and 200,000 applications").
#
#   bench/application.sh [--database postgres://postgres@127.0.0.1:5432/sportello_application]
#                        [--persons 1000000] [--applications 200000] [--read 20000]
#                        [--connections 100] [--duration 20s] [--port 18331] [--bin PATH]
#                        [--think MS[,MS...]] [--out DIR] [--reuse]
#
# 1. Population as bench/search.sh: `sportello demo generate --seed 1` then
#    `sportello import anagrafe` into the organization `comune-bench` (Comune di Bergamo).
# 2. Prestazioni and istanze through the application's own code, with the server stopped:
#    `sportello demo applications --count N --seed 1 --ente comune-bench` loads the base
#    catalogue, ISEE attestations and N applications in every state (drafts to concluded,
#    with their history and months of delivery), each through the store calls the counter
#    uses (one transaction and one audit row per attestation and per change of state).
#    Filed by `op.bench` (operatore_sportello) and decided by `resp.bench` (responsabile).
#    On PostgreSQL in two steps (1,000, ANALYZE, the rest with seed 2): see the comment there.
# 3. Login of `op.bench` through the real pages (provisional password, compulsory change; an
#    operatore di sportello needs no second factor): cookie `sportello_sid`.
# 4. --read application ids drawn at random by the database (all states); one page of each
#    state is fetched with curl first and must answer 200 with its protocol or "bozza".
# 5. wrk (bench/application.lua): --connections concurrent `GET /istanze/{id}`, each request a
#    random id of the sample, 5 s warm-up then --duration with latency percentiles.
# --think: the mean pause of each connection between two pages, once per value (0, the default:
#    none, the server's saturation; e.g. --think 0,1000,100). bench/lib.sh, bench_wrk.
# --reuse keeps the database (SQLite: DIR/a.db, so with --out; PostgreSQL: not dropped) and, when
# it is already there from an earlier --reuse run, skips steps 1-2 and gives op.bench a new
# provisional password: two builds measured on the same data.
# Needs a release build (cargo build --release -p sportello), wrk, curl, python3; psql for
# PostgreSQL. Figures: docs/performance.md, "Application page".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
database=""
persons=1000000
applications=200000
read_ids=20000
connections=100
duration="20s"
think="0"
port=18331
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
reuse=""

while [ $# -gt 0 ]; do
    case "$1" in
        --database) database="$2"; shift 2 ;;
        --persons) persons="$2"; shift 2 ;;
        --applications) applications="$2"; shift 2 ;;
        --read) read_ids="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --think) think="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --reuse) reuse=1; shift ;;
        -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

. "$here/lib.sh"
bench_scratch application
bench_database a.db
cd "$tmp"
export SPORTELLO__ADMIN__PASSWORD="Bench-admin-$RANDOM-$RANDOM-password"
cli() { "$bin" --database "$database" "$@"; }

echo "== Pagina della domanda: $backend, $persons persone, $applications domande ($read_ids lette), $connections operatori concorrenti, $duration"
if [ -z "$load" ]; then
    otp="$(bench_reused op.bench)"
else
    cli migrate >/dev/null
    cli org add comune-bench --name "Comune di Bergamo" --kind comune --comuni 016024 >/dev/null
    otp="$(cli user add op.bench --name "Op Bench" --org comune-bench --role operatore_sportello \
        | sed -n 's/.*Password provvisoria[^:]*: //p')"
    [ -n "$otp" ] || { echo "password provvisoria non trovata nell'output di user add" >&2; exit 1; }
    cli user add resp.bench --name "Responsabile Bench" --org comune-bench --role responsabile >/dev/null
    t0=$(date +%s.%N)
    "$bin" demo generate --persons "$persons" --seed 1 --out "$tmp/residenti.csv" 2>/dev/null
    t1=$(date +%s.%N)
    cli import anagrafe "$tmp/residenti.csv" --comune A794 --ente comune-bench >"$out/import.txt" 2>"$out/import.log"
    t2=$(date +%s.%N)
    rm -f "$tmp/residenti.csv"
    if [ "$backend" = PostgreSQL ] && [ "$applications" -gt 1000 ]; then
        # PostgreSQL keeps a generic plan per prepared statement and connection: planned on the
        # empty, never analysed table, the compare-and-set UPDATE of an application (WHERE
        # org_id = $1 AND id = $2 AND version = …) reads the index application_benefit by org_id
        # alone, every application of the comune per change of state (docs/performance.md,
        # "Application page"). So: 1,000 applications, ANALYZE, then the rest with another seed
        # from a new process (new connections, new plans).
        cli demo applications --count 1000 --seed 1 --ente comune-bench 2>"$out/applications.log" \
            | tee "$out/applications.txt"
        psql "$database" -qAt -c "ANALYZE" >/dev/null
        cli demo applications --count "$((applications - 1000))" --seed 2 --ente comune-bench \
            2>>"$out/applications.log" | tee -a "$out/applications.txt"
    else
        cli demo applications --count "$applications" --seed 1 --ente comune-bench 2>"$out/applications.log" \
            | tee "$out/applications.txt"
    fi
    t3=$(date +%s.%N)
    if [ "$backend" = SQLite ]; then
        python3 - "${database#sqlite://}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("ANALYZE")
db.close()
PY
    else
        psql "$database" -qAt -c "ANALYZE" >/dev/null
    fi
    t4=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" \
        'BEGIN { printf "-- generazione %.1f s, importazione %.1f s, prestazioni e domande %.1f s, ANALYZE %.1f s\n", b - a, c - b, d - c, e - d }' \
        | tee "$out/load.txt"
fi

# The ids the benchmark reads (random, every state), and one of each state for the check.
sql_sample="SELECT id FROM application ORDER BY random() LIMIT $read_ids"
if [ "$backend" = SQLite ]; then
    python3 - "${database#sqlite://}" "$sql_sample" "$tmp/ids.txt" "$tmp/states.txt" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[3], "w") as f:
    for (b,) in db.execute(sys.argv[2]):
        f.write(str(uuid.UUID(bytes=b)) + "\n")
with open(sys.argv[4], "w") as f:
    for state, n in db.execute("SELECT state, COUNT(*) FROM application GROUP BY state ORDER BY state"):
        (b,) = db.execute("SELECT id FROM application WHERE state = ? LIMIT 1", (state,)).fetchone()
        f.write(f"{state}\t{n}\t{uuid.UUID(bytes=b)}\n")
PY
else
    psql "$database" -qAt -c "$sql_sample" >"$tmp/ids.txt"
    psql "$database" -qAt -F $'\t' -c "SELECT state, COUNT(*), (array_agg(id))[1] FROM application GROUP BY state ORDER BY state" >"$tmp/states.txt"
fi
echo "-- domande per stato:"
awk -F '\t' '{ printf "   %-24s %8d\n", $1, $2 }' "$tmp/states.txt" | tee "$out/states.txt"
[ "$(wc -l <"$tmp/states.txt")" = 10 ] || { echo "attesi 10 stati" >&2; exit 1; }

bench_serve

bench_login op.bench "$otp"
status="$(curl -s -o /dev/null -w '%{http_code}' -b "sportello_sid=$sid" "$base/")"
[ "$status" = 200 ] || { echo "accesso non riuscito: / risponde $status" >&2; exit 1; }

# One page of each state must answer 200 and name the application.
while IFS=$'\t' read -r state _ id; do
    status="$(curl -s -o "$out/sample-$state.html" -w '%{http_code}' -b "sportello_sid=$sid" "$base/istanze/$id")"
    [ "$status" = 200 ] || { echo "la domanda $id ($state) risponde $status" >&2; exit 1; }
    grep -qE 'Domanda (20[0-9]{2}/[0-9]{6}|bozza senza protocollo)' "$out/sample-$state.html" \
        || { echo "la pagina della domanda $id ($state) non mostra il protocollo" >&2; exit 1; }
    printf '   %-24s /istanze/%s  %7d byte\n' "$state" "$id" "$(wc -c <"$out/sample-$state.html")"
done <"$tmp/states.txt"

echo "-- $(wc -l <"$tmp/ids.txt") domande lette a caso; riscaldamento 5 s"
export APPLICATION_IDS="$tmp/ids.txt" APPLICATION_SID="$sid"
bench_wrk "$here/application.lua" "$base"
