"""Sending through the Meta WhatsApp Cloud API, the dispatcher's `ChannelAdapter`: text inside the
24-hour window, approved templates outside it."""

import httpx

from bot.providers.http import ErrorCodes, error_body, unreachable
from broadcasts.channel import OutgoingMessage, SendOutcome, SendResult
from models import Channel

CODES = ErrorCodes(
    retry=frozenset({130429, 131056, 131048, 131000, 2, 4, 80007, 190}),  # 190: token; an operator renews it
    opted_out=frozenset({131050}),
    needs_template=frozenset({131047}),
    undeliverable=frozenset({131026}),
)


class WhatsAppCloudAdapter:
    """Sends from the village's phone number id with the business's access token."""

    channel = Channel.WHATSAPP_CLOUD

    def __init__(self, client: httpx.AsyncClient, *, access_token: str, api_base: str) -> None:
        self._client = client
        self._base = api_base.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}

    async def send(self, message: OutgoingMessage) -> SendResult:
        """POST /{phone_number_id}/messages; map Meta's answer to the dispatcher's outcome."""
        to = message.to.removeprefix("+")
        payload: dict[str, object] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
        }
        if message.template is not None:
            parameters = [{"type": "text", "text": value} for value in message.template.variables]
            template: dict[str, object] = {
                "name": message.template.name,
                "language": {"code": message.template.language},
            }
            if parameters:
                template["components"] = [{"type": "body", "parameters": parameters}]
            payload.update(type="template", template=template)
        else:
            payload.update(type="text", text={"preview_url": False, "body": message.body})
        try:
            response = await self._client.post(
                f"{self._base}/{message.sender}/messages", json=payload, headers=self._headers
            )
        except httpx.TransportError as error:
            return unreachable(error)
        body = error_body(response)
        if response.status_code == 200:
            messages = body.get("messages")
            wamid = messages[0].get("id") if isinstance(messages, list) and messages else None
            return SendResult(SendOutcome.ACCEPTED, provider_id=str(wamid) if wamid else None)
        details = body.get("error")
        problem: dict[str, object] = details if isinstance(details, dict) else {}
        raw_code = problem.get("code")
        code = int(raw_code) if isinstance(raw_code, int) else None
        text = str(problem.get("message", response.text))[:200]
        return CODES.result(response, code, text)
