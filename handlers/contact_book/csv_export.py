"""The village's contacts as a CSV file (`export_csv`) with the import's columns, so that a file
exported and imported again changes nothing.
"""

import csv
import io

from sqlalchemy import select
from sqlmodel import Session

from handlers.contact_book.fields import escape_cell
from handlers.contact_book.records import RECORD_COLUMNS, Filters, conditions, records_of
from models import Role, SubscriptionState
from models.tables import CONTACT

# The columns of an export, which an import reads back: a round trip changes nothing.
COLUMNS = ("name", "phone", "whatsapp_id", "dusun", "rw", "rt", "topics", "tags", "consent")


def export_csv(
    *, session: Session, village_id: int, filters: Filters, delimiter: str = ",", role: Role | None = None
) -> tuple[str, int]:
    """The village's contacts (matching the filters) as CSV with the import's columns, and how many.

    Starts with a BOM so that Excel reads it as UTF-8; cells a spreadsheet would run as formulas are
    escaped (the import undoes it).
    """
    connection = session.connection()
    query = select(*RECORD_COLUMNS).where(*conditions(village_id, filters, role)).order_by(CONTACT.c.id)
    rows = connection.execute(query).all()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records_of(connection, rows, village_id):
        cells = (
            record.name or "",
            record.phone or "",
            record.whatsapp_id or "",
            record.dusun or "",
            "" if record.rw is None else str(record.rw),
            "" if record.rt is None else str(record.rt),
            ";".join(record.topics),
            ";".join(record.tags),
            "ya" if record.subscription == SubscriptionState.SUBSCRIBED else "tidak",
        )
        writer.writerow([escape_cell(cell) for cell in cells])
    return "\ufeff" + out.getvalue(), len(rows)
