#!/usr/bin/env python3
"""A browser's part in the app-proxy test: start a kernel through the proxy's REST path, open its
WebSocket through the proxy (cookie and app-host Origin, as a page in the iframe would), run 1+1,
print the result. Usage: jupyter_kernel.py BASE_URL COOKIE ORIGIN CA_FILE
BASE_URL is the app's origin, e.g. https://jupyter--acme.apps.localhost:8443"""
import asyncio
import json
import socket
import ssl
import sys
import urllib.request
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

base, cookie, origin, ca_file = sys.argv[1:5]

# *.localhost names are the test nginx on loopback (glibc does not resolve them here).
_getaddrinfo = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: _getaddrinfo("127.0.0.1" if str(host).endswith("localhost") else host, *a, **k)
context = ssl.create_default_context(cafile=ca_file)


def call(method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Cookie": cookie, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


async def run(kernel_id):
    url = base.replace("https://", "wss://", 1) + f"/api/kernels/{kernel_id}/channels"
    connection = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie, "Origin": origin}, ssl_options=context,
                                                     request_timeout=30))
    msg_id = uuid.uuid4().hex
    connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": "1+1", "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False,
                    "stop_on_error": True},
    }))
    while True:
        raw = await asyncio.wait_for(connection.read_message(), 60)
        if raw is None:
            sys.exit("the kernel WebSocket closed before the result")
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") == msg_id and message.get("msg_type") == "execute_result":
            print(message["content"]["data"]["text/plain"])
            break
    connection.close()


kernel = call("POST", "/api/kernels", {"name": "python3"})
try:
    asyncio.run(run(kernel["id"]))
finally:
    call("DELETE", f"/api/kernels/{kernel['id']}")
