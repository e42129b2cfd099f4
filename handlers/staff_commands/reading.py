"""What staff read by text message: STAF (the menu), TIKET and TELAT (lists of tickets), LIHAT (one
ticket) and RINGKASAN (the digest). No PIN is asked; each list, lookup and digest is in the audit log.
"""

from broadcasts import digest as digests
from handlers import lifecycle, rights, tickets
from handlers.rights import Right
from handlers.staff_commands.commands import ListTickets, Lookup
from handlers.staff_commands.grammar import PAGE_LIMIT
from handlers.staff_commands.turn import Turn
from handlers.staff_commands.wording import describe, pages
from models import Contact, DigestPeriod
from models.texts import STAFF_CATEGORY_SHORT, STAFF_MENU_PARTS, STAFF_STATUS_SHORT, STAFF_USAGE
from models.texts import StaffText as s

LIST_LIMIT = 200  # tickets listed at most; a village has far fewer open ones


def menu(turn: Turn, topic: str | None, verb: str = "VERIF") -> str:
    """STAF: the menu of what the role may use, or one command's example."""
    if topic is not None:
        return STAFF_USAGE[topic].format(verb=verb)
    wanted = {
        "list": Right.READ,  # TIKET, TELAT, LIHAT
        "digest": Right.DIGEST,
        "ticket": Right.TICKET_ACT,
        "broadcast": Right.BROADCAST,  # RAPAT, SIARAN, DARURAT
    }
    parts = [STAFF_MENU_PARTS[key] for key, right in wanted.items() if rights.can(turn.role, right)]
    # The example offered is of a command this role may use: RAPAT, the hardest to write, or VERIF.
    example = "RAPAT" if rights.can(turn.role, Right.BROADCAST) else "VERIF"
    return s.MENU.format(commands=", ".join(parts), command=example)


def list_tickets(turn: Turn, command: ListTickets) -> str:
    """TIKET / TELAT: one page of the open (or overdue) tickets the role may see, newest first."""
    if not rights.can(turn.role, Right.READ):
        return turn.not_allowed("list")
    name = "TELAT" if command.overdue else "TIKET"
    if command.page > PAGE_LIMIT:
        turn.record("staff.tickets_listed", overdue=command.overdue, page=command.page)
        return s.LIST_NO_PAGE.format(page=command.page, keyword=name)
    found = tickets.list_visible(
        session=turn.session,
        village_id=turn.village.id,
        role=turn.role,
        now=turn.now,
        statuses=lifecycle.OPEN,
        overdue=True if command.overdue else None,
        limit=LIST_LIMIT,
    )
    # No count: for the BPD it is the number of complaints about the head, who reads the audit log.
    turn.record("staff.tickets_listed", overdue=command.overdue, page=command.page)
    if not found:
        return s.LIST_EMPTY_OVERDUE if command.overdue else s.LIST_EMPTY
    items = [
        s.LIST_ITEM.format(
            code=ticket.code,
            category=STAFF_CATEGORY_SHORT[ticket.category.value],
            status=STAFF_STATUS_SHORT.get(ticket.status.value, ticket.status.value),
        )
        for ticket in found
    ]
    header = (s.LIST_OVERDUE if command.overdue else s.LIST_OPEN).format(n=len(found))
    texts = pages(items, header, name)
    if command.page > len(texts):
        return s.LIST_NO_PAGE.format(page=command.page, keyword=name)
    return texts[command.page - 1]


def lookup(turn: Turn, command: Lookup) -> str:
    """LIHAT / TIKET <kode>: one ticket in one SMS; never who reported it."""
    if not rights.can(turn.role, Right.READ):
        return turn.not_allowed("lookup")
    target = f"ticket:{command.code}"
    found = tickets.get_by_code(session=turn.session, village_id=turn.village.id, code=command.code)
    if found is None or not rights.sees_ticket(turn.role, found):
        # The same answer for a code that does not exist and one this role may not know of.
        turn.refuse("lihat", "not_found", target)
        return s.TICKET_UNKNOWN.format(code=command.code)
    turn.ticket_id = found.id
    turn.record("staff.ticket_viewed", target)
    reporter = turn.session.get(Contact, found.reporter_id)
    return describe(
        found, now=turn.now, timezone=turn.village.timezone, name=reporter.name if reporter else None
    )


def digest(turn: Turn) -> str:
    """RINGKASAN: the digest of the last 24 hours, as the role may read it."""
    if not rights.can(turn.role, Right.DIGEST):
        return turn.not_allowed("digest")
    village = turn.village_row()
    result = digests.compose(
        session=turn.session,
        village=village,
        role=turn.role,
        since=digests.period_start(turn.now, weekly=False),
        now=turn.now,
        everything=village.bpd_digest_everything,
    )
    # No counts: the BPD's are of complaints about the head, who reads the audit log.
    turn.record("staff.digest", period=DigestPeriod.ON_DEMAND.value)
    return result.whatsapp if turn.message.channel.is_whatsapp else result.sms
