"""Record the starvation chapter's contest as a reference run (run it under the Python to record).

    python tools/record_starvation.py book/reference/starvation-py3.14.json "note"

On this project's machine the 3.14 run comes from the Debian sid chroot:
``tools/sid_chroot.sh run 3.14 python tools/record_starvation.py book/reference/starvation-py3.14.json``.
"""

import sys
import threading

from parallel_demo import FairLock, fairness_runs
from parallel_demo.starvation import save_fairness_series

if __name__ == "__main__":
    path = sys.argv[1]
    note = sys.argv[2] if len(sys.argv) > 2 else ""
    series = fairness_runs([threading.Lock, FairLock], runs=5)
    save_fairness_series(series, path, note=note)
    print(f"wrote {path}: polite turns {series.polite_turns('threading.Lock')} (Lock), "
          f"{series.polite_turns('FairLock')} (FairLock)")
