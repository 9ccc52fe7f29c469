"""GraphQL types of partners and their settlement."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from api.long_int import Long
from domain import models, partners


@strawberry.type
class Partner:
    id: strawberry.ID
    code: str = strawberry.field(description="What integrations send as recordPurchase's partnerCode.")
    name: str
    active: bool
    points_per_currency_unit: int
    earn_multiplier: Decimal
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, partner: models.Partner) -> Partner:
        return cls(
            id=strawberry.ID(str(partner.id)), code=partner.code, name=partner.name, active=partner.active,
            points_per_currency_unit=partner.points_per_currency_unit,
            earn_multiplier=Decimal(f"{Decimal(partner.earn_multiplier).normalize():f}"), created_at=partner.created_at,
            updated_at=partner.updated_at,
        )


@strawberry.type(description="One partner over the period: what its purchases issued and returns took back.")
class PartnerSettlement:
    partner: Partner
    purchase_count: Long
    purchase_amount: Long = strawberry.field(description="Minor units, in the program's currency.")
    points_issued: Long
    points_reversed: Long
    net_points: Long

    @classmethod
    def from_settlement(cls, row: partners.PartnerSettlement) -> PartnerSettlement:
        return cls(
            partner=Partner.from_model(row.partner), purchase_count=row.purchase_count,
            purchase_amount=row.purchase_amount, points_issued=row.points_issued,
            points_reversed=row.points_reversed, net_points=row.net_points,
        )
