#!/usr/bin/env bash
# Measures the booking path side by side with its no-op ceiling and the PostgreSQL-only
# baseline, then the sold-out path, the consumer's drain rate and its end-to-end latency.
# Starts its own redis-server (repo redis/redis.conf, AOF on), a fresh database on the
# PostgreSQL at 127.0.0.1:5432, booking-api (profile baseline) and order-consumer, all on
# 127.0.0.1, and stops them by PID when it ends. Writes docs/benchmarks/<date>-<name>.md.
#
# Usage: bench/run.sh [name]            (see bench/README.md for the settings)
set -euo pipefail

name=${1:-booking-path}
warmup_seconds=${BENCH_WARMUP:-45}
round_seconds=${BENCH_ROUND:-15}
rounds=${BENCH_ROUNDS:-3}
sustained_seconds=${BENCH_SUSTAINED:-60}
soldout_seconds=${BENCH_SOLDOUT_ROUND:-10}
paced_seconds=${BENCH_PACED:-30}
backlog_target=${BENCH_BACKLOG:-500000}
connections=${BENCH_CONNECTIONS:-64}
heap=${BENCH_HEAP:-256m}
# Serial GC: no concurrent GC threads competing for two cores and no G1 remembered sets
# (about 40 MB with a 256 MB heap). A young generation with large survivors keeps
# short-lived garbage, such as Lettuce's per-command timeouts, out of the old generation,
# which Serial only collects once it has grown to the heap limit.
api_jvm_options=${BENCH_API_JVM:--XX:+UseSerialGC -Xms64m -Xmn48m -XX:SurvivorRatio=2 -XX:MaxTenuringThreshold=15 \
-XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=5000}
# Serial GC for the consumer too: with G1, concurrent marking and its refinement threads
# took about a quarter of the consumer's CPU. The JVM also picks Serial by itself in the
# compose file's containers, which have less than 1,792 MB of memory.
consumer_jvm_options=${BENCH_CONSUMER_JVM:--XX:+UseSerialGC}
# Two malloc arenas instead of eight per core: the JVM's native allocations stay compact.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

repo="$(cd "$(dirname "$0")/.." && pwd)"
bench_dir="$repo/bench"
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$java_home/bin/java"
work_dir="$(mktemp -d /tmp/bm-bench-XXXXXX)"
results="$work_dir/results"
mkdir -p "$results"
deadline=$(($(date +%s) + ${BENCH_MAX_SECONDS:-900}))

command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

if [ "${BENCH_BUILD:-auto}" = always ] || ! ls "$repo"/booking-api/target/booking-api-*-exec.jar > /dev/null 2>&1 \
		|| ! ls "$repo"/order-consumer/target/order-consumer-*-exec.jar > /dev/null 2>&1; then
	(cd "$repo" && JAVA_HOME="$java_home" ./mvnw -B -q -pl common,booking-api,order-consumer package -DskipTests)
fi
# Copies, so that a build during the run cannot replace a jar under a running JVM.
cp "$(ls "$repo"/booking-api/target/booking-api-*-exec.jar)" "$work_dir/booking-api.jar"
cp "$(ls "$repo"/order-consumer/target/order-consumer-*-exec.jar)" "$work_dir/order-consumer.jar"
api_jar="$work_dir/booking-api.jar"
consumer_jar="$work_dir/order-consumer.jar"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
api_port=$(free_port)
consumer_port=$(free_port)
database=bm_bench_$$
api="http://127.0.0.1:$api_port"
consumer_url="http://127.0.0.1:$consumer_port"

redis_pid=""
api_pid=""
consumer_pid=""
sampler_pid=""
wrk_pid=""
stop_pid() {
	if [ -n "$1" ] && kill -0 "$1" 2> /dev/null; then
		kill -CONT "$1" 2> /dev/null || true
		kill "$1" 2> /dev/null || true
		wait "$1" 2> /dev/null || true
	fi
}
cleanup() {
	stop_pid "$wrk_pid"
	stop_pid "$sampler_pid"
	stop_pid "$consumer_pid"
	stop_pid "$api_pid"
	stop_pid "$redis_pid"
	psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" > /dev/null 2>&1 || true
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work_dir"; else rm -rf "$work_dir"; fi
}
trap cleanup EXIT

redis-server "$repo/redis/redis.conf" --port "$redis_port" --bind 127.0.0.1 --dir "$work_dir" \
	--daemonize no --logfile "$work_dir/redis.log" &
redis_pid=$!
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $database"

common_args=(--spring.data.redis.port="$redis_port"
	--spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$database" --logging.level.root=WARN)

# Every request books one ticket for a new user. The per-user cap of 1000 (the setting's
# maximum) only guards against a user id that repeats by chance.
# shellcheck disable=SC2086
"$java" -Xmx"$heap" $api_jvm_options -jar "$api_jar" --server.port="$api_port" \
	--spring.profiles.active=baseline --booking.api.max-tickets-per-user=1000 "${common_args[@]}" \
	> "$work_dir/api.log" 2>&1 &
api_pid=$!

start_consumer() {
	# shellcheck disable=SC2086
	"$java" -Xmx"$heap" $consumer_jvm_options -jar "$consumer_jar" --server.port="$consumer_port" \
		"${common_args[@]}" >> "$work_dir/consumer.log" 2>&1 &
	consumer_pid=$!
	echo "$consumer_pid" > "$work_dir/consumer.pid"
}
await_ready() {
	for _ in $(seq 1 240); do
		curl -sf "$1/actuator/health/readiness" > /dev/null && return 0
		sleep 0.5
	done
	echo "$1 did not become ready; see $work_dir" >&2
	exit 1
}
await_ready "$api"
start_consumer
await_ready "$consumer_url"

create_event() {
	curl -sf -X POST -H 'Content-Type: application/json' -d "{\"name\":\"$1\",\"capacity\":$2}" "$api/events" \
		| python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
main_event=$(create_event main 1000000000)
baseline_event=$(create_event baseline 1000000000)
soldout_event=$(create_event sold-out 100)

# CPU ticks (user + system) of a process, all its threads.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2> /dev/null || echo 0; }
postgres_ticks() {
	local total=0 pid
	for pid in $(pgrep -u postgres -x postgres || true); do total=$((total + $(cpu_ticks "$pid"))); done
	echo "$total"
}
snapshot() {
	echo "api=$(cpu_ticks "$api_pid") consumer=$(cpu_ticks "${consumer_pid:-0}") redis=$(cpu_ticks "$redis_pid")" \
		"postgres=$(postgres_ticks) time=$(date +%s.%N) load=$(cut -d' ' -f1 /proc/loadavg)"
}
# Resident memory of both services every second, in kB.
(
	while true; do
		echo "$(date +%s) api=$(awk '/VmRSS/ {print $2}' "/proc/$api_pid/status" 2> /dev/null || echo 0)" \
			"consumer=$(awk '/VmRSS/ {print $2}' "/proc/$(cat "$work_dir/consumer.pid")/status" 2> /dev/null || echo 0)"
		sleep 1
	done
) > "$results/rss.txt" 2>&1 &
sampler_pid=$!
# Sums the samples of one Prometheus metric, or prints 0 when the service is down.
metric() {
	{ curl -sf "$1/actuator/prometheus" || true; } | awk -v m="$2" 'index($0, m) == 1 {s += $NF} END {printf "%d\n", s}'
}

run_counter=0
# Runs one wrk phase: phase <label> <seconds> <path> <event> [delay ms] [connections]
phase() {
	local label=$1 seconds=$2 path=$3 event=$4 delay=${5:-0} conns=${6:-$connections}
	if [ "$(date +%s)" -gt "$deadline" ]; then
		echo "time budget spent; skipping $label" >&2
		return 0
	fi
	run_counter=$((run_counter + 1))
	echo "$(date +%T) $label ${seconds}s $path event $event load $(cut -d' ' -f1 /proc/loadavg)"
	echo "before $(snapshot)" > "$results/$run_counter-$label.cpu"
	local TIMEFORMAT='wrk_cpu %U %S'
	{ time BENCH_PATH=$path BENCH_EVENT=$event BENCH_RUN="$$-$run_counter" BENCH_DELAY_MS=$delay \
		wrk -t1 -c"$conns" -d"${seconds}s" --latency -s "$bench_dir/book.lua" "$api" \
		> "$results/$run_counter-$label.wrk"; } 2>> "$results/$run_counter-$label.cpu"
	echo "after $(snapshot)" >> "$results/$run_counter-$label.cpu"
}

# Warm-up: full load on every path, as the JIT needs 40-70 s of it.
phase warmup-ours $((warmup_seconds * 5 / 9)) /book "$main_event"
phase warmup-noop $((warmup_seconds * 2 / 9)) /baseline/noop "$main_event"
phase warmup-baseline $((warmup_seconds * 2 / 9)) /baseline/book "$baseline_event"

# Interleaved rounds, rotated so that drift and position hit every path alike.
for round in $(seq 1 "$rounds"); do
	case $((round % 3)) in
	1) order="noop ours baseline" ;;
	2) order="ours baseline noop" ;;
	0) order="baseline noop ours" ;;
	esac
	for path in $order; do
		case $path in
		noop) phase "round$round-noop" "$round_seconds" /baseline/noop "$main_event" ;;
		ours) phase "round$round-ours" "$round_seconds" /book "$main_event" ;;
		baseline) phase "round$round-baseline" "$round_seconds" /baseline/book "$baseline_event" ;;
		esac
	done
done

# Sustained load with the consumer running; its lag is sampled every 5 s.
(
	for _ in $(seq 1 $((sustained_seconds / 5 + 1))); do
		echo "$(date +%s) lag=$(metric "$consumer_url" consumer_lag) pending=$(metric "$consumer_url" consumer_pending_entries{)"
		sleep 5
	done
) > "$results/lag.txt" 2>&1 &
lag_pid=$!
if [ -n "${BENCH_JFR:-}" ]; then
	jcmd "$api_pid" JFR.start duration=30s filename="$repo/bench/sustained.jfr" > /dev/null
fi
phase sustained-ours "$sustained_seconds" /book "$main_event"
wait "$lag_pid" || true

# Sold-out: sell the small event out, then rounds against the no-op ceiling.
phase soldout-sellout 2 /book "$soldout_event"
for round in $(seq 1 "$rounds"); do
	phase "soldout$round-noop" "$soldout_seconds" /baseline/noop "$main_event"
	phase "soldout$round-soldout" "$soldout_seconds" /book "$soldout_event"
done

# End-to-end latency at a paced rate. Each of 100 connections pauses before every request,
# so the rate is 100 / (pause + latency). The 5 s lead-in measures the latency, and the
# paced phase uses the pause that makes about 5,000 bookings/s at that latency. The
# histogram counts only the paced phase.
phase paced-leadin 5 /book "$main_event" 19 100
leadin_rps=$(awk '/Requests\/sec/ {print $2}' "$results/$run_counter-paced-leadin.wrk")
pause_ms=$(python3 -c "import sys; rps = float(sys.argv[1] or 1); print(max(1, round(20 - (100 / rps * 1000 - 19))))" \
	"$leadin_rps")
curl -sf "$consumer_url/actuator/prometheus" | grep '^consumer_end_to_end_seconds_bucket' > "$results/e2e-before.txt"
phase paced-ours "$paced_seconds" /book "$main_event" "$pause_ms" 100
sleep 2
curl -sf "$consumer_url/actuator/prometheus" | grep '^consumer_end_to_end_seconds_bucket' > "$results/e2e-after.txt"

# Backlog: freeze the consumer with SIGSTOP, book until the backlog reaches its target,
# resume it and time the drain from its persisted-bookings counter. A frozen JVM keeps its
# compiled code, while a consumer started for the drain spent half its CPU compiling.
await_drained() {
	for _ in $(seq 1 120); do
		[ "$(metric "$consumer_url" consumer_lag)" = 0 ] && [ "$(metric "$consumer_url" consumer_pending_entries{)" = 0 ] && return 0
		sleep 0.5
	done
}
await_drained
persisted_before=$(metric "$consumer_url" consumer_bookings_persisted_total)
kill -STOP "$consumer_pid"
accepted_before=$(metric "$api" 'booking_requests_total{outcome="accepted"')
run_counter=$((run_counter + 1))
BENCH_PATH=/book BENCH_EVENT=$main_event BENCH_RUN="$$-$run_counter" \
	wrk -t1 -c"$connections" -d120s -s "$bench_dir/book.lua" "$api" > "$results/$run_counter-backlog.wrk" &
wrk_pid=$!
while kill -0 "$wrk_pid" 2> /dev/null; do
	accepted=$(metric "$api" 'booking_requests_total{outcome="accepted"')
	[ $((accepted - accepted_before)) -ge "$backlog_target" ] && break
	sleep 0.2
done
stop_pid "$wrk_pid"
wrk_pid=""
sleep 1
backlog=$(( $(metric "$api" 'booking_requests_total{outcome="accepted"') - accepted_before ))
kill -CONT "$consumer_pid"
: > "$results/drain.txt"
for _ in $(seq 1 600); do
	persisted=$(( $(metric "$consumer_url" consumer_bookings_persisted_total) - persisted_before ))
	echo "$(date +%s.%N) $persisted" >> "$results/drain.txt"
	[ "$persisted" -ge "$backlog" ] && break
	sleep 0.2
done
echo "backlog=$backlog" > "$results/backlog.txt"
await_drained

# Accounting once drained: accepted tickets equal persisted tickets and nothing oversold.
for event in "$main_event" "$soldout_event"; do
	curl -sf "$api/events/$event" > "$results/event-$event.json"
done
accepted_total=$(metric "$api" 'booking_requests_total{outcome="accepted"')
rows=$(psql -h 127.0.0.1 -U postgres -d "$database" -Atc "SELECT coalesce(sum(quantity), 0) FROM bookings")
baseline_rows=$(psql -h 127.0.0.1 -U postgres -d "$database" -Atc "SELECT count(*) FROM baseline_bookings")
echo "accepted=$accepted_total persisted=$rows baseline_rows=$baseline_rows" > "$results/accounting.txt"
curl -sf "$api/actuator/prometheus" | grep -E '^booking_requests_total' > "$results/outcomes.txt"

kill "$sampler_pid" 2> /dev/null || true
python3 "$bench_dir/report.py" "$results" "${BENCH_OUT:-$repo/docs/benchmarks}" "$name" \
	--command "bench/run.sh $*" --heap "$heap" --api-jvm="$api_jvm_options" \
	--consumer-jvm="$consumer_jvm_options" --events "$main_event,$baseline_event,$soldout_event"
