"""Writing the customer file from the advisor pages: new customer, preferences, identities."""

from django.utils import translation
from django.utils.html import escape

from suivi.customers import services as customers
from suivi.customers.identities import normalise
from suivi.customers.models import Customer, Identity
from suivi.customers.services import CustomerNameRequired
from tests import builders

PREFERENCES = ("given_name", "family_name", "address_as", "language", "preferred_channel")


def new_customer(**fields) -> dict:
    return {
        "given_name": "Nicolas",
        "family_name": "Petit",
        "address_as": "M. Petit",
        "language": "en",
        "preferred_channel": "phone",
        "contact_hours": "weekdays after 6 pm",
        "dedicated_advisor": "",
        "email": "",
        "phone": "",
        "customer_number": "",
        **fields,
    }


def edit_post(customer: Customer, **changes) -> dict:
    """What the edit page posts: every field as shown, with the values it showed."""
    shown = {
        **{name: getattr(customer, name) for name in PREFERENCES},
        "contact_hours": customer.contact_hours,
        "dedicated_advisor": customer.dedicated_advisor_id or "",
    }
    return {**shown, **{f"initial-{k}": v for k, v in shown.items()}, **changes}


def in_french(message) -> str:
    with translation.override("fr"):
        return escape(str(message))


# New customer


def test_new_customer_page_proposes_me_as_dedicated_advisor(web, advisor):
    # given the advisor
    # when they open the new customer page
    response = web.get("/customers/new/")

    # then they are the dedicated advisor unless they choose otherwise
    assert response.status_code == 200
    assert f'<option value="{advisor.pk}" selected>' in response.content.decode()


def test_new_customer_form_creates_the_customer_and_opens_their_file(web, advisor):
    # given the new customer page
    # when the advisor fills it in, with themselves as dedicated advisor
    response = web.post(
        "/customers/new/",
        new_customer(
            dedicated_advisor=advisor.pk,
            email="Nicolas.Petit@Example.org",
            phone="06 12 34 56 79",
            customer_number="c-1234",
        ),
    )

    # then the customer exists, with normalised identities, and their file opens
    customer = Customer.objects.get(family_name="Petit")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert (customer.given_name, customer.address_as, customer.language) == (
        "Nicolas",
        "M. Petit",
        "en",
    )
    assert (customer.preferred_channel, customer.contact_hours) == ("phone", "weekdays after 6 pm")
    assert customer.dedicated_advisor == advisor
    assert customer.team_id == advisor.team_id
    assert sorted(customer.identities.values_list("kind", "value")) == [
        ("customer_number", "C-1234"),
        ("email", "nicolas.petit@example.org"),
        ("phone", "+33612345679"),
    ]


def test_new_customer_without_dedicated_advisor_follows_my_team(web, advisor):
    # given the new customer page
    # when the advisor leaves the dedicated advisor empty
    response = web.post("/customers/new/", new_customer())

    # then the customer is in the advisor's team, and its file opens
    customer = Customer.objects.get(family_name="Petit")
    assert customer.dedicated_advisor is None
    assert customer.team_id == advisor.team_id
    assert response["Location"] == f"/customers/{customer.pk}/"


def test_new_customer_given_to_another_team_sends_me_back_to_my_desk(web, outsider):
    # given the new customer page
    # when the advisor gives the customer to an advisor of another team
    response = web.post("/customers/new/", new_customer(dedicated_advisor=outsider.pk))

    # then the customer is theirs, and the advisor is not sent to a file they cannot see
    customer = Customer.objects.get(family_name="Petit")
    assert customer.team_id == outsider.team_id
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_new_customer_without_a_name_is_refused_on_the_form(web):
    # given the new customer page
    # when neither name is filled in
    response = web.post("/customers/new/", new_customer(given_name=" ", family_name=""))

    # then the service's message is on the form, tied to the name field, and nobody is added
    page = response.content.decode()
    assert response.status_code == 422
    assert in_french(CustomerNameRequired.default_message) in page
    assert 'aria-describedby="id_given_name_error"' in page
    assert 'id="id_given_name_error"' in page
    assert not Customer.objects.exists()


def test_new_customer_with_an_invalid_email_is_refused_on_that_field(web):
    # given the new customer page
    # when the e-mail address is not one
    response = web.post("/customers/new/", new_customer(email="nicolas@"))

    # then the reason is next to the e-mail field and nobody is added
    page = response.content.decode()
    assert response.status_code == 422
    assert "nicolas@" in page.split('id="id_email_error"', 1)[1].split("</div>", 1)[0]
    assert 'aria-invalid="true" aria-describedby="id_email_error"' in page
    assert not Customer.objects.exists()


def test_new_customer_with_a_phone_another_customer_has_is_a_conflict(web, customer):
    # given a customer with a phone number
    # when a new customer is entered with the same number, written differently
    response = web.post("/customers/new/", new_customer(phone="06 12 34 56 78"))

    # then the conflict is named on the phone field and nobody is added
    page = response.content.decode()
    assert response.status_code == 409
    with translation.override("fr"):
        label = str(Identity.Kind.PHONE.label)
    error = page.split('id="id_phone_error"', 1)[1].split("</div>", 1)[0]
    assert "+33612345678" in error
    assert escape(label) in error
    assert not Customer.objects.filter(family_name="Petit").exists()


def test_unknown_dedicated_advisor_is_a_form_error(web):
    # given the new customer page
    # when an advisor id that does not exist is posted
    response = web.post("/customers/new/", new_customer(dedicated_advisor=999_999))

    # then the form refuses it
    assert response.status_code == 422
    assert not Customer.objects.exists()


def test_new_customer_form_refuses_a_post_without_csrf_token(web_as, advisor):
    # given a browser that does not send the CSRF token
    client = web_as(advisor, enforce_csrf_checks=True)

    # when it posts a new customer
    response = client.post("/customers/new/", new_customer())

    # then it is refused and nothing is written
    assert response.status_code == 403
    assert not Customer.objects.exists()


# Editing preferences


def test_edit_page_shows_the_current_preferences(web, customer):
    # given a customer
    # when the edit page is opened
    response = web.get(f"/customers/{customer.pk}/edit/")

    # then it holds what the file says
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Mme Durand"' in page
    assert f'<option value="{customer.dedicated_advisor_id}" selected>' in page


def test_edit_form_saves_the_preferences(web, customer, colleague):
    # given the edit page
    # when the advisor changes the address, channel, hours and dedicated advisor
    response = web.post(
        f"/customers/{customer.pk}/edit/",
        edit_post(
            customer,
            address_as="Hélène",
            preferred_channel="sms",
            contact_hours="jamais le mercredi",
            dedicated_advisor=colleague.pk,
        ),
    )

    # then the file has them
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    customer.refresh_from_db()
    assert (customer.address_as, customer.preferred_channel) == ("Hélène", "sms")
    assert customer.contact_hours == "jamais le mercredi"
    assert customer.dedicated_advisor_id == colleague.pk


def test_edit_form_keeps_what_a_colleague_changed_meanwhile(web, customer):
    # given the edit page as it was shown
    shown = edit_post(customer, address_as="Hélène")
    # and a colleague who changes the contact hours before the advisor saves
    customers.customer_update(customer=customer, changes={"contact_hours": "le matin"})

    # when the advisor saves their change of address
    web.post(f"/customers/{customer.pk}/edit/", shown)

    # then both changes are kept
    customer.refresh_from_db()
    assert (customer.address_as, customer.contact_hours) == ("Hélène", "le matin")


def test_edit_form_without_a_name_is_refused_and_changes_nothing(web, customer):
    # given the edit page
    # when both names are emptied
    response = web.post(
        f"/customers/{customer.pk}/edit/",
        edit_post(customer, given_name="", family_name="", address_as="Quelqu'un"),
    )

    # then the service's message is on the form and the file is unchanged
    assert response.status_code == 422
    assert in_french(CustomerNameRequired.default_message) in response.content.decode()
    customer.refresh_from_db()
    assert (customer.given_name, customer.address_as) == ("Hélène", "Mme Durand")


def test_edit_page_of_another_team_is_not_found(web_as, outsider, customer):
    # given an advisor of another team
    client = web_as(outsider)

    # when they open or post our customer's edit page
    opened = client.get(f"/customers/{customer.pk}/edit/")
    posted = client.post(f"/customers/{customer.pk}/edit/", edit_post(customer, address_as="X"))

    # then it looks absent and nothing changed
    assert (opened.status_code, posted.status_code) == (404, 404)
    customer.refresh_from_db()
    assert customer.address_as == "Mme Durand"


# Adding an identity


def test_identity_form_adds_an_identity_to_the_file(web, customer):
    # given a customer file
    # when the advisor adds a phone number
    response = web.post(
        f"/customers/{customer.pk}/identities/", {"kind": "phone", "value": "01 23 45 67 89"}
    )

    # then the customer has it, normalised
    assert response.status_code == 302
    assert customer.identities.filter(kind="phone", value="+33123456789").exists()


def test_identity_of_another_customer_is_a_conflict_named_on_the_form(web, customer, advisor):
    # given another customer with an e-mail address
    taken = "paul.martin@example.org"
    builders.customer(given_name="Paul", family_name="Martin", advisor=advisor, email=taken)

    # when the advisor adds that address to this customer
    response = web.post(
        f"/customers/{customer.pk}/identities/", {"kind": "email", "value": taken.upper()}
    )

    # then the conflict, naming the address, is on the customer page, and nothing was added
    page = response.content.decode()
    assert response.status_code == 409
    assert taken in page.split('id="id_identity_value_error"', 1)[1].split("</div>", 1)[0]
    assert "<h1" in page  # the file itself, with the form open
    assert not customer.identities.filter(value=taken).exists()


def test_invalid_identity_is_refused_on_the_form(web, customer):
    # given a customer file
    # when the advisor adds a phone number that is not one
    before = customer.identities.count()
    response = web.post(
        f"/customers/{customer.pk}/identities/", {"kind": "phone", "value": "pas un numéro"}
    )

    # then it is refused next to the value
    assert response.status_code == 422
    assert 'id="id_identity_value_error"' in response.content.decode()
    assert customer.identities.count() == before


def test_identity_already_on_the_file_is_not_added_twice(web, customer):
    # given a customer with a phone number
    before = customer.identities.count()

    # when the advisor adds the same number again
    response = web.post(
        f"/customers/{customer.pk}/identities/", {"kind": "phone", "value": "06 12 34 56 78"}
    )

    # then nothing changes and the advisor is told
    assert response.status_code == 302
    assert customer.identities.count() == before


def test_identity_form_of_another_team_is_not_found(web_as, outsider, customer):
    # given an advisor of another team
    # when they add an identity to our customer
    response = web_as(outsider).post(
        f"/customers/{customer.pk}/identities/", {"kind": "phone", "value": "01 23 45 67 89"}
    )

    # then it looks absent and nothing is added
    assert response.status_code == 404
    assert not Identity.objects.filter(value=normalise("phone", "0123456789").value).exists()


def test_identity_form_refuses_a_post_without_csrf_token(web_as, advisor, customer):
    # given a browser that does not send the CSRF token
    client = web_as(advisor, enforce_csrf_checks=True)

    # when it posts an identity
    response = client.post(
        f"/customers/{customer.pk}/identities/", {"kind": "phone", "value": "01 23 45 67 89"}
    )

    # then it is refused and nothing is written
    assert response.status_code == 403
    assert not customer.identities.filter(kind="phone", value="+33123456789").exists()
