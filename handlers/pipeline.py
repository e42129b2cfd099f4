"""The inbound pipeline: store once, understand once, act, word the reply. Replies about a subject come
from its module: CEK from handlers/ticket_status.py, questions from handlers/answers.py, staff commands
from handlers/staff_commands, a ticket's life from handlers/lifecycle.py.

The caller (bot/) owns the transaction. `receive` inserts the message row first, so a provider's
concurrent retry of the same message blocks on the unique (channel, provider_id) key and then fails;
the caller rolls back and calls `replay`, which returns the answer the first delivery got.
"""

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlmodel import Session, col

from broadcasts import outbox, window
from broadcasts.sms import analyse
from handlers import (
    answers,
    attachments,
    contacts,
    lifecycle,
    revisions,
    staff_commands,
    ticket_status,
    tickets,
)
from handlers.confirm_fix import read_confirm
from handlers.contacts import ContactState, Directory, VillageInfo
from handlers.inbound import InboundMessage, Outcome
from handlers.normalize import normalize
from handlers.understand import Understanding, understand
from models import (
    RANK,
    Category,
    Channel,
    DeliveryStatus,
    Direction,
    IdentityKind,
    Intent,
    Lane,
    OutboxSource,
    Pending,
    SubscriptionState,
    Ticket,
)
from models import texts as t
from models.phone import sender_e164
from models.tables import MESSAGE

# Statements built once: building them per message costs more than running them.
_INSERT_MESSAGE = insert(MESSAGE).returning(MESSAGE.c.id)
_UPDATE_MESSAGE = update(MESSAGE).where(MESSAGE.c.id == bindparam("message_id"))
_FIND_MESSAGE = select(MESSAGE.c.id, MESSAGE.c.reply, MESSAGE.c.intent).where(
    MESSAGE.c.channel == bindparam("channel"),
    MESSAGE.c.provider_id == bindparam("provider_id"),
    MESSAGE.c.direction == Direction.IN,
)
REPLY_SEPARATOR = "\f"
# Keywords that always mean what they say, even while a complaint waits for its description.
COMMAND_KEYWORDS = frozenset(
    {"CEK", "JADWAL", "DANA", "SANKSI", "PROGRAM", "LAYANAN", "DAFTAR", "BERHENTI", "MENU"}
)
COMPLAINT_DETAIL_WAIT = timedelta(minutes=30)
TICKET_DESCRIPTION_WAIT = timedelta(hours=24)
# A message of only these (normalised), one of them more than a courtesy, is the Islamic greeting,
# answered in kind ("Assalamualaikum pak", "wassalam").
SALAM_COURTESY = frozenset({"pak", "bu", "bapak", "ibu", "min", "admin", "wr", "wb"})
SALAM = SALAM_COURTESY | {
    "assalamualaikum",
    "alaikum",
    "wassalam",
    "wassalamualaikum",
    "salam",
    "warahmatullahi",
    "warahmatullah",
    "wabarakatuh",
    "wabarakatu",
}
QUESTION_KEYWORDS = frozenset({"CEK", "JADWAL", "DANA", "SANKSI", "PROGRAM", "LAYANAN"})  # not MENU: lost
MAKE_PRIVATE_WITHIN = timedelta(hours=1)
FLAGS_KEPT = timedelta(days=1)  # "tolong rahasiakan nama saya" after the report


@dataclass(frozen=True, slots=True)
class Limits:
    """Flood control per sender number."""

    max_new_tickets_per_hour: int = 5
    max_identical_replies: int = 3
    identical_reply_window: timedelta = timedelta(minutes=5)


def replay(message: InboundMessage, *, session: Session) -> Outcome | None:
    """The answer already given to this provider message, or None when it was never stored."""
    params = {"channel": message.channel, "provider_id": message.provider_id}
    row = session.connection().execute(_FIND_MESSAGE, params).first()
    if row is None or row.reply is None:  # never stored, or stored by this very transaction and unanswered
        return None
    replies = tuple(r for r in (row.reply or "").split(REPLY_SEPARATOR) if r)
    return Outcome(replies=replies, message_id=row.id, duplicate=True, intent=row.intent)


def receive(
    message: InboundMessage,
    *,
    session: Session,
    now: datetime,
    directory: Directory,
    limits: Limits = Limits(),
    available: Collection[Channel] = frozenset(Channel),
) -> Outcome:
    """Handle one inbound message exactly once and return the replies to send.

    The message row is inserted first: a concurrent repeat of the same provider id then fails on the
    unique key before doing anything else, and the caller answers it with `replay`.
    """
    village = directory.village_for(session=session, channel=message.channel, address=message.to)
    contact = contacts.get_or_create_contact(
        session=session,
        village_id=village.id,
        kind=message.sender_kind,
        value=message.sender,
        now=now,
        name=message.profile_name,
        channel=message.channel,
    )
    connection = session.connection()
    message_id = _store(connection, message, village.id, contact.id, now)
    turn = _Turn(
        session=session,
        village=village,
        contact=contact,
        message=message,
        message_id=message_id,
        now=now,
        limits=limits,
        available=available,
    )
    # A WhatsApp edit or deletion of an earlier message is applied to it and never answered.
    revised = revisions.apply(
        session=session,
        message=message,
        message_id=message_id,
        village_id=village.id,
        contact_id=contact.id,
        now=now,
        dusun_names=village.dusun_names,
    )
    sent = _answer(turn, revised)
    connection.execute(
        _UPDATE_MESSAGE,
        {
            "message_id": message_id,
            "reply": REPLY_SEPARATOR.join(sent),
            "intent": turn.intent,
            "ticket_id": turn.ticket_id,
            "note": turn.note,
        },
    )
    _queue_replies(session, message, village, contact.id, message_id, sent, now)
    contact.set(last_inbound_at=now)
    if window.opened_by(message.channel):
        contact.set(whatsapp_last_inbound_at=now)
    contacts.save_contact(session=session, contact=contact)
    return Outcome(
        replies=tuple(sent),
        message_id=message_id,
        ticket_code=turn.ticket_code,
        intent=turn.intent,
        scheduled=turn.scheduled,
    )


def _store(
    connection: Connection, message: InboundMessage, village_id: int, contact_id: int, now: datetime
) -> int:
    """Insert the message row (a repeat of its provider id fails here, on the unique key); its id."""
    media = [{"url": m.url, "content_type": m.content_type} for m in message.media]
    message_id: int = connection.execute(
        _INSERT_MESSAGE,
        {
            "village_id": village_id,
            "contact_id": contact_id,
            "direction": Direction.IN,
            "channel": message.channel,
            "provider_id": message.provider_id,
            "sender": message.sender,
            "recipient": message.to,
            "body": message.stored_text,
            "body_cut_from": message.cut_from,
            "media": media,
            "location": message.location.as_json() if message.location else None,
            "raw": dict(message.raw),
            "created_at": now,
        },
    ).scalar_one()
    return message_id


def _answer(turn: "_Turn", revised: revisions.Applied | None) -> list[str]:
    """The replies to the message: none to a sender no SMS can reach or to a WhatsApp edit or deletion
    (`revised`, already applied), else what the turn's subject says, through the loop guard."""
    message = turn.message
    if message.sender_kind == IdentityKind.PHONE and sender_e164(message.sender) != message.sender:
        # An operator's promotion or a short code ("TELKOMSEL", "3636"), or digits that are no valid
        # number ("+6505551212"): kept, never answered (an SMS to it would fail or reach a stranger).
        turn.note = "unreachable_sender"
        return []
    if revised is not None:
        turn.note, turn.intent, turn.ticket_id = revised.note, revised.intent, revised.ticket_id
        return []
    sent = turn.act()
    # Staff are people answering, not auto-responders; but "still waiting for YA" answers anything, an
    # auto-reply from a staff phone too.
    if turn.intent != staff_commands.INTENT or turn.note == staff_commands.WAITING_NOTE:
        sent = _loop_guard(turn, sent)
    return sent


def _queue_replies(
    session: Session,
    message: InboundMessage,
    village: VillageInfo,
    contact_id: int,
    message_id: int,
    sent: list[str],
    now: datetime,
) -> None:
    """Every reply is an outbox row: queued for the dispatcher, or already sent in the webhook's answer
    (`message.reply_inline`)."""
    replies = [
        outbox.row(
            village_id=village.id,
            contact_id=contact_id,
            channel=message.channel,
            sender=message.to,
            recipient=message.sender,
            body=text,
            lane=Lane.URGENT,
            source=OutboxSource.REPLY,
            source_id=message_id,
            now=now,
            prices=village.prices,
        )
        for text in sent
    ]
    if message.reply_inline:
        for reply in replies:
            reply.update(
                status=DeliveryStatus.SENT, status_rank=RANK[DeliveryStatus.SENT], sent_at=now, attempts=1
            )
    outbox.enqueue(session=session, rows=replies)


ABOUT_HEAD, ANONIM, RAHASIA = "about_head", "anonim", "rahasia"


def _not_the_detail(meaning: Understanding) -> bool:
    """While a report waits for its detail: a message that is not it (a question, or only greetings,
    thanks, "ok" or emoji; whatever names a problem is the detail, even in words read as no intent)."""
    if meaning.intent in (Intent.INFO, Intent.HELP):
        return meaning.category is None
    return meaning.intent == Intent.OTHER and not meaning.detail


def _ask_detail(flags: frozenset[str]) -> str:
    """ "Write your complaint", promising only what the flags keep: the name (anonim) or the content
    from the public (rahasia)."""
    if ANONIM in flags:
        return t.COMPLAINT_ASK_DETAIL_PRIVATE
    if RAHASIA in flags:
        return t.COMPLAINT_ASK_DETAIL_CONFIDENTIAL
    return t.COMPLAINT_ASK_DETAIL


def _flags(meaning: Understanding) -> frozenset[str]:
    """The privacy flags a message set, as stored while a two-step report waits for its detail."""
    return frozenset(
        name
        for name, on in (
            (ABOUT_HEAD, meaning.about_head),
            (ANONIM, meaning.anonymous),
            (RAHASIA, meaning.confidential),
        )
        if on
    )


def _loop_guard(turn: "_Turn", replies: list[str]) -> list[str]:
    """Drop a reply sent identically too often in a row lately: two auto-responders must not talk forever."""
    contact, limits, now = turn.contact, turn.limits, turn.now
    kept = []
    for text in replies:
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        since = contact.loop_since
        if (
            contact.loop_digest == digest
            and since is not None
            and now - since < limits.identical_reply_window
        ):
            contact.set(loop_count=contact.loop_count + 1)
        else:
            contact.set(loop_digest=digest, loop_count=1, loop_since=now)
        if contact.loop_count <= limits.max_identical_replies:
            kept.append(text)
        else:
            turn.note = "loop_guard"
    return kept


@dataclass
class _Turn:
    """One message being acted on: the pieces every step needs, and what the step decided."""

    session: Session
    village: VillageInfo
    contact: ContactState
    message: InboundMessage
    message_id: int
    now: datetime
    limits: Limits
    available: Collection[Channel]
    intent: str | None = None
    ticket_id: int | None = None
    ticket_code: str | None = None
    note: str | None = None
    scheduled: tuple[tuple[int, datetime], ...] = ()

    @cached_property
    def meaning(self) -> Understanding:
        """What the message says, understood once per message, and only when something asks (a staff
        command never needs it)."""
        return understand(self.message.text.strip(), dusun_names=self.village.dusun_names)

    def act(self) -> list[str]:
        """Route the message: a staff command, the answer a pending conversation waits for, or what its
        words mean; each reply is built by its subject's module."""
        text = self.message.text.strip()
        if self._for_staff(text):
            handled = staff_commands.handle(
                session=self.session,
                village=self.village,
                contact=self.contact,
                message=self.message,
                message_id=self.message_id,
                now=self.now,
                available=self.available,
            )
            if handled is not None:
                self.intent, self.note = staff_commands.INTENT, handled.note
                self.ticket_id, self.scheduled = handled.ticket_id, handled.scheduled
                return handled.replies
        meaning = self.meaning
        waited = self._pending_answer(text, meaning)
        if waited is not None:
            return waited

        if not text and self.message.attached:  # a photo, voice note, file or location alone
            self.intent = Intent.COMPLAINT
            return self._complaint(meaning, forced=True)
        self.intent = meaning.intent
        if not text:
            return [attachments.nothing_to_read(self.message)]
        if meaning.intent == Intent.COMPLAINT:
            return self._complaint(meaning)
        if meaning.intent == Intent.STATUS:
            return [self._status(meaning.code)]
        if meaning.intent == Intent.INFO and meaning.topic is not None:
            return [
                answers.answer(
                    session=self.session,
                    village_id=self.village.id,
                    timezone=self.village.timezone,
                    topic=meaning.topic,
                    page=meaning.page or 1,
                    now=self.now,
                    dusun=self.contact.dusun,
                    asked="" if meaning.page else text,
                )
            ]
        if meaning.intent == Intent.SUBSCRIBE:
            return [self._subscribe(meaning)]
        if meaning.intent == Intent.UNSUBSCRIBE:
            return [self._unsubscribe()]
        if meaning.intent in (Intent.HELP, Intent.INFO):
            return [t.MENU.format(desa=self.village.name)]
        if meaning.scam:
            self.note = "scam"
            return [t.SCAM_WARNING]
        words = normalize(text).split()
        if SALAM.issuperset(words) and not SALAM_COURTESY.issuperset(words):
            return [t.GREETING]
        return [t.OTHER]

    def _pending_answer(self, text: str, meaning: Understanding) -> list[str] | None:
        """The replies when the message is what a pending conversation waits for (is it fixed? the
        detail of a report, a ticket's description); None to read it as usual (a question in the middle
        of a report is answered, and the report still waits)."""
        pending = self._pending()
        if pending is Pending.CONFIRM_FIX:
            answer = read_confirm(text)
            if answer is not None:
                return self._confirm_fix(fixed=answer[0], detail=answer[1])
            pending = Pending.NONE  # any other message is read as usual; the question stays open
        if pending is not Pending.NONE and meaning.keyword not in COMMAND_KEYWORDS:
            if pending is Pending.COMPLAINT_DETAIL:
                carried = frozenset(filter(None, self.contact.pending_flags.split(",")))
                if not self.message.attached and _not_the_detail(meaning):
                    # "ok pak", a thank-you or an emoji is no report, and a question in plain words is
                    # answered (below): the report still waits, with the promise its first message made.
                    self.contact.set(pending_until=self.now + COMPLAINT_DETAIL_WAIT)
                    if meaning.intent == Intent.OTHER:
                        self.intent = Intent.OTHER
                        return [_ask_detail(carried)]
                else:
                    self._clear_pending()
                    if text or self.message.attached:
                        self.intent = Intent.COMPLAINT
                        return self._complaint(meaning, forced=True, carried=carried)
            elif pending is Pending.TICKET_DESCRIPTION and (text or self.message.attached):
                return self._describe_pending_ticket(text, meaning)
        # A question in the middle of a report ("ADUAN ANONIM", then JADWAL) is answered and the report
        # still waits, with what its first message said; any other keyword ends the wait.
        question = pending is Pending.COMPLAINT_DETAIL and meaning.keyword in QUESTION_KEYWORDS
        if question:
            self.contact.set(pending_until=self.now + COMPLAINT_DETAIL_WAIT)  # the wait starts again
        elif pending is not Pending.NONE and meaning.keyword in COMMAND_KEYWORDS:
            self._clear_pending()
        return None

    # --- complaints ----------------------------------------------------------------------------

    def _complaint(
        self, meaning: Understanding, forced: bool = False, carried: frozenset[str] = frozenset()
    ) -> list[str]:
        """Open a ticket; `carried`: what "ADUAN ANONIM" alone said before this message gave the detail."""
        detail = meaning.detail if not forced or meaning.keyword else self.message.text.strip()
        media = [{"url": m.url, "content_type": m.content_type} for m in self.message.media]
        flags = carried | self._leftover_flags() | _flags(meaning)
        if not detail and not self.message.attached:
            if flags & {ANONIM, RAHASIA} and not carried and (code := self._make_last_private(flags)):
                made = t.COMPLAINT_MADE_PRIVATE if ANONIM in flags else t.COMPLAINT_MADE_CONFIDENTIAL
                return [made.format(code=code)]
            self._set_pending(Pending.COMPLAINT_DETAIL, None, COMPLAINT_DETAIL_WAIT, flags)
            return [_ask_detail(flags)]
        about_head, anonymous, confidential = (name in flags for name in (ABOUT_HEAD, ANONIM, RAHASIA))
        if meaning.follow_up and not forced and (nudged := self._nudge(meaning)) is not None:
            return [nudged]
        since = self.now - timedelta(hours=1)
        recent = tickets.count_recent_by_reporter(
            session=self.session, reporter_id=self.contact.id, since=since
        )
        if recent >= self.limits.max_new_tickets_per_hour:
            self.note = "rate_limited"
            return [t.COMPLAINT_RATE_LIMITED.format(n=recent)]
        category = meaning.category
        if forced and meaning.intent != Intent.COMPLAINT:
            category = None  # the words were read for another intent; leave the category to the cadre
        verify_due_at, act_due_at = lifecycle.deadlines(
            reported_at=self.now, timezone=self.village.timezone, holidays=self.village.holidays
        )
        self.ticket_id, self.ticket_code = tickets.create(
            session=self.session,
            village_id=self.village.id,
            reporter_id=self.contact.id,
            text=attachments.ticket_text(detail, self.message),
            category=category or Category.LAINNYA,
            now=self.now,
            channel=self.message.channel,
            about_head=about_head,
            anonymous=anonymous,
            confidential=confidential,
            dusun=meaning.location.dusun,
            rw=meaning.location.rw,
            rt=meaning.location.rt,
            media=media,
            verify_due_at=verify_due_at,
            act_due_at=act_due_at,
        )
        if self.contact.pending_flags:
            self.contact.set(pending_flags="")  # spent on this ticket
        if not detail:
            self._set_pending(Pending.TICKET_DESCRIPTION, self.ticket_id, TICKET_DESCRIPTION_WAIT)
            return [attachments.ask_description(self.message, self.ticket_code)]
        template = t.COMPLAINT_CREATED_BPD if about_head else t.COMPLAINT_CREATED
        reply = template.format(code=self.ticket_code)
        if anonymous:
            reply += t.COMPLAINT_PRIVATE_SUFFIX
        elif confidential:
            reply += t.COMPLAINT_CONFIDENTIAL_SUFFIX
        return [reply]

    def _nudge(self, meaning: Understanding) -> str | None:
        """A follow-up on an open report of the sender's that names no new problem ("sdh lapor 2
        minggu blm ada tindakan", or the same kind of problem again): that report's status, and the
        nudge recorded on it for staff. None when it is a new problem (a new ticket)."""
        mine = tickets.open_for_reporter(session=self.session, reporter_id=self.contact.id)
        if not mine:
            return None
        named = meaning.category
        same = [ticket for ticket in mine if ticket.category == named]
        if named not in (None, Category.LAINNYA) and not same:
            return None  # another problem: a ticket of its own
        ticket = (same or mine)[0]
        assert ticket.id is not None
        tickets.nudge(session=self.session, ticket_id=ticket.id, text=self.message.text, now=self.now)
        self.note = "nudge"
        reply = self._status(ticket.code)
        said = reply + t.NUDGE_SUFFIX
        return said if analyse(said).segments == 1 else reply

    def _leftover_flags(self) -> frozenset[str]:
        """What "ADUAN ANONIM" said when its detail comes late (after the wait, or after a flood limit):
        a promise of anonymity is kept for a day, until a ticket is made."""
        c = self.contact
        if not c.pending_flags or c.pending_until is None or self.now > c.pending_until + FLAGS_KEPT:
            return frozenset()
        return frozenset(filter(None, c.pending_flags.split(",")))

    def _make_last_private(self, flags: frozenset[str]) -> str | None:
        """A request for anonymity with nothing else, just after a report: it is for that report."""
        since = self.now - MAKE_PRIVATE_WITHIN
        recent = self.session.scalars(
            select(Ticket)
            .where(col(Ticket.reporter_id) == self.contact.id, col(Ticket.created_at) >= since)
            .order_by(col(Ticket.created_at).desc())
            .limit(1)
        ).first()
        if recent is None or recent.status not in lifecycle.OPEN:
            return None
        lifecycle.make_private(
            session=self.session,
            ticket=recent,
            anonymous=ANONIM in flags,
            confidential=RAHASIA in flags,
            actor=lifecycle.Actor("warga"),
            now=self.now,
        )
        self.intent, self.ticket_id, self.ticket_code = Intent.COMPLAINT, recent.id, recent.code
        return recent.code

    def _describe_pending_ticket(self, text: str, refined: Understanding) -> list[str]:
        """The description a ticket opened by a photo or a place waits for; `refined`: what it says."""
        ticket_id = self.contact.pending_ticket_id
        ticket = self.session.get(Ticket, ticket_id) if ticket_id else None
        self._clear_pending()
        if ticket is None:
            return [t.COMPLAINT_ASK_DETAIL]
        self.intent = Intent.COMPLAINT
        self.ticket_id, self.ticket_code = ticket.id, ticket.code
        if self.message.media:
            media = [{"url": m.url, "content_type": m.content_type} for m in self.message.media]
            tickets.add_media(session=self.session, ticket=ticket, media=media, now=self.now)
        if self.message.location:
            tickets.add_detail(
                session=self.session, ticket=ticket, text=self.message.location.text(), now=self.now
            )
        if not text:  # more photos or a place, still no words: the complaint goes on waiting for them
            self._set_pending(Pending.TICKET_DESCRIPTION, ticket.id, TICKET_DESCRIPTION_WAIT)
            return [attachments.added(self.message, ticket.code)]
        tickets.add_detail(session=self.session, ticket=ticket, text=text, now=self.now)
        if ticket.category == Category.LAINNYA and refined.category not in (None, Category.LAINNYA):
            ticket.category = refined.category or Category.LAINNYA
        # "jangan sebut nama saya" in the description counts as much as in the first message.
        ticket.about_head = ticket.about_head or refined.about_head
        ticket.anonymous = ticket.anonymous or refined.anonymous
        ticket.confidential = ticket.confidential or refined.confidential
        ticket.dusun = ticket.dusun or refined.location.dusun
        ticket.rw = ticket.rw or refined.location.rw
        ticket.rt = ticket.rt or refined.location.rt
        self.session.flush()
        return [t.COMPLAINT_DETAIL_ADDED.format(code=ticket.code)]

    def _confirm_fix(self, *, fixed: bool, detail: str = "") -> list[str]:
        ticket = (
            self.session.get(Ticket, self.contact.pending_ticket_id)
            if self.contact.pending_ticket_id
            else None
        )
        self._clear_pending()
        if ticket is None:
            return [t.OTHER]
        self.intent = Intent.STATUS
        self.ticket_id, self.ticket_code = ticket.id, ticket.code
        reply = lifecycle.confirm_fix(
            session=self.session,
            ticket=ticket,
            fixed=fixed,
            now=self.now,
            detail=detail or None,
            reporter_id=self.contact.id,
            available=self.available,  # the other reporters hear of a reopening
        )
        self.session.flush()
        return [reply]

    # --- status --------------------------------------------------------------------------------

    def _status(self, code: str | None) -> str:
        """CEK: the reply is handlers/ticket_status.py's; the message log links the ticket it named."""
        status = ticket_status.reply(
            session=self.session,
            village_id=self.village.id,
            sender_id=self.contact.id,
            code=code,
            text=self.message.text,
        )
        if status.ticket_id is not None:  # the message log hides it from those who may not see the ticket
            self.ticket_id = status.ticket_id
        return status.text

    # --- subscriptions -------------------------------------------------------------------------

    def _consent(self, state: SubscriptionState, topics: list[str] | None = None) -> bool:
        return contacts.set_subscription(
            session=self.session,
            contact=self.contact,
            state=state,
            source="keyword",
            now=self.now,
            channel=self.message.channel,
            evidence=self.message.text,
            message_id=self.message_id,
            topics=topics,
        )

    def _subscribe(self, meaning: Understanding) -> str:
        topics = [topic.value for topic in meaning.topics]
        changed = self._consent(SubscriptionState.SUBSCRIBED, topics)
        what = (
            t.TOPICS_INFO + " & ".join(t.TOPIC_NAMES[topic] for topic in topics) if topics else t.ALL_TOPICS
        )
        template = t.SUBSCRIBED if changed else t.ALREADY_SUBSCRIBED
        return template.format(what=what, desa=self.village.name)

    def _unsubscribe(self) -> str:
        was_subscribed = self.contact.subscription == SubscriptionState.SUBSCRIBED
        # Recorded even when never subscribed: a list imported later must not subscribe this number.
        self._consent(SubscriptionState.UNSUBSCRIBED)
        template = t.UNSUBSCRIBED if was_subscribed else t.NOT_SUBSCRIBED
        return template.format(desa=self.village.name)

    # --- conversation state --------------------------------------------------------------------

    def _for_staff(self, text: str) -> bool:
        """Whether staff commands may have this message: a staff keyword, or any message while a command
        from this number waits for YA (told it still waits, rather than silently cancelling it), but for
        an answer to "is your complaint fixed?" that the same number was asked as a reporter, and for
        an opt-out (STOP must always work)."""
        if staff_commands.keyword(text) is not None:
            return True
        if not staff_commands.confirmation_waits(self.contact, self.now):
            return False
        if self._pending() is Pending.CONFIRM_FIX and read_confirm(text) is not None:
            return False
        return self.meaning.intent != Intent.UNSUBSCRIBE

    def _pending(self) -> Pending:
        c = self.contact
        if c.pending == Pending.NONE or c.pending_until is None or c.pending_until < self.now:
            return Pending.NONE
        return Pending(c.pending)

    def _set_pending(
        self, pending: Pending, ticket_id: int | None, wait: timedelta, flags: frozenset[str] = frozenset()
    ) -> None:
        self.contact.set(
            pending=pending,
            pending_ticket_id=ticket_id,
            pending_until=self.now + wait,
            pending_flags=",".join(sorted(flags)),
        )

    def _clear_pending(self) -> None:
        # The flags (and the time they belong to) stay until a ticket uses them: see _leftover_flags.
        if self.contact.pending != Pending.NONE:
            self.contact.set(pending=Pending.NONE, pending_ticket_id=None)
