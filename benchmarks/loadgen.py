"""A small closed-loop HTTP load generator: N keep-alive clients on loopback for a fixed time."""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass

from benchmarks.timing import percentile


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def run(port: int, path: str, headers: dict[str, str], clients: int, seconds: float) -> LoadResult:
    """Each client sends the next request as soon as the previous answer arrives, until time is up."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop_at = time.perf_counter() + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                if ok:
                    latencies[index].append(time.perf_counter() - start)
                else:
                    errors[index] += 1
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    return LoadResult(
        requests=len(flat),
        errors=sum(errors),
        seconds=elapsed,
        rps=len(flat) / elapsed if elapsed else 0.0,
        p50_ms=percentile(flat, 50) * 1000,
        p95_ms=percentile(flat, 95) * 1000,
    )
