"""The Android SMS gateway (capcom6 "SMS Gateway for Android"), whole: parse.py (webhook events into
`InboundMessage` and `StatusUpdate`), verify.py (X-Signature and X-Timestamp), send.py (the dispatcher's
`ChannelAdapter`: a village phone's SIM sends the SMS) and webhooks.py (the route)."""
