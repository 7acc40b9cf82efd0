#!/usr/bin/env bash
# Measures what "appendfsync always" costs against "everysec" for a booking-like script
# (check and DECRBY the inventory, XADD 5 fields, HSET the pending booking), on
# redis-server instances this script starts with redis/redis.conf on free ports of
# 127.0.0.1 and stops by PID. Rounds alternate which setting runs first, so drift of a
# shared machine affects both alike.
#
# Usage: redis/aof-benchmark.sh [rounds] [requests]     (defaults: 5 rounds, 100000)
set -euo pipefail

rounds=${1:-5}
requests=${2:-100000}
conf="$(cd "$(dirname "$0")" && pwd)/redis.conf"
work=$(mktemp -d /tmp/bm-aof-benchmark-XXXXXX)
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

script='local available = tonumber(redis.call("GET", KEYS[1]) or "-1")
local quantity = tonumber(ARGV[2])
if available < quantity then return 0 end
redis.call("DECRBY", KEYS[1], quantity)
redis.call("XADD", KEYS[2], "*", "bookingId", ARGV[1], "eventId", "11", "userId", ARGV[3],
  "quantity", ARGV[2], "acceptedAt", ARGV[4])
redis.call("HSET", KEYS[3], ARGV[1], "11|" .. ARGV[2] .. "|" .. ARGV[4] .. "|" .. ARGV[3])
return 1'

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints requests per second of one redis-benchmark run against a fresh server.
run() {
  local fsync=$1 pipeline=$2
  local port dir
  port=$(free_port)
  dir="$work/$fsync-$pipeline-$RANDOM"
  mkdir -p "$dir"
  redis-server "$conf" --port "$port" --bind 127.0.0.1 --dir "$dir" --logfile "$dir/redis.log" \
    --appendfsync "$fsync" &
  server_pid=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
  local sha
  sha=$(redis-cli -p "$port" script load "$script")
  redis-cli -p "$port" set '{bm:p3}:event:11:available' 1000000000000000 >/dev/null
  redis-benchmark -p "$port" -c 50 -P "$pipeline" -n "$requests" -r 1000000000 --csv \
    evalsha "$sha" 3 '{bm:p3}:event:11:available' '{bm:p3}:bookings' '{bm:p3}:pending' \
    'b-__rand_int__' 2 'user-__rand_int__' 1700000000000 \
    | tail -1 | cut -d, -f2 | tr -d '"'
  kill -9 "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -rf "$dir"
}

median() {
  sort -n | awk '{ values[NR] = $1 } END { print (NR % 2) ? values[(NR + 1) / 2] : (values[NR / 2] + values[NR / 2 + 1]) / 2 }'
}

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "redis: $(redis-server --version | cut -d' ' -f3)"
echo "requests per run: $requests, rounds: $rounds"
echo "round,pipeline,fsync,ops_per_sec"
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order="always everysec"; else order="everysec always"; fi
  for pipeline in 1 16; do
    for fsync in $order; do
      rps=$(run "$fsync" "$pipeline")
      echo "$round,$pipeline,$fsync,$rps"
      echo "$pipeline $fsync $rps" >> "$work/results"
    done
  done
done

echo "pipeline,fsync,median_ops_per_sec"
for pipeline in 1 16; do
  always=$(awk -v p="$pipeline" '$1 == p && $2 == "always" { print $3 }' "$work/results" | median)
  everysec=$(awk -v p="$pipeline" '$1 == p && $2 == "everysec" { print $3 }' "$work/results" | median)
  echo "$pipeline,always,$always"
  echo "$pipeline,everysec,$everysec"
  echo "$pipeline,always/everysec,$(awk -v a="$always" -v e="$everysec" 'BEGIN { printf "%.2f", a / e }')"
done
