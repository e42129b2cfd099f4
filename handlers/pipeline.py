"""The inbound pipeline: store once, understand, act, word the reply.

The caller (bot/) owns the transaction. `receive` inserts the message row first, so a provider's
concurrent retry of the same message blocks on the unique (channel, provider_id) key and then fails;
the caller rolls back and calls `replay`, which returns the answer the first delivery got.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from broadcasts.sms import sanitize
from handlers import answers, contacts, tickets
from handlers.inbound import InboundMessage, Outcome
from handlers.understand import Understanding, understand
from models import (
    Category,
    Contact,
    Direction,
    Intent,
    Message,
    Pending,
    SubscriptionState,
    Ticket,
    Village,
)
from models import texts as t

REPLY_SEPARATOR = "\f"
# Keywords that always mean what they say, even while a complaint waits for its description.
COMMAND_KEYWORDS = frozenset(
    {"CEK", "JADWAL", "DANA", "SANKSI", "PROGRAM", "LAYANAN", "DAFTAR", "BERHENTI", "MENU"}
)
COMPLAINT_DETAIL_WAIT = timedelta(minutes=30)
TICKET_DESCRIPTION_WAIT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Limits:
    """Flood control per sender number."""

    max_new_tickets_per_hour: int = 5
    max_identical_replies: int = 3
    identical_reply_window: timedelta = timedelta(minutes=5)


def replay(message: InboundMessage, *, session: Session) -> Outcome | None:
    """The answer already given to this provider message, or None when it was never stored."""
    row = session.exec(
        select(Message).where(
            Message.channel == message.channel,
            Message.provider_id == message.provider_id,
            Message.direction == Direction.IN,
        )
    ).first()
    if row is None:
        return None
    assert row.id is not None
    replies = tuple(r for r in (row.reply or "").split(REPLY_SEPARATOR) if r)
    return Outcome(replies=replies, message_id=row.id, duplicate=True, intent=row.intent)


def receive(
    message: InboundMessage, *, session: Session, now: datetime, limits: Limits = Limits()
) -> Outcome:
    """Handle one inbound message exactly once and return the replies to send."""
    previous = replay(message, session=session)
    if previous is not None:
        return previous
    village = contacts.get_village_by_address(session=session, channel=message.channel, address=message.to)
    assert village.id is not None
    contact = contacts.get_or_create_contact(
        session=session,
        village_id=village.id,
        kind=message.sender_kind,
        value=message.sender,
        name=message.profile_name,
        channel=message.channel,
    )
    assert contact.id is not None
    media = [{"url": m.url, "content_type": m.content_type} for m in message.media]
    row = Message(
        village_id=village.id,
        contact_id=contact.id,
        direction=Direction.IN,
        channel=message.channel,
        provider_id=message.provider_id,
        sender=message.sender,
        recipient=message.to,
        body=message.text,
        media=media,
        raw=dict(message.raw),
        created_at=now,
    )
    session.add(row)
    session.flush()  # a concurrent duplicate fails here, before anything else is done
    assert row.id is not None
    contact.last_inbound_at = now
    if message.channel.is_whatsapp:
        contact.whatsapp_last_inbound_at = now

    turn = _Turn(
        session=session, village=village, contact=contact, message=message, row=row, now=now, limits=limits
    )
    replies = turn.act()
    sent = _loop_guard(session, contact, replies, now, limits, row)
    row.reply = REPLY_SEPARATOR.join(sent)
    for text in sent:
        session.add(
            Message(
                village_id=village.id,
                contact_id=contact.id,
                direction=Direction.OUT,
                channel=message.channel,
                sender=message.to,
                recipient=message.sender,
                body=text,
                reply_to_id=row.id,
                created_at=now,
            )
        )
    return Outcome(replies=tuple(sent), message_id=row.id, ticket_code=turn.ticket_code, intent=row.intent)


def _loop_guard(
    session: Session, contact: Contact, replies: list[str], now: datetime, limits: Limits, row: Message
) -> list[str]:
    """Drop a reply already sent identically too often lately: two auto-responders must not talk forever."""
    since = now - limits.identical_reply_window
    kept = []
    for text in replies:
        count = session.exec(
            select(func.count())
            .select_from(Message)
            .where(
                Message.contact_id == contact.id,
                Message.direction == Direction.OUT,
                Message.created_at >= since,
                Message.body == text,
            )
        ).one()
        if count < limits.max_identical_replies:
            kept.append(text)
        else:
            row.note = "loop_guard"
    return kept


@dataclass
class _Turn:
    """One message being acted on: the pieces every step needs."""

    session: Session
    village: Village
    contact: Contact
    message: InboundMessage
    row: Message
    now: datetime
    limits: Limits
    ticket_code: str | None = None

    @property
    def village_id(self) -> int:
        assert self.village.id is not None
        return self.village.id

    def act(self) -> list[str]:
        text = self.message.text.strip()
        dusun_names = contacts.list_dusun_names(session=self.session, village_id=self.village_id)
        meaning = understand(text, dusun_names=dusun_names)
        pending = self._pending()
        if pending is not Pending.NONE and meaning.keyword not in COMMAND_KEYWORDS:
            if pending is Pending.COMPLAINT_DETAIL:
                self._clear_pending()
                if text or self.message.media:
                    self.row.intent = Intent.COMPLAINT
                    return self._complaint(meaning, forced=True)
            elif pending is Pending.TICKET_DESCRIPTION and (text or self.message.media):
                return self._describe_pending_ticket(text)
        if pending is not Pending.NONE and meaning.keyword in COMMAND_KEYWORDS:
            self._clear_pending()

        if not text and self.message.media:
            self.row.intent = Intent.COMPLAINT
            return self._complaint(meaning, forced=True)
        self.row.intent = meaning.intent
        if not text:
            return [t.EMPTY]
        if meaning.intent == Intent.COMPLAINT:
            return self._complaint(meaning)
        if meaning.intent == Intent.STATUS:
            return [self._status(meaning.code)]
        if meaning.intent == Intent.INFO and meaning.topic is not None:
            return [
                answers.answer(
                    session=self.session,
                    village=self.village,
                    topic=meaning.topic,
                    page=meaning.page or 1,
                    now=self.now,
                    dusun=self.contact.dusun,
                )
            ]
        if meaning.intent == Intent.SUBSCRIBE:
            return [self._subscribe(meaning)]
        if meaning.intent == Intent.UNSUBSCRIBE:
            return [self._unsubscribe()]
        if meaning.intent == Intent.HELP or meaning.intent == Intent.INFO:
            return [t.MENU.format(desa=self.village.name)]
        return [t.OTHER]

    # --- complaints ----------------------------------------------------------------------------

    def _complaint(self, meaning: Understanding, forced: bool = False) -> list[str]:
        detail = meaning.detail if not forced or meaning.keyword else self.message.text.strip()
        media = [{"url": m.url, "content_type": m.content_type} for m in self.message.media]
        if not detail and not media:
            self._set_pending(Pending.COMPLAINT_DETAIL, None, COMPLAINT_DETAIL_WAIT)
            return [t.COMPLAINT_ASK_DETAIL]
        since = self.now - timedelta(hours=1)
        recent = tickets.count_recent_by_reporter(
            session=self.session, reporter_id=self._contact_id, since=since
        )
        if recent >= self.limits.max_new_tickets_per_hour:
            self.row.note = "rate_limited"
            return [t.COMPLAINT_RATE_LIMITED.format(n=recent)]
        category = meaning.category
        if forced and meaning.intent != Intent.COMPLAINT:
            category = None  # the words were read for another intent; leave the category for the cadre
        ticket = tickets.create(
            session=self.session,
            village_id=self.village_id,
            reporter_id=self._contact_id,
            text=detail,
            category=category or Category.LAINNYA,
            now=self.now,
            channel=self.message.channel,
            about_head=meaning.about_head,
            anonymous=meaning.anonymous,
            confidential=meaning.confidential,
            dusun=meaning.location.dusun,
            rw=meaning.location.rw,
            rt=meaning.location.rt,
            media=media,
        )
        self.row.ticket_id = ticket.id
        self.ticket_code = ticket.code
        if not detail:
            self._set_pending(Pending.TICKET_DESCRIPTION, ticket.id, TICKET_DESCRIPTION_WAIT)
            return [t.COMPLAINT_PHOTO_ONLY.format(code=ticket.code)]
        template = t.COMPLAINT_CREATED_BPD if ticket.about_head else t.COMPLAINT_CREATED
        reply = template.format(code=ticket.code)
        if ticket.anonymous or ticket.confidential:
            reply += t.COMPLAINT_PRIVATE_SUFFIX
        return [reply]

    def _describe_pending_ticket(self, text: str) -> list[str]:
        ticket = (
            self.session.get(Ticket, self.contact.pending_ticket_id)
            if self.contact.pending_ticket_id
            else None
        )
        self._clear_pending()
        if ticket is None:
            return [t.COMPLAINT_ASK_DETAIL]
        self.row.intent = Intent.COMPLAINT
        self.row.ticket_id = ticket.id
        self.ticket_code = ticket.code
        if self.message.media:
            media = [{"url": m.url, "content_type": m.content_type} for m in self.message.media]
            tickets.add_media(session=self.session, ticket=ticket, media=media, now=self.now)
        if not text:
            return [t.COMPLAINT_MEDIA_ADDED.format(code=ticket.code)]
        tickets.add_detail(session=self.session, ticket=ticket, text=text, now=self.now)
        refined = understand(text)
        if ticket.category == Category.LAINNYA and refined.category not in (None, Category.LAINNYA):
            ticket.category = refined.category or Category.LAINNYA
        ticket.about_head = ticket.about_head or refined.about_head
        ticket.dusun = ticket.dusun or refined.location.dusun
        ticket.rw = ticket.rw or refined.location.rw
        ticket.rt = ticket.rt or refined.location.rt
        return [t.COMPLAINT_DETAIL_ADDED.format(code=ticket.code)]

    # --- status --------------------------------------------------------------------------------

    def _status(self, code: str | None) -> str:
        if code is None:
            mine = tickets.list_open_for_reporter(session=self.session, reporter_id=self._contact_id, limit=4)
            if not mine:
                return t.STATUS_NONE
            items = ", ".join(f"{tk.code} ({tk.status.label})" for tk in mine)
            return t.STATUS_LIST.format(items=items)
        ticket = tickets.get_by_code(session=self.session, village_id=self.village_id, code=code)
        if ticket is None:
            return t.STATUS_UNKNOWN.format(code=code)
        status = ticket.status.label
        if ticket.reporter_id != self.contact.id:
            return t.STATUS_OTHER.format(code=ticket.code, status=status)
        assert ticket.id is not None
        note = tickets.last_public_note(session=self.session, ticket_id=ticket.id)
        reply = t.STATUS_OWN.format(
            code=ticket.code,
            category=ticket.category.label,
            status=status,
            note=t.STATUS_NOTE.format(note=note) if note else "",
        )
        return sanitize(reply)

    # --- subscriptions -------------------------------------------------------------------------

    def _subscribe(self, meaning: Understanding) -> str:
        topics = [topic.value for topic in meaning.topics]
        changed = contacts.set_subscription(
            session=self.session,
            contact=self.contact,
            state=SubscriptionState.SUBSCRIBED,
            source="keyword",
            now=self.now,
            channel=self.message.channel,
            evidence=self.message.text,
            message_id=self.row.id,
            topics=topics,
        )
        what = " & ".join(t.TOPIC_NAMES[topic] for topic in topics) if topics else t.ALL_TOPICS
        template = t.SUBSCRIBED if changed else t.ALREADY_SUBSCRIBED
        return template.format(what=what, desa=self.village.name)

    def _unsubscribe(self) -> str:
        if self.contact.subscription != SubscriptionState.SUBSCRIBED:
            # Record the wish anyway: a contact imported later must not be subscribed against it.
            contacts.set_subscription(
                session=self.session,
                contact=self.contact,
                state=SubscriptionState.UNSUBSCRIBED,
                source="keyword",
                now=self.now,
                channel=self.message.channel,
                evidence=self.message.text,
                message_id=self.row.id,
            )
            return t.NOT_SUBSCRIBED.format(desa=self.village.name)
        contacts.set_subscription(
            session=self.session,
            contact=self.contact,
            state=SubscriptionState.UNSUBSCRIBED,
            source="keyword",
            now=self.now,
            channel=self.message.channel,
            evidence=self.message.text,
            message_id=self.row.id,
        )
        return t.UNSUBSCRIBED.format(desa=self.village.name)

    # --- conversation state --------------------------------------------------------------------

    @property
    def _contact_id(self) -> int:
        assert self.contact.id is not None
        return self.contact.id

    def _pending(self) -> Pending:
        c = self.contact
        if c.pending == Pending.NONE or c.pending_until is None or c.pending_until < self.now:
            return Pending.NONE
        return Pending(c.pending)

    def _set_pending(self, pending: Pending, ticket_id: int | None, wait: timedelta) -> None:
        self.contact.pending = pending
        self.contact.pending_ticket_id = ticket_id
        self.contact.pending_until = self.now + wait

    def _clear_pending(self) -> None:
        self.contact.pending = Pending.NONE
        self.contact.pending_ticket_id = None
        self.contact.pending_until = None
