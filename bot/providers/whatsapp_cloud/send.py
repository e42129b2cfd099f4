"""Sending through the Meta WhatsApp Cloud API, the dispatcher's `ChannelAdapter`: text inside the
24-hour window, approved templates outside it."""

import httpx

from bot.providers.http import error_body, retry_after
from broadcasts.channel import OutgoingMessage, SendOutcome, SendResult
from models import Channel

RETRY_CODES = frozenset(
    {130429, 131056, 131048, 131000, 2, 4, 80007, 190}
)  # 190: token; an operator renews it
OPT_OUT_CODES = frozenset({131050})
TEMPLATE_NEEDED_CODES = frozenset({131047})
UNDELIVERABLE_CODES = frozenset({131026})


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
            return SendResult(SendOutcome.RETRY, error_message=f"{type(error).__name__}: {error}"[:200])
        body = error_body(response)
        if response.status_code == 200:
            messages = body.get("messages")
            wamid = messages[0].get("id") if isinstance(messages, list) and messages else None
            return SendResult(SendOutcome.ACCEPTED, provider_id=str(wamid) if wamid else None)
        details = body.get("error")
        problem: dict[str, object] = details if isinstance(details, dict) else {}
        raw_code = problem.get("code")
        code = int(raw_code) if isinstance(raw_code, int) else None
        code_text = str(code) if code is not None else str(response.status_code)
        text = str(problem.get("message", response.text))[:200]
        if response.status_code == 429 or response.status_code >= 500 or code in RETRY_CODES:
            return SendResult(
                SendOutcome.RETRY, error_code=code_text, error_message=text, retry_after=retry_after(response)
            )
        if code in OPT_OUT_CODES:
            return SendResult(SendOutcome.OPTED_OUT, error_code=code_text, error_message=text)
        if code in TEMPLATE_NEEDED_CODES:
            return SendResult(SendOutcome.NEEDS_TEMPLATE, error_code=code_text, error_message=text)
        if code in UNDELIVERABLE_CODES:
            return SendResult(SendOutcome.UNDELIVERABLE, error_code=code_text, error_message=text)
        return SendResult(SendOutcome.FAILED, error_code=code_text, error_message=text)
