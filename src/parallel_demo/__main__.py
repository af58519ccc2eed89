"""``python -m parallel_demo doctor`` (what this machine can run in parallel) and ``... bench``."""

from __future__ import annotations

import argparse
import sys

from .env import doctor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m parallel_demo",
                                     description="Tools for the parallel_demo book.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="print the Python, GIL, start-method and CPU facts of this machine")
    bench = sub.add_parser("bench", help="the library against its peers, as ratios measured in one run")
    from .bench import add_arguments

    add_arguments(bench)
    args = parser.parse_args(argv)
    if args.command == "doctor":
        print(doctor())
    elif args.command == "bench":
        from .bench import main as bench_main

        return bench_main(args.quick, notebooks=args.notebooks,
                          notebook_times=args.notebook_times, only=args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
