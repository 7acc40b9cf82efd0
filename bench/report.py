"""Writes the Markdown report of one bench/run.sh run from the files it collected."""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def parse_duration_ms(text):
    value = float(re.match(r"[\d.]+", text).group())
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    if text.endswith("m"):
        return value * 60_000
    return value * 1000


def parse_wrk(path):
    text = open(path).read()
    result = {"requests": 0, "rps": 0.0, "non2xx": 0, "socket_errors": 0, "p50": None, "p99": None}
    match = re.search(r"(\d+) requests in", text)
    if match:
        result["requests"] = int(match.group(1))
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if match:
        result["rps"] = float(match.group(1))
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if match:
        result["non2xx"] = int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if match:
        result["socket_errors"] = sum(int(group) for group in match.groups())
    for percentile in ("50", "99"):
        match = re.search(r"^\s+" + percentile + r"(?:\.000)?%\s+(\S+)", text, re.MULTILINE)
        if match:
            result["p" + percentile] = parse_duration_ms(match.group(1))
    return result


def parse_cpu(path):
    lines = open(path).read().splitlines()
    values = {}
    for line in lines:
        parts = line.split()
        if parts[0] in ("before", "after"):
            values[parts[0]] = dict(part.split("=", 1) for part in parts[1:])
        elif parts[0] == "wrk_cpu":
            values["wrk"] = float(parts[1]) + float(parts[2])
    before, after = values["before"], values["after"]
    seconds = float(after["time"]) - float(before["time"])
    cpu = {}
    for process in ("api", "consumer", "redis", "postgres"):
        ticks = int(after[process]) - int(before[process])
        cpu[process] = max(ticks, 0) / TICKS_PER_SECOND / seconds * 100
    cpu["wrk"] = values.get("wrk", 0.0) / seconds * 100
    return cpu, float(before["time"]), float(after["time"]), float(before["load"])


def load_phases(results):
    phases = {}
    for path in sorted(glob.glob(os.path.join(results, "*.wrk")), key=lambda p: int(os.path.basename(p).split("-")[0])):
        label = os.path.basename(path)[:-4].split("-", 1)[1]
        phase = parse_wrk(path)
        cpu_path = path[:-4] + ".cpu"
        if os.path.exists(cpu_path):
            phase["cpu"], phase["start"], phase["end"], phase["load"] = parse_cpu(cpu_path)
        phases[label] = phase
    return phases


def rss_max_mb(results, start, end):
    api, consumer = 0, 0
    for line in open(os.path.join(results, "rss.txt")):
        parts = line.split()
        if len(parts) < 3 or not (start <= int(parts[0]) <= end + 1):
            continue
        api = max(api, int(parts[1].split("=")[1] or 0))
        consumer = max(consumer, int(parts[2].split("=")[1] or 0))
    return api / 1024, consumer / 1024


def histogram_p99_ms(results):
    def buckets(name):
        counts = {}
        for line in open(os.path.join(results, name)):
            match = re.search(r'le="([^"]+)"\}\s+(\S+)', line)
            if match:
                counts[match.group(1)] = counts.get(match.group(1), 0) + float(match.group(2))
        return counts

    before, after = buckets("e2e-before.txt"), buckets("e2e-after.txt")
    bounds = sorted((float(le) if le != "+Inf" else float("inf"), le) for le in after)
    total = after.get("+Inf", 0) - before.get("+Inf", 0)
    if total <= 0:
        return None, 0
    for bound, le in bounds:
        if after[le] - before.get(le, 0) >= 0.99 * total:
            return bound * 1000, int(total)
    return None, int(total)


def drain_rate(results):
    samples = [tuple(map(float, line.split())) for line in open(os.path.join(results, "drain.txt")) if line.strip()]
    backlog = int(open(os.path.join(results, "backlog.txt")).read().split("=")[1])
    first = [s for s in samples if s[1] > 0]
    if not first:
        return backlog, None
    # From the last sample before the first commit to the first sample with the backlog in.
    start_index = samples.index(first[0])
    start = samples[max(start_index - 1, 0)]
    done = [s for s in samples if s[1] >= backlog]
    if not done:
        end = samples[-1]
    else:
        end = done[0]
    seconds = end[0] - start[0]
    return backlog, (end[1] - start[1]) / seconds if seconds > 0 else None


def lag_max(results):
    values = []
    for line in open(os.path.join(results, "lag.txt")):
        parts = dict(part.split("=") for part in line.split()[1:])
        values.append(int(parts.get("lag") or 0) + int(parts.get("pending") or 0))
    return values


def machine():
    def run(command):
        try:
            return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "unknown"

    return {
        "cpus": run("nproc"),
        "model": run("lscpu | sed -n 's/^Model name: *//p' | head -1"),
        "memory": run("free -m | awk '/^Mem:/ {print $2 \" MB\"}'"),
        "kernel": platform.release(),
        "java": run("${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java -version 2>&1 | head -1"),
        "redis": run("redis-server --version | awk '{print $3}'"),
        "postgres": run("psql -h 127.0.0.1 -U postgres -Atc 'SHOW server_version'"),
        "wrk": run("wrk -v 2>&1 | head -1 | awk '{print $2}'"),
    }


def fmt(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def met(condition):
    return "met" if condition else "**missed**"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("out_dir")
    parser.add_argument("name")
    parser.add_argument("--command", default="bench/run.sh")
    parser.add_argument("--heap", default="256m")
    parser.add_argument("--api-jvm", default="")
    parser.add_argument("--consumer-jvm", default="")
    parser.add_argument("--events", default="")
    args = parser.parse_args()

    phases = load_phases(args.results)
    rounds = sorted({int(m.group(1)) for label in phases if (m := re.match(r"round(\d+)-", label))})
    table = []
    ratios_noop, ratios_baseline = [], []
    for number in rounds:
        noop, ours, baseline = (phases.get(f"round{number}-{path}") for path in ("noop", "ours", "baseline"))
        if not (noop and ours and baseline):
            continue
        table.append((number, noop, ours, baseline))
        ratios_noop.append(ours["rps"] / noop["rps"])
        ratios_baseline.append(ours["rps"] / baseline["rps"] if baseline["rps"] else float("inf"))
    median = lambda values: statistics.median(values) if values else None
    noop_median = median([row[1]["rps"] for row in table])
    ours_median = median([row[2]["rps"] for row in table])
    baseline_median = median([row[3]["rps"] for row in table])

    soldout_ratios = []
    soldout_rows = []
    for number in rounds:
        noop, soldout = phases.get(f"soldout{number}-noop"), phases.get(f"soldout{number}-soldout")
        if noop and soldout:
            soldout_rows.append((number, noop, soldout))
            soldout_ratios.append(soldout["rps"] / noop["rps"])

    sustained = phases.get("sustained-ours", {})
    sustained_errors = sustained.get("socket_errors", 0) + sustained.get("non2xx", 0)
    api_rss, consumer_rss = rss_max_mb(args.results, sustained.get("start", 0), sustained.get("end", 0))
    all_api_rss, all_consumer_rss = rss_max_mb(args.results, 0, 1e12)
    lags = lag_max(args.results)
    paced = phases.get("paced-ours", {})
    e2e_p99, e2e_count = histogram_p99_ms(args.results)
    backlog, rows_per_second = drain_rate(args.results)
    accounting = dict(part.split("=") for part in open(os.path.join(args.results, "accounting.txt")).read().split())
    events = {}
    for path in glob.glob(os.path.join(args.results, "event-*.json")):
        event = json.load(open(path))
        events[event["name"]] = event
    outcomes = open(os.path.join(args.results, "outcomes.txt")).read().strip()
    loads = [phase["load"] for phase in phases.values() if "load" in phase]
    info = machine()
    now = datetime.datetime.now(datetime.timezone.utc)

    accounting_ok = int(accounting["accepted"]) == int(accounting["persisted"]) and all(
        event["capacity"] - event["available"] == event["confirmed"] and event["available"] >= 0
        for event in events.values())
    soldout_event = events.get("sold-out", {})
    lag_bound = 10_000

    targets = [
        ("1. POST /book sustained, 60 s: accepted/s >= 10,000", fmt(sustained.get("rps")),
         met(sustained.get("rps", 0) >= 10_000)),
        ("1. same run: p99 < 20 ms", f"{fmt(sustained.get('p99'), 1)} ms", met((sustained.get("p99") or 1e9) < 20)),
        ("1. same run: errors (non-2xx + socket) = 0", str(sustained_errors), met(sustained_errors == 0)),
        (f"1. same run: consumer lag + pending, max of 5 s samples < {lag_bound:,}",
         fmt(max(lags) if lags else None), met(bool(lags) and max(lags) < lag_bound)),
        ("2. ours / no-op, median of rounds >= 0.7", fmt(median(ratios_noop), 2), met((median(ratios_noop) or 0) >= 0.7)),
        ("3. sold-out / no-op, median of rounds >= 0.9", fmt(median(soldout_ratios), 2),
         met((median(soldout_ratios) or 0) >= 0.9)),
        (f"4. drain of a {backlog:,}-entry backlog >= 50,000 rows/s", fmt(rows_per_second),
         met(backlog >= 500_000 and (rows_per_second or 0) >= 50_000)),
        (f"4. end-to-end p99 < 250 ms at {fmt(paced.get('rps'))} bookings/s ({e2e_count:,} bookings)",
         f"<= {fmt(e2e_p99, 1)} ms", met(e2e_p99 is not None and e2e_p99 < 250 and paced.get("rps", 0) >= 4_500)),
        ("5. ours / PostgreSQL-only baseline, median of rounds >= 5", fmt(median(ratios_baseline), 1),
         met((median(ratios_baseline) or 0) >= 5)),
        ("6. booking-api RSS max during the sustained run < 300 MB", f"{fmt(api_rss)} MB", met(0 < api_rss < 300)),
        ("accounting: accepted = persisted, capacity - available = confirmed", "yes" if accounting_ok else "no",
         met(accounting_ok)),
    ]

    lines = []
    lines.append(f"# Booking path benchmark, {now:%Y-%m-%d %H:%M} UTC")
    lines.append("")
    lines.append(f"Headline: `POST /book` accepted {fmt(median(ratios_baseline), 1)} times as many bookings per second "
                 f"as the same contract served by PostgreSQL alone ({fmt(ours_median)} against "
                 f"{fmt(baseline_median)}, medians of {len(table)} interleaved rounds).")
    lines.append("")
    lines.append(f"Command: `{args.command.strip()}` (usage in `bench/README.md`).")
    lines.append("")
    lines.append(f"Machine: {info['cpus']} CPUs ({info['model']}), {info['memory']} memory, Linux {info['kernel']}; "
                 f"{info['java']}, Redis {info['redis']} (repo `redis/redis.conf`: AOF on, appendfsync everysec), "
                 f"PostgreSQL {info['postgres']}, wrk {info['wrk']}. Redis, PostgreSQL, both services and wrk "
                 f"all ran on this machine, which other developers shared.")
    if loads:
        lines.append(f"Load average (1 min) at the start of each phase: {min(loads):.2f} to {max(loads):.2f}, "
                     f"median {statistics.median(loads):.2f}.")
    lines.append("")
    lines.append(f"Memory settings: booking-api `-Xmx{args.heap} {args.api_jvm.strip()}`, order-consumer "
                 f"`-Xmx{args.heap} {args.consumer_jvm.strip()}` (the JVM's default collector, G1, unless named); "
                 f"`MALLOC_ARENA_MAX=2` for both. Virtual threads on in booking-api. wrk `-t1 -c64` except where "
                 f"paced, one ticket for a new user per request.")
    lines.append("")
    lines.append("## Targets")
    lines.append("")
    lines.append("| target | value | result |")
    lines.append("|---|---|---|")
    for target, value, result in targets:
        lines.append(f"| {target} | {value} | {result} |")
    lines.append("")
    lines.append("## Interleaved rounds (requests/s, p99 ms)")
    lines.append("")
    lines.append("Each round runs the three endpoints back to back, in rotated order. Ratios are taken within "
                 "a round.")
    lines.append("")
    lines.append("| round | no-op 202 | POST /book | PostgreSQL baseline | ours / no-op | ours / baseline |")
    lines.append("|---|---|---|---|---|---|")
    for number, noop, ours, baseline in table:
        lines.append(f"| {number} | {fmt(noop['rps'])} ({fmt(noop['p99'], 1)}) | {fmt(ours['rps'])} "
                     f"({fmt(ours['p99'], 1)}) | {fmt(baseline['rps'])} ({fmt(baseline['p99'], 1)}) | "
                     f"{ours['rps'] / noop['rps']:.2f} | {ours['rps'] / baseline['rps']:.1f} |")
    lines.append(f"| median | {fmt(noop_median)} | {fmt(ours_median)} | {fmt(baseline_median)} | "
                 f"{fmt(median(ratios_noop), 2)} | {fmt(median(ratios_baseline), 1)} |")
    lines.append("")
    lines.append("## Sold-out rounds (requests/s)")
    lines.append("")
    lines.append("| round | no-op 202 | POST /book, sold out (409) | ratio |")
    lines.append("|---|---|---|---|")
    for number, noop, soldout in soldout_rows:
        lines.append(f"| {number} | {fmt(noop['rps'])} | {fmt(soldout['rps'])} | {soldout['rps'] / noop['rps']:.2f} |")
    lines.append("")
    lines.append("## Every phase")
    lines.append("")
    lines.append("CPU in percent of one core over the phase; PostgreSQL counts every backend of the shared "
                 "server. RSS is the maximum of 1 s samples.")
    lines.append("")
    lines.append("| phase | requests/s | p50 ms | p99 ms | non-2xx | socket errors | CPU api / consumer / redis / "
                 "postgres / wrk | RSS api / consumer MB | load |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for label, phase in phases.items():
        if "cpu" not in phase:
            continue
        cpu = phase.get("cpu", {})
        rss = rss_max_mb(args.results, phase.get("start", 0), phase.get("end", 0)) if "start" in phase else (0, 0)
        cpu_text = " / ".join(fmt(cpu.get(p)) for p in ("api", "consumer", "redis", "postgres", "wrk")) if cpu else ""
        lines.append(f"| {label} | {fmt(phase['rps'])} | {fmt(phase['p50'], 2)} | {fmt(phase['p99'], 1)} | "
                     f"{phase['non2xx']:,} | {phase['socket_errors']:,} | {cpu_text} | "
                     f"{fmt(rss[0])} / {fmt(rss[1])} | {phase.get('load', '')} |")
    lines.append("")
    lines.append("The sold-out phases answer 409, which wrk counts as non-2xx. The backlog phase books until "
                 "the stream holds the backlog, with the consumer frozen.")
    lines.append("")
    lines.append("## Consumer")
    lines.append("")
    lines.append(f"- Lag plus pending entries every 5 s during the sustained run: {', '.join(map(str, lags))}.")
    lines.append(f"- Drain: {backlog:,} entries persisted at {fmt(rows_per_second)} rows/s, timed from the "
                 f"consumer's `consumer_bookings_persisted_total` sampled every 0.2 s, from the last sample before "
                 f"the first commit to the sample that reached the backlog. The consumer, warm from the earlier "
                 f"phases, was frozen with SIGSTOP while the backlog built and resumed with SIGCONT.")
    lines.append(f"- End-to-end (accepted to committed) p99 at {fmt(paced.get('rps'))} bookings/s: at most "
                 f"{fmt(e2e_p99, 1)} ms, the upper bound of the `consumer_end_to_end_seconds` histogram bucket "
                 f"that holds the 99th percentile of the {e2e_count:,} bookings of the paced phase.")
    lines.append(f"- RSS maximum over the whole run: booking-api {fmt(all_api_rss)} MB, order-consumer "
                 f"{fmt(all_consumer_rss)} MB.")
    lines.append("")
    lines.append("## Accounting after the drain")
    lines.append("")
    lines.append(f"- booking-api accepted {int(accounting['accepted']):,} bookings of one ticket; PostgreSQL holds "
                 f"{int(accounting['persisted']):,} tickets in `bookings`; the baseline wrote "
                 f"{int(accounting['baseline_rows']):,} rows to `baseline_bookings`.")
    for event in events.values():
        lines.append(f"- event `{event['name']}`: capacity {event['capacity']:,}, available {event['available']:,}, "
                     f"confirmed {event['confirmed']:,}; capacity - available - confirmed = "
                     f"{event['capacity'] - event['available'] - event['confirmed']}.")
    lines.append("")
    lines.append("booking-api outcomes at the end:")
    lines.append("")
    lines.append("```")
    lines.append(outcomes)
    lines.append("```")
    lines.append("")

    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, f"{now:%Y-%m-%d}-{args.name}.md")
    if os.path.exists(path):
        path = os.path.join(args.out_dir, f"{now:%Y-%m-%d-%H%M}-{args.name}.md")
    with open(path, "w") as out:
        out.write("\n".join(lines))
    print(f"wrote {path}")
    for target, value, result in targets:
        print(f"{result:12} {value:>14}  {target}")


if __name__ == "__main__":
    main()
