"""`make run`: start the web server (and, once it exists, the scheduler) and stop all on Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess  # noqa: S404
import sys
import time

# Each entry is one process `make run` keeps alive beside the others.
PROCESSES = {
    "web": ["-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", "{port}"],
    "scheduler": ["-m", "flask", "--app", "wsgi", "scheduler"],
}


def main() -> int:
    """Start every process; when one exits or Ctrl-C arrives, stop them all."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", default=os.environ.get("PORT", "5000"))
    args = parser.parse_args()
    children = {
        name: subprocess.Popen([sys.executable, *(a.format(port=args.port) for a in argv)])  # noqa: S603
        for name, argv in PROCESSES.items()
    }
    try:
        while all(p.poll() is None for p in children.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in children.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
