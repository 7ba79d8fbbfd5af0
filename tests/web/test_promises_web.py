"""Promises on the advisor pages: countdowns, the case's promises, making one, alerts."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from suivi.conversations import services as conversations
from suivi.core import clock
from suivi.core.clock import frozen_at
from suivi.promises.models import Alert, Promise
from suivi.promises.services import promise_cancel, promise_keep, promise_make, promises_sweep
from suivi.web.templatetags.promises import countdown, duration
from tests import builders

pytestmark = pytest.mark.django_db


def make(customer, *, hours=3.0, **fields):
    return promise_make(
        customer=customer,
        what=fields.pop("what", "Je vous rappelle"),
        due_at=clock.now() + timedelta(hours=hours),
        **fields,
    )


def render(source: str, **context) -> str:
    with translation.override("en"):
        return Template("{% load promises %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=20), "20 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(hours=30), "30 h"),
        (timedelta(days=3, hours=2), "3 days"),
    ],
)
def test_durations_read_at_a_glance(delta, text):
    with translation.override("en"):
        assert duration(delta) == text


def test_countdowns(customer, case):
    now = clock.now()
    with frozen_at(now) as hand:
        promise = make(customer, hours=3)
        with translation.override("en"):
            assert countdown(promise, now) == ("due in 3 h", "on_time")
            assert countdown(promise, now + timedelta(hours=3, minutes=20)) == (
                "overdue by 20 min",
                "overdue",
            )
            assert countdown(promise, now + timedelta(hours=2, minutes=30))[1] == "at_risk"
        hand.advance(timedelta(minutes=1))
        conversations.case_update(case=case, changes={"status": "waiting"})
    resolution = Promise.objects.get(case=case, kind="resolution")
    with translation.override("en"):
        text, state = countdown(resolution, clock.now())
    assert state == "paused"
    assert text.startswith("paused while we wait for the customer")


def test_customer_promises_lists_open_promises_with_a_countdown(customer):
    make(customer, hours=3, what="Rappel avant midi")
    kept = make(customer, what="Déjà tenu")
    promise_keep(promise=kept)
    html = render("{% customer_promises customer %}", customer=customer)
    assert "Rappel avant midi" in html
    assert "due in 3 h" in html or "due in 2 h" in html
    assert "Déjà tenu" not in html
    assert f'hx-get="/customers/{customer.pk}/promises/"' in html


def test_customer_promises_is_one_query_whatever_their_number(customer, django_assert_num_queries):
    for i in range(15):
        make(customer, hours=i + 1, what=f"Promesse {i}")
    with django_assert_num_queries(1):
        html = render("{% customer_promises customer %}", customer=customer)
    assert html.count('class="promise ') == 15


def test_case_promises_shows_kept_broken_cancelled_and_open(customer, case, advisor):
    now = clock.now()
    with frozen_at(now) as hand:
        builders.inbound(case)
        kept = make(customer, case=case, what="Tenue", made_by=advisor)
        promise_keep(promise=kept)
        broken = make(customer, case=case, what="Cassée", hours=1)
        cancelled = make(customer, case=case, what="Annulée")
        promise_cancel(promise=cancelled, reason="Le client a rappelé")
        hand.advance(timedelta(hours=2))
        promises_sweep()
        html = render("{% case_promises case %}", case=case)
    broken.refresh_from_db()
    assert broken.status == "broken"
    for text in ("Tenue", "Cassée", "Annulée", "Le client a rappelé", "kept", "broken: was due"):
        assert text in html
    assert "First answer" in html  # the policy promise of the inbound contact


def test_the_case_page_form_makes_a_personal_promise(web, case, advisor):
    due = (clock.now() + timedelta(days=1)).astimezone().strftime("%Y-%m-%dT%H:%M")
    response = web.post(
        f"/cases/{case.pk}/promises/new/",
        {"what": "Je vous rappelle demain avant midi", "kind": "callback", "due_at": due},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.pk}/#promises")
    promise = Promise.objects.get(case=case, made_by=advisor)
    assert (promise.kind, promise.what) == ("callback", "Je vous rappelle demain avant midi")


def test_a_promise_in_the_past_is_refused_on_the_form(web, case):
    past = (clock.now() - timedelta(hours=1)).astimezone().strftime("%Y-%m-%dT%H:%M")
    response = web.post(f"/cases/{case.pk}/promises/new/", {"what": "x", "due_at": past})
    assert response.status_code == 422
    assert not Promise.objects.filter(case=case, kind="personal").exists()
    assert "due_at" in response.context["form"].errors, response.context["form"].errors


def test_a_bad_form_is_shown_again(web, case):
    response = web.post(f"/cases/{case.pk}/promises/new/", {"what": "", "due_at": "demain"})
    assert response.status_code == 422
    assert web.get(f"/cases/{case.pk}/promises/new/").status_code == 200


def test_another_teams_case_looks_absent(web_as, outsider, case, customer):
    client = web_as(outsider)
    assert client.get(f"/cases/{case.pk}/promises/new/").status_code == 404
    assert client.get(f"/customers/{customer.pk}/promises/").status_code == 404
    promise = make(customer, case=case)
    assert client.post(f"/promises/{promise.pk}/keep/").status_code == 404


def test_keep_and_cancel_from_the_case_page(web, customer, case):
    promise = make(customer, case=case)
    other = make(customer, case=case)
    assert web.post(f"/promises/{promise.pk}/keep/").status_code == 302
    assert web.post(f"/promises/{other.pk}/cancel/", {"reason": ""}).status_code == 302
    other.refresh_from_db()
    assert other.status == "open"
    web.post(f"/promises/{other.pk}/cancel/", {"reason": "Plus utile"})
    promise.refresh_from_db()
    other.refresh_from_db()
    assert (promise.status, other.status) == ("kept", "cancelled")
    # keeping a cancelled promise is a conflict, shown as a page, never a 500
    assert web.post(f"/promises/{other.pk}/keep/").status_code == 409


def test_the_countdown_fragment_refreshes(web, customer):
    make(customer, what="Rappel")
    response = web.get(f"/customers/{customer.pk}/promises/")
    assert response.status_code == 200
    assert "Rappel" in response.content.decode()


def test_alerts_page_and_marking_read(web, customer, advisor):
    now = clock.now()
    with frozen_at(now) as hand:
        promise = make(customer, what="Rappel urgent", made_by=advisor, hours=1)
        hand.advance(timedelta(minutes=45))
        promises_sweep()
    alert = Alert.objects.get(advisor=advisor, promise=promise)
    page = web.get("/promises/alerts/")
    assert page.status_code == 200
    assert "Rappel urgent" in page.content.decode()
    assert web.post(f"/promises/alerts/{alert.pk}/read/").status_code == 302
    alert.refresh_from_db()
    assert alert.read_at is not None


def test_the_alerts_link_counts_unread_alerts(customer, advisor):
    with frozen_at(clock.now()) as hand:
        make(customer, made_by=advisor, hours=1)
        hand.advance(timedelta(minutes=45))
        promises_sweep()
    html = render("{% promise_alerts_link advisor %}", advisor=advisor)
    assert 'href="/promises/alerts/"' in html
    assert '<span class="tag tag--new">1</span>' in html


def test_the_customer_page_lists_open_promises(web, customer):
    make(customer, what="Je vous rappelle demain avant midi")
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert "Je vous rappelle demain avant midi" in page
    assert 'id="promises"' in page


def test_the_case_page_shows_the_promises_and_the_form(web, customer, case):
    make(customer, case=case, what="Remboursement sous 14 jours")
    page = web.get(f"/cases/{case.pk}/").content.decode()
    assert "Remboursement sous 14 jours" in page
    assert f'action="/cases/{case.pk}/promises/new/"' in page
    form = page.split(f"/cases/{case.pk}/promises/new/")[1][:300]
    assert 'name="csrfmiddlewaretoken" value="' in form
    assert 'value=""' not in form


def test_the_desk_polls_the_alerts_link_and_sees_a_new_alert(web, customer, advisor):
    # given the desk was opened before anything was at risk
    desk = web.get("/").content.decode()
    assert 'hx-get="/promises/alerts/link/"' in desk
    assert "tag--new" not in web.get("/promises/alerts/link/").content.decode()

    # when the sweep raises an alert
    with frozen_at(clock.now()) as hand:
        make(customer, made_by=advisor, hours=1)
        hand.advance(timedelta(minutes=45))
        promises_sweep()

    # then the next poll shows it
    assert (
        '<span class="tag tag--new">1</span>' in web.get("/promises/alerts/link/").content.decode()
    )
