"""``python -m parallel_demo doctor``: print what this machine can run in parallel."""

from __future__ import annotations

import argparse
import sys

from .env import doctor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m parallel_demo",
                                     description="Tools for the parallel_demo book.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="print the Python, GIL, start-method and CPU facts of this machine")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        print(doctor())
    return 0


if __name__ == "__main__":
    sys.exit(main())
