"""The baseline: a bare FastAPI endpoint answering a constant TwiML, served with the same settings."""

from fastapi import FastAPI, Response

app = FastAPI()
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>OK</Message></Response>'


@app.post("/webhooks/twilio")
def twilio() -> Response:
    """Answer at once."""
    return Response(TWIML, media_type="text/xml")
