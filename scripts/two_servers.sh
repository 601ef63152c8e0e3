#!/usr/bin/env bash
# Two app servers against one PostgreSQL and one Redis (docs/deployment.md, "Several app
# servers"; results in docs/benchmarks.md, "Two app servers"): the load test's stack twice over.
#
#   scripts/two_servers.sh          # PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379
#
# Starts two gunicorn instances, on LOAD_PORT (8791) and LOAD_PORT+1, both with
# CACHE_URL=$LOAD_REDIS (redis://127.0.0.1:6379/14) and the same database, then:
#   static       a static file, the users spread over both servers: the yardstick
#   public       the public plan, anonymous, spread over both (the cache shared in Redis)
#   two-servers  a plan published through the first server is public at once through the second
#   mixed        officers editing and recording progress through both servers, readers beside
#                them; then every saved edit and progress update is checked in the database
# LOAD_SECONDS (default 30 here) and the other knobs of scripts/load_run.sh apply.
set -euo pipefail
cd "$(dirname "$0")/.."
REDIS=${LOAD_REDIS:-redis://127.0.0.1:6379/14}
if ! .venv/bin/python -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).ping()" "$REDIS" \
    2>/dev/null; then
  echo "No Redis answers at $REDIS (LOAD_REDIS)." >&2
  exit 2
fi
export LOAD_SERVERS=2 LOAD_CACHE_URL="$REDIS" LOAD_REDIS="$REDIS"
export LOAD_SECONDS=${LOAD_SECONDS:-30}
export LOAD_SCENARIOS=${LOAD_SCENARIOS:-static public two-servers mixed}
exec scripts/load_run.sh
