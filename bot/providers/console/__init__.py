"""The console channel, whole: nothing leaves the machine. parse.py (a typed message into an
`InboundMessage`; nothing to verify), send.py (the dispatcher's `ChannelAdapter`, which logs) and
webhooks.py (the route, enabled by KENTONGAN_CONSOLE_ENABLED)."""
