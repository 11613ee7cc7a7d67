"""`fvi serve` and `fvi gateway` stop on Ctrl-C / SIGTERM however the signal falls (a threading.Event set
from the handler could deadlock against the main thread's own wait on it)."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from fvi.cli import StopRequest

CHILD = textwrap.dedent("""
    import sys, time
    from fvi.cli import StopRequest
    stop = StopRequest.on_signals()
    print("ready", flush=True)
    end, seen = time.monotonic() + 2.0, 0
    while time.monotonic() < end:
        if stop.wait(0):
            seen += 1
            stop.requested = False
    print(seen, flush=True)
""")


def test_a_signal_during_wait_ends_the_wait():
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        stop = StopRequest.on_signals()
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
        started = time.monotonic()
        assert stop.wait(10.0) is True
        assert time.monotonic() - started < 2.0
        assert StopRequest().wait(0.1) is False
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def test_a_storm_of_signals_never_wedges_the_waiting_loop():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    # With threading.Event this storm wedged the child (its handler waiting on a lock the interrupted
    # wait held) or crashed it (handlers nesting until RecursionError) in 5 of 5 tries.
    for _ in range(2000):
        child.send_signal(signal.SIGTERM)
        time.sleep(0.0002)
    try:
        out, _ = child.communicate(timeout=20)
    finally:
        child.kill()
    assert child.returncode == 0 and int(out.strip()) > 0
