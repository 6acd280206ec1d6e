#!/usr/bin/env bash
# One-command set-up for a fresh Debian/Ubuntu machine (what `npm run setup` runs):
#   1. installs the system packages the tests need when they are missing — redis-server (the tests run
#      against a real Redis on 127.0.0.1:6379) and chromium (test/ops/dashboard.test.ts drives
#      /usr/bin/chromium with playwright-core);
#   2. starts Redis on 127.0.0.1:6379 if nothing answers there;
#   3. installs the npm dependencies from the lock file (npm ci).
# apt-get needs root: run it as root, or with sudo available. Set PARSIMONY_SETUP_SKIP_APT=1 to skip step 1.
set -euo pipefail
cd "$(dirname "$0")/../.."

REDIS_HOST=127.0.0.1
REDIS_PORT=6379

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null; then sudo "$@";
  else echo "setup: '$*' needs root (no sudo found); install the package yourself and re-run" >&2; return 1; fi
}

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ] && [ "${PARSIMONY_SETUP_SKIP_APT:-0}" != 1 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  echo "setup: Redis already answers on $REDIS_HOST:$REDIS_PORT"
else
  echo "setup: starting Redis on $REDIS_HOST:$REDIS_PORT"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no
  for _ in $(seq 1 50); do redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping | grep -q PONG || { echo "setup: Redis did not start" >&2; exit 1; }
fi

npm ci
echo "setup: done — run the tests with: npm test"
