#!/usr/bin/env bash
# Checks the Prometheus configuration, the alert rules and their unit tests with promtool, and
# the PromQL syntax of every Grafana dashboard query. promtool comes with Debian's
# 'prometheus' package. Without promtool the script prints a SKIPPED line and exits 0, so the
# caller decides whether a missing promtool fails the build.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dashboard="$root/grafana/provisioning/dashboards/booking-monitor.json"

if ! command -v promtool >/dev/null 2>&1; then
	echo "prometheus/check.sh: SKIPPED: promtool not found (install it with 'apt-get install prometheus')"
	exit 0
fi

promtool check config "$root/prometheus/prometheus.yml"
promtool check rules "$root/prometheus/alerts.yml"
promtool test rules "$root/prometheus/alerts-test.yml"

# promtool 2.42 (Debian 12) has no stable command that parses a bare query, so the dashboard
# queries go into a temporary file of recording rules, with Grafana's interval variables
# replaced by durations.
if ! command -v python3 >/dev/null 2>&1; then
	echo "prometheus/check.sh: SKIPPED dashboard queries: python3 not found"
	exit 0
fi
rules="$(mktemp --suffix=.yml)"
trap 'rm -f "$rules"' EXIT
python3 - "$dashboard" "$rules" <<'PYTHON'
import json
import sys

with open(sys.argv[1]) as source:
    dashboard = json.load(source)
rules = []
for panel in dashboard["panels"]:
    for target in panel.get("targets", []):
        expr = target.get("expr", "")
        for variable in ("$__rate_interval", "$__interval", "$__range"):
            expr = expr.replace(variable, "1m")
        name = "dashboard:panel_%d:%s" % (panel["id"], target["refId"])
        rules.append({"record": name, "expr": expr})
with open(sys.argv[2], "w") as out:
    # JSON is valid YAML, so no YAML library is needed.
    json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, out)
print("dashboard queries: %d" % len(rules))
PYTHON
promtool check rules "$rules"
