"""A small reverse proxy in front of webhook replicas: each update to one picked at random, as a
load balancer without sticky sessions would, so one citizen's updates land on every replica."""

from __future__ import annotations

import random
from collections import Counter

import aiohttp
from aiohttp import web

from tests.support.live import free_port

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Balancer:
    """A replica that does not answer costs a 502, and Telegram (the fake) posts the update
    again."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.handled: Counter[int] = Counter()
        self.port = free_port()

    async def forward(self, request: web.Request) -> web.Response:
        port = random.choice(self.ports)
        body = await request.read()
        headers = {
            "Content-Type": "application/json",
            SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
        }
        try:
            async with self._session.post(
                f"http://127.0.0.1:{port}{request.path}", data=body, headers=headers
            ) as answer:
                if answer.status == 200:
                    self.handled[port] += 1
                return web.Response(status=answer.status)
        except aiohttp.ClientError:
            return web.Response(status=502)

    async def __aenter__(self) -> Balancer:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        app = web.Application()
        app.router.add_post("/{path:.*}", self.forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()
        await self._session.close()
