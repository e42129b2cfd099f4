"""The Core `Table` of each model, for statements SQLModel's ORM layer does not write (bulk inserts,
`ON CONFLICT`, `UPDATE ... RETURNING`, `SELECT ... FOR UPDATE SKIP LOCKED`), typed once here so that no
module repeats `X: Table = Model.__table__  # type: ignore`."""

from sqlalchemy import Table

from models.broadcast import Broadcast, BroadcastRun, ContactGroup, ContactGroupMember
from models.contact import ConsentEvent, Contact, ContactIdentity, ContactTopic
from models.message import Message
from models.outbox import Outbox
from models.ticket import Ticket, TicketEvent
from models.village import Area, Village, VillageAddress


def _table(model: type) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


AREA = _table(Area)
BROADCAST = _table(Broadcast)
CONSENT = _table(ConsentEvent)
CONTACT = _table(Contact)
GROUP = _table(ContactGroup)
IDENTITY = _table(ContactIdentity)
MEMBER = _table(ContactGroupMember)
MESSAGE = _table(Message)
OUTBOX = _table(Outbox)
RUN = _table(BroadcastRun)
TICKET = _table(Ticket)
TICKET_EVENT = _table(TicketEvent)
TOPIC = _table(ContactTopic)
VILLAGE = _table(Village)
ADDRESS = _table(VillageAddress)
