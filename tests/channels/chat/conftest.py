import pytest

from suivi.channels.chat.limits import addresses
from suivi.channels.chat.models import ChatWidget
from tests import builders

from .server import serve


@pytest.fixture
def server(transactional_db):
    """Base URL of a real uvicorn serving the ASGI app (HTTP and WebSockets)."""
    addresses.__init__()  # per-IP counters start empty for every test
    with serve() as base:
        yield base


@pytest.fixture
def chat_team(transactional_db):
    return builders.team("Particuliers")


@pytest.fixture
def widget(server, chat_team) -> ChatWidget:
    return ChatWidget.objects.create(
        name="Boutique", allowed_origins=f"{server}\nhttps://shop.example.org", team=chat_team
    )
