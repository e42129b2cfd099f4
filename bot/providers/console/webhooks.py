"""The console channel's webhook: the same pipeline as the providers', for the demo, training and tests;
the replies come back in the response."""

from fastapi import APIRouter
from pydantic import BaseModel

from bot.deps import InboundDep, NowDep, SettingsDep
from bot.providers.console.parse import ConsoleMessage, parse_message
from models.errors import NotFound

router = APIRouter(tags=["webhooks"])


class ConsoleReply(BaseModel):
    """What Kentongan answered."""

    replies: list[str]
    duplicate: bool = False
    ticket: str | None = None


@router.post("/webhooks/console")
async def console_inbound(
    body: ConsoleMessage, settings: SettingsDep, service: InboundDep, now: NowDep
) -> ConsoleReply:
    """The console channel: the same pipeline, for the demo, training and tests."""
    if not settings.console_enabled:
        raise NotFound("the console channel is not enabled")
    message = parse_message(body)
    outcome = await service.handle_async(message, now=now)
    return ConsoleReply(
        replies=list(outcome.replies), duplicate=outcome.duplicate, ticket=outcome.ticket_code
    )
