#!/usr/bin/env bash
# `make load`: the load test, against gunicorn + PostgreSQL on this machine (a measurement, not a
# test: `make test` never runs it). See docs/benchmarks.md, "## Load".
#
# 1. A fresh database `csp_plan_load` (dropped and created on the PostgreSQL at LOAD_PG), migrated,
#    static files collected with STATIC_MANIFEST=true, then scripts/load_setup.py: the demo plan
#    published and amended, and LOAD_OFFICERS police officers each leading one action.
# 2. gunicorn on 127.0.0.1:LOAD_PORT, DEBUG off, as in production (docs/deployment.md).
# 3. Locust, headless, LOAD_USERS users for LOAD_DURATION, one scenario after the other:
#      static          a static file through WhiteNoise: the yardstick
#      public-uncached the public plan page, anonymous, with PUBLIC_CACHE_SECONDS=0
#      public          the latest public plan page alone, anonymous, cached: the ratio to improve
#      public-redis    the same with the cache shared in Redis (LOAD_REDIS): no query per request
#      public-mix      (not run by default) readers of the page, version 1 and the PDF, 18:1:1
#      two-servers     (LOAD_SERVERS=2) the plan published through the first server must be
#                      public at once through the second (scripts/two_servers_check.py)
#      mixed           officers (workspace, action edits, progress, the plan signed in) beside
#                      anonymous readers of the public plan
# 4. scripts/load_verify.py: every edit and progress update the server accepted is in the database.
# Fails if any request failed or anything was lost. Prints a Markdown table of the figures.
#
# LOAD_SERVERS=2 starts two gunicorn instances (LOAD_PORT and LOAD_PORT+1) against the same
# database and, with LOAD_CACHE_URL=redis://…, the same Redis; Locust's users are spread over both
# (scripts/two_servers.sh does this). LOAD_CACHE_URL is the servers' CACHE_URL (empty: the default
# local-memory cache).
#
# Bounded on purpose: at most 50 users and 60 seconds a scenario, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${LOAD_PORT:-8791}
USERS=${LOAD_USERS:-50}
OFFICERS=${LOAD_OFFICERS:-25}
SECONDS_PER_RUN=${LOAD_SECONDS:-60}
WORKERS=${LOAD_WORKERS:-3}
SERVERS=${LOAD_SERVERS:-1}
CACHE=${LOAD_CACHE_URL:-}
REDIS=${LOAD_REDIS:-redis://127.0.0.1:6379/14}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
SCENARIOS=${LOAD_SCENARIOS:-static public-uncached public public-redis mixed}
WORK=${LOAD_DIR:-/tmp/csp-load}
DB=csp_plan_load
VENV=.venv/bin

if (( USERS > 50 || SECONDS_PER_RUN > 60 || OFFICERS >= USERS || SERVERS < 1 || SERVERS > 2 )); then
  echo "The load test is bounded: at most 50 users (more than the officers), 60 seconds and" \
    "two servers." >&2
  exit 2
fi
case "$PG" in
  postgres://*@127.0.0.1:*|postgres://*@localhost:*) ;;
  *) echo "LOAD_PG must be a PostgreSQL on 127.0.0.1 or localhost (got $PG)." >&2; exit 2 ;;
esac

mkdir -p "$WORK"
rm -f "$WORK"/*.csv "$WORK/tokens.json"
export DEBUG=false SECRET_KEY=load-test-only-not-secret ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="$PG/$DB" STATIC_ROOT="$WORK/static" STATIC_MANIFEST=true
export LOAD_FIXTURE="$WORK/fixture.json" LOAD_TOKENS="$WORK/tokens.json"
export MEDIA_ROOT="$WORK/media" TASKS_BACKEND=db
# Each run's own keys in a shared cache: nothing left by an earlier run is served.
export CACHE_KEY_PREFIX="load-$(date +%s)-$$"
HOSTS=""
for (( i = 0; i < SERVERS; i++ )); do HOSTS="$HOSTS${HOSTS:+,}http://127.0.0.1:$((PORT + i))"; done
export LOAD_HOSTS=$HOSTS

echo "==> Database $DB, static files, load-test data"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$VENV/python manage.py migrate --no-input -v 0
$VENV/python manage.py collectstatic --no-input -v 0
$VENV/python scripts/load_setup.py --officers "$OFFICERS" --out "$LOAD_FIXTURE"
# As on each deployment: the published versions' PDF and Word document, drawn once.
$VENV/python manage.py draw_published_files >/dev/null

SERVER_PIDS=()
stop_server() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SERVER_PIDS=()
}
trap stop_server EXIT

start_server() {  # extra environment as arguments, e.g. PUBLIC_CACHE_SECONDS=0
  stop_server
  local i port
  for (( i = 0; i < SERVERS; i++ )); do
    port=$((PORT + i))
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "Something already listens on 127.0.0.1:$port: choose another LOAD_PORT." >&2
      exit 1
    fi
    env CACHE_URL="$CACHE" "$@" $VENV/gunicorn csp_plan.wsgi:application \
      --bind "127.0.0.1:$port" --workers "$WORKERS" --access-logfile /dev/null \
      --error-logfile "$WORK/gunicorn-$port.log" &
    SERVER_PIDS+=($!)
  done
  for (( i = 0; i < SERVERS; i++ )); do
    port=$((PORT + i))
    for _ in $(seq 1 100); do
      curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && continue 2
      sleep 0.2
    done
    echo "gunicorn did not start on port $port: see $WORK/gunicorn-$port.log" >&2
    exit 1
  done
}

run() {  # scenario name, then locust user classes
  local name=$1
  shift
  echo "==> $name: $USERS users for ${SECONDS_PER_RUN}s ($*)"
  $VENV/locust -f scripts/load_locustfile.py --headless --only-summary --loglevel WARNING \
    -u "$USERS" -r "$USERS" -t "${SECONDS_PER_RUN}s" --stop-timeout 10 \
    --host "http://127.0.0.1:$PORT" --csv "$WORK/$name" "$@"
}

status=0
start_server
plan_url=$($VENV/python -c "import json; print(json.load(open('$LOAD_FIXTURE'))['plan_url'])")
LOAD_STATIC_PATH=$(curl -fs "http://127.0.0.1:$PORT$plan_url" | grep -o '/static/css/site[^"]*\.css' | head -n 1)
export LOAD_STATIC_PATH
for scenario in $SCENARIOS; do
  case $scenario in
    static) run static StaticReader || status=1 ;;
    public-uncached)
      start_server PUBLIC_CACHE_SECONDS=0
      run public-uncached PageReader || status=1
      start_server ;;
    public) run public PageReader || status=1 ;;
    public-mix) run public-mix PublicReader || status=1 ;;
    public-redis)
      start_server CACHE_URL="$REDIS"
      run public-redis PageReader || status=1
      start_server ;;
    two-servers)
      if (( SERVERS != 2 )); then echo "two-servers needs LOAD_SERVERS=2" >&2; exit 2; fi
      echo "==> Published through the first server, public at once through the second?"
      $VENV/python scripts/two_servers_check.py --first "http://127.0.0.1:$PORT" \
        --second "http://127.0.0.1:$((PORT + 1))" --fixture "$LOAD_FIXTURE" \
        | tee "$WORK/two-servers.txt" || status=1 ;;
    mixed)
      run mixed PublicReader Officer || status=1
      echo "==> Nothing lost?"
      $VENV/python scripts/load_verify.py "$LOAD_TOKENS" || status=1 ;;
    *) echo "Unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
stop_server

$VENV/python scripts/load_report.py "$WORK" $SCENARIOS
if (( status )); then
  echo "LOAD TEST FAILED: requests failed or edits were lost (see above)." >&2
fi
exit $status
