"""The providers these settings configure, and the dispatcher's `ChannelAdapter` for each, over one
shared HTTP client (http.py)."""

import httpx

from bot.providers.console.send import ConsoleAdapter
from bot.providers.smsgate.send import SmsGateAdapter
from bot.providers.twilio.send import TwilioAdapter
from bot.providers.whatsapp_cloud.send import WhatsAppCloudAdapter
from bot.settings import Settings
from broadcasts.channel import ChannelAdapter
from models import Channel


def configured_channels(settings: Settings) -> set[Channel]:
    """The channels these settings can send through."""
    channels = {Channel.CONSOLE} if settings.console_enabled else set()
    if settings.twilio_account_sid and settings.twilio_auth_token.get_secret_value():
        channels |= {Channel.TWILIO_SMS, Channel.TWILIO_WHATSAPP}
    if settings.whatsapp_access_token.get_secret_value():
        channels.add(Channel.WHATSAPP_CLOUD)
    if settings.smsgate_url:
        channels.add(Channel.SMSGATE)
    return channels


def build_adapters(settings: Settings, client: httpx.AsyncClient) -> dict[Channel, ChannelAdapter]:
    """An adapter for each channel the settings configure (the console one when it is enabled)."""
    adapters: dict[Channel, ChannelAdapter] = {}
    if settings.console_enabled:
        adapters[Channel.CONSOLE] = ConsoleAdapter()
    token = settings.twilio_auth_token.get_secret_value()
    if settings.twilio_account_sid and token:
        for channel in (Channel.TWILIO_SMS, Channel.TWILIO_WHATSAPP):
            adapters[channel] = TwilioAdapter(
                client,
                channel=channel,
                account_sid=settings.twilio_account_sid,
                auth_token=token,
                api_base=settings.twilio_api_base,
                status_callback_base=settings.public_base_url,
            )
    if settings.whatsapp_access_token.get_secret_value():
        adapters[Channel.WHATSAPP_CLOUD] = WhatsAppCloudAdapter(
            client,
            access_token=settings.whatsapp_access_token.get_secret_value(),
            api_base=settings.whatsapp_api_base,
        )
    if settings.smsgate_url:
        adapters[Channel.SMSGATE] = SmsGateAdapter(
            client,
            url=settings.smsgate_url,
            username=settings.smsgate_username,
            password=settings.smsgate_password.get_secret_value(),
        )
    return adapters
