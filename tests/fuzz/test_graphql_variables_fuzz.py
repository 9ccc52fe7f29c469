"""The fuzz of test_graphql_fuzz.py with every argument sent as a GraphQL variable, the way
apps send them: schemathesis generates each root field's document, every argument literal
becomes a variable of the argument's type (`query($first0: Int) { f(first: $first0) }`),
and hypothesis swaps one variable's value (sometimes more) for one at the edge of its type.
Half the examples use only values the type admits, so the resolvers and the database get
them (Int and Long at their limits, year 1 and 9999 with any offset, strings with NUL and
control characters, 200 KB strings, long lists); the other half also values it refuses,
which variable coercion must explain: Int past 32 bits, NaN and Infinity, numbers of 5000 digits, unknown
enum names, impossible dates, strings with NUL and other control characters or lone
surrogates, JSON nested thousands deep, strings of 200 KB, a null where null is not
allowed, an object missing a required field or with an unknown one.

Against `loyalty serve` in production settings, as an admin and as a member: no 5xx, no
masked "Unexpected error.", and every error carries `extensions.code`. Bounded like the
inline mode: FUZZ_EXAMPLES examples per root field (default 10; CI runs the default).
"""

from __future__ import annotations

import hypothesis
import requests
from graphql import parse, print_ast
from hypothesis import strategies as st

from tests.fuzz.documents import EXAMPLES, schema
from tests.fuzz.variables import encode, hostile, lift_arguments, reproducer
from tests.fuzz.verdict import unexplained

_session = requests.Session()


@schema.parametrize()
@schema.given(data=st.data())
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_no_variable_value_ends_in_a_server_error_or_an_unexplained_error(case, data, api_server):
    base_url, tokens = api_server
    document, lifted = lift_arguments(parse(case.body), schema.client_schema)
    variables = {v.name: v.value for v in lifted}
    if lifted:
        # Half the examples only with values the types admit, so that resolvers run on them.
        admitted = data.draw(st.booleans(), label="admitted only")
        target = data.draw(st.sampled_from(lifted), label="hostile variable")
        for variable in lifted:
            if variable is target or data.draw(st.integers(0, 4), label=f"also {variable.name}") == 0:
                variables[variable.name] = data.draw(hostile(variable.type, variable.value, admitted),
                                                     label=variable.name)
    body = encode({"query": print_ast(document), "variables": variables})
    for caller, token in tokens.items():
        response = _session.post(base_url, data=body, timeout=60, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        problem = unexplained(response.status_code, response.content)
        assert problem is None, (f"{problem} as {caller}:\n{reproducer(document, variables)}\n"
                                 f"-> {response.status_code} {response.text[:1000]}")
