#!/usr/bin/env python3
"""WebSocket load for bench/app-proxy-vs-nginx (tornado's client, which jupyter-server brings).
  ws_client.py latency URL COOKIE ORIGIN COUNT   → round trips of a 64-byte message, one at a time;
                                                   prints "p50_us p99_us"
  ws_client.py hold URL COOKIE ORIGIN COUNT FILE → opens COUNT connections, writes "open" to FILE when
                                                   all are up, holds them until killed"""
import asyncio
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


mode, url, cookie, origin, count = sys.argv[1:6]
if mode == "latency":
    asyncio.run(latency(url, cookie, origin, int(count)))
else:
    asyncio.run(hold(url, cookie, origin, int(count), sys.argv[6]))
