#!/usr/bin/env bash
# Runs the flash-sale demo on this machine. It builds the project, starts Redis, PostgreSQL,
# booking-api and order-consumer on 127.0.0.1, sends 20,000 booking requests for an event of
# 1,000 tickets with the load generator and prints the load generator's summary.
# Data, PID files and logs live in run/ of the repository. Everything the script started is
# stopped when it ends, unless --keep is given.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/demo.sh [--keep] [--no-build]
       scripts/demo.sh --stop

  --keep      leave Redis, PostgreSQL and both services running after the sale
  --no-build  use the jars already in */target instead of running ./mvnw package
  --stop      stop what an earlier 'scripts/demo.sh --keep' left running
  -h, --help  print this help

Needs JDK 25, redis-server and the PostgreSQL 15 (or newer) server binaries, and curl.
Environment variables (defaults in brackets):
  DEMO_REDIS_PORT [6380]      port of the demo's own Redis
  DEMO_POSTGRES_PORT [5433]   port of the demo's own PostgreSQL
  DEMO_API_PORT [8080]        port of booking-api
  DEMO_CONSUMER_PORT [8081]   port of order-consumer's actuator
  DEMO_CLIENTS [100]          concurrent HTTP clients of the load generator
  DEMO_DATABASE_URL           JDBC URL of an existing, empty or demo-only database to use
                              instead of starting PostgreSQL, e.g.
                              jdbc:postgresql://127.0.0.1:5432/booking_demo
  DEMO_DATABASE_USER [postgres], DEMO_DATABASE_PASSWORD [empty]
                              credentials for DEMO_DATABASE_URL
USAGE
}

root="$(cd "$(dirname "$0")/.." && pwd)"
run_dir="$root/run"
redis_port="${DEMO_REDIS_PORT:-6380}"
postgres_port="${DEMO_POSTGRES_PORT:-5433}"
api_port="${DEMO_API_PORT:-8080}"
consumer_port="${DEMO_CONSUMER_PORT:-8081}"
database_url="${DEMO_DATABASE_URL:-}"
database_user="${DEMO_DATABASE_USER:-postgres}"
database_password="${DEMO_DATABASE_PASSWORD:-}"
clients="${DEMO_CLIENTS:-100}"

version="0.1.0-SNAPSHOT"
api_jar="$root/booking-api/target/booking-api-$version-exec.jar"
consumer_jar="$root/order-consumer/target/order-consumer-$version-exec.jar"
load_generator_jar="$root/load-generator/target/load-generator-$version-exec.jar"

# Maximum wait for one server to become ready, in seconds. Each service starts in 5 to 10 s on
# an idle 2-core machine and takes several times longer on a busy one.
ready_timeout=180

keep=false
build=true
# Set once this run has started something, so a failed precondition check stops nothing.
started=false
# Set when the sale starts: --keep leaves the servers running from then on, even after a
# failed sale, so its logs and data can be inspected.
sale_started=false

die() {
	echo "error: $*" >&2
	exit 1
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# PostgreSQL refuses to run as root, so as root its commands run as the postgres user.
# runuser lives in /usr/sbin, which a root shell's PATH may lack.
runuser="$(command -v runuser || echo /usr/sbin/runuser)"

as_postgres() {
	if is_root; then
		"$runuser" -u postgres -- "$@"
	else
		"$@"
	fi
}

port_in_use() {
	(echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints the bin folder of the newest PostgreSQL server (15 or later) on PATH or in
# /usr/lib/postgresql, Debian's location, or nothing.
find_postgres_bin() {
	local initdb folder major
	if initdb="$(command -v initdb)"; then
		folder="$(dirname "$(readlink -f "$initdb")")"
		major="$("$folder/initdb" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')"
		if [ "$major" -ge 15 ] && [ -x "$folder/pg_ctl" ]; then
			echo "$folder"
			return
		fi
	fi
	for folder in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -rn); do
		[ -d "$folder" ] || continue
		major="$(basename "$(dirname "$folder")")"
		if [ "$major" -ge 15 ] && [ -x "$folder/initdb" ] && [ -x "$folder/pg_ctl" ]; then
			echo "$folder"
			return
		fi
	done
}

# Selects Java 25 and checks the other programs. When any is missing, it lists each one with
# its Debian package and exits.
check_prerequisites() {
	local missing=()
	# shellcheck source=scripts/java25.sh
	source "$root/scripts/java25.sh"
	select_java25 || missing+=("JDK 25 (Adoptium's temurin-25-jdk, or set JAVA_HOME)")
	command -v redis-server >/dev/null || missing+=("redis-server (apt-get install redis-server)")
	command -v redis-cli >/dev/null || missing+=("redis-cli (apt-get install redis-tools)")
	command -v curl >/dev/null || missing+=("curl (apt-get install curl)")
	if [ -z "$database_url" ]; then
		postgres_bin="$(find_postgres_bin)"
		[ -n "$postgres_bin" ] ||
			missing+=("PostgreSQL 15 or later: initdb and pg_ctl (apt-get install postgresql)")
		if is_root; then
			[ -x "$runuser" ] || missing+=("runuser (apt-get install util-linux)")
			id postgres >/dev/null 2>&1 ||
				missing+=("the postgres user, created by 'apt-get install postgresql'")
		fi
	elif [[ "$database_url" != jdbc:postgresql://* ]]; then
		die "invalid DEMO_DATABASE_URL '$database_url': expected jdbc:postgresql://host:port/database"
	fi
	if [ "${#missing[@]}" -gt 0 ]; then
		echo "error: the demo needs programs that are missing:" >&2
		printf '  - %s\n' "${missing[@]}" >&2
		exit 1
	fi
}

check_ports_free() {
	local name port
	for name in redis postgres api consumer; do
		case "$name" in
			redis) port="$redis_port" ;;
			postgres)
				[ -z "$database_url" ] || continue
				port="$postgres_port"
				;;
			api) port="$api_port" ;;
			consumer) port="$consumer_port" ;;
		esac
		if port_in_use "$port"; then
			die "port $port on 127.0.0.1 ($name) is in use: stop what listens there" \
				"('scripts/demo.sh --stop' if it is an earlier demo) or set DEMO_${name^^}_PORT"
		fi
	done
}

build_project() {
	if ! "$build"; then
		echo "Skipping the build (--no-build)"
		return
	fi
	echo "Building with ./mvnw -DskipTests package (log: run/build.log)"
	if ! (cd "$root" && ./mvnw -B -DskipTests package >"$run_dir/build.log" 2>&1); then
		tail -n 40 "$run_dir/build.log" >&2
		die "the build failed; see run/build.log"
	fi
}

check_jars() {
	local jar
	for jar in "$api_jar" "$consumer_jar" "$load_generator_jar"; do
		[ -f "$jar" ] || die "missing $jar: build it with ./mvnw -DskipTests package or drop --no-build"
	done
}

# Returns success when the PID file's process is alive and its command line contains the
# marker, so a PID that the system has since reused for another program is never signalled.
pid_alive() {
	local pid_file="$1" marker="$2" pid
	[ -f "$pid_file" ] || return 1
	pid="$(cat "$pid_file")"
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

stop_process() {
	local name="$1" marker="$2" pid_file="$run_dir/$1.pid" pid
	if ! pid_alive "$pid_file" "$marker"; then
		rm -f "$pid_file"
		return
	fi
	pid="$(cat "$pid_file")"
	echo "Stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$name (pid $pid) did not stop within 30 s; sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pid_file"
}

stop_postgres() {
	local data="$run_dir/postgres/data" bin
	[ -f "$data/postmaster.pid" ] || return 0
	bin="$(cat "$run_dir/postgres/bin" 2>/dev/null || find_postgres_bin)"
	echo "Stopping PostgreSQL (pid $(head -n 1 "$data/postmaster.pid"))"
	as_postgres "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null ||
		echo "warning: pg_ctl stop failed; see run/postgres.log" >&2
}

stop_all() {
	stop_process order-consumer "$consumer_jar"
	stop_process booking-api "$api_jar"
	stop_process redis "redis-server"
	stop_postgres
}

on_exit() {
	if ! "$started"; then
		return
	fi
	if "$keep" && "$sale_started"; then
		cat <<KEPT

Left running (--keep):
  booking-api     http://127.0.0.1:$api_port   (admin token for POST /events: run/admin-token)
  order-consumer  http://127.0.0.1:$consumer_port/actuator/health
  Redis           127.0.0.1:$redis_port
  PostgreSQL      ${database_url:-jdbc:postgresql://127.0.0.1:$postgres_port/booking}
  logs            run/*.log
Stop them with: scripts/demo.sh --stop
KEPT
		return
	fi
	echo
	stop_all
}

start_redis() {
	local config="$root/redis/redis.conf"
	[ -f "$config" ] || die "missing $config, the project's Redis configuration"
	mkdir -p "$run_dir/redis"
	echo "Starting Redis on 127.0.0.1:$redis_port with redis/redis.conf (data: run/redis)"
	# The overrides keep the demo's Redis apart from any other Redis on the machine.
	setsid redis-server "$config" --port "$redis_port" --bind 127.0.0.1 --dir "$run_dir/redis" \
		--daemonize no --pidfile "" --logfile "$run_dir/redis.log" >/dev/null 2>"$run_dir/redis-start.log" &
	echo $! >"$run_dir/redis.pid"
	for _ in $(seq 1 200); do
		if [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = "PONG" ]; then
			return
		fi
		pid_alive "$run_dir/redis.pid" redis-server || break
		sleep 0.1
	done
	tail -n 20 "$run_dir/redis.log" "$run_dir/redis-start.log" >&2 2>/dev/null || true
	die "Redis did not answer PING on port $redis_port; see run/redis.log"
}

start_postgres() {
	local data="$run_dir/postgres/data" log="$run_dir/postgres.log"
	if [ -n "$database_url" ]; then
		echo "Using the database at $database_url (DEMO_DATABASE_URL)"
		return
	fi
	echo "Starting PostgreSQL on 127.0.0.1:$postgres_port (data: run/postgres)"
	mkdir -p "$run_dir/postgres"
	echo "$postgres_bin" >"$run_dir/postgres/bin"
	: >"$log"
	if is_root; then
		chown -R postgres:postgres "$run_dir/postgres" "$log"
		"$runuser" -u postgres -- test -w "$run_dir/postgres" ||
			die "the postgres user cannot write to $run_dir/postgres: move the repository to a folder" \
				"that other users can enter, such as /opt or /srv"
	fi
	as_postgres "$postgres_bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >>"$log" 2>&1 ||
		die "initdb failed; see run/postgres.log"
	as_postgres "$postgres_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
		-o "-p $postgres_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$run_dir/postgres" \
		start >/dev/null || die "PostgreSQL did not start; see run/postgres.log"
	as_postgres "$postgres_bin/createdb" -h 127.0.0.1 -p "$postgres_port" -U postgres booking
	database_url="jdbc:postgresql://127.0.0.1:$postgres_port/booking"
}

# Starts one service jar in the background. Settings go through the environment, so the
# database password and the admin token never show in the process list.
start_service() {
	local name="$1" jar="$2" port="$3"
	echo "Starting $name on 127.0.0.1:$port (log: run/$name.log)"
	SERVER_PORT="$port" \
		SPRING_DATA_REDIS_HOST=127.0.0.1 \
		SPRING_DATA_REDIS_PORT="$redis_port" \
		SPRING_DATASOURCE_URL="$database_url" \
		SPRING_DATASOURCE_USERNAME="$database_user" \
		SPRING_DATASOURCE_PASSWORD="$database_password" \
		setsid "$JAVA_HOME/bin/java" -Xmx512m -jar "$jar" >"$run_dir/$name.log" 2>&1 &
	echo $! >"$run_dir/$name.pid"
}

wait_ready() {
	local name="$1" jar="$2" port="$3"
	local url="http://127.0.0.1:$port/actuator/health/readiness"
	local deadline=$((SECONDS + ready_timeout))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
			echo "$name is ready"
			return
		fi
		if ! pid_alive "$run_dir/$name.pid" "$jar"; then
			tail -n 30 "$run_dir/$name.log" >&2
			die "$name exited during start-up; see run/$name.log"
		fi
		sleep 0.5
	done
	tail -n 30 "$run_dir/$name.log" >&2
	die "$name was not ready at $url within $ready_timeout s; see run/$name.log"
}

run_flash_sale() {
	sale_started=true
	echo
	echo "Flash sale: 1,000 tickets, 20,000 booking requests from 5,000 users"
	"$JAVA_HOME/bin/java" -jar "$load_generator_jar" --url "http://127.0.0.1:$api_port" \
		--capacity 1000 --requests 20000 --users 5000 --max-quantity 2 --clients "$clients" \
		--max-duration 300 --drain-timeout 120 --expect-sold-out
}

main() {
	while [ "$#" -gt 0 ]; do
		case "$1" in
			--keep) keep=true ;;
			--no-build) build=false ;;
			--stop)
				stop_all
				exit 0
				;;
			-h | --help)
				usage
				exit 0
				;;
			*)
				usage >&2
				die "unknown option '$1'"
				;;
		esac
		shift
	done

	check_prerequisites
	mkdir -p "$run_dir"
	if pid_alive "$run_dir/booking-api.pid" "$api_jar" || pid_alive "$run_dir/redis.pid" redis-server ||
		[ -f "$run_dir/postgres/data/postmaster.pid" ]; then
		die "an earlier demo is still running: stop it with scripts/demo.sh --stop"
	fi
	check_ports_free
	build_project
	check_jars

	# Each run starts from empty data, so no Redis key from an earlier run can match a new
	# event id.
	rm -rf "$run_dir/redis" "$run_dir/postgres"
	BOOKING_ADMIN_TOKEN="demo-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
	export BOOKING_ADMIN_TOKEN
	(umask 077 && echo "$BOOKING_ADMIN_TOKEN" >"$run_dir/admin-token")

	started=true
	trap on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	start_redis
	start_postgres
	# Both services apply the schema migrations at start-up. Starting one after the other
	# leaves the migration to booking-api and keeps start-up failures apart.
	start_service booking-api "$api_jar" "$api_port"
	wait_ready booking-api "$api_jar" "$api_port"
	start_service order-consumer "$consumer_jar" "$consumer_port"
	wait_ready order-consumer "$consumer_jar" "$consumer_port"
	run_flash_sale
}

main "$@"
