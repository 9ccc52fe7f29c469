"""The GraphQL schema: the feature folders' queries and mutations, merged, plus the
extensions that guard and speed up every request."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types

from api.activities.mutations import ActivityMutations
from api.activities.queries import ActivityQueries
from api.badges.mutations import BadgeMutations
from api.badges.queries import BadgeQueries
from api.challenges.mutations import ChallengeMutations
from api.challenges.queries import ChallengeQueries
from api.leaderboards.mutations import LeaderboardMutations
from api.leaderboards.queries import LeaderboardQueries
from api.members.mutations import MemberMutations
from api.members.queries import MemberQueries
from api.notifications.mutations import NotificationMutations
from api.notifications.queries import NotificationQueries
from api.points.mutations import PointsMutations
from api.points.queries import PointsQueries
from api.problems import PROBLEM_TYPES
from api.settings import Settings
from api.subscriptions.subscriptions import Subscription
from api.tiers.mutations import TierMutations
from api.tiers.queries import TierQueries

Query = merge_types("Query", (MemberQueries, PointsQueries, TierQueries, ActivityQueries, BadgeQueries, NotificationQueries, ChallengeQueries, LeaderboardQueries))
Mutation = merge_types("Mutation", (MemberMutations, PointsMutations, TierMutations, ActivityMutations, BadgeMutations, NotificationMutations, ChallengeMutations, LeaderboardMutations))


def _mask_unexpected(error: GraphQLError) -> bool:
    """Errors we raise on purpose carry `extensions.code`; anything else is a bug's text."""
    return not (error.extensions or {}).get("code")


def extensions(settings: Settings) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    chosen: list = [
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        ParserCache,
        ValidationCache,
    ]
    if settings.production:
        chosen.append(lambda: MaskErrors(should_mask_error=_mask_unexpected))
    return chosen


def build_schema(settings: Settings) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=PROBLEM_TYPES,
        extensions=extensions(settings),
    )


# What `strawberry export-schema api.schema:schema` prints into schema.graphql.
schema = build_schema(Settings())
