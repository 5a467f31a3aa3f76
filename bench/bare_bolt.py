"""The baseline for clicks: a bare slack-bolt AsyncApp on aiohttp that only acks (`python -m bench.bare_bolt`)."""

# Same signing secret, token and Web API client as fairloop's Bolt (auth.test goes to the fake Slack once),
# same payloads; its listener does nothing but `ack()`.

from __future__ import annotations

import argparse
import re
from pathlib import Path

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.procs import SECRET, TOKEN, Proc, base_env, free_port, spawn, wait_ready


def application(api: str) -> web.Application:
    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api), signing_secret=SECRET)

    @bolt.action(re.compile(r".+"))
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    return app


async def start(*, api: str, workdir: Path) -> Proc:
    port = free_port()
    args = ["-m", "bench.bare_bolt", "--port", str(port), "--api", api]
    proc = spawn("bare-bolt", args, env=base_env(), log=workdir / "bare-bolt.log", port=port, cwd=workdir)
    return await wait_ready(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True)
    args = parser.parse_args()
    web.run_app(application(args.api), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
