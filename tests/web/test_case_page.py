from django.utils import translation
from django.utils.html import escape

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Handoff, Interaction
from suivi.conversations.services import HandoffWithoutContext


def test_note_composer_records_an_internal_note_by_the_advisor(web, case, advisor):
    # given the case page
    # when the advisor writes a note
    response = web.post(f"/cases/{case.pk}/notes/", {"text": "Rappeler après 18 h"})

    # then an internal note by them is on the case timeline
    assert response.status_code == 302
    note = Interaction.objects.get(case=case, text="Rappeler après 18 h")
    assert (note.channel, note.direction, note.author_advisor) == ("note", "internal", advisor)


def test_note_on_a_closed_case_is_refused_with_the_domain_message(web, case):
    # given a closed case
    conversations.case_update(case=case, changes={"status": Case.Status.CLOSED})

    # when the advisor writes a note on it
    response = web.post(f"/cases/{case.pk}/notes/", {"text": "Trop tard"})

    # then the service's message is shown with its 4xx status
    assert response.status_code == 409
    assert escape(str(conversations.CaseClosed.default_message)) in response.content.decode()
    assert not Interaction.objects.filter(text="Trop tard").exists()


def test_handoff_without_note_is_refused_on_the_form(web, case, colleague):
    # given a case the advisor owns
    # when they hand it over without a context note
    response = web.post(f"/cases/{case.pk}/handoff/", {"to_advisor": colleague.pk})

    # then the form says why, in the page's language, and nothing moved
    with translation.override("fr"):
        message = str(HandoffWithoutContext.default_message)
    assert response.status_code == 422
    assert escape(message) in response.content.decode()
    assert not Handoff.objects.exists()
    case.refresh_from_db()
    assert case.owner_id != colleague.pk


def test_handoff_with_note_gives_the_case_to_the_colleague(web, case, colleague):
    # given a case the advisor owns
    # when they hand it over with a note
    response = web.post(
        f"/cases/{case.pk}/handoff/",
        {"to_advisor": colleague.pk, "context_note": "Remboursement promis pour vendredi"},
    )

    # then the colleague owns it
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner_id == colleague.pk


def test_receiver_sees_the_handoff_note_first(web_as, case, advisor, colleague):
    # given a case handed over to the colleague
    conversations.case_hand_over(
        case=case, to=colleague, by=advisor, context_note="Remboursement promis pour vendredi"
    )

    # when the colleague opens it
    page = web_as(colleague).get(f"/cases/{case.pk}/").content.decode()

    # then the note, and who wrote it, come before the case itself
    main = page.split('<main id="main"', 1)[1]
    assert main.index("Remboursement promis pour vendredi") < main.index("<h1")
    assert advisor.display_name in main[: main.index("<h1")]


def test_receiver_opening_the_case_marks_the_handoff_seen(web_as, case, advisor, colleague):
    # given a case handed over to the colleague
    handoff = conversations.case_hand_over(
        case=case, to=colleague, by=advisor, context_note="Remboursement promis"
    )

    # when the colleague opens it
    web_as(colleague).get(f"/cases/{case.pk}/")

    # then the handoff is seen
    handoff.refresh_from_db()
    assert handoff.seen_at is not None


def test_someone_else_opening_the_case_does_not_mark_the_handoff_seen(
    web, case, advisor, colleague
):
    # given a case handed over to the colleague
    handoff = conversations.case_hand_over(
        case=case, to=colleague, by=advisor, context_note="Remboursement promis"
    )

    # when the previous owner opens it again
    web.get(f"/cases/{case.pk}/")

    # then the receiver still has it as unseen
    handoff.refresh_from_db()
    assert handoff.seen_at is None


def test_summary_form_updates_the_case_summary(web, case):
    # given the case page
    # when the advisor saves a new summary
    response = web.post(f"/cases/{case.pk}/summary/", {"summary": "Remboursé le 3 mars"})

    # then the case keeps it
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.summary == "Remboursé le 3 mars"


def test_status_form_resolves_the_case(web, case):
    # given an open case
    # when the advisor marks it resolved
    response = web.post(f"/cases/{case.pk}/status/", {"status": "resolved"})

    # then it is resolved
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert case.resolved_at is not None


def test_unknown_status_is_a_form_error(web, case):
    # given an open case
    # when a status that does not exist is posted
    response = web.post(f"/cases/{case.pk}/status/", {"status": "lost"})

    # then the form refuses it and the case is unchanged
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_case_page_shows_the_case_timeline_only(web, customer, case, advisor):
    # given two cases of the same customer
    other = conversations.case_open(customer=customer, subject="Autre sujet")
    conversations.interaction_record(case=case, channel="phone", direction="in", text="Ici")
    conversations.interaction_record(case=other, channel="email", direction="in", text="Ailleurs")

    # when the first case is opened
    page = web.get(f"/cases/{case.pk}/").content.decode()

    # then only its own interactions are listed
    assert "Ici" in page
    assert "Ailleurs" not in page


def test_posting_to_a_case_of_another_team_is_not_found(web_as, outsider, case):
    # given an advisor of another team
    # when they try to add a note
    response = web_as(outsider).post(f"/cases/{case.pk}/notes/", {"text": "Intrus"})

    # then the case looks absent and nothing is written
    assert response.status_code == 404
    assert not Interaction.objects.filter(text="Intrus").exists()
