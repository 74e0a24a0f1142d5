#!/usr/bin/env bash
# Case-file page benchmark (issue 6, "Performance"): a case-file page with 200 diary entries,
# p99 ≤ 30 ms with 100 concurrent workers on a database with 1,000,000 persons and 100,000 case
# files.
#
#   bench/casefile.sh [--database postgres://postgres@127.0.0.1:5432/sportello_casefile]
#                     [--persons 1000000] [--cases 100000] [--read 1000] [--connections 100]
#                     [--duration 20s] [--think MS[,MS...]] [--port 18330] [--bin PATH]
#                     [--out DIR] [--reuse]
#
# 1. Population as bench/search.sh: `sportello demo generate` then `sportello import anagrafe`.
# 2. With the server stopped, python3 writes straight into the database (sqlite3 module; for
#    PostgreSQL tab-separated files loaded with psql \copy): --cases case files ('aperta') for
#    random persons, each with its opening row in case_state_change and 0–20 diary entries (10
#    on average); the --read files the benchmark opens get 200 entries each, ~10% 'riservato'.
#    Every file is assigned (worker_id) to the assistente sociale `as.bench` created with the
#    CLI, so the page shows the confidential entries; each view queues its audit rows for the
#    read log (casefile.view and one confidential.view per confidential entry shown, written in
#    batches). Ids are UUIDv7-shaped (time + random).
# 3. Login through the real pages. The assistente_sociale role needs a TOTP second factor; the
#    simplest robust way: the script stores a known base32 secret in app_user.totp_secret
#    (plain text there, as `POST /totp/attiva` stores it) while the server is stopped, so after
#    the provisional password is changed the session goes to the TOTP stage, and python3
#    computes the code (RFC 6238: SHA-1, 30 s, 6 digits) for `POST /totp`. No session row is
#    forged and no check is bypassed.
# 4. wrk (bench/casefile.lua): --connections concurrent `GET /cartelle/{id}` cycling over the
#    --read files, 5 s warm-up then --duration with latency percentiles; a sample page is
#    fetched with curl first: it must count the 200 entries and show the latest 50 `sp-diary`
#    articles (the diary is paged, 50 entries a page).
# --think: the mean pause of each connection between two pages, once per value (0, the default:
#    none, the server's saturation; e.g. --think 0,1000,100). bench/lib.sh, bench_wrk.
# --reuse keeps the database (SQLite: DIR/c.db, so with --out; PostgreSQL: not dropped) and the
# list of files read (DIR/ids.txt) and, when both are there from an earlier --reuse run, skips
# steps 1-2 and gives as.bench a new provisional password (the TOTP secret stays): two builds
# measured on the same data.
# Needs a release build (cargo build --release -p sportello), wrk, curl, python3; psql for
# PostgreSQL. Figures: docs/performance.md, "Cartella sociale".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
database=""
persons=1000000
cases=100000
read_files=1000
connections=100
duration="20s"
think="0"
port=18330
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
reuse=""

while [ $# -gt 0 ]; do
    case "$1" in
        --database) database="$2"; shift 2 ;;
        --persons) persons="$2"; shift 2 ;;
        --cases) cases="$2"; shift 2 ;;
        --read) read_files="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --think) think="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --reuse) reuse=1; shift ;;
        -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[ "$cases" -le "$persons" ] || { echo "--cases ($cases) oltre --persons ($persons)" >&2; exit 2; }
[ "$read_files" -le "$cases" ] || { echo "--read ($read_files) oltre --cases ($cases)" >&2; exit 2; }

. "$here/lib.sh"
bench_scratch casefile
bench_database c.db "$out/ids.txt"
cd "$tmp"
export SPORTELLO__ADMIN__PASSWORD="Bench-admin-$RANDOM-$RANDOM-password"
cli() { "$bin" --database "$database" "$@"; }

echo "== Cartella sociale: $backend, $persons persone, $cases cartelle ($read_files lette, 200 voci di diario), $connections operatori concorrenti, $duration"
totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
if [ -z "$load" ]; then
    otp="$(bench_reused as.bench)"
else
cli migrate >/dev/null
cli org add comune-bench --name "Comune di Bergamo" --kind comune --comuni 016024 >/dev/null
otp="$(cli user add as.bench --name "As Bench" --org comune-bench --role assistente_sociale \
    | sed -n 's/.*Password provvisoria[^:]*: //p')"
[ -n "$otp" ] || { echo "password provvisoria non trovata nell'output di user add" >&2; exit 1; }
t0=$(date +%s.%N)
"$bin" demo generate --persons "$persons" --seed 1 --out "$tmp/residenti.csv" 2>/dev/null
t1=$(date +%s.%N)
cli import anagrafe "$tmp/residenti.csv" --comune A794 --ente comune-bench >"$out/import.txt"
t2=$(date +%s.%N)
rm -f "$tmp/residenti.csv"

# Case files, state changes and diary entries, written directly (server not running).
if [ "$backend" = SQLite ]; then
    casedb="${database#sqlite://}"; casedb="${casedb%%\?*}"
    mode="sqlite"; target="$casedb"
else
    mode="pg"; target="$tmp"
    psql "$database" -qAt -c "SELECT id FROM organization WHERE code = 'comune-bench'" >"$tmp/org.txt"
    psql "$database" -qAt -c "SELECT id FROM app_user WHERE login = 'as.bench'" >"$tmp/user.txt"
    psql "$database" -qAt -c "SELECT p.id FROM person p JOIN organization o ON o.id = p.org_id
        WHERE o.code = 'comune-bench' ORDER BY p.id" >"$tmp/persons.txt"
fi
python3 - "$mode" "$target" "$cases" "$read_files" "$totp_secret" "$out/ids.txt" <<'PY'
import os, random, sqlite3, sys, time, uuid
mode, target, n_cases, n_read, secret, ids_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
rnd = random.Random(11)

def uuid7(ms):
    b = bytearray(ms.to_bytes(6, "big") + rnd.getrandbits(80).to_bytes(10, "big"))
    b[6] = 0x70 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    return bytes(b)

if mode == "sqlite":
    db = sqlite3.connect(target)
    db.execute("PRAGMA synchronous = OFF")
    org = db.execute("SELECT id FROM organization WHERE code = 'comune-bench'").fetchone()[0]
    user = db.execute("SELECT id FROM app_user WHERE login = 'as.bench'").fetchone()[0]
    persons = [r[0] for r in db.execute("SELECT id FROM person WHERE org_id = ? ORDER BY id", (org,))]
    enc = lambda b: b
else:
    org = uuid.UUID(open(os.path.join(target, "org.txt")).read().strip()).bytes
    user = uuid.UUID(open(os.path.join(target, "user.txt")).read().strip()).bytes
    persons = [uuid.UUID(l.strip()).bytes for l in open(os.path.join(target, "persons.txt")) if l.strip()]
    enc = lambda b: str(uuid.UUID(bytes=b))

KINDS = ["colloquio", "visita_domiciliare", "telefonata", "riunione", "nota"]
TITLES = ["Colloquio con la persona", "Visita al domicilio", "Telefonata con il medico di base",
          "Riunione di rete con il consultorio", "Contatto con la scuola", "Aggiornamento sulla situazione abitativa",
          "Verifica del progetto", "Colloquio con la figlia"]
SENTENCES = ["La persona riferisce difficoltà nel pagamento dell'affitto degli ultimi tre mesi.",
             "Concordato un nuovo incontro con il centro per l'impiego per la prossima settimana.",
             "Il medico di base conferma il peggioramento delle condizioni di salute.",
             "La rete familiare è presente ma non in grado di sostenere le spese.",
             "Si valuta l'attivazione del servizio di assistenza domiciliare.",
             "Presentata la domanda di contributo economico straordinario.",
             "La scuola segnala assenze frequenti del minore nel mese di ottobre.",
             "Colloquio sereno, la persona si mostra collaborante rispetto agli impegni presi."]
def body():
    return " ".join(rnd.choice(SENTENCES) for _ in range(rnd.randint(2, 5)))

actor = "as.bench"
base_day = time.mktime((2018, 1, 1, 9, 0, 0, 0, 0, -1))
chosen = rnd.sample(persons, n_cases)
cases, changes, diary, read_ids = [], [], [], []
for k, pid in enumerate(chosen):
    day0 = rnd.randint(0, 365 * 8)
    t_open = base_day + day0 * 86400 + rnd.randint(0, 8 * 3600)
    ms = int(t_open * 1000)
    cid = uuid7(ms)
    opened = time.strftime("%Y-%m-%d", time.localtime(t_open))
    at_open = int(t_open * 1_000_000)
    cases.append((enc(cid), enc(org), enc(pid), "2026/%06d" % (k + 1), "aperta", enc(user), opened, opened, None, 1, at_open))
    changes.append((enc(uuid7(ms)), enc(org), enc(cid), None, "aperta", opened, None, "", actor, at_open))
    bench = k < n_read
    n = 200 if bench else rnd.randint(0, 20)
    if bench:
        read_ids.append(str(uuid.UUID(bytes=cid)))
    t = t_open
    for j in range(n):
        t += rnd.randint(1, 12) * 86400 if not bench else rnd.randint(2, 10) * 3600
        conf = "riservato" if rnd.random() < (0.1 if bench else 0.05) else "normale"
        diary.append((enc(uuid7(int(t * 1000))), enc(org), enc(cid), rnd.choice(KINDS),
                      time.strftime("%Y-%m-%d", time.localtime(t)), conf, rnd.choice(TITLES), body(),
                      enc(user), actor, int(t * 1_000_000)))

CASE_COLS = "id, org_id, person_id, number, state, worker_id, opened_on, state_since, close_reason, version, created_at_us"
CHANGE_COLS = "id, org_id, case_file_id, from_state, to_state, on_date, close_reason, note, actor, at_us"
DIARY_COLS = "id, org_id, case_file_id, kind, occurred_on, confidentiality, title, body, actor_id, actor, at_us"
if mode == "sqlite":
    with db:
        db.executemany(f"INSERT INTO case_file ({CASE_COLS}) VALUES ({','.join('?' * 11)})", cases)
        db.executemany(f"INSERT INTO case_state_change ({CHANGE_COLS}) VALUES ({','.join('?' * 10)})", changes)
        db.executemany(f"INSERT INTO diary_entry ({DIARY_COLS}) VALUES ({','.join('?' * 11)})", diary)
        db.execute("UPDATE app_user SET totp_secret = ? WHERE login = 'as.bench'", (secret,))
    db.execute("ANALYZE")
    db.close()
else:
    def tsv(name, rows):
        with open(os.path.join(target, name), "w", encoding="utf-8") as f:
            for r in rows:
                f.write("\t".join("\\N" if v is None else str(v) for v in r) + "\n")
    tsv("case_file.tsv", cases)
    tsv("case_state_change.tsv", changes)
    tsv("diary_entry.tsv", diary)
    with open(os.path.join(target, "load.sql"), "w") as f:
        f.write(f"\\copy case_file ({CASE_COLS}) FROM '{target}/case_file.tsv'\n")
        f.write(f"\\copy case_state_change ({CHANGE_COLS}) FROM '{target}/case_state_change.tsv'\n")
        f.write(f"\\copy diary_entry ({DIARY_COLS}) FROM '{target}/diary_entry.tsv'\n")
        f.write(f"UPDATE app_user SET totp_secret = '{secret}' WHERE login = 'as.bench';\n")
        f.write("ANALYZE case_file; ANALYZE case_state_change; ANALYZE diary_entry;\n")
rnd.shuffle(read_ids)
with open(ids_out, "w") as f:
    f.write("\n".join(read_ids) + "\n")
print(f"-- {len(cases)} cartelle, {len(diary)} voci di diario", file=sys.stderr)
PY
if [ "$backend" = PostgreSQL ]; then
    psql "$database" -q -v ON_ERROR_STOP=1 -f "$tmp/load.sql" >/dev/null
fi
t3=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" \
    'BEGIN { printf "-- generazione %.1f s, importazione %.1f s, cartelle e diari %.1f s\n", b - a, c - b, d - c }' \
    | tee "$out/load.txt"
fi

bench_serve

# Login: provisional password, new password, then the TOTP code of the known secret.
bench_totp_login as.bench "$otp" "$totp_secret"

# A sample page must answer 200 and count the 200 diary entries, the confidential ones included,
# of which it shows the latest 50 (the diary is paged).
first="$(head -n 1 "$out/ids.txt")"
status="$(curl -s -o "$out/sample.html" -w '%{http_code}' -b "sportello_sid=$sid" "$base/cartelle/$first")"
[ "$status" = 200 ] || { echo "la cartella risponde $status" >&2; exit 1; }
entries="$(grep -c 'class="sp-card sp-diary"' "$out/sample.html" || true)"
bytes="$(wc -c <"$out/sample.html")"
echo "-- pagina di esempio /cartelle/$first: $entries voci di diario mostrate, $bytes byte"
[ "$entries" = 50 ] || { echo "attese 50 voci di diario nella prima pagina, trovate $entries" >&2; exit 1; }
grep -q 'Annotazioni 1–50 di 200' "$out/sample.html" \
    || { echo "la pagina non conta 200 voci di diario" >&2; exit 1; }
restricted="$(grep -c 'sp-badge--warning">riservato' "$out/sample.html" || true)"
echo "-- di cui riservate (visibili all'assistente sociale assegnata): $restricted"
[ "$restricted" -gt 0 ] || { echo "nessuna voce riservata nella pagina di esempio" >&2; exit 1; }

echo "-- $(wc -l <"$out/ids.txt") cartelle lette a rotazione; riscaldamento 5 s"
export CASEFILE_IDS="$out/ids.txt" CASEFILE_SID="$sid"
bench_wrk "$here/casefile.lua" "$base"
