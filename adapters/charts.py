"""GET /charts/{token}.png: the digest's weekly trend as a PNG (drawn with Pillow, off the event loop)."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

from aiohttp import web
from PIL import Image, ImageDraw, ImageFont

from adapters.web import REPORTS, error
from bot.errors import NotFound
from bot.reports.trend import Point

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 40, 48, 44
SERIES = (("response", "Response", (47, 111, 94)), ("all_practices", "All practices followed", (183, 121, 31)))


def render_png(points: list[Point], title: str) -> bytes:
    """A line per series over the weeks; a week without figures (under the threshold) is a gap."""
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    font, small = ImageFont.load_default(size=15), ImageFont.load_default(size=12)
    draw.text((LEFT, 14), title, fill=(29, 28, 29), font=font)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    for pct in (0, 25, 50, 75, 100):
        y = TOP + plot_h - plot_h * pct / 100
        draw.line((LEFT, y, WIDTH - RIGHT, y), fill=(227, 227, 227), width=1)
        draw.text((LEFT - 8, y), f"{pct}%", fill=(97, 96, 97), font=small, anchor="rm")
    step = plot_w / max(1, len(points) - 1)
    xs = [LEFT + i * step for i in range(len(points))]
    for x, point in zip(xs, points, strict=True):
        draw.text((x, HEIGHT - BOTTOM + 8), f"{point.start:%d %b}", fill=(97, 96, 97), font=small, anchor="mt")
    for key, _, colour in SERIES:
        run: list[tuple[float, float]] = []
        for x, point in zip(xs, points, strict=True):
            value = getattr(point, key)
            if value is None:
                run = []
                continue
            xy = (x, TOP + plot_h - plot_h * value)
            if run:
                draw.line((*run[-1], *xy), fill=colour, width=3)
            run.append(xy)
            draw.ellipse((xy[0] - 4, xy[1] - 4, xy[0] + 4, xy[1] + 4), fill=colour)
    legend_x = WIDTH - RIGHT
    for _, label, colour in reversed(SERIES):
        width = draw.textlength(label, font=small)
        legend_x -= width + 8
        draw.text((legend_x, 18), label, fill=(29, 28, 29), font=small)
        legend_x -= 18
        draw.rectangle((legend_x, 20, legend_x + 12, 30), fill=colour)
        legend_x -= 14
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


async def chart_view(request: web.Request) -> web.StreamResponse:
    try:
        points, end = await request.app[REPORTS].chart(request.match_info["token"])
    except NotFound as exc:
        return error(404, "not_found", str(exc))
    last_day = end.date() - timedelta(days=1)  # the chart runs up to, not including, the digest's day
    png = await asyncio.to_thread(render_png, points, f"Weekly trend · {len(points)} weeks to {last_day:%d %b %Y}")
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


def install(app: web.Application) -> None:
    app.router.add_get("/charts/{token}.png", chart_view)  # the digest's trend image, fetched by Slack/Teams
