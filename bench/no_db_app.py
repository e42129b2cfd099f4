"""An upper bound for the real endpoint: everything the webhook does except the database.

Same form parsing, signature check, Twilio field parsing, understanding and TwiML as bot/, but no
storage: the distance between this and the bare endpoint is the cost of the work itself.
"""

from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

from bot.providers.twilio.parse import parse_inbound
from bot.providers.twilio.verify import signature_is_valid
from bot.providers.twilio.webhooks import twiml
from handlers.understand import understand

app = FastAPI()
TOKEN = "bench-auth-token"
URL = "http://bench.kentongan.test/webhooks/twilio"


@app.post("/webhooks/twilio")
async def twilio(request: Request) -> Response:
    """Verify, parse, understand and answer; store nothing."""
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    if not signature_is_valid(TOKEN, URL, form, request.headers.get("X-Twilio-Signature", "")):
        return Response(status_code=403)
    meaning = understand(parse_inbound(form).text)
    reply = f"Terima kasih, aduan Anda diterima ({meaning.intent})."
    return Response(twiml((reply,)), media_type="text/xml")
