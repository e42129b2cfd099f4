"""The providers Kentongan talks to, one package each, every one holding its whole protocol:

    twilio/          Twilio SMS and WhatsApp
    whatsapp_cloud/  Meta's WhatsApp Cloud API
    smsgate/         the Android SMS gateway (a village phone's SIM)
    console/         the console channel: nothing leaves the machine

    parse.py     provider payloads into `InboundMessage` (handlers.inbound) and `StatusUpdate`
                 (broadcasts.channel)
    verify.py    the webhook's signature check, as the request dependency its routes take (not the console)
    send.py      the `ChannelAdapter` (broadcasts.channel) the dispatcher sends through
    webhooks.py  the provider's routes (one router, included by bot/app.py)

Shared by all of them: http.py (the one HTTP client and its error helpers), media.py (which media URLs
are kept), registry.py (which providers the settings configure, and their adapters) and webhooks.py
(what every webhook answers, and how messages and status reports go on).
"""
