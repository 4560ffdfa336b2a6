#!/usr/bin/env python3
"""WebSocket load for bench/app-proxy-vs-nginx (tornado's client, which jupyter-server brings).
  ws_client.py latency URL COOKIE ORIGIN COUNT   → round trips of a 64-byte message, one at a time;
                                                   prints "p50_us p99_us"
  ws_client.py hold URL COOKIE ORIGIN COUNT FILE → opens COUNT connections, writes "open" to FILE when
                                                   all are up, holds them until killed
  ws_client.py steady URL COOKIE ORIGIN INTERVAL_MS FILE → one connection, a round trip every INTERVAL_MS
                                                   until killed; rewrites FILE each second with
                                                   "round_trips N failures N p99_us N" (p99 of the last
                                                   minute); a failed round trip reconnects and counts"""
import asyncio
import os
import sys
import time

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect
import socket

# *.localhost names are the benchmark's nginx on loopback (glibc does not resolve them here).
_getaddrinfo = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: _getaddrinfo("127.0.0.1" if str(host).endswith("localhost") else host, *a, **k)


async def connect(url, cookie, origin):
    return await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie, "Origin": origin}, request_timeout=60))


async def latency(url, cookie, origin, count):
    connection = await connect(url, cookie, origin)
    message = "x" * 64
    for _ in range(200):  # warm-up
        connection.write_message(message)
        await connection.read_message()
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        connection.write_message(message)
        reply = await connection.read_message()
        samples.append(time.perf_counter_ns() - start)
        assert reply == message
    samples.sort()
    print(samples[len(samples) // 2] // 1000, samples[int(len(samples) * 0.99)] // 1000)


async def hold(url, cookie, origin, count, ready_file):
    connections = []
    for start in range(0, count, 50):
        connections += await asyncio.gather(*(connect(url, cookie, origin) for _ in range(min(50, count - start))))
    # Every connection answers once, so all of them are spliced end to end.
    for connection in connections:
        connection.write_message("ping")
    for connection in connections:
        assert await connection.read_message() == "ping"
    with open(ready_file, "w") as f:
        f.write(f"open {len(connections)}\n")
    await asyncio.Event().wait()


async def steady(url, cookie, origin, interval_ms, report_file):
    connection = await connect(url, cookie, origin)
    message = "s" * 64
    round_trips = failures = 0
    window = []
    last_report = time.monotonic()
    while True:
        start = time.perf_counter_ns()
        try:
            connection.write_message(message)
            reply = await asyncio.wait_for(connection.read_message(), 10)
            if reply != message:
                raise RuntimeError(f"echo answered {reply!r}")
            round_trips += 1
            window.append((time.monotonic(), time.perf_counter_ns() - start))
        except Exception:
            failures += 1
            connection = await connect(url, cookie, origin)
        now = time.monotonic()
        window = [(at, ns) for at, ns in window if now - at < 60]
        if now - last_report >= 1:
            samples = sorted(ns for _, ns in window)
            p99 = samples[int(len(samples) * 0.99)] // 1000 if samples else 0
            with open(report_file + ".tmp", "w") as f:
                f.write(f"round_trips {round_trips} failures {failures} p99_us {p99}\n")
            os.replace(report_file + ".tmp", report_file)
            last_report = now
        await asyncio.sleep(interval_ms / 1000)


mode, url, cookie, origin, count = sys.argv[1:6]
if mode == "latency":
    asyncio.run(latency(url, cookie, origin, int(count)))
elif mode == "steady":
    asyncio.run(steady(url, cookie, origin, int(count), sys.argv[6]))
else:
    asyncio.run(hold(url, cookie, origin, int(count), sys.argv[6]))
