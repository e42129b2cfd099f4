"""Choosing a contact's channel."""

from broadcasts.routing import Route, choose
from models import Channel, IdentityKind

PHONE = {IdentityKind.PHONE: "+6281234500001"}
ALL = {
    Channel.WHATSAPP_CLOUD: "100000000000001",
    Channel.TWILIO_WHATSAPP: "+62800000001",
    Channel.SMSGATE: "demo-phone",
    Channel.TWILIO_SMS: "+62800000001",
    Channel.CONSOLE: "+62800000001",
}


def test_preferred_channel_wins_when_the_village_has_it() -> None:
    route = choose(identities=PHONE, village_addresses=ALL, available=set(ALL), preferred=Channel.SMSGATE)
    assert route == Route(Channel.SMSGATE, "demo-phone", "+6281234500001")


def test_without_preference_whatsapp_then_the_village_sim() -> None:
    assert choose(identities=PHONE, village_addresses=ALL, available=set(ALL)) == Route(
        Channel.WHATSAPP_CLOUD, "100000000000001", "+6281234500001"
    )
    only_sms = {Channel.SMSGATE, Channel.TWILIO_SMS}
    assert choose(identities=PHONE, village_addresses=ALL, available=only_sms) == Route(
        Channel.SMSGATE, "demo-phone", "+6281234500001"
    )


def test_a_preference_the_village_lacks_falls_back() -> None:
    addresses = {Channel.TWILIO_SMS: "+62800000001"}
    route = choose(
        identities=PHONE, village_addresses=addresses, available=set(ALL), preferred=Channel.SMSGATE
    )
    assert route == Route(Channel.TWILIO_SMS, "+62800000001", "+6281234500001")


def test_a_whatsapp_user_without_phone_only_on_whatsapp() -> None:
    user = {IdentityKind.WHATSAPP_USER: "US.1349120865"}
    assert choose(
        identities=user, village_addresses=ALL, available=set(ALL), preferred=Channel.SMSGATE
    ) == Route(Channel.WHATSAPP_CLOUD, "100000000000001", "US.1349120865")
    no_whatsapp = {Channel.SMSGATE: "demo-phone"}
    assert choose(identities=user, village_addresses=no_whatsapp, available=set(ALL)) is None
