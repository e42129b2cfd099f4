"""The budget API's bodies and answers: APBDes lines, totals and the announcement."""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.routes.api.schemas.base import RUPIAH_MAX, Body, forbid_extra
from broadcasts.announcements import BudgetTotals
from models import (
    BudgetDirection,
    BudgetLine,
)
from models.texts import format_rupiah


class BudgetLineCreate(Body):
    """One APBDes line: an income source, or a spending activity in its field (bidang 1-5)."""

    model_config = forbid_extra(
        [
            {
                "year": 2026,
                "direction": "spending",
                "bidang": 2,
                "activity": "Rabat beton jalan",
                "location": "Dusun Krajan RT 02",
                "amount": 250_000_000,
                "realised": 180_000_000,
            },
            {
                "year": 2026,
                "direction": "income",
                "source": "DD",
                "activity": "Dana Desa",
                "amount": 1_050_000_000,
            },
        ]
    )

    year: int = Field(ge=2000, le=2100)
    direction: BudgetDirection
    bidang: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="Spending field: 1 administration, 2 development, 3 community, 4 empowerment, "
        "5 disasters and emergencies",
    )
    source: str | None = Field(default=None, min_length=1, max_length=40, examples=["DD", "ADD", "PADes"])
    activity: str = Field(min_length=1, max_length=200)
    location: str = Field(default="", max_length=120)
    amount: int = Field(gt=0, le=RUPIAH_MAX, description="Integer Rupiah")
    realised: int = Field(default=0, ge=0, le=RUPIAH_MAX, description="Integer Rupiah realised so far")

    @model_validator(mode="after")
    def _bidang_for_spending(self) -> Self:
        if self.direction == BudgetDirection.SPENDING and self.bidang is None:
            raise ValueError("a spending line needs its bidang (1-5)")
        if self.direction == BudgetDirection.INCOME and self.bidang is not None:
            raise ValueError("bidang is for spending lines; an income line has a source")
        return self


class BudgetLinePublic(BaseModel):
    """One APBDes line, with its amounts spelled the Indonesian way."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int
    direction: BudgetDirection
    bidang: int | None
    source: str | None
    activity: str
    location: str
    amount: int
    amount_text: str = Field(examples=["Rp250 juta"])
    realised: int
    realised_text: str

    @classmethod
    def of(cls, line: BudgetLine) -> Self:
        """The line, with its amounts in words."""
        return cls.model_validate(
            {
                **line.model_dump(),
                "amount_text": format_rupiah(line.amount),
                "realised_text": format_rupiah(line.realised),
            }
        )


class BudgetTotalsPublic(BaseModel):
    """A year's totals in integer Rupiah, each with its Indonesian spelling."""

    income: int
    income_text: str = Field(examples=["Rp1,6 miliar"])
    income_realised: int
    spending: int
    spending_text: str
    spending_realised: int
    spending_realised_text: str
    spending_realised_percent: int | None
    balance: int = Field(description="Income less spending")
    balance_text: str

    @classmethod
    def of(cls, sums: BudgetTotals) -> Self:
        """From the domain's totals."""
        return cls(
            income=sums.income,
            income_text=format_rupiah(sums.income),
            income_realised=sums.income_realised,
            spending=sums.spending,
            spending_text=format_rupiah(sums.spending),
            spending_realised=sums.spending_realised,
            spending_realised_text=format_rupiah(sums.spending_realised),
            spending_realised_percent=sums.spending_realised_percent,
            balance=sums.balance,
            balance_text=format_rupiah(sums.balance),
        )


class BudgetPublic(BaseModel):
    """A year's APBDes: its lines (income first, then spending by bidang) and totals."""

    year: int
    lines: list[BudgetLinePublic]
    totals: BudgetTotalsPublic
