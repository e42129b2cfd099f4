"""A minimal Twilio Messages API for benchmarks: answers at once, counts, keeps arrival times.

Run as its own process (`python -m bench.fake_provider PORT`) so it does not share a core or the GIL
with the dispatcher being measured. The tests use the fuller fakes in tests/fakes/.
"""

import sys
import time
import uuid

from aiohttp import web

arrivals: list[float] = []


async def create_message(request: web.Request) -> web.Response:
    """201 with a Twilio-shaped body."""
    form = await request.post()
    arrivals.append(time.time())
    sid = "SM" + uuid.uuid4().hex
    return web.json_response(
        {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From"), "error_code": None},
        status=201,
    )


async def stats(request: web.Request) -> web.Response:
    """How many arrived, and when (Unix seconds)."""
    return web.json_response({"count": len(arrivals), "arrivals": arrivals})


async def reset(request: web.Request) -> web.Response:
    """Forget everything."""
    arrivals.clear()
    return web.json_response({"count": 0})


def main() -> None:
    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", create_message)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
