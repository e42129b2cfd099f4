"""Announcements by text message: RAPAT (a meeting, its invitation and reminders), SIARAN (a broadcast to
every subscriber) and DARURAT (the same, not held for quiet hours). Each is asked first (`prepare_*`:
rights, the text, the PIN, then what was understood, waiting for YA: confirmation.py) and created at YA
(`create_*`).

What YA creates is left to the scheduler to send. A broadcast is stored `scheduled` for now (or waits
for approval when the village asks for it for that kind) and the scheduler's sweep fires it within
half a minute, holding it through quiet hours unless it is an emergency. We do not fire it here:
routing needs the channels this deployment sends on, which only the process edge knows, and a fan-out
to every subscriber must not sit inside the inbound transaction that other residents' messages share.

What staff typed is stored in GSM-7 as the confirmation and the invitation show it: a meeting's title,
place and agenda, as SIARAN's text, so that the invitation reads as the confirmation.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from broadcasts import audience, meetings, runs, service, sms, timing, validate
from broadcasts.preview import Preview
from handlers import rights
from handlers.rights import Right
from handlers.staff_commands import confirmation
from handlers.staff_commands.commands import Broadcast, NewMeeting
from handlers.staff_commands.turn import Turn
from handlers.staff_commands.wording import echo, figure, gsm, short
from models import BroadcastKind, BroadcastStatus, Meeting, MeetingKind
from models.texts import STAFF_USAGE, format_date, format_rupiah, format_when
from models.texts import StaffText as s

ACARA_ROOM, TEMPAT_ROOM = 32, 25  # characters of a meeting's title and place in a one-SMS reply
MEETING_HORIZON = timedelta(days=366)  # a meeting further ahead than this is a typing slip


def prepare_meeting(turn: Turn, command: NewMeeting) -> str:
    """RAPAT: check the meeting and the PIN, say what was understood, and wait for YA."""
    if not rights.can(turn.role, Right.BROADCAST):
        return turn.not_allowed("meeting")
    if command.pin is None:
        return STAFF_USAGE["meeting"]
    if command.starts_at is None:
        return s.MEETING_WHEN
    if not command.title or not command.place:
        return STAFF_USAGE["meeting"]
    problem = when_problem(turn, command.starts_at)
    if problem is not None:
        return problem
    refused = turn.check_pin(command.pin)
    if refused is not None:
        return refused
    fields = _meeting_fields(command)
    meeting = meeting_of(turn, fields)
    told = audience.count(
        session=turn.session, village_id=turn.village.id, audience=meetings.audience_of(meeting)
    )
    reminders = len(timing.reminder_plan(meeting.starts_at, turn.village.timezone, turn.now)) - 1
    confirmation.ask(turn, {"command": "rapat", **fields})
    return s.MEETING_CONFIRM.format(
        acara=echo(meeting.title, ACARA_ROOM),
        kapan=format_when(meeting.starts_at, turn.village.timezone),
        tempat=echo(meeting.place, TEMPAT_ROOM),
        n=figure(told),
        reminders=max(reminders, 0),
    )


def when_problem(turn: Turn, starts_at: datetime) -> str | None:
    """Why a meeting may not be set (or moved) to `starts_at`: past, more than a year ahead, or so soon
    that quiet hours would hold its invitation until after it; None when it may."""
    if starts_at <= turn.now:
        return s.MEETING_PAST.format(kapan=format_when(starts_at, turn.village.timezone))
    if starts_at > turn.now + MEETING_HORIZON:
        # "31/12/9999" is a slip of the keypad; the reply names the year, which format_when leaves out.
        local = starts_at.astimezone(ZoneInfo(turn.village.timezone))
        return s.MEETING_TOO_FAR.format(kapan=format_date(local))
    held = held_until(turn, BroadcastKind.UMUM)
    if held is not None and held >= starts_at:
        # At 04.00 for 05.30 with quiet hours to 06.00: the invitation would come after the meeting.
        return s.MEETING_BEFORE_QUIET_END.format(
            kapan=format_when(starts_at, turn.village.timezone), until=turn.local_time(held)
        )
    return None


def meeting_of(turn: Turn, fields: dict[str, Any]) -> Meeting:
    """The meeting `fields` (as RAPAT stored them until YA) describe, in the village."""
    return Meeting(
        village_id=turn.village.id,
        kind=MeetingKind(fields["kind"]),
        title=fields["title"],
        # The hour as typed, on the village's clock now (its zone may have been corrected since).
        starts_at=datetime.fromisoformat(fields["starts_at"])
        .replace(tzinfo=ZoneInfo(turn.village.timezone))
        .astimezone(UTC),
        place=fields["place"],
        agenda=fields["agenda"],
        dusun=fields["dusun"],
    )


def _meeting_fields(command: NewMeeting) -> dict[str, Any]:
    """What RAPAT stores until YA, in GSM-7 as the confirmation and the invitation show it."""
    assert command.starts_at is not None
    return {
        "kind": command.kind.value,
        "title": _gsm_field(command.title),
        "starts_at": command.starts_at.isoformat(),
        "place": _gsm_field(command.place),
        "agenda": _gsm_field(command.agenda),
        "dusun": command.dusun,
    }


def _gsm_field(text: str) -> str:
    # A brace would read as a {variable} when the invitation is rendered, as in SIARAN's text.
    return gsm(text).translate(str.maketrans("{}", "()"))


def create_meeting(turn: Turn, fields: dict[str, Any]) -> str:
    """YA to RAPAT: the meeting, its invitation and reminders (broadcasts/meetings.py: `create`)."""
    meeting = meeting_of(turn, fields)
    kapan = format_when(meeting.starts_at, turn.village.timezone)
    if meeting.starts_at <= turn.now:
        return s.MEETING_PAST.format(kapan=kapan)
    made = meetings.create(
        session=turn.session,
        village=turn.village_row(),
        meeting=meeting,
        actor=turn.actor.name,
        now=turn.now,
    )
    turn.record(
        "meeting.create",
        f"meeting:{meeting.id}",
        kind=meeting.kind.value,
        broadcasts=[b.id for b in made],
    )
    turn.schedule(*made)
    acara = echo(meeting.title, ACARA_ROOM)
    if any(b.status == BroadcastStatus.PENDING_APPROVAL for b in made):
        return s.MEETING_APPROVAL.format(acara=acara, kapan=kapan)
    reminders = max(len(made) - 1, 0)
    # The invitation is due now: quiet hours (or a blackout) hold it; a meeting is never darurat.
    held = held_until(turn, BroadcastKind.MUSDES)
    if held is not None:
        kirim = format_when(held, turn.village.timezone)
        return s.MEETING_HELD.format(acara=acara, kapan=kapan, kirim=kirim, reminders=reminders)
    return s.MEETING_CREATED.format(acara=acara, kapan=kapan, reminders=reminders)


def prepare_broadcast(turn: Turn, command: Broadcast) -> str:
    """SIARAN and DARURAT: check the text and the PIN, then the draft as every door does
    (broadcasts/validate.py: `check`): whom it reaches on which channel and what it costs; and wait for
    YA. The audience is every subscriber (broadcasts/audience.py: `Audience()`)."""
    usage = "emergency" if command.kind == BroadcastKind.DARURAT else "broadcast"
    if not rights.can(turn.role, Right.BROADCAST):
        return turn.not_allowed("broadcast")
    if command.pin is None:
        return STAFF_USAGE[usage]
    if not command.text:
        return s.BROADCAST_NO_TEXT
    refused = turn.check_pin(command.pin)
    if refused is not None:
        return refused
    # A brace would read as a {variable} when the broadcast is rendered; a keypad user never means one.
    text = sms.sanitize(command.text).translate(str.maketrans("{}", "()"))
    checked = _checked(turn, _draft(command.kind, text))
    if isinstance(checked, str):
        return checked
    reply = s.BROADCAST_CONFIRM.format(
        n=figure(checked.estimate.recipients),
        segments=checked.estimate.sms_segments,
        cost=format_rupiah(checked.estimate.cost),
    )
    if checked.without_template:
        reply += s.BROADCAST_LEFT_OUT_SUFFIX.format(n=figure(checked.without_template))
    held = held_until(turn, command.kind)
    if held is not None:
        reply += s.QUIET_SUFFIX.format(kapan=format_when(held, turn.village.timezone))
    confirmation.ask(turn, {"command": "siaran", "kind": command.kind.value, "text": text})
    return reply


def create_broadcast(turn: Turn, fields: dict[str, Any]) -> str:
    """YA to SIARAN or DARURAT: checked again (subscribers may have come or gone since), then the
    broadcast to every subscriber (broadcasts/service.py: `create`)."""
    kind = BroadcastKind(fields["kind"])
    draft = _draft(kind, str(fields["text"]))
    checked = _checked(turn, draft)
    if isinstance(checked, str):
        return checked
    village = turn.village_row()
    count = checked.estimate.recipients
    created = service.create(
        session=turn.session,
        village=village,
        draft=draft,
        actor=turn.actor.name,
        now=turn.now,
        needs_approval={BroadcastKind(k) for k in village.approval_kinds},
    )
    turn.record(
        "broadcast.create",
        f"broadcast:{created.id}",
        kind=kind.value,
        status=created.status.value,
        recipients=count,
    )
    turn.schedule(created)
    if created.status == BroadcastStatus.PENDING_APPROVAL:
        return s.BROADCAST_APPROVAL
    held = held_until(turn, kind)
    if held is not None:
        return s.BROADCAST_HELD.format(n=figure(count), kapan=format_when(held, turn.village.timezone))
    return s.BROADCAST_QUEUED.format(n=figure(count))


def _draft(kind: BroadcastKind, text: str) -> service.Draft:
    """What SIARAN or DARURAT creates: `text` to every subscriber."""
    return service.Draft(kind=kind, title=f"SMS staf: {short(text, 60)}", sms_text=text)


def _checked(turn: Turn, draft: service.Draft) -> Preview | str:
    """The draft's preview when it may go (broadcasts/validate.py: `check`, without a template: an SMS
    cannot name one), or the reply that says why it may not."""
    try:
        return validate.check(
            session=turn.session, village=turn.routes(), draft=draft, now=turn.now, can_name_template=False
        )
    except validate.Refused as refused:
        left = refused.preview
        if left.unreachable + left.without_template == 0:
            turn.refuse(draft.kind.value, "no_subscribers")
            return s.BROADCAST_NOBODY
        turn.refuse(draft.kind.value, "none_reachable")
        return s.BROADCAST_NONE_REACHABLE.format(n=figure(left.unreachable + left.without_template))


def held_until(turn: Turn, kind: BroadcastKind) -> datetime | None:
    """When a broadcast made now would go, if quiet hours or a blackout hold it."""
    allowed = timing.next_allowed(
        turn.now,
        turn.village.timezone,
        runs.quiet_rules(turn.village_row()),
        emergency=kind == BroadcastKind.DARURAT,
    )
    return allowed if allowed > turn.now else None
