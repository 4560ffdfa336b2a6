#!/usr/bin/env python3
"""WebSocket echo server (tornado, which jupyter-server brings) for the app-proxy benchmarks:
every message comes back unchanged; /_echo/slow?ms=N answers over N milliseconds. Usage: ws_echo.py PORT"""
import asyncio
import sys

import tornado.web
import tornado.websocket


class Echo(tornado.websocket.WebSocketHandler):
    def check_origin(self, origin):
        return True

    async def on_message(self, message):
        # Awaited: a peer that stops reading stops this echo too (tornado delivers the next message
        # only after this one is written), as a real app would, instead of queueing without bound.
        await self.write_message(message, binary=isinstance(message, bytes))


class Slow(tornado.web.RequestHandler):
    """A response that starts at once and ends after ?ms= milliseconds: an exchange in flight."""

    async def get(self):
        self.write("start\n")
        await self.flush()
        await asyncio.sleep(int(self.get_argument("ms", "1000")) / 1000)
        self.write("done\n")


class Index(tornado.web.RequestHandler):
    def get(self):
        self.write("echo\n")


async def main():
    app = tornado.web.Application([(r"/", Index), (r"/_echo", Echo), (r"/_echo/slow", Slow)], websocket_max_message_size=1 << 20)
    app.listen(int(sys.argv[1]), address="127.0.0.1")
    await asyncio.Event().wait()


asyncio.run(main())
