#!/usr/bin/env bash
# Statistics dashboard benchmark (issue 26, "Performance"): `GET /statistiche` of a comune of
# 120,000 inhabitants on SQLite, p99 ≤ 200 ms; and the time the figures take to be made
# (`POST /statistiche/aggiorna`, what the job does every 10 minutes).
#
#   bench/stats.sh [--persons 120000] [--applications 8000] [--cases 3000] [--accesses 6000]
#                  [--workers 20] [--connections 10] [--duration 20s] [--think MS[,MS...]]
#                  [--port 18331] [--bin PATH] [--out DIR]
#
# 1. Population as bench/casefile.sh: `sportello demo generate` then `sportello import
#    anagrafe` into `comune-bench` (Bergamo, 016024), with --workers assistenti sociali and
#    the responsabile `resp.bench`.
# 2. `sportello demo applications --count N`: the base catalogue, ISEE attestations and
#    applications in every state with their deliveries, through the ordinary store calls.
# 3. With the server stopped, python3 writes straight into SQLite --cases case files (opened
#    over the last two years, a fifth of them closed since, spread over the workers) with their
#    state changes, and --accesses first accesses at the segretariato over the same two years
#    (a third taken in charge); and the responsabile's known TOTP secret.
# 4. The server starts (its job makes the figures once at start); login through the real pages
#    with the TOTP code; `POST /statistiche/aggiorna` makes them again, timed, five times; a
#    sample page must answer 200 with its tables; then wrk (bench/stats.lua) for --duration.
# Needs a release build (cargo build --release -p sportello), wrk, curl, python3. Figures:
# docs/performance.md, "Statistiche".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
database=""
persons=120000
applications=8000
cases=3000
accesses=6000
workers=20
connections=10
duration="20s"
think="0"
port=18331
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
reuse=""

while [ $# -gt 0 ]; do
    case "$1" in
        --persons) persons="$2"; shift 2 ;;
        --applications) applications="$2"; shift 2 ;;
        --cases) cases="$2"; shift 2 ;;
        --accesses) accesses="$2"; shift 2 ;;
        --workers) workers="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --think) think="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

. "$here/lib.sh"
bench_scratch stats
bench_database s.db
cd "$tmp"
export SPORTELLO__ADMIN__PASSWORD="Bench-admin-$RANDOM-$RANDOM-password"
cli() { "$bin" --database "$database" "$@"; }

echo "== Statistiche: $backend, $persons abitanti, $applications istanze, $cases cartelle, $accesses primi accessi, $connections connessioni, $duration"
totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
bench_comune
for w in $(seq 1 "$workers"); do
    cli user add "as$w.bench" --name "Assistente $w" --org comune-bench --role assistente_sociale >/dev/null
done
t0=$(date +%s.%N)
"$bin" demo generate --persons "$persons" --seed 1 --out "$tmp/residenti.csv" 2>/dev/null
cli import anagrafe "$tmp/residenti.csv" --comune A794 --ente comune-bench >"$out/import.txt"
rm -f "$tmp/residenti.csv"
t1=$(date +%s.%N)
cli demo applications --count "$applications" --seed 1 --ente comune-bench >"$out/applications.txt"
t2=$(date +%s.%N)
statsdb="${database#sqlite://}"; statsdb="${statsdb%%\?*}"
python3 - "$statsdb" "$cases" "$accesses" "$totp_secret" <<'PY'
import random, sqlite3, sys, time
target, n_cases, n_access, secret = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rnd = random.Random(26)

def uuid7(ms):
    b = bytearray(ms.to_bytes(6, "big") + rnd.getrandbits(80).to_bytes(10, "big"))
    b[6] = 0x70 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    return bytes(b)

db = sqlite3.connect(target)
db.execute("PRAGMA synchronous = OFF")
org = db.execute("SELECT id FROM organization WHERE code = 'comune-bench'").fetchone()[0]
workers = [r[0] for r in db.execute("SELECT u.id FROM app_user u JOIN membership m ON m.user_id = u.id "
                                     "WHERE m.org_id = ? AND m.role = 'assistente_sociale'", (org,))]
persons = [r[0] for r in db.execute("SELECT id FROM person WHERE org_id = ? ORDER BY id", (org,))]
now = time.time()
span = 2 * 365 * 86400
cases, changes, access = [], [], []
for k, pid in enumerate(rnd.sample(persons, n_cases)):
    t_open = now - rnd.randint(0, span)
    ms = int(t_open * 1000)
    cid = uuid7(ms)
    opened = time.strftime("%Y-%m-%d", time.localtime(t_open))
    closed = rnd.random() < 0.2
    t_close = t_open + rnd.randint(0, int(now - t_open)) if closed else t_open
    since = time.strftime("%Y-%m-%d", time.localtime(t_close))
    cases.append((cid, org, pid, "B%06d" % (k + 1), "chiusa" if closed else "aperta",
                  rnd.choice(workers), opened, since, "conclusa" if closed else None, 1, int(t_open * 1e6)))
    changes.append((uuid7(ms), org, cid, None, "aperta", opened, None, "", "bench", int(t_open * 1e6)))
    if closed:
        changes.append((uuid7(int(t_close * 1000)), org, cid, "aperta", "chiusa", since, "conclusa", "", "bench",
                        int(t_close * 1e6)))
actor = workers[0]
for pid in rnd.choices(persons, k=n_access):
    t = now - rnd.randint(0, span)
    outcome = "presa_in_carico" if rnd.random() < 0.33 else rnd.choice(["informazioni", "invio", "appuntamento"])
    access.append((uuid7(int(t * 1000)), org, pid, None, "di_persona", None, "economico", "Chiede un aiuto",
                   "", outcome, None, None, None, actor, "bench", int(t * 1e6)))
with db:
    db.executemany("INSERT INTO case_file (id, org_id, person_id, number, state, worker_id, opened_on, "
                   "state_since, close_reason, version, created_at_us) VALUES (?,?,?,?,?,?,?,?,?,?,?)", cases)
    db.executemany("INSERT INTO case_state_change (id, org_id, case_file_id, from_state, to_state, on_date, "
                   "close_reason, note, actor, at_us) VALUES (?,?,?,?,?,?,?,?,?,?)", changes)
    db.executemany("INSERT INTO access_record (id, org_id, person_id, on_behalf_of, channel, referral, needs, "
                   "request, information, outcome, follow_up, follow_up_date, case_file_id, actor_id, actor, "
                   "at_us) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", access)
    db.execute("UPDATE app_user SET totp_secret = ? WHERE login = 'resp.bench'", (secret,))
db.execute("ANALYZE")
db.close()
print(f"-- {len(cases)} cartelle, {len(access)} primi accessi", file=sys.stderr)
PY
t3=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" \
    'BEGIN { printf "-- anagrafe %.1f s, istanze %.1f s, cartelle e accessi %.1f s\n", b - a, c - b, d - c }' \
    | tee "$out/load.txt"

bench_serve

bench_totp_login resp.bench "$otp" "$totp_secret"

echo "-- ricalcolo delle cifre (POST /statistiche/aggiorna), 5 volte:"
for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_total} s\n' -b "sportello_sid=$sid" -X POST "$base/statistiche/aggiorna"
done | tee "$out/refresh.txt"
rows="$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT figures FROM stat_refresh r JOIN organization o ON o.id = r.org_id WHERE o.code = \"comune-bench\"').fetchone()[0])" "$statsdb")"
echo "-- $rows cifre dell'ente in stat_figure"

status="$(curl -s -o "$out/sample.html" -w '%{http_code}' -b "sportello_sid=$sid" "$base/statistiche")"
[ "$status" = 200 ] || { echo "/statistiche risponde $status" >&2; exit 1; }
grep -q 'Dati aggiornati al' "$out/sample.html" || { echo "la pagina non dice a quando risalgono i dati" >&2; exit 1; }
echo "-- pagina di esempio: $(grep -c '<table' "$out/sample.html") tabelle, $(grep -c '<svg' "$out/sample.html") grafici, $(wc -c <"$out/sample.html") byte"

export STATS_SID="$sid"
bench_wrk "$here/stats.lua" "$base"
