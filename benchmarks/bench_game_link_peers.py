"""Hostile peers against the socket game link: threads, refusals and telemetry while N peers trickle.

Opens ``--peers`` connections that each send one byte every ``--trickle-s`` seconds (the attack of
issue 11, item 6), plus one authenticated script streaming telemetry at ``--hz``, for ``--seconds``;
prints one JSON line: the process's thread count before and at the peak, the link's refusals by
reason, how many telemetry messages the link used, and the largest telemetry age the player saw.

    .venv/bin/python benchmarks/bench_game_link_peers.py --peers 300 --seconds 6
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time

from charles_core.driving.socket_game_link import SocketGameLink

TOKEN = "bench-token-0123456789"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=int, default=300, help="trickling peers (default 300)")
    parser.add_argument("--trickle-s", type=float, default=2.0, help="seconds between a peer's bytes (2)")
    parser.add_argument("--seconds", type=float, default=6.0, help="how long the attack lasts (6)")
    parser.add_argument("--hz", type=float, default=50.0, help="the good script's telemetry rate (50)")
    parser.add_argument("--hello-timeout", type=float, default=2.0, help="the link's hello_timeout_s (2)")
    args = parser.parse_args(argv)
    if args.peers < 0 or args.seconds <= 0 or args.hz <= 0 or args.trickle_s <= 0 or args.hello_timeout <= 0:
        print("bench_game_link_peers: error: --peers must be >= 0 and the times and rate positive", file=sys.stderr)
        return 2
    threads_before = threading.active_count()
    link = SocketGameLink(token=TOKEN, port=0, hello_timeout_s=args.hello_timeout, max_age_s=1.0)
    try:
        script = socket.create_connection(link.address, timeout=5)
        script.sendall((json.dumps({"hello": "charles", "token": TOKEN}) + "\n").encode())
        sent, peak_threads, worst_age, stale = 0, threading.active_count(), 0.0, 0
        peers: list[socket.socket] = []
        next_trickle, next_send = time.monotonic(), time.monotonic()
        end = time.monotonic() + args.seconds
        # One loop plays every part: the benchmark itself starts no thread per peer either.
        while time.monotonic() < end:
            now = time.monotonic()
            while len(peers) < args.peers:
                try:
                    peers.append(socket.create_connection(link.address, timeout=1))
                except OSError:
                    break
            if now >= next_trickle:
                for peer in list(peers):
                    try:
                        peer.sendall(b"{")
                    except OSError:  # refused or dropped by the link: a new one takes its place
                        peer.close()
                        peers.remove(peer)
                next_trickle = now + args.trickle_s
            if now >= next_send:
                script.sendall((json.dumps({"speed": 10.0, "position": [sent, 0.0]}) + "\n").encode())
                sent += 1
                next_send = now + 1 / args.hz
            try:
                link.telemetry()
                received_at = link._received_at  # noqa: SLF001 -- the benchmark reads the age directly
                if received_at is not None:
                    worst_age = max(worst_age, time.monotonic() - received_at)
            except Exception:  # noqa: BLE001 -- stale or missing: counted, not fatal
                stale += 1
            peak_threads = max(peak_threads, threading.active_count())
            time.sleep(0.002)
        stats = link.stats()
        used = link.telemetry()["position"][0] + 1
        for peer in peers:
            peer.close()
        script.close()
    finally:
        link.close()
    print(
        json.dumps(
            {
                "peers": args.peers,
                "seconds": args.seconds,
                "threads_before": threads_before,
                "threads_peak": peak_threads,
                "refused": stats["refused"],
                "pending_at_end": stats["pending"],
                "script_connected": stats["connected"],
                "telemetry_sent": sent,
                "telemetry_used_up_to": int(used),
                "worst_telemetry_age_s": round(worst_age, 4),
                "stale_reads": stale,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
