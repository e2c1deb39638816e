#!/usr/bin/env bash
# Makes sure the local PostgreSQL answers on POSTGRES_HOST:POSTGRES_PORT
# (default 127.0.0.1:5432), starting the Debian cluster if it is down.
set -euo pipefail
host=${POSTGRES_HOST:-127.0.0.1}
port=${POSTGRES_PORT:-5432}

ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port"
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

if ready; then
  exit 0
fi
echo "PostgreSQL is not answering on $host:$port; trying to start it" >&2
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
fi
for _ in $(seq 1 30); do
  if ready; then
    exit 0
  fi
  sleep 1
done
echo "PostgreSQL did not come up on $host:$port" >&2
exit 1
