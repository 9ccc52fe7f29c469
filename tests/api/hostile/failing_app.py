"""The production app plus one route that fails, for tests that run it under uvicorn as
production does (`uvicorn api.main:app`) and read what the server writes."""

from starlette.requests import Request
from starlette.routing import Route

from api.app import create_app


async def fail(request: Request) -> None:
    # A bug whose message quotes a credential: the log must still blank it.
    raise RuntimeError("the till sent Authorization: Bearer abc.def.ghi and then broke")


app = create_app()
app.router.routes.append(Route("/fail", fail))
