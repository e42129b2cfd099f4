"""Twilio SMS and WhatsApp, whole: parse.py (webhook forms into `InboundMessage` and `StatusUpdate`),
verify.py (X-Twilio-Signature), send.py (the dispatcher's `ChannelAdapter`, over the Messages API) and
webhooks.py (the routes)."""
