#!/usr/bin/env bash
# Measures the POST /book intake on a single Redis and on a Redis Cluster of three masters,
# side by side on this machine, with the CPU of every redis-server. Starts two stacks, each
# with its own Redis (repo redis/redis.conf, AOF on), a fresh database on the PostgreSQL at
# 127.0.0.1:5432, booking-api and order-consumer, all on 127.0.0.1, and stops them by PID
# when it ends. The load spreads over one event per partition, so that every master works.
#
# Usage: bench/cluster.sh          (about 4 minutes; settings below, as environment variables)
#   BENCH_WARMUP      seconds of warm-up per stack (40)
#   BENCH_ROUND       seconds per measured round (15)
#   BENCH_ROUNDS      rounds per stack, order alternated (2)
#   BENCH_CONNECTIONS wrk connections (64)
#   BENCH_HEAP        -Xmx of every service (256m)
#   BENCH_KEEP=1      keep the logs and raw wrk output in /tmp/bm-cluster-bench-*
# Prints the results as Markdown tables on stdout.
set -euo pipefail

warmup_seconds=${BENCH_WARMUP:-40}
round_seconds=${BENCH_ROUND:-15}
rounds=${BENCH_ROUNDS:-2}
connections=${BENCH_CONNECTIONS:-64}
heap=${BENCH_HEAP:-256m}
partitions=8
# The booking-api JVM options of bench/run.sh, so that the figures compare.
api_jvm_options="-XX:+UseSerialGC -Xms64m -Xmn48m -XX:SurvivorRatio=2 -XX:MaxTenuringThreshold=15 \
-XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=5000"
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

repo="$(cd "$(dirname "$0")/.." && pwd)"
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$java_home/bin/java"
work_dir="$(mktemp -d /tmp/bm-cluster-bench-XXXXXX)"
clock_ticks=$(getconf CLK_TCK)

for tool in wrk redis-server redis-cli psql curl python3; do
	command -v "$tool" > /dev/null || { echo "$tool is missing: install it (see bench/README.md)" >&2; exit 1; }
done
if ! ls "$repo"/booking-api/target/booking-api-*-exec.jar > /dev/null 2>&1 \
		|| ! ls "$repo"/order-consumer/target/order-consumer-*-exec.jar > /dev/null 2>&1; then
	(cd "$repo" && JAVA_HOME="$java_home" ./mvnw -B -q -pl common,booking-api,order-consumer package -DskipTests)
fi
# Copies, so that a build during the run cannot replace a jar under a running JVM.
cp "$(ls "$repo"/booking-api/target/booking-api-*-exec.jar)" "$work_dir/booking-api.jar"
cp "$(ls "$repo"/order-consumer/target/order-consumer-*-exec.jar)" "$work_dir/order-consumer.jar"

pids=()
databases=()
cleanup() {
	local pid database
	for pid in "${pids[@]}"; do
		if kill -0 "$pid" 2> /dev/null; then
			kill "$pid" 2> /dev/null || true
			wait "$pid" 2> /dev/null || true
		fi
	done
	for database in "${databases[@]}"; do
		psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" > /dev/null 2>&1 || true
	done
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work_dir" >&2; else rm -rf "$work_dir"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts a redis-server with the repository's configuration. Extra arguments override it.
# Sets redis_pid and redis_port.
start_redis() {
	local dir=$1
	shift
	mkdir -p "$dir"
	redis_port=$(free_port)
	redis-server "$repo/redis/redis.conf" --port "$redis_port" --bind 127.0.0.1 --dir "$dir" \
		--daemonize no --logfile "$dir/redis.log" "$@" &
	redis_pid=$!
	pids+=("$redis_pid")
	for _ in $(seq 1 100); do
		redis-cli -p "$redis_port" ping 2> /dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	echo "redis-server on port $redis_port did not start; see $dir/redis.log" >&2
	exit 1
}

await_ready() {
	for _ in $(seq 1 240); do
		curl -sf "$1/actuator/health/readiness" > /dev/null && return 0
		sleep 0.5
	done
	echo "$1 did not become ready; see $work_dir" >&2
	exit 1
}

# Starts one stack: start_stack <name> <Spring Redis arguments...>. Writes
# <name>.api (the API's URL), <name>.events (one event id per partition) and <name>.pids.
start_stack() {
	local name=$1
	shift
	local database="bm_cluster_bench_${name}_$$" api_port consumer_port
	api_port=$(free_port)
	consumer_port=$(free_port)
	psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $database"
	databases+=("$database")
	local common=("$@" --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$database"
		--logging.level.root=WARN)
	# shellcheck disable=SC2086
	"$java" -Xmx"$heap" $api_jvm_options -jar "$work_dir/booking-api.jar" --server.port="$api_port" \
		--booking.api.max-tickets-per-user=1000 "${common[@]}" > "$work_dir/$name-api.log" 2>&1 &
	pids+=($!)
	echo "api=$!" > "$work_dir/$name.pids"
	await_ready "http://127.0.0.1:$api_port"
	"$java" -Xmx"$heap" -jar "$work_dir/order-consumer.jar" --server.port="$consumer_port" "${common[@]}" \
		> "$work_dir/$name-consumer.log" 2>&1 &
	pids+=($!)
	echo "consumer=$!" >> "$work_dir/$name.pids"
	await_ready "http://127.0.0.1:$consumer_port"
	echo "http://127.0.0.1:$api_port" > "$work_dir/$name.api"
	echo "$database" > "$work_dir/$name.database"
	# Event ids start at 1 in a fresh database, so eight events cover the eight partitions.
	: > "$work_dir/$name.events"
	for _ in $(seq 1 "$partitions"); do
		curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"bench","capacity":1000000000}' \
			"http://127.0.0.1:$api_port/events" \
			| python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])' >> "$work_dir/$name.events"
	done
}

# One ticket per request for a new user, round-robin over the stack's events.
cat > "$work_dir/book.lua" << 'EOF'
local events = {}
for id in string.gmatch(os.getenv("BENCH_EVENTS"), "[^,]+") do
  table.insert(events, id)
end
local run = os.getenv("BENCH_RUN")
local headers = { ["Content-Type"] = "application/json" }
local counter = 0
function request()
  counter = counter + 1
  local event = events[counter % #events + 1]
  local body = '{"eventId":' .. event .. ',"userId":"u' .. run .. '-' .. counter .. '","quantity":1}'
  return wrk.format("POST", "/book", headers, body)
end
EOF

# Single Redis.
start_redis "$work_dir/single"
single_redis="single=$redis_pid"
start_stack single --spring.data.redis.port="$redis_port"

# Three masters with equal contiguous slot ranges, as redis-cli --cluster create assigns them.
cluster_redis=""
seed_nodes=""
for node in 1 2 3; do
	start_redis "$work_dir/cluster-$node" --cluster-enabled yes --cluster-config-file nodes.conf \
		--cluster-node-timeout 5000
	cluster_redis="$cluster_redis master$node=$redis_pid"
	seed_nodes="$seed_nodes${seed_nodes:+,}127.0.0.1:$redis_port"
done
# shellcheck disable=SC2046
redis-cli --cluster create $(echo "$seed_nodes" | tr ',' ' ') --cluster-replicas 0 --cluster-yes \
	> "$work_dir/cluster-create.log"
for _ in $(seq 1 100); do
	redis-cli -p "${seed_nodes##*:}" cluster info | grep -q cluster_state:ok && break
	sleep 0.1
done
start_stack cluster --spring.data.redis.cluster.nodes="$seed_nodes"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2> /dev/null || echo 0; }

# Runs wrk against one stack and prints one result line: run <stack> <label> <seconds>.
run() {
	local stack=$1 label=$2 seconds=$3 entry before=() after=() start end wrk_out processes
	processes=$(tr '\n' ' ' < "$work_dir/$stack.pids")
	if [ "$stack" = single ]; then processes="$processes $single_redis"; else processes="$processes $cluster_redis"; fi
	for entry in $processes; do before+=("$(ticks "${entry#*=}")"); done
	start=$(date +%s.%N)
	wrk_out="$work_dir/$label-$stack.wrk"
	BENCH_EVENTS=$(paste -sd, "$work_dir/$stack.events") BENCH_RUN="$label" \
		wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$work_dir/book.lua" "$(cat "$work_dir/$stack.api")" \
		> "$wrk_out"
	end=$(date +%s.%N)
	for entry in $processes; do after+=("$(ticks "${entry#*=}")"); done
	local cpu="" i=0
	for entry in $processes; do
		cpu="$cpu ${entry%%=*}=$(python3 -c "print(round(($((after[i] - before[i])) / $clock_ticks) / ($end - $start) * 100))")%"
		i=$((i + 1))
	done
	local rate p50 p99 errors
	rate=$(awk '/Requests\/sec/ {print int($2)}' "$wrk_out")
	p50=$(awk '$1 == "50%" {print $2}' "$wrk_out")
	p99=$(awk '$1 == "99%" {print $2}' "$wrk_out")
	errors=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' "$wrk_out" | tr '\n' ' ')
	echo "| $label | $stack | $rate | $p50 | $p99 | ${errors:-none} |$cpu | $(cut -d' ' -f1 /proc/loadavg) |"
}

echo "| phase | stack | requests/s | p50 | p99 | errors | CPU of one core | load |"
echo "|---|---|---|---|---|---|---|---|"
run single warmup "$warmup_seconds"
run cluster warmup "$warmup_seconds"
for round in $(seq 1 "$rounds"); do
	if [ $((round % 2)) = 1 ]; then order="single cluster"; else order="cluster single"; fi
	for stack in $order; do
		run "$stack" "round$round" "$round_seconds"
	done
done

# Accounting once the consumers have drained: accepted tickets equal persisted tickets.
echo
echo "| stack | accepted | persisted |"
echo "|---|---|---|"
for stack in single cluster; do
	api=$(cat "$work_dir/$stack.api")
	accepted=0
	for _ in $(seq 1 60); do
		accepted=$(curl -sf "$api/actuator/prometheus" \
			| awk 'index($0, "booking_requests_total{outcome=\"accepted\"") == 1 {printf "%d", $NF}')
		persisted=$(psql -h 127.0.0.1 -U postgres -d "$(cat "$work_dir/$stack.database")" -Atc \
			"SELECT coalesce(sum(quantity), 0) FROM bookings")
		[ "$accepted" = "$persisted" ] && break
		sleep 1
	done
	echo "| $stack | $accepted | $persisted |"
done
echo
echo "Masters of the cluster: $(redis-cli -p "${seed_nodes##*:}" cluster nodes | awk '$3 ~ /master/ {print $2, $9}' \
	| tr '\n' ';')"
