"""`python -m tests.chaos [--kills N]`: one chaos run (`make chaos`: the long one, 20 kills of
each component), its report printed last and saved as JSON under .local/chaos/."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from tests.chaos.run import CHAOS_DIR, chaos_run
from tests.chaos.settings import ChaosSettings
from tests.chaos.verdict import failures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos")
    parser.add_argument("--kills", type=int, default=20, help="kills of each component (default 20)")
    parser.add_argument("--every", type=int, default=ChaosSettings.every, help="commands accepted between kills")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-data", action="store_true", help="keep the private servers' data afterwards")
    args = parser.parse_args()
    settings = ChaosSettings(kills_each=args.kills, every=args.every, seed=args.seed, keep_data=args.keep_data)
    path = CHAOS_DIR / f"report-{time.strftime('%Y%m%d-%H%M%S')}.json"
    report = asyncio.run(chaos_run(settings, path))
    failed = failures(report, settings)
    for failure in failed:
        print(f"FAILED: {failure}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
