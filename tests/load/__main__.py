"""`python -m tests.load COMMAND`: seed | run | report | scale | calibrate | stub (see --help).

    python -m tests.load seed --orders 100000 --customers 20000          # into BAHI_DATABASE_URL
    python -m tests.load run --rate 500:4000:500x10 --threshold 'p99<20ms@2000'
    python -m tests.load report --results .local/loadtest/results.json
    python -m tests.load scale --rate 250:2000:250x6
    python -m tests.load calibrate                                         # the harness checks itself

Exit status: 0, or 1 when a threshold failed, 2 for bad arguments."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path

from tests.load.dataset import Spec

OUT = Path(".local/loadtest")
THRESHOLDS = ("p99<50ms", "errors<0.1%", "dropped==0", "achieved>=0.95")
"""`run`'s thresholds when none is given (`make loadtest` sets its own)."""


def _spec_options(parser: argparse.ArgumentParser) -> None:
    defaults = Spec()
    group = parser.add_argument_group("data set (the same for seed and run)")
    for name in ("seed", "customers", "products", "orders", "wallets", "accounts", "days"):
        group.add_argument(f"--{name}", type=int, default=getattr(defaults, name))


def _spec(args: argparse.Namespace) -> Spec:
    spec = Spec(
        seed=args.seed,
        customers=args.customers,
        products=args.products,
        orders=args.orders,
        wallets=args.wallets,
        accounts=args.accounts,
        days=args.days,
    )
    if spec.wallets > spec.customers or spec.accounts > spec.customers:
        raise ValueError("--wallets and --accounts: at most one per customer (at most --customers)")
    return spec


def _cmd_seed(args: argparse.Namespace) -> int:
    from command_service.settings import Settings
    from tests.load import tokens
    from tests.load.dataset import Dataset
    from tests.load.http import Target
    from tests.load.seeding import seed
    from tests.load.views import wait_for_views

    data = Dataset(_spec(args))
    settings = Settings(**({"database_url": args.database_url} if args.database_url else {}))
    summary = asyncio.run(seed(data, settings, concurrency=args.concurrency))
    if not args.no_wait:
        auth = tokens.authorization(args.token, args.key_dir, 3600)
        summary["views"] = asyncio.run(wait_for_views(data, Target.parse(args.query), auth, timeout=args.wait_seconds))
        summary["seconds_to_views"] = round(summary["write_seconds"] + summary["views"]["waited_seconds"], 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "seed.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "spec"}, indent=1))
    return 0 if not summary["failed"] else 1


def _cmd_run(args: argparse.Namespace) -> int:
    from tests.load import report, runner, tokens
    from tests.load.http import Target
    from tests.load.plan import Plan, parse_steps
    from tests.load.scenarios import Scenario
    from tests.load.thresholds import Threshold, judge_all

    steps = parse_steps(args.rate)
    thresholds = args.threshold or list(THRESHOLDS)
    for text in thresholds:
        Threshold.parse(text)
    weights = dict(_weight(w) for w in args.weight)
    scenario = Scenario.load(args.scenario, weights)
    needs_data = bool(scenario.placeholders())
    total = sum(s for _, s in steps)
    auth = None if args.no_auth else tokens.authorization(args.token, args.key_dir, total + 600)
    plan = Plan(
        Target.parse(args.target),
        args.scenario,
        steps,
        auth,
        _spec(args) if needs_data else None,
        weights,
        args.processes,
        args.connections,
        args.backlog,
        args.window,
        args.timeout,
        args.mode,
        args.seed,
    )
    from tests.load.dataset import Dataset
    from tests.load.views import preflight

    if not args.no_preflight:
        data = Dataset(plan.spec) if plan.spec is not None else None
        asyncio.run(preflight(plan.target, auth, data, scenario.placeholders()))
    if args.warmup > 0:  # not counted: connections, pools and first-use paths of a fresh target
        runner.run(replace(plan, steps=((steps[0][0], args.warmup),)), progress=False)
    results = runner.run(plan)
    runner.save(results, args.out)
    from tests.load.analysis import analyse

    judged = judge_all(thresholds, analyse(results))
    report.write(results, args.out, judged)
    return finish(args.out, judged)


def finish(out: Path, judged: list[dict[str, object]]) -> int:
    for j in judged:
        print(f"  {'PASS' if j['passed'] else 'FAIL'}  {j['threshold']:<24} {j['value']!s:<12} ({j['where']})")
    summary = json.loads((out / "summary.json").read_text())["overall"]
    print(f"report: {out / 'index.html'}")
    print(
        f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, p99.9 {summary['p99.9_ms']} ms at "
        f"{summary['achieved_per_s']}/s achieved of {summary['target_per_s']}/s target"
    )
    return 0 if all(j["passed"] for j in judged) else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from tests.load import report
    from tests.load.analysis import analyse
    from tests.load.thresholds import judge_all

    results = json.loads(args.results.read_text())
    out = args.out or args.results.parent
    judged = judge_all(args.threshold or [], analyse(results))
    report.write(results, out, judged)
    return finish(out, judged)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from tests.load import report
    from tests.load.calibrate import calibrate

    found = calibrate(args.rate, args.seconds)
    report.write(found["open_results"], args.out / "calibrate-open")
    report.write(found["closed_results"], args.out / "calibrate-closed")
    print(json.dumps({k: found[k] for k in ("stall", "open", "closed")}, indent=1))
    shown = found["open"]["p99_ms"] >= 0.8 * found["stall"]["ms"] > found["closed"]["p99_ms"]
    print("open loop shows the stall in its p99, closed loop hides it" if shown else "UNEXPECTED: see the reports")
    return 0 if shown else 1


def _cmd_scale(args: argparse.Namespace) -> int:
    from tests.load.scale import main as scale_main

    return scale_main(args, _spec(args))


def _weight(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    return name, float(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    seed = commands.add_parser("seed", help="write the data set through the command path")
    _spec_options(seed)
    seed.add_argument("--database-url", help="default: BAHI_DATABASE_URL (the command service's)")
    seed.add_argument("--concurrency", type=int, default=48, help="stories in flight")
    seed.add_argument("--query", default="http://127.0.0.1:8002", help="the query service, to wait for the views")
    seed.add_argument("--no-wait", action="store_true", help="do not wait for the views to show the data")
    seed.add_argument("--wait-seconds", type=float, default=1800)

    run = commands.add_parser("run", help="drive the read side open loop and write the report")
    _spec_options(run)
    run.add_argument("--target", default="http://127.0.0.1:8002", help="the query service (plain HTTP)")
    run.add_argument("--scenario", default="read-mix", help="a name in tests/load/scenarios/ or a TOML file")
    run.add_argument("--weight", action="append", default=[], metavar="ENDPOINT=W")
    run.add_argument("--rate", default="200x20", help="RATExSECONDS, FROM:TO:STEPxSECONDS, comma-separated")
    run.add_argument("--processes", type=int, default=2, help="driver processes, each its own event loop")
    run.add_argument("--connections", type=int, default=64, help="per driver process, at most")
    run.add_argument("--backlog", type=int, default=2000, help="due-but-unanswered requests per process before drops")
    run.add_argument("--window", type=float, default=1.0, help="seconds per time window")
    run.add_argument("--warmup", type=float, default=5.0, help="seconds at the first rate first, not counted")
    run.add_argument("--timeout", type=float, default=10.0)
    run.add_argument("--mode", choices=("open", "closed"), default="open")
    run.add_argument("--threshold", action="append", default=[], metavar="RULE", help="e.g. 'p99<20ms@2000'")
    run.add_argument("--no-auth", action="store_true", help="send no Authorization header")
    run.add_argument("--no-preflight", action="store_true", help="skip checking the target, token and data first")

    report = commands.add_parser("report", help="(re)write the report of a results.json")
    report.add_argument("--results", type=Path, default=OUT / "results.json")
    report.add_argument("--threshold", action="append", default=[], metavar="RULE")

    scale = commands.add_parser("scale", help="1, 2, 4 query-service processes behind one port: the capacity curve")
    _spec_options(scale)
    scale.add_argument("--counts", default="1,2,4")
    scale.add_argument("--rate", default="250:2000:250x6")
    scale.add_argument("--p99-ms", type=float, default=50.0, help="the p99 a rate must stay under to be held")
    scale.add_argument("--processes", type=int, default=2, help="driver processes")
    scale.add_argument("--connections", type=int, default=64)
    scale.add_argument("--port", type=int, default=0, help="0: a free port")

    calibrate = commands.add_parser("calibrate", help="check the harness for coordinated omission (stall server)")
    calibrate.add_argument("--rate", type=float, default=200.0)
    calibrate.add_argument("--seconds", type=float, default=5.0)

    commands.add_parser("stub", help="serve the stall server (see python -m tests.load stub --help)", add_help=False)

    for sub in (seed, run, report, scale, calibrate):
        sub.add_argument("--out", type=Path, default=OUT, help="the report folder")
    for sub in (seed, run, scale):
        sub.add_argument("--token", help="a bearer token (default: BAHI_LOAD_TOKEN, else minted with --key-dir)")
        sub.add_argument("--key-dir", type=Path, default=Path(".local/auth"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["stub"]:
        from tests.load.stub import main as stub_main

        stub_main(argv[1:])
        return 0
    args = parser.parse_args(argv)
    if args.command == "report":
        args.out = None if "--out" not in argv else args.out
    try:
        handler = {
            "seed": _cmd_seed,
            "run": _cmd_run,
            "report": _cmd_report,
            "scale": _cmd_scale,
            "calibrate": _cmd_calibrate,
        }[args.command]
        return handler(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
