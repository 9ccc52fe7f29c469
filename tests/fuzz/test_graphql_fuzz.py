"""Schemathesis generates queries and mutations from schema.graphql, with arbitrary
arguments written inline in the document, against the API running in production settings
in a process of its own (tests/fuzz/conftest.py): no request may end in a 5xx, a masked
"Unexpected error." or any error without `extensions.code`, as an admin or as a member.
test_graphql_variables_fuzz.py sends the same documents' values as variables.

Bounded: FUZZ_EXAMPLES examples per root field (default 10; CI runs the default).
"""

from __future__ import annotations

import hypothesis

from tests.fuzz.documents import EXAMPLES, schema
from tests.fuzz.verdict import unexplained


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_no_request_ends_in_a_server_error_or_an_unexplained_error(case, api_server):
    base_url, tokens = api_server
    for caller, token in tokens.items():
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
        problem = unexplained(response.status_code, response.content)
        assert problem is None, f"{problem} as {caller}:\n{case.body}\n-> {response.status_code} {response.text[:1000]}"
