#!/usr/bin/env bash
# DSU benchmark (issue 21: "save a quadro and recompute, p99 ≤ 20 ms with 50 operators at
# work; the DSU page p99 ≤ 20 ms").
#
#   bench/dsu.sh [--database postgres://postgres@127.0.0.1:5432/sportello_dsu]
#                [--persons 100000] [--dsu 200] [--connections 50] [--duration 20s]
#                [--port 18341] [--bin PATH] [--think MS[,MS...]] [--out DIR] [--reuse]
#
# 1. Population as bench/search.sh: `sportello demo generate --seed 1` then
#    `sportello import anagrafe` into `comune-bench` (Comune di Bergamo), with its households.
# 2. Login of `op.bench` (operatore_sportello) through the real pages.
# 3. --dsu declarants drawn at random among the residents living with someone: for each, a DSU
#    opened through the counter's form (`POST /dsu/nuova`: the nucleo from the famiglia
#    anagrafica) and its quadro B saved, so the ordinary ISEE is computed from then on.
# 4. Saves (bench/dsu-save.lua): --connections concurrent autosaves of the declarant's quadro
#    FC2 (`POST /dsu/{id}/quadri/fc2:{person}`, Accept: application/json, as the page's script
#    sends it), each with random balances: the draft checked quadro by quadro, the engine run
#    for the variants, the draft, the provisional ISEE and the audit row written. Each DSU is
#    saved by one connection at a time, with the version its last answer gave (compare-and-set).
# 5. Pages (bench/dsu-page.lua): --connections concurrent `GET /dsu/{id}` of random DSUs of the
#    set (the nucleo, the famiglia anagrafica, the quadri's state, the calculation, the read
#    logged).
# --think, --reuse, --out: as bench/application.sh (bench/lib.sh).
# Needs a release build (cargo build --release -p sportello), wrk, curl, python3; psql for
# PostgreSQL. Figures: docs/performance.md, "DSU at the counter".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
database=""
persons=100000
dsus=200
connections=50
duration="20s"
think="0"
port=18341
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
reuse=""

while [ $# -gt 0 ]; do
    case "$1" in
        --database) database="$2"; shift 2 ;;
        --persons) persons="$2"; shift 2 ;;
        --dsu) dsus="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --think) think="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --reuse) reuse=1; shift ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }
[ "$dsus" -ge "$((connections * 2))" ] || { echo "--dsu: almeno due DSU per connessione ($((connections * 2)))" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

. "$here/lib.sh"
bench_scratch dsu
bench_database d.db
cd "$tmp"
export SPORTELLO__ADMIN__PASSWORD="Bench-admin-$RANDOM-$RANDOM-password"
cli() { "$bin" --database "$database" "$@"; }

echo "== DSU allo sportello: $backend, $persons persone, $dsus DSU, $connections operatori concorrenti, $duration"
if [ -z "$load" ]; then
    otp="$(bench_reused op.bench)"
else
    cli migrate >/dev/null
    cli org add comune-bench --name "Comune di Bergamo" --kind comune --comuni 016024 >/dev/null
    otp="$(cli user add op.bench --name "Op Bench" --org comune-bench --role operatore_sportello \
        | sed -n 's/.*Password provvisoria[^:]*: //p')"
    [ -n "$otp" ] || { echo "password provvisoria non trovata nell'output di user add" >&2; exit 1; }
    "$bin" demo generate --persons "$persons" --seed 1 --out "$tmp/residenti.csv" 2>/dev/null
    cli import anagrafe "$tmp/residenti.csv" --comune A794 --ente comune-bench >"$out/import.txt" 2>"$out/import.log"
    rm -f "$tmp/residenti.csv"
fi

bench_serve

bench_login op.bench "$otp"
status="$(curl -s -o /dev/null -w '%{http_code}' -b "sportello_sid=$sid" "$base/")"
[ "$status" = 200 ] || { echo "accesso non riuscito: / risponde $status" >&2; exit 1; }

# Declarants: residents with a codice fiscale who live with at least one other person.
sql_declarants="SELECT m.person_id FROM household_member m
    WHERE m.to_date IS NULL AND m.household_id IN (
        SELECT household_id FROM household_member WHERE to_date IS NULL
        GROUP BY household_id HAVING COUNT(*) BETWEEN 2 AND 6)
    ORDER BY random() LIMIT $dsus"
if [ "$backend" = SQLite ]; then
    python3 - "${database#sqlite://}" "$sql_declarants" "$tmp/declarants.txt" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[3], "w") as f:
    for (b,) in db.execute(sys.argv[2]):
        f.write(str(uuid.UUID(bytes=b)) + "\n")
PY
else
    psql "$database" -qAt -c "$sql_declarants" >"$tmp/declarants.txt"
fi

# One DSU each, through the counter's forms; its quadro B makes it complete.
day="$(date +%d/%m/%Y)"
: >"$tmp/dsu.txt"
t0=$(date +%s.%N)
while read -r pid; do
    loc="$(curl -s -o /dev/null -w '%{redirect_url}' -b "sportello_sid=$sid" \
        --data-urlencode "persona=$pid" --data-urlencode "dsu_date=$day" \
        --data-urlencode "variant=ordinario" --data-urlencode "prestazione=altra" "$base/dsu/nuova")"
    id="${loc##*/dsu/}"
    [[ "$id" =~ ^[0-9a-f-]{36}$ ]] || { echo "DSU non aperta per $pid: $loc" >&2; exit 1; }
    answer="$(curl -s -b "sportello_sid=$sid" -H 'Accept: application/json' \
        --data "version=1&f.casa_abitazione=altro" "$base/dsu/$id/quadri/b")"
    version="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["version"])' "$answer")"
    printf '%s\t%s\t%s\n' "$id" "$pid" "$version" >>"$tmp/dsu.txt"
done <"$tmp/declarants.txt"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$(wc -l <"$tmp/dsu.txt")" \
    'BEGIN { printf "-- %d DSU aperte e compilate dallo sportello in %.1f s\n", n, b - a }' | tee "$out/load.txt"
first="$(head -n 1 "$tmp/dsu.txt" | cut -f1)"
status="$(curl -s -o "$out/sample.html" -w '%{http_code}' -b "sportello_sid=$sid" "$base/dsu/$first")"
[ "$status" = 200 ] || { echo "la DSU $first risponde $status" >&2; exit 1; }
grep -q 'Calcolo provvisorio' "$out/sample.html" || { echo "la pagina della DSU non mostra il calcolo" >&2; exit 1; }

# Before each run: the DSUs' versions as the database has them (a save whose answer wrk did
# not wait for at the end of the previous run moved its DSU on).
bench_before_run() {
    sleep 1
    if [ "$backend" = SQLite ]; then
        python3 - "${database#sqlite://}" "$tmp/dsu.txt" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
with open(sys.argv[2], "w") as f:
    for id, pid, _ in rows:
        (v,) = db.execute("SELECT version FROM dsu WHERE id = ?", (uuid.UUID(id).bytes,)).fetchone()
        f.write(f"{id}\t{pid}\t{v}\n")
PY
    else
        while IFS=$'\t' read -r id pid _; do
            printf '%s\t%s\t%s\n' "$id" "$pid" "$(psql "$database" -qAt -c "SELECT version FROM dsu WHERE id = '$id'")"
        done <"$tmp/dsu.txt" >"$tmp/dsu.next" && mv "$tmp/dsu.next" "$tmp/dsu.txt"
    fi
}

threads=2; [ "$connections" -ge 2 ] || threads=1
export DSU_LIST="$tmp/dsu.txt" DSU_SID="$sid" DSU_THREADS="$threads"
echo "-- salvataggio del quadro FC2 e ricalcolo"
bench_wrk "$here/dsu-save.lua" "$base"
cp "$out/summary.txt" "$out/summary-save.txt"
echo "-- pagina della DSU"
bench_wrk "$here/dsu-page.lua" "$base"
cp "$out/summary.txt" "$out/summary-page.txt"
