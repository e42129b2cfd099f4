"""SQLModel tables and enums, one module per aggregate. Importing this package registers every table."""

from models.audit import AuditEntry
from models.base import UTCDateTime, utcnow
from models.broadcast import (
    Broadcast,
    BroadcastEvent,
    BroadcastRun,
    BroadcastStatus,
    ContactGroup,
    ContactGroupMember,
    RunStatus,
)
from models.contact import (
    ConsentEvent,
    Contact,
    ContactIdentity,
    ContactTopic,
    IdentityKind,
    Pending,
    SubscriptionState,
)
from models.digest import DigestPeriod, DigestRun
from models.info import (
    BudgetDirection,
    BudgetLine,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Programme,
    Service,
)
from models.message import Direction, Message
from models.outbox import RANK, DeliveryStatus, FailureReason, Lane, Outbox, OutboxSource
from models.staff import ApiToken, Staff
from models.ticket import Ticket, TicketEvent, TicketEventKind, TicketStatus
from models.village import Area, AreaKind, Channel, Village, VillageAddress
from models.vocabulary import BroadcastKind, Category, Intent, Role, Topic

__all__ = [
    "RANK",
    "ApiToken",
    "Area",
    "AreaKind",
    "AuditEntry",
    "Broadcast",
    "BroadcastEvent",
    "BroadcastKind",
    "BroadcastRun",
    "BroadcastStatus",
    "BudgetDirection",
    "BudgetLine",
    "Category",
    "Channel",
    "ConsentEvent",
    "Contact",
    "ContactGroup",
    "ContactGroupMember",
    "ContactIdentity",
    "ContactTopic",
    "Decision",
    "DecisionKind",
    "DeliveryStatus",
    "DigestPeriod",
    "DigestRun",
    "Direction",
    "FailureReason",
    "IdentityKind",
    "Intent",
    "Lane",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "Message",
    "Outbox",
    "OutboxSource",
    "Pending",
    "Programme",
    "Role",
    "RunStatus",
    "Service",
    "Staff",
    "SubscriptionState",
    "Ticket",
    "TicketEvent",
    "TicketEventKind",
    "TicketStatus",
    "Topic",
    "UTCDateTime",
    "Village",
    "VillageAddress",
    "utcnow",
]
