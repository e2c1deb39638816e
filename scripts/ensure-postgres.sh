#!/usr/bin/env bash
# Makes sure PostgreSQL answers on POSTGRES_HOST:POSTGRES_PORT (default
# 127.0.0.1:5432). When nothing answers there and the host is this machine,
# starts the local Debian clusters that listen on that port, and waits a few
# seconds for them; otherwise it says at once which address was tried.
set -euo pipefail
host=${POSTGRES_HOST:-127.0.0.1}
port=${POSTGRES_PORT:-5432}

ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port" -t 2
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

if ready; then
  exit 0
fi

case $host in
  localhost | 127.0.0.1 | ::1) ;;
  *)
    echo "PostgreSQL does not answer on $host:$port (POSTGRES_HOST, POSTGRES_PORT); start it there or point those variables at a running server" >&2
    exit 1
    ;;
esac

# Local clusters (Debian's pg_lsclusters): start the ones on our port that are down.
started=0
others=()
if command -v pg_lsclusters >/dev/null 2>&1; then
  while read -r version cluster cport status _; do
    if [ "$cport" = "$port" ]; then
      if [ "$status" != online ]; then
        echo "PostgreSQL is not answering on $host:$port; starting cluster $version/$cluster" >&2
        pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
        started=1
      fi
    else
      others+=("$version/$cluster on port $cport ($status)")
    fi
  done < <(pg_lsclusters --no-header 2>/dev/null)
fi

if [ "$started" = 1 ]; then
  for _ in $(seq 1 10); do
    if ready; then
      exit 0
    fi
    sleep 1
  done
fi

msg="PostgreSQL does not answer on $host:$port (POSTGRES_HOST, POSTGRES_PORT)"
if [ "${#others[@]}" -gt 0 ]; then
  msg+="; local clusters on other ports: ${others[*]}; set POSTGRES_PORT to use one"
elif [ "$started" = 0 ]; then
  msg+="; no local cluster listens on that port: start PostgreSQL or set POSTGRES_HOST/POSTGRES_PORT"
fi
echo "$msg" >&2
exit 1
