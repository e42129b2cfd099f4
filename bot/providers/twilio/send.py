"""Sending through the Twilio Messages API (SMS and WhatsApp): the dispatcher's `ChannelAdapter`.

httpx directly rather than the twilio SDK's client: the SDK's async client retries POSTs on 5xx by
itself (a message can go twice) and adds a layer the dispatcher does not need; the SDK still does
what it is best at here (signature validation in verify.py, TwiML in webhooks.py).
"""

import json

import httpx

from bot.providers.http import ErrorCodes, error_body, unreachable
from broadcasts.channel import OutgoingMessage, SendOutcome, SendResult
from models import Channel

WHATSAPP = "whatsapp:"
MAX_VALIDITY = 36_000  # Twilio's ValidityPeriod ceiling, seconds

CODES = ErrorCodes(
    retry=frozenset({20429, 21611, 63018, 20500, 20503}),
    opted_out=frozenset({21610}),
    needs_template=frozenset({63016}),
    retry_on_credentials=True,
)


class TwilioAdapter:
    """Sends one channel (SMS or WhatsApp) through one Twilio account."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        channel: Channel,
        account_sid: str,
        auth_token: str,
        api_base: str,
        status_callback_base: str,
    ) -> None:
        self.channel = channel
        self._client = client
        self._auth = (account_sid, auth_token)
        self._url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._callback = f"{status_callback_base.rstrip('/')}/webhooks/twilio/status"

    async def send(self, message: OutgoingMessage) -> SendResult:
        """POST the message; map Twilio's answer to the dispatcher's outcome."""
        prefix = WHATSAPP if self.channel == Channel.TWILIO_WHATSAPP else ""
        form: dict[str, str] = {
            "To": prefix + message.to,
            "From": prefix + message.sender,
            "StatusCallback": f"{self._callback}?o={message.outbox_id}",
        }
        if message.template is not None:
            form["ContentSid"] = message.template.name
            variables = {str(i): value for i, value in enumerate(message.template.variables, start=1)}
            form["ContentVariables"] = json.dumps(variables, ensure_ascii=False)
        else:
            form["Body"] = message.body
        if message.validity_seconds:
            form["ValidityPeriod"] = str(min(message.validity_seconds, MAX_VALIDITY))
        try:
            response = await self._client.post(self._url, data=form, auth=self._auth)
        except httpx.TransportError as error:
            return unreachable(error)
        if response.status_code in (200, 201):
            sid = error_body(response).get("sid")
            return SendResult(SendOutcome.ACCEPTED, provider_id=str(sid) if sid else None)
        return self._error(response)

    @staticmethod
    def _error(response: httpx.Response) -> SendResult:
        body = error_body(response)
        raw_code = body.get("code")
        code = int(raw_code) if isinstance(raw_code, int | str) and str(raw_code).isdigit() else None
        text = str(body.get("message", response.text))[:200]
        return CODES.result(response, code, text)
