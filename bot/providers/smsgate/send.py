"""Sending through the Android SMS gateway (capcom6 SMS Gateway for Android), the dispatcher's
`ChannelAdapter`: a village phone's SIM sends the SMS.

Our outbox row id is the gateway's message id, so a send repeated after a crash is refused with 409 and
never reaches the resident twice.
"""

import httpx

from bot.providers.http import error_body, retry_after
from broadcasts.channel import OutgoingMessage, SendOutcome, SendResult
from models import Channel

DEFAULT_TTL = 6 * 3600  # seconds a message may wait on the phone before the gateway drops it


class SmsGateAdapter:
    """Sends through the gateway's server API (cloud, private server, or the phone's local server)."""

    channel = Channel.SMSGATE

    def __init__(self, client: httpx.AsyncClient, *, url: str, username: str, password: str) -> None:
        self._client = client
        base = url.rstrip("/")
        # The phone's local server takes /message; the server modes take /messages under /3rdparty/v1.
        self._url = base if base.endswith(("/message", "/messages")) else f"{base}/messages"
        self._auth = (username, password)

    async def send(self, message: OutgoingMessage) -> SendResult:
        """POST the message with our id; 409 means the gateway already has it."""
        payload = {
            "id": str(message.outbox_id),
            "textMessage": {"text": message.body},
            "phoneNumbers": [message.to],
            "ttl": message.validity_seconds or DEFAULT_TTL,
            "withDeliveryReport": True,
        }
        try:
            response = await self._client.post(self._url, json=payload, auth=self._auth)
        except httpx.TransportError as error:
            return SendResult(SendOutcome.RETRY, error_message=f"{type(error).__name__}: {error}"[:200])
        if response.status_code in (200, 201, 202):
            return SendResult(SendOutcome.ACCEPTED, provider_id=str(message.outbox_id))
        if response.status_code == 409:
            return SendResult(SendOutcome.ALREADY_SENT, provider_id=str(message.outbox_id))
        text = str(error_body(response).get("message", response.text))[:200]
        code = str(response.status_code)
        if response.status_code in (401, 403, 408, 429) or response.status_code >= 500:
            return SendResult(
                SendOutcome.RETRY, error_code=code, error_message=text, retry_after=retry_after(response)
            )
        return SendResult(SendOutcome.FAILED, error_code=code, error_message=text)
