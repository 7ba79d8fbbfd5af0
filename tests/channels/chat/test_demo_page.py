import pytest
from django.test import Client

from suivi.channels.chat.demo import DEMO_KEY, load_chat_demo
from suivi.channels.chat.models import ChatWidget

pytestmark = pytest.mark.django_db


def test_the_demo_widget_is_created_once(team, settings):
    settings.SUIVI_PUBLIC_URL = "https://suivi.example.org/"
    first = load_chat_demo(team=team)
    again = load_chat_demo(team=team)
    assert first.pk == again.pk and ChatWidget.objects.count() == 1
    assert first.public_key == DEMO_KEY and first.team == team
    assert "https://suivi.example.org" in first.origins


def test_the_demo_page_embeds_the_widget_in_the_page_language(team):
    widget = load_chat_demo(team=team)
    page = Client().get("/chat/demo/", headers={"accept-language": "en"})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="en">' in html
    assert f'src="/static/suivi/widget.js" data-suivi="{widget.public_key}" defer' in html


def test_the_demo_page_without_a_widget_is_a_404(db):
    assert Client().get("/chat/demo/").status_code == 404
    assert Client().get("/chat/demo/?key=w_nope").status_code == 404


def test_the_widget_script_is_served_as_a_static_file(team):
    response = Client().get("/static/suivi/widget.js")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert b"data-suivi" in body and b'aria-live="polite"' in body
