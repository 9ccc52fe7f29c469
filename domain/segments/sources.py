"""Where segment facts come from, and the program-local calendar they are read in.

Activities (visits, recycling, ...) are recorded by challenges/, which the domain must not
import. Segments only read that context's `activity` table, so they look its model up by
name in Tortoise's registry at query time: the ORM keeps the SQL portable between SQLite
and PostgreSQL (a raw query would not), and the dependency stays one-way and read-only.
Sustainability activities are the ones with an impact (impact_amount > 0).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from tortoise import Tortoise
from tortoise.models import Model

from domain.models import Program

ACTIVITY_APP = "models"
ACTIVITY_MODEL = "Activity"


def activity_model() -> type[Model]:
    apps = Tortoise.apps
    if apps is None:
        raise RuntimeError("Tortoise is not initialised")
    return apps.get_model(ACTIVITY_APP, ACTIVITY_MODEL)


def program_today(program: Program, now: datetime) -> date:
    return now.astimezone(ZoneInfo(program.time_zone)).date()


def local_date(program: Program, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(program.time_zone)).date()


def local_midnight(program: Program, day: date) -> datetime:
    """The instant a program-local day begins, in UTC: window bounds for SQL. (SQLite
    compares stored datetimes as text, so a bound in another offset would compare wrong.)"""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(program.time_zone)).astimezone(UTC)
