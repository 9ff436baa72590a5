"""`designkit preview`: seconds from saving the spec to the open page's long poll answering with the new
version (watcher, rebuild, page render), for a prose edit and for an edit that moves the numbers.

Target: <= 3 s each (then <= 1 s).  Run: python3 benchmarks/preview.py [edits]   (default 5 of each)
"""

import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from designkit.assets import EXAMPLES_DIR
from designkit.run.preview import VERSION_PATH, serve

DAILY = re.compile(r"^  daily_active_users: .*$", re.M)


def main(edits: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "system.yaml"
        original = (EXAMPLES_DIR / "reference.yaml").read_text(encoding="utf-8")
        path.write_text(original, encoding="utf-8")
        stop, urls = threading.Event(), []
        thread = threading.Thread(target=serve, args=(path,), kwargs={
            "port": 0, "browser": False, "say": lambda line: None, "ready": urls.append, "stop": stop})
        thread.start()
        try:
            while not urls:
                time.sleep(0.05)
            url = urls[0].rstrip("/") + VERSION_PATH
            version = urllib.request.urlopen(url + "?seen=", timeout=30).read().decode()

            def saved(text: str) -> float:
                nonlocal version
                started = time.perf_counter()
                path.write_text(text, encoding="utf-8")
                version = urllib.request.urlopen(f"{url}?seen={version}", timeout=60).read().decode()
                return time.perf_counter() - started

            prose, numbers = [], []
            for i in range(edits):
                daily = f"{10 + i + 1} million"
                text = DAILY.sub(lambda _: f"  daily_active_users: {daily}", original, count=1)
                numbers.append(saved(text))
                prose.append(saved(text.replace("summary: ", f"summary: Edit {i}. ", 1)))   # same numbers
        finally:
            stop.set()
            thread.join()
    print(f"{edits} edits each, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for name, times in (("prose edit (no figure redrawn)", prose), ("numbers edit (5 figures redrawn)", numbers)):
        median = statistics.median(times)
        print(f"{name:<34} save -> page: median {median:5.2f} s  runs {[round(t, 2) for t in times]}  "
              f"(target <= 3 s: {'ok' if median <= 3 else 'MISSED'})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
