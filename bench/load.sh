#!/usr/bin/env bash
# Load test: gunicorn (gthread) + PostgreSQL on loopback, driven by wrk.
#
# Run: bench/load.sh            (from anywhere; needs .venv, PostgreSQL, root or sudo-free apt)
#
# What it does: a throwaway database (created, migrated, loaded with 100,000 returnees, 50,000
# open listings and 20,000 placements by bench/load_data.py, dropped at the end); then for each
# worker count a fresh gunicorn, a warm-up, and one bounded wrk run per scenario; then a table.
# Exits 1 if any measured request failed (non-2xx or socket error); the speed goal
# (matches >= 100 requests/s with p99 < 250 ms) is reported, not enforced.
#
# Settings (environment):
#   WORKERS="2 4"  GTHREADS=1 (reintegrate.server.THREADS_PER_WORKER, what `reintegrate serve` runs)
#   DURATION=20s  WARMUP=5s  CONNECTIONS=16  THREADS=2  TIMEOUT=10s
#   SCENARIOS="list read matches outcome page detail"  PAGES=20
#   RETURNEES=100000  LISTINGS=50000  PLACEMENTS=20000  SCOPE=all (or e.g. 01,02,17)
#   PG_BASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432   (must be loopback)
#   MAX_LOAD=1.5 waits (at most MAX_WAIT=300 s) before each worker count until the 1-minute load
#     average is below 1.5, for quieter figures on a shared machine (default: no waiting).
#   KEEP_DB=1 keeps the database (its name is printed) instead of dropping it.
#   APP='reintegrate:create_app({"TABLE_RECHECK_SECONDS": 0})' serves the app with config
#     overrides; this one restores the per-request look at the listings and skill mappings (the "before").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"

WORKERS=${WORKERS:-"2 4"}
GTHREADS=${GTHREADS:-$("$PY" -c 'from reintegrate.server import THREADS_PER_WORKER as t; print(t)')}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
TIMEOUT=${TIMEOUT:-10s}
SCENARIOS=${SCENARIOS:-"list read matches outcome page detail"}
PAGES=${PAGES:-20}
RETURNEES=${RETURNEES:-100000}
LISTINGS=${LISTINGS:-50000}
PLACEMENTS=${PLACEMENTS:-20000}
SCOPE=${SCOPE:-all}
PG_BASE_URL=${PG_BASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432}
APP=${APP:-'reintegrate:create_app()'}
GOAL_RPS=100
GOAL_P99_MS=250

case "$PG_BASE_URL" in
  *@127.0.0.1:* | *@127.0.0.1/* | *@127.0.0.1 | *@localhost:* | *@localhost/* | *@localhost) ;;
  *) echo "PG_BASE_URL must point at 127.0.0.1 or localhost" >&2; exit 2 ;;
esac
[[ -x "$PY" && -x "$GUNICORN" ]] || { echo "no .venv: run 'make test' (or make run) once" >&2; exit 2; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# --- state cleaned up by the trap ------------------------------------------------------------
WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/reintegrate-load.XXXXXX")
chmod 700 "$WORKDIR"
DB_NAME="reintegrate_load_$(date +%s)_$$"
DB_CREATED=""
GUNICORN_PID=""

stop_gunicorn() {
  if [[ -n "$GUNICORN_PID" ]]; then
    if kill -0 "$GUNICORN_PID" 2>/dev/null; then
      kill -TERM "$GUNICORN_PID" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$GUNICORN_PID" 2>/dev/null || true
    fi
    wait "$GUNICORN_PID" 2>/dev/null || true
    GUNICORN_PID=""
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_gunicorn
  if [[ -n "$DB_CREATED" ]]; then
    if [[ "${KEEP_DB:-}" == 1 ]]; then
      log "kept database $DB_NAME (drop it with: $PY bench/load_data.py dropdb $PG_BASE_URL $DB_NAME)"
    else
      "$PY" bench/load_data.py dropdb "$PG_BASE_URL" "$DB_NAME" && log "dropped database $DB_NAME"
    fi
  fi
  rm -rf "$WORKDIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. tools and PostgreSQL -----------------------------------------------------------------
command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
command -v curl >/dev/null || (apt-get update && apt-get install -y curl)
if ! pg_isready -h 127.0.0.1 -q; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
fi

CPU_REFERENCE=$("$PY" -c 'import timeit; t = timeit.repeat("sum(range(1_000_000))", number=1, repeat=7); print(round(min(t) * 1e3, 1))')
log "machine: $(nproc) cores; load average now: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: figures are noisy)"
log "CPU reference (to compare machines): sum(range(1_000_000)) takes $CPU_REFERENCE ms in one Python thread"
"$PY" bench/load_data.py createdb "$PG_BASE_URL" "$DB_NAME"
DB_CREATED=1
DATABASE_URL="${PG_BASE_URL%/}/$DB_NAME"
DATABASE_URL="$DATABASE_URL" "$ROOT/.venv/bin/reintegrate" db upgrade

# --- 2. data ---------------------------------------------------------------------------------
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')
export DATABASE_URL SECRET_KEY REINTEGRATE_ENV=production
log "loading $RETURNEES returnees, $LISTINGS listings, $PLACEMENTS placements (scope: $SCOPE)"
"$PY" bench/load_data.py load --database-url "$DATABASE_URL" --out "$WORKDIR/data" \
  --returnees "$RETURNEES" --listings "$LISTINGS" --placements "$PLACEMENTS" --scope "$SCOPE"
DATA="$WORKDIR/data"
POOL_SIZE=$(wc -l <"$DATA/followup_ids.txt")
POOL_NEXT=0
if [[ ! -s "$DATA/cookie" ]]; then
  SCENARIOS=$(echo "$SCENARIOS" | tr ' ' '\n' | grep -vE '^(page|detail)$' | tr '\n' ' ')
fi

# --- 3. runs ---------------------------------------------------------------------------------
wait_for_quiet() {
  [[ -n "${MAX_LOAD:-}" ]] || return 0
  local waited=0
  while awk -v m="$MAX_LOAD" '{exit !($1 >= m)}' /proc/loadavg && [[ $waited -lt ${MAX_WAIT:-300} ]]; do
    sleep 10; waited=$((waited + 10))
  done
  log "  waited ${waited} s for load < $MAX_LOAD (now $(cut -d' ' -f1 /proc/loadavg))"
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

status_of() {  # status_of URL [curl args...]: the HTTP status, 000 when no answer
  local url=$1; shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 120 "$@" "$url" || true
}

auth=(-H "Authorization: Bearer $(cat "$DATA/token")")
cookie=(-b "reintegrate_session=$(cat "$DATA/cookie" 2>/dev/null || true)")

start_gunicorn() {
  local workers=$1
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  # A worker that crashes leaves its Python traceback in the log (faulthandler, captured).
  PYTHONFAULTHANDLER=1 "$GUNICORN" -w "$workers" -k gthread --threads "$GTHREADS" \
    -b "127.0.0.1:$PORT" --timeout 120 --graceful-timeout 5 --capture-output \
    --error-logfile "$WORKDIR/gunicorn-$workers.log" "$APP" &
  GUNICORN_PID=$!
  for _ in $(seq 1 120); do
    kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$WORKDIR/gunicorn-$workers.log" >&2; return 1; }
    [[ "$(status_of "$BASE/api/v1/returnees/1" "${auth[@]}")" =~ ^(200|404)$ ]] && return 0
    sleep 0.5
  done
  echo "gunicorn did not answer within 60 s" >&2
  return 1
}

RESULTS="$WORKDIR/results.tsv"
: >"$RESULTS"
FAILED=0

# run_wrk LABEL SCENARIO DURATION [record]: one wrk run; the RESULT line goes into $RESULTS.
run_wrk() {
  local label=$1 scenario=$2 duration=$3 record=${4:-}
  local out="$WORKDIR/wrk-$label.txt"
  LOAD_SCENARIO=$scenario LOAD_DATA=$DATA LOAD_LABEL=$label LOAD_PAGES=$PAGES \
    LOAD_THREADS=$THREADS LOAD_POOL_START=$POOL_NEXT \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout "$TIMEOUT" --latency \
    -s bench/load.lua "$BASE" >"$out" 2>&1 || { cat "$out" >&2; return 1; }
  local line
  line=$(grep '^RESULT ' "$out" | tail -1)
  [[ -n "$line" ]] || { cat "$out" >&2; return 1; }
  grep -q '^non-2xx statuses' "$out" && grep '^non-2xx statuses' "$out" | sed "s/^/  $label: /"
  if [[ "$scenario" == outcome ]]; then
    # Leave a margin for requests still in flight when wrk stopped counting.
    POOL_NEXT=$(($(echo "$line" | awk '{print $10}') + CONNECTIONS * 2))
  fi
  if [[ -n "$record" ]]; then
    echo "$line" | awk -v w="$WORKERS_NOW" -v s="$scenario" \
      'BEGIN{OFS="\t"} {print s, w, $3, $4, $5, $6, $7, $8, $9}' >>"$RESULTS"
  fi
  echo "$line" | awk '{printf "  %-22s %8s req/s  p50 %7s ms  p90 %7s ms  p99 %7s ms  n=%s non2xx=%s errors=%s\n", $2, $3, $4, $5, $6, $7, $8, $9}'
}

warm_up() {
  local workers=$1 id
  id=$(head -1 "$DATA/returnee_ids.txt")
  local checks=("$BASE/api/v1/returnees?page=1" "$BASE/api/v1/returnees/$id")
  for url in "${checks[@]}"; do
    local code
    code=$(status_of "$url" "${auth[@]}")
    [[ "$code" == 200 ]] || { echo "warm-up: $url answered $code" >&2; FAILED=1; }
  done
  # The first matches request in each worker builds its listing index: send enough requests at
  # once that every worker gets some, and wait for them all.
  local started=$SECONDS pids=()
  for n in $(seq 1 $((workers * 4))); do
    id=$(sed -n "$((n * 37 % $(wc -l <"$DATA/returnee_ids.txt") + 1))p" "$DATA/returnee_ids.txt")
    (status_of "$BASE/api/v1/returnees/$id/matches" "${auth[@]}"; echo) >"$WORKDIR/warm-$n" &
    pids+=($!)
  done
  wait "${pids[@]}"
  log "  matches warm-up (index builds): $((SECONDS - started)) s, statuses: $(cat "$WORKDIR"/warm-* | sort | uniq -c | xargs)"
  rm -f "$WORKDIR"/warm-*
  for scenario in $SCENARIOS; do
    [[ "$scenario" == outcome ]] && continue  # every POST consumes a follow-up; none wasted
    run_wrk "warm-$scenario-w$workers" "$scenario" "$WARMUP" >/dev/null
  done
}

for WORKERS_NOW in $WORKERS; do
  wait_for_quiet
  log "gunicorn: $WORKERS_NOW workers x $GTHREADS threads (gthread), REINTEGRATE_ENV=production, $APP"
  start_gunicorn "$WORKERS_NOW"
  warm_up "$WORKERS_NOW"
  log "  load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  for scenario in $SCENARIOS; do
    run_wrk "$scenario-w$WORKERS_NOW" "$scenario" "$DURATION" record
  done
  stop_gunicorn
  if [[ $POOL_NEXT -gt $POOL_SIZE ]]; then
    log "  follow-up pool exhausted ($POOL_NEXT of $POOL_SIZE used): raise PLACEMENTS"
  fi
done

# --- 4. summary ------------------------------------------------------------------------------
echo
echo "Summary: $RETURNEES returnees, $LISTINGS listings, $PLACEMENTS placements, officer scope $SCOPE;"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (keep-alive), gunicorn gthread x$GTHREADS threads; $(nproc) cores shared with wrk and PostgreSQL."
echo "CPU reference: sum(range(1_000_000)) in $CPU_REFERENCE ms (one Python thread)."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
{
  printf 'scenario\tworkers\treq/s\tp50_ms\tp90_ms\tp99_ms\trequests\tnon2xx\terrors\n'
  cat "$RESULTS"
} | column -t -s $'\t'
echo

bad=$(awk -F'\t' '{s += $8 + $9} END {print s + 0}' "$RESULTS")
goal_lines=$(awk -F'\t' -v r=$GOAL_RPS -v p=$GOAL_P99_MS '$1 == "matches" {
  ok = ($3 >= r && $6 < p) ? "HOLDS" : "MISSED";
  printf "  workers=%s: %s req/s, p99 %s ms -> %s\n", $2, $3, $6, ok }' "$RESULTS")
echo "Goal: matches endpoint >= $GOAL_RPS req/s with p99 < $GOAL_P99_MS ms, and no failed request."
[[ -n "$goal_lines" ]] && echo "$goal_lines"
if [[ "$bad" -gt 0 || "$FAILED" -ne 0 ]]; then
  echo "FAILED: $bad measured request(s) failed (non-2xx or socket errors)$([[ $FAILED -ne 0 ]] && echo '; a warm-up check failed')."
  echo "gunicorn error logs: $(ls "$WORKDIR"/gunicorn-*.log 2>/dev/null | xargs)"
  for log_file in "$WORKDIR"/gunicorn-*.log; do
    echo "==> $log_file <=="
    if grep -q 'Fatal Python error' "$log_file"; then
      sed -n '/Fatal Python error/,$p' "$log_file" | head -n 200
    else
      tail -n 30 "$log_file"
    fi
  done
  exit 1
fi
echo "No request failed."
