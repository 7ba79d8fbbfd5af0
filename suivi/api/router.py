"""The API root: /api/v1/..., OpenAPI at /api/openapi.json, docs at /api/docs."""

from ninja import NinjaAPI

from . import advisors, appointments, assets, cases, customers, errors, promises
from .auth import AdvisorSessionAuth, TokenAuth

api = NinjaAPI(
    title="Suivi API",
    version="1",
    description="One customer, one file, every channel. Errors are "
    '`{"code": "...", "message": "..."}`; codes are listed in docs/api.md.',
    auth=[TokenAuth(), AdvisorSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/v1/customers", customers.router)
api.add_router("/v1/cases", cases.router)
api.add_router("/v1/advisors", advisors.router)
api.add_router("/v1/promises", promises.router)
api.add_router("/v1/appointments", appointments.router)
api.add_router("/v1/assets", assets.router)
api.add_router("/v1/cases", "suivi.api.replies.router")
api.add_router("/v1/wait-estimates", "suivi.api.routing.router")
api.add_router("/v1/callbacks", "suivi.api.callbacks.router")
api.add_router("/v1/knowledge", "suivi.api.knowledge.router")
api.add_router("/v1/channels/phone", "suivi.api.phone.router")
api.add_router("/v1/calls", "suivi.api.phone.calls_router")
api.add_router("/v1/insights", "suivi.api.insights.router")
