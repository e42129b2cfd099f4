"""Meta's WhatsApp Cloud API, whole: parse.py (webhook events into `InboundMessage` and `StatusUpdate`),
verify.py (X-Hub-Signature-256 and the subscription handshake), send.py (the dispatcher's
`ChannelAdapter`: text inside the 24-hour window, templates outside it) and webhooks.py (the routes)."""
