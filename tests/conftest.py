import pytest
from django.db import connection
from django.test import Client

from suivi.people.models import Advisor
from suivi.people.services import api_token_create

from . import builders


def pytest_collection_modifyitems(config, items):
    # Row locks, concurrent writers, batched writes and the statements they cost behave as
    # in production only on PostgreSQL, which CI uses; on the embedded SQLite these tests
    # are reported as skipped, never passed.
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set SUIVI_DATABASE_URL)")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per advisor; what it protects is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    return builders.team("Particuliers")


@pytest.fixture
def advisor(team) -> Advisor:
    return builders.advisor(team=team, name="Léa Martin")


@pytest.fixture
def colleague(team) -> Advisor:
    return builders.advisor(team=team, name="Karim Benali")


@pytest.fixture
def outsider(db) -> Advisor:
    """An advisor of another team, who must not see our customers."""
    return builders.advisor(team=builders.team("Entreprises"), name="Tom Baker")


@pytest.fixture
def admin(db) -> Advisor:
    return builders.advisor(role=Advisor.Role.ADMIN, name="Admin")


class ApiClient:
    """A real HTTP client for the API that sends a bearer token."""

    def __init__(self, advisor: Advisor | None) -> None:
        self.client = Client()
        self.headers = {}
        if advisor is not None:
            _token, clear = api_token_create(user_id=advisor.user_id)
            self.headers["Authorization"] = f"Bearer {clear}"

    def _call(self, method: str, path: str, data=None, **params):
        kwargs = {"content_type": "application/json"} if data is not None else {}
        if data is not None:
            kwargs["data"] = data
        if params:
            kwargs["query_params"] = params
        return getattr(self.client, method)(path, headers=self.headers, **kwargs)

    def get(self, path: str, **params):
        return self._call("get", path, **params)

    def post(self, path: str, data=None):
        return self._call("post", path, data if data is not None else {})

    def patch(self, path: str, data):
        return self._call("patch", path, data)


@pytest.fixture
def api(advisor) -> ApiClient:
    return ApiClient(advisor)


@pytest.fixture
def api_as():
    return ApiClient
