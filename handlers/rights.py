"""Who may do what: one table for the REST API and the staff text commands alike.

              read  tickets  broadcast  approve  contacts  export  staff  villages  audit  digest
    operator   all    all       yes       yes      yes      yes    yes     yes      yes    yes
    kader      yes    act       yes       yes*     yes      yes     -       -        -      -
    kades      yes    act       -         yes      read      -      -     settings   yes    yes
    bpd        yes    act**     -         yes       -        -      -       -        yes    yes

    *  a second cadre, never the broadcast's creator (broadcasts.service.approve)
    ** the BPD acts on complaints about the head, which only it and the operator see

Ticket visibility, on top of the table: a complaint about the head (about_head) is seen only by the BPD
and the operator, in every output; an anonymous (anonim) ticket's reporter, name and number, is shown
only to the operator; a confidential (rahasia) ticket is never in a public output (Open311).
"""

from enum import StrEnum

from models import Role, Ticket


class Right(StrEnum):
    """Something a role may be allowed to do."""

    READ = "read"  # tickets (as visibility allows), broadcasts, meetings, decisions, budget, staff list
    TICKET_ACT = "ticket_act"  # verify, progress, close, reject, forward, merge, notes, assign, category
    BROADCAST = "broadcast"  # create and change broadcasts, meetings, decisions, budget lines
    APPROVE = "approve"  # approve a broadcast that waits for a second person
    CONTACT_READ = "contact_read"  # list, search and read contacts
    CONTACT_WRITE = "contact_write"  # create, edit, import contacts
    CONTACT_EXPORT = "contact_export"  # CSV export of the contact list
    STAFF_MANAGE = "staff_manage"  # create staff, set phones and PINs, deactivate
    VILLAGE_CREATE = "village_create"  # create villages and assign their numbers
    VILLAGE_SETTINGS = "village_settings"  # quiet hours, digest time, holidays, approvals
    AUDIT_READ = "audit_read"  # the audit log of staff actions
    DIGEST = "digest"  # receive digests, ask for one by text
    MESSAGE_READ = "message_read"  # the message log (inbound and outbound)


RIGHTS: dict[Role, frozenset[Right]] = {
    Role.OPERATOR: frozenset(Right),
    Role.KADER: frozenset(
        {
            Right.READ,
            Right.TICKET_ACT,
            Right.BROADCAST,
            Right.APPROVE,
            Right.CONTACT_READ,
            Right.CONTACT_WRITE,
            Right.CONTACT_EXPORT,
            Right.MESSAGE_READ,
        }
    ),
    Role.KADES: frozenset(
        {
            Right.READ,
            Right.TICKET_ACT,
            Right.APPROVE,
            Right.CONTACT_READ,
            Right.VILLAGE_SETTINGS,
            Right.AUDIT_READ,
            Right.DIGEST,
        }
    ),
    Role.BPD: frozenset({Right.READ, Right.TICKET_ACT, Right.APPROVE, Right.AUDIT_READ, Right.DIGEST}),
}


def can(role: Role, right: Right) -> bool:
    """True when the role has the right (in its own village; the operator in every village)."""
    return right in RIGHTS[role]


def roles_with(right: Right) -> tuple[Role, ...]:
    """The roles that have a right, in the vocabulary's order."""
    return tuple(role for role in Role if right in RIGHTS[role])


def sees_ticket(role: Role, ticket: Ticket) -> bool:
    """Whether the role may know the ticket exists: complaints about the head only to the BPD and operator."""
    return not ticket.about_head or role.sees_about_head


def acts_on_ticket(role: Role, ticket: Ticket) -> bool:
    """Whether the role may change the ticket: the BPD only on complaints about the head."""
    if not can(role, Right.TICKET_ACT) or not sees_ticket(role, ticket):
        return False
    return role != Role.BPD or ticket.about_head


def sees_reporter(role: Role, ticket: Ticket) -> bool:
    """Whether the reporter's name and number may be shown: never for anonim, but to the operator."""
    return not ticket.anonymous or role == Role.OPERATOR


def hides_about_head(role: Role) -> bool:
    """Whether lists for this role must leave out complaints about the head."""
    return not role.sees_about_head
