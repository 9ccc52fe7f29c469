"""The GraphQL schema: the feature folders' queries and mutations, merged, plus the
extensions that guard and speed up every request."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from api.activities.mutations import ActivityMutations
from api.activities.queries import ActivityQueries
from api.badges.mutations import BadgeMutations
from api.badges.queries import BadgeQueries
from api.campaigns.mutations import CampaignMutations
from api.campaigns.queries import CampaignQueries
from api.charities.mutations import CharityMutations
from api.charities.queries import CharityQueries
from api.challenges.mutations import ChallengeMutations
from api.challenges.queries import ChallengeQueries
from api.kpis.queries import KpiQueries
from api.leaderboards.mutations import LeaderboardMutations
from api.leaderboards.queries import LeaderboardQueries
from api.members.mutations import MemberMutations
from api.members.queries import MemberQueries
from api.notifications.mutations import NotificationMutations
from api.notifications.queries import NotificationQueries
from api.partners.mutations import PartnerMutations
from api.partners.queries import PartnerQueries
from api.points.batch import PurchaseBatchMutations
from api.points.mutations import PointsMutations
from api.points.queries import PointsQueries
from api.outages import DatabaseOutages
from api.input_guard import guard_root_fields
from api.limits.cost_guard import QueryCostGuard
from api.limits.document_guard import DocumentParser, DocumentValidation
from api.limits.graphql_errors import code_of, log_errors, parse_failed
from api.finite_decimal import SCALAR_MAP as DECIMAL_SCALAR_MAP
from api.long_int import SCALAR_MAP as LONG_SCALAR_MAP
from api.limits.persisted_queries import PersistedQueries
from api.privacy.mutations import PrivacyMutations
from api.privacy.queries import PrivacyQueries
from api.problems import PROBLEM_TYPES
from api.rewards.mutations import RewardMutations
from api.rewards.queries import RewardQueries
from api.segments.mutations import SegmentMutations
from api.segments.queries import SegmentQueries
from api.settings import Settings
from api.subscriptions.subscriptions import Subscription
from api.surveys.mutations import SurveyMutations
from api.surveys.queries import SurveyQueries
from api.tiers.mutations import TierMutations
from api.tiers.queries import TierQueries

Query = merge_types("Query", (MemberQueries, PointsQueries, TierQueries, ActivityQueries, BadgeQueries, NotificationQueries, ChallengeQueries, LeaderboardQueries, KpiQueries, PrivacyQueries, RewardQueries, CharityQueries, CampaignQueries, PartnerQueries, SegmentQueries, SurveyQueries))
Mutation = merge_types("Mutation", (MemberMutations, PointsMutations, PurchaseBatchMutations, TierMutations, ActivityMutations, BadgeMutations, NotificationMutations, ChallengeMutations, LeaderboardMutations, RewardMutations, CharityMutations, PrivacyMutations, CampaignMutations, PartnerMutations, SegmentMutations, SurveyMutations))


def _mask_unexpected(error: GraphQLError) -> bool:
    """Errors we raise on purpose carry `extensions.code`; an exception's text is a bug's
    and is masked. Parse and validation errors (no exception behind them) describe the
    client's own query, so the client keeps them."""
    return not (error.extensions or {}).get("code") and error.original_error is not None


def extensions(settings: Settings) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    chosen: list = [
        # First: a persisted query's text must be known before anything parses it.
        lambda: PersistedQueries(ttl_seconds=settings.persisted_query_ttl_seconds),
        # Sets the parser's token limit: a longer text fails while it is read.
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: DocumentParser(settings),
        # Shape limits (depth, aliases, spreads, repeats) in linear time, then graphql-core's
        # rules (cached), then the variables. Added validation rules (DisableIntrospection's)
        # are fixed classes, so the cache keeps hitting.
        lambda: DocumentValidation(settings),
        # After validation, before any resolver: price the operation, charge the caller.
        lambda: QueryCostGuard(settings),
    ]
    if settings.production:
        # The schema is the mobile app's business, not the public's.
        chosen.append(DisableIntrospection)
        chosen.append(lambda: MaskErrors(should_mask_error=_mask_unexpected))
    chosen.append(DatabaseOutages)
    return chosen


class LoyaltySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Called with every error before MaskErrors sees it: a syntax error gets its code
        here (strawberry makes it), then each error is logged at the level of its code
        (api/limits/graphql_errors.py): refusals without traceback, failures with it."""
        for error in errors:
            if isinstance(error, GraphQLSyntaxError) and code_of(error) is None:
                error.extensions = {**(error.extensions or {}), **parse_failed(error)}
        log_errors(errors)


def build_schema(settings: Settings) -> strawberry.Schema:
    # Control characters, out-of-range times and oversized JSON are refused on every root
    # field before its resolver runs (api/input_guard.py); the SDL does not change.
    guard_root_fields(Query, Mutation)
    return LoyaltySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=PROBLEM_TYPES,
        extensions=extensions(settings),
        config=StrawberryConfig(scalar_map={**LONG_SCALAR_MAP, **DECIMAL_SCALAR_MAP}),
    )


# What `strawberry export-schema api.schema:schema` prints into schema.graphql.
schema = build_schema(Settings())
