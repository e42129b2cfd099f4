"""What a message carries besides its words: naming it in replies, and keeping a shared place.

A photo, voice note, video, document or location sent alone opens a complaint that waits for its
description (handlers/pipeline.py), and the reply names what came. A location is kept on the message
(message.location) and, as a line of text, on the ticket it opens or joins: "Lokasi: lat,long (label,
address)", so staff read it wherever they read the complaint. Content with no text to read (a contact
card, an order, a form, a kind the provider could not show) is answered with what came and what to do.
"""

import mimetypes
from collections.abc import Sequence
from urllib.parse import urlsplit

from handlers.inbound import InboundMessage, Media
from models import texts as t

_KINDS = ("image", "audio", "video")


def media_kind(media: Media) -> str:
    """image, audio, video or document by content type ("audio/ogg; codecs=opus" is audio), else by the
    URL's file name (the console gives no type); "other" when neither tells."""
    content_type = media.content_type or mimetypes.guess_type(urlsplit(media.url).path)[0] or ""
    if not content_type:
        return "other"
    major = content_type.split("/", 1)[0].strip().lower()
    return major if major in _KINDS else "document"


def name(message: InboundMessage) -> str:
    """What the message carries, as a reply names it: Foto, Pesan suara, Video, Dokumen, Lampiran (of
    several kinds, or unknown), Lokasi."""
    return t.ATTACHMENT_NAMES[_kind(message.media) if message.media else "location"]


def _kind(media: Sequence[Media]) -> str:
    kinds = {media_kind(item) for item in media}
    return kinds.pop() if len(kinds) == 1 else "other"


def nothing_to_read(message: InboundMessage) -> str:
    """The answer to a message with no text (nor anything a complaint keeps): it is empty, or it held
    what cannot be read here, named when it can be."""
    if message.unreadable is None:
        return t.EMPTY
    what = t.UNREADABLE_NAMES.get(message.unreadable)
    return t.UNREADABLE.format(what=what) if what else t.UNREADABLE_UNKNOWN


def ask_description(message: InboundMessage, code: str) -> str:
    """The answer to a complaint opened with no words: what came, the code, and a request for them."""
    if message.location is not None and not message.media:
        return t.COMPLAINT_LOCATION_ONLY.format(code=code)
    return t.COMPLAINT_ATTACHMENT_ONLY.format(what=name(message), code=code)


def added(message: InboundMessage, code: str) -> str:
    """The answer to more attachments for a complaint that still waits for its description."""
    return t.COMPLAINT_ATTACHMENT_ADDED.format(what=name(message), code=code)


def ticket_text(detail: str, message: InboundMessage) -> str:
    """A new ticket's text: the resident's words, and the place they shared."""
    if message.location is None:
        return detail
    return f"{detail}\n{message.location.text()}" if detail else message.location.text()
