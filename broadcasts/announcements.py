"""What a village announces from its own records: a decision or sanction (`keputusan`) and the APBDes
summary (`dana_desa`), each as an SMS that fits one GSM-7 message where it can and a fuller WhatsApp
variant, ready to be created as a broadcast.

The texts are literal: braces in a title or an activity become parentheses, so fan-out leaves them as
written. Words for residents are Indonesian; amounts are Rupiah the Indonesian way (format_rupiah).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from broadcasts.audience import Audience
from broadcasts.service import Draft
from broadcasts.sms import Encoding, analyse, sanitize
from models import BroadcastKind, BudgetDirection, BudgetLine, Decision, Topic, Village
from models import texts as t
from models.texts import AnnouncementText as w

SMS_LIMIT = 160
WHATSAPP_LIMIT = 4096  # characters in one WhatsApp text message
TITLE_LIMIT = 200  # Broadcast.title


def _literal(text: str) -> str:
    """Text from a record, safe to send as written: no {variables}, one line, GSM-7 look-alikes fixed."""
    return " ".join(sanitize(text).replace("{", "(").replace("}", ")").split())


def _fits_one_sms(text: str) -> bool:
    info = analyse(text)
    return info.encoding == Encoding.GSM7 and info.segments == 1


def _first_fitting(candidates: Iterable[str]) -> str | None:
    return next((text for text in candidates if _fits_one_sms(text)), None)


# --- decisions -----------------------------------------------------------------------------------


def decision_texts(decision: Decision, village: Village, *, today: date) -> tuple[str, str]:
    """The SMS (one GSM-7 message where the title allows) and WhatsApp texts announcing a decision."""
    values = {
        "label": t.DECISION_LABELS[decision.kind],
        "desa": _literal(village.name),
        "judul": _literal(decision.title).rstrip(" .") or t.DECISION_LABELS[decision.kind],
        "sejak": w.SINCE if decision.effective_date <= today else w.FROM,
        "tanggal": t.format_date(decision.effective_date),
        "keyword": t.DECISION_KEYWORDS[decision.kind],
    }
    body = _literal(decision.text)
    if body and body[-1] not in ".!?":
        body += "."
    base = w.DECISION_SMS.format(**values)
    detail = w.DECISION_DETAIL.format(isi=body) if body else ""
    more = w.DECISION_MORE.format(**values)
    sms = _first_fitting([base + detail + more, base + detail, base + more]) or base
    whatsapp = w.DECISION_WHATSAPP.format(**values, isi=f"\n\n{body}" if body else "")
    return sms, whatsapp


def decision_draft(decision: Decision, village: Village, *, today: date) -> Draft:
    """A `keputusan` broadcast of the decision, now, to everyone who takes that topic."""
    sms, whatsapp = decision_texts(decision, village, today=today)
    title = f"{t.DECISION_LABELS[decision.kind]}: {_literal(decision.title)}"
    return Draft(
        kind=BroadcastKind.KEPUTUSAN,
        title=title[:TITLE_LIMIT],
        sms_text=sms,
        whatsapp_text=whatsapp,
        audience=Audience(topics=(Topic.KEPUTUSAN.value,)),
    )


# --- budget --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BudgetTotals:
    """A year's APBDes in integer Rupiah: income and spending, planned and realised."""

    income: int
    income_realised: int
    spending: int
    spending_realised: int

    @property
    def balance(self) -> int:
        """Income less spending (a surplus when positive, a deficit to finance when negative)."""
        return self.income - self.spending

    @property
    def spending_realised_percent(self) -> int | None:
        """Spending realised as a whole percentage (rounded half up); None without spending."""
        if self.spending <= 0:
            return None
        share = Decimal(self.spending_realised * 100) / self.spending
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def totals(lines: Iterable[BudgetLine]) -> BudgetTotals:
    """Sum the lines by direction."""
    income = income_realised = spending = spending_realised = 0
    for line in lines:
        if line.direction == BudgetDirection.INCOME:
            income += line.amount
            income_realised += line.realised
        else:
            spending += line.amount
            spending_realised += line.realised
    return BudgetTotals(income, income_realised, spending, spending_realised)


def _realised(sums: BudgetTotals) -> str:
    percent = sums.spending_realised_percent
    if percent is None:
        return ""
    return w.BUDGET_REALISED.format(jumlah=t.format_rupiah(sums.spending_realised), persen=percent)


def _by_amount(lines: Iterable[BudgetLine]) -> list[BudgetLine]:
    return sorted(lines, key=lambda line: (-line.amount, line.id or 0))


def budget_sms(lines: Sequence[BudgetLine], year: int, village: Village) -> str:
    """Totals, then as many of the largest spending lines as still fit one GSM-7 SMS."""
    sums = totals(lines)
    head = w.BUDGET_SMS.format(
        tahun=year,
        desa=_literal(village.name),
        pendapatan=t.format_rupiah(sums.income),
        belanja=t.format_rupiah(sums.spending),
        realisasi=_realised(sums),
    )
    if not _fits_one_sms(head + w.BUDGET_MORE):
        return head
    chosen: list[str] = []
    for line in _by_amount(line for line in lines if line.direction == BudgetDirection.SPENDING):
        item = t.DANA_ITEM.format(
            activity=_literal(line.activity),
            location=_literal(line.location) or "desa",
            amount=t.format_rupiah(line.amount),
        )
        if _fits_one_sms(head + w.BUDGET_ITEMS.format(items="; ".join([*chosen, item])) + w.BUDGET_MORE):
            chosen.append(item)
    items = w.BUDGET_ITEMS.format(items="; ".join(chosen)) if chosen else ""
    return head + items + w.BUDGET_MORE


def budget_whatsapp(lines: Sequence[BudgetLine], year: int, village: Village) -> str:
    """Totals, every income line, and every spending line (activity, location, amount, realisation) by
    field; cut short, with a pointer to the full answer, only past one WhatsApp message."""
    sums = totals(lines)
    head = w.BUDGET_WHATSAPP_HEAD.format(
        tahun=year,
        desa=_literal(village.name),
        pendapatan=t.format_rupiah(sums.income),
        belanja=t.format_rupiah(sums.spending),
        realisasi=_realised(sums),
    )
    parts: list[str] = []
    income = _by_amount(line for line in lines if line.direction == BudgetDirection.INCOME)
    if income:
        parts.append(w.BUDGET_WHATSAPP_INCOME)
        parts += [
            w.BUDGET_WHATSAPP_INCOME_ITEM.format(
                kegiatan=_literal(line.activity),
                sumber=f" ({_literal(line.source)})" if line.source else "",
                jumlah=t.format_rupiah(line.amount),
            )
            for line in income
        ]
    spending = [line for line in lines if line.direction == BudgetDirection.SPENDING]
    for bidang in sorted({line.bidang for line in spending}, key=lambda b: (b is None, b or 0)):
        name = t.BUDGET_FIELDS.get(bidang, w.OTHER_FIELD) if bidang is not None else w.OTHER_FIELD
        parts.append(w.BUDGET_WHATSAPP_FIELD.format(bidang=bidang, nama=name) if bidang else f"\n\n*{name}*")
        parts += [
            w.BUDGET_WHATSAPP_SPENDING_ITEM.format(
                kegiatan=_literal(line.activity),
                lokasi=_literal(line.location) or "desa",
                jumlah=t.format_rupiah(line.amount),
                realisasi=w.BUDGET_WHATSAPP_ITEM_REALISED.format(jumlah=t.format_rupiah(line.realised))
                if line.realised
                else "",
            )
            for line in _by_amount(line for line in spending if line.bidang == bidang)
        ]
    text = head
    for index, part in enumerate(parts):
        rest = sum(1 for p in parts[index:] if p.startswith("\n- "))
        cut = w.BUDGET_WHATSAPP_CUT.format(n=rest) + w.BUDGET_WHATSAPP_MORE
        if len(text) + len(part) + len(cut) > WHATSAPP_LIMIT:
            return text + cut
        text += part
    return text


def budget_draft(lines: Sequence[BudgetLine], year: int, village: Village) -> Draft:
    """A `dana_desa` broadcast of the year's APBDes, now, to everyone who takes that topic."""
    return Draft(
        kind=BroadcastKind.DANA_DESA,
        title=f"APBDes {year}",
        sms_text=budget_sms(lines, year, village),
        whatsapp_text=budget_whatsapp(lines, year, village),
        audience=Audience(topics=(Topic.DANA_DESA.value,)),
    )
