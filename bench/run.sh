#!/usr/bin/env bash
# Measures POST /book of the booking-api jar with wrk: a private redis-server, a fresh
# database on the PostgreSQL at 127.0.0.1:5432, no order consumer. Everything listens on
# 127.0.0.1 and is stopped by PID when the script ends.
#
# Usage: booking-api/bench/run.sh [warm-up seconds] [runs]
# Needs: redis-server, psql, wrk, curl, Java 25, and 'mvnw -pl booking-api package' first.
set -euo pipefail

warmup_seconds=${1:-40}
runs=${2:-3}
bench_dir="$(cd "$(dirname "$0")" && pwd)"
jar="$(ls "$bench_dir"/../target/booking-api-*-exec.jar)"
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work_dir="$(mktemp -d /tmp/bm-bench-XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
api_port=$(free_port)
database=bm_bench_$$

redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work_dir" \
	> "$work_dir/redis.log" 2>&1 &
redis_pid=$!
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $database"
api_pid=""
cleanup() {
	if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
	kill "$redis_pid" 2>/dev/null || true
	psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)"
	rm -rf "$work_dir"
}
trap cleanup EXIT

"$java_home/bin/java" -Xmx1g -jar "$jar" --server.port="$api_port" \
	--spring.data.redis.port="$redis_port" \
	--spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$database" \
	--logging.level.root=WARN > "$work_dir/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 120); do
	curl -sf "http://127.0.0.1:$api_port/actuator/health/readiness" > /dev/null && break
	sleep 0.5
done
curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"Bench","capacity":100000000}' \
	"http://127.0.0.1:$api_port/events" > /dev/null

echo "warm-up ${warmup_seconds}s"
wrk -t1 -c64 -d"${warmup_seconds}s" -s "$bench_dir/book.lua" "http://127.0.0.1:$api_port" > /dev/null
for run in $(seq 1 "$runs"); do
	echo "== run $run, load average $(cut -d' ' -f1 /proc/loadavg)"
	wrk -t1 -c64 -d15s --latency -s "$bench_dir/book.lua" "http://127.0.0.1:$api_port" \
		| grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
done
curl -s "http://127.0.0.1:$api_port/actuator/prometheus" \
	| grep -E '^booking_requests_total\{outcome="(accepted|unavailable)"|^booking_script_seconds_(count|sum)'
