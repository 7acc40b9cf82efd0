#!/usr/bin/env bash
# Runs every module's tests, system tests included, with Java 25:
# ./mvnw -B verify. Extra arguments go to Maven, for example -pl load-generator.
# The tests start their own redis-server processes and create their own databases on the
# PostgreSQL at 127.0.0.1:5432 (user postgres, or BM_TEST_POSTGRES_URL / _USER / _PASSWORD).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/java25.sh
source "$root/scripts/java25.sh"
select_java25

cd "$root"
echo "JAVA_HOME=$JAVA_HOME"
exec ./mvnw -B verify "$@"
