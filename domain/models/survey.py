"""Short surveys marketers publish, and members' answers to them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # open for answers
    CLOSED = "closed"


class Survey(Model):
    """A few questions with a bonus for answering all of them.

    Questions are JSON as validated by domain.surveys: text, kind (single choice, rating
    from 1 to 5, free text) and options or a maximum length."""

    id = fields.IntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    title = fields.CharField(max_length=200)
    questions = fields.JSONField(default=list)
    bonus_points = fields.IntField(default=0)
    status = fields.CharEnumField(SurveyStatus, max_length=16, default=SurveyStatus.DRAFT)
    created_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "survey"


class SurveyResponse(Model):
    """One member answering one survey, once: the unique pair guards the bonus."""

    id = fields.BigIntField(primary_key=True)
    program = fields.ForeignKeyField("models.Program", related_name=False)
    survey = fields.ForeignKeyField("models.Survey", related_name="responses")
    member = fields.ForeignKeyField("models.Member", related_name=False)
    answers = fields.JSONField(default=list)  # one value a question, in question order
    points_credited = fields.IntField(default=0)
    answered_at = fields.DatetimeField()

    class Meta:
        table = "survey_response"
        unique_together = (("survey", "member"),)
