"""Meetings already announced, by text message: RAPAT alone lists those ahead with their numbers,
RAPAT PINDAH moves one and RAPAT BATAL calls one off, each asked first and done at YA
(confirmation.py), by the same rules as the REST API (broadcasts/meetings.py: `move`, `cancel`): what no
provider has yet is withdrawn, those already told get a correction or the cancellation, the others the
invitation with the new time or nothing."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from broadcasts import meetings
from handlers import rights
from handlers.rights import Right
from handlers.staff_commands import confirmation
from handlers.staff_commands.broadcast_actions import ACARA_ROOM, when_problem
from handlers.staff_commands.commands import ChangeMeeting
from handlers.staff_commands.turn import Turn
from handlers.staff_commands.wording import SMS_ROOM, echo, figure
from models import Broadcast, BroadcastStatus, Meeting, MeetingStatus
from models.texts import STAFF_USAGE, format_when
from models.texts import StaffText as s

LIST_ROOM = 24  # characters of a meeting's title in the list


def list_meetings(turn: Turn) -> str:
    """RAPAT: the meetings ahead, soonest first, as many as one SMS holds."""
    if not rights.can(turn.role, Right.BROADCAST):
        return turn.not_allowed("meeting")
    ahead = turn.session.exec(
        select(Meeting)
        .where(
            col(Meeting.village_id) == turn.village.id,
            col(Meeting.status) == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) > turn.now,
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(20)
    ).all()
    if not ahead:
        return s.MEETINGS_NONE
    room = SMS_ROOM - len(s.MEETINGS_AHEAD.format(daftar=""))
    entries: list[str] = []
    for meeting in ahead:
        local = meeting.starts_at.astimezone(ZoneInfo(turn.village.timezone))
        entry = f"{meeting.id}. {echo(meeting.title, LIST_ROOM)} {local:%d/%m %H.%M}"
        if len("; ".join([*entries, entry])) > room:
            break
        entries.append(entry)
    return s.MEETINGS_AHEAD.format(daftar="; ".join(entries))


def prepare_change(turn: Turn, command: ChangeMeeting) -> str:
    """RAPAT PINDAH / RAPAT BATAL: check the meeting, the new time and the PIN; say what will happen and
    to how many; wait for YA."""
    if not rights.can(turn.role, Right.BROADCAST):
        return turn.not_allowed("meeting")
    if command.meeting_id is None or command.pin is None:
        return STAFF_USAGE["meeting_change"]
    if not command.cancel and command.starts_at is None:
        return s.MEETING_WHEN
    refused = turn.check_pin(command.pin)
    if refused is not None:
        return refused
    meeting = _ahead(turn, command.meeting_id)
    if meeting is None:
        return s.MEETING_UNKNOWN.format(no=command.meeting_id)
    told = figure(len(meetings.told_of(turn.session, meeting)))
    acara = echo(meeting.title, ACARA_ROOM)
    kapan = format_when(meeting.starts_at, turn.village.timezone)
    if command.cancel:
        confirmation.ask(turn, {"command": "rapat_batal", "meeting_id": meeting.id})
        return s.MEETING_CANCEL_CONFIRM.format(acara=acara, kapan=kapan, told=told)
    assert command.starts_at is not None
    starts_at = _utc(turn, command.starts_at)
    problem = when_problem(turn, starts_at)
    if problem is not None:
        return problem
    confirmation.ask(
        turn,
        {"command": "rapat_pindah", "meeting_id": meeting.id, "starts_at": command.starts_at.isoformat()},
    )
    new = format_when(starts_at, turn.village.timezone)
    return s.MEETING_MOVE_CONFIRM.format(acara=acara, dari=kapan, kapan=new, told=told)


def create_change(turn: Turn, fields: dict[str, Any]) -> str:
    """YA to RAPAT PINDAH / RAPAT BATAL: checked again, then done (broadcasts/meetings.py)."""
    meeting = _ahead(turn, int(fields["meeting_id"]))
    if meeting is None:
        return s.MEETING_UNKNOWN.format(no=fields["meeting_id"])
    acara = echo(meeting.title, ACARA_ROOM)
    village = turn.village_row()
    if fields["command"] == "rapat_batal":
        kapan = format_when(meeting.starts_at, turn.village.timezone)
        meetings.cancel(
            session=turn.session, village=village, meeting=meeting, actor=turn.actor.name, now=turn.now
        )
        turn.record("meeting.cancel", f"meeting:{meeting.id}")
        _schedule(turn, meeting)
        return s.MEETING_CANCEL_DONE.format(acara=acara, kapan=kapan)
    # The hour as typed, on the village's clock now.
    starts_at = _utc(turn, datetime.fromisoformat(fields["starts_at"]))
    problem = when_problem(turn, starts_at)
    if problem is not None:
        return problem
    before = meeting.starts_at
    meetings.move(
        session=turn.session,
        village=village,
        meeting=meeting,
        starts_at=starts_at,
        actor=turn.actor.name,
        now=turn.now,
    )
    turn.record(
        "meeting.move", f"meeting:{meeting.id}", **{"from": before.isoformat(), "to": starts_at.isoformat()}
    )
    _schedule(turn, meeting)
    return s.MEETING_MOVE_DONE.format(acara=acara, kapan=format_when(starts_at, turn.village.timezone))


def _ahead(turn: Turn, meeting_id: int) -> Meeting | None:
    """The village's meeting `meeting_id` if it is still ahead and not called off (locked)."""
    meeting = turn.session.get(Meeting, meeting_id, with_for_update=True)
    if (
        meeting is None
        or meeting.village_id != turn.village.id
        or meeting.status != MeetingStatus.SCHEDULED
        or meeting.starts_at <= turn.now
    ):
        return None
    return meeting


def _utc(turn: Turn, local: datetime) -> datetime:
    """A time typed on the village's clock, in UTC."""
    return local.replace(tzinfo=ZoneInfo(turn.village.timezone)).astimezone(UTC)


def _schedule(turn: Turn, meeting: Meeting) -> None:
    """Tell the scheduler of the meeting's broadcasts that now wait for their time."""
    waiting = turn.session.exec(
        select(Broadcast).where(
            col(Broadcast.meeting_id) == meeting.id, col(Broadcast.status) == BroadcastStatus.SCHEDULED
        )
    ).all()
    turn.schedule(*waiting)
