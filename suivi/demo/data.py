"""A realistic bilingual demo company: teams, advisors, customers and their histories.

`plan_demo` is pure: from a seed and a moment it returns plain specs, the same every
time, so tests can compare two plans. `load_demo` writes a plan once: people through
their services (they are few, and their invariants matter), customers, identities,
cases and interactions with `bulk_create` in one transaction, so that thousands of
customers load in seconds. The derived columns the services would maintain
(name keys, team, first answers, the case clocks) are computed here the same way.
"""

import difflib
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TextIO

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from suivi.channels.chat.demo import load_chat_demo
from suivi.conversations.models import Case, Handoff, Interaction
from suivi.conversations.selectors import inbox_page
from suivi.core import clock
from suivi.core.text import search_key
from suivi.customers.identities import normalise
from suivi.customers.models import Customer, Identity, PossibleDuplicate
from suivi.customers.services import NAME_SIMILARITY, duplicates_detect_many
from suivi.people import services as people
from suivi.people.models import Absence, Advisor, Team
from suivi.promises.models import Promise
from suivi.promises.services import promise_make_by_policy, promises_sweep
from suivi.scheduling.demo import load_callbacks_demo, load_scheduling_demo

from . import texts
from .knowledge import load_knowledge_demo
from .texts import Topic

DEMO_USERNAME = "demo"
# Public on purpose: the demo prints it, and every demo advisor shares it.
DEMO_PASSWORD = "suivi-demo"  # noqa: S105

IN, OUT, INTERNAL = (Interaction.Direction.INBOUND, Interaction.Direction.OUTBOUND,
                     Interaction.Direction.INTERNAL)  # fmt: skip
CUSTOMER, ADVISOR = Interaction.AuthorKind.CUSTOMER, Interaction.AuthorKind.ADVISOR


# --- People: fixed, because a demo is easier to tell with names one remembers. ---------

PARTICULIERS, PROFESSIONNELS, ENGLISH_DESK = "Particuliers", "Professionnels", "English desk"
TEAMS = (PARTICULIERS, PROFESSIONNELS, ENGLISH_DESK)

_WEEK = ("mon", "tue", "wed", "thu", "fri")
_FULL_DAY = [["09:00", "12:30"], ["13:30", "17:30"]]
_EARLY_DAY = [["08:00", "12:00"], ["13:00", "16:00"]]


def _hours(days: Iterable[str] = _WEEK, shifts: list[list[str]] = _FULL_DAY) -> dict:
    return {day: shifts for day in days}


@dataclass(frozen=True)
class AdvisorSpec:
    username: str
    display_name: str
    team: str
    role: str = Advisor.Role.ADVISOR
    languages: tuple[str, ...] = ("fr",)
    skills: tuple[str, ...] = ()
    working_hours: dict = field(default_factory=_hours, compare=False)
    backup: str | None = None


LEAD = Advisor.Role.LEAD
ADVISORS: tuple[AdvisorSpec, ...] = (
    AdvisorSpec("nathalie", "Nathalie Rousseau", PARTICULIERS, LEAD, ("fr", "en"),
                ("billing", "complaint"), backup="karim"),
    AdvisorSpec(DEMO_USERNAME, "Camille Demo", PARTICULIERS, languages=("fr", "en"),
                skills=("billing", "moving", "device"), backup="lea"),
    AdvisorSpec("lea", "Léa Martin", PARTICULIERS, skills=("billing", "payment"),
                working_hours=_hours(("mon", "tue", "thu", "fri")), backup=DEMO_USERNAME),
    AdvisorSpec("karim", "Karim Benali", PARTICULIERS, languages=("fr", "ar"),
                skills=("outage", "installation", "device"), backup="julien"),
    AdvisorSpec("julien", "Julien Moreau", PARTICULIERS, skills=("contract", "meter"),
                working_hours=_hours(shifts=_EARLY_DAY), backup="karim"),
    AdvisorSpec("isabelle", "Isabelle Fontaine", PROFESSIONNELS, LEAD, ("fr", "en"),
                ("contract", "solar"), backup="thomas"),
    AdvisorSpec("thomas", "Thomas Lefèvre", PROFESSIONNELS, skills=("billing", "contract"),
                backup="sophie"),
    AdvisorSpec("sophie", "Sophie Garnier", PROFESSIONNELS, languages=("fr", "en"),
                skills=("installation", "eligibility"), backup="thomas"),
    AdvisorSpec("mehdi", "Mehdi Haddad", PROFESSIONNELS, languages=("fr", "en", "ar"),
                skills=("outage", "device"), backup="isabelle"),
    AdvisorSpec("emma", "Emma Clarke", ENGLISH_DESK, LEAD, ("en", "fr"),
                ("complaint", "billing"), backup="lucas"),
    AdvisorSpec("oliver", "Oliver Bennett", ENGLISH_DESK, languages=("en",),
                skills=("outage", "device", "roaming"), backup="priya"),
    AdvisorSpec("priya", "Priya Shah", ENGLISH_DESK, languages=("en", "hi"),
                skills=("billing", "payment", "warm_home"), backup="oliver"),
    AdvisorSpec("lucas", "Lucas Bernard", ENGLISH_DESK, languages=("en", "fr"),
                skills=("moving", "contract"), working_hours=_hours(shifts=_EARLY_DAY),
                backup="emma"),
)  # fmt: skip
FIRST_EXTENSION = 201
# The advisor whose cases the demo user covers: Léa is on leave, Camille backs her up.
ABSENT = "lea"


# --- Specs: what a plan holds, plain data without a database. --------------------------


@dataclass
class InteractionSpec:
    channel: str
    direction: str
    author_kind: str
    author: str | None
    text: str
    occurred_at: datetime
    first_answered_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class HandoffSpec:
    from_advisor: str
    to_advisor: str
    context_note: str
    created_at: datetime
    seen_at: datetime | None


@dataclass
class CaseSpec:
    subject: str
    topic: str
    status: str
    owner: str | None
    summary: str
    opened_at: datetime
    resolved_at: datetime | None
    interactions: list[InteractionSpec]
    handoff: HandoffSpec | None = None
    awaiting_reply_since: datetime | None = None
    last_interaction_at: datetime | None = None


@dataclass
class CustomerSpec:
    given_name: str
    family_name: str
    address_as: str
    language: str
    preferred_channel: str
    contact_hours: str
    advisor: str | None
    team: str
    created_at: datetime
    identities: list[tuple[str, str]]
    cases: list[CaseSpec] = field(default_factory=list)
    # Index in the plan of the customer this one duplicates, if any.
    duplicate_of: int | None = None


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    username: str = DEMO_USERNAME
    password: str = DEMO_PASSWORD
    teams: int = 0
    advisors: int = 0
    customers: int = 0
    identities: int = 0
    cases: int = 0
    interactions: int = 0
    handoffs: int = 0
    possible_duplicates: int = 0
    demo_inbox: int = 0
    seconds: float = 0.0


# --- The plan ---------------------------------------------------------------------------

_FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")  # fmt: skip
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_FR_DOMAINS = ("orange.fr", "gmail.com", "free.fr", "laposte.net", "sfr.fr", "outlook.fr",
               "wanadoo.fr", "yahoo.fr")  # fmt: skip
_EN_DOMAINS = ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk", "hotmail.co.uk",
               "sky.com")  # fmt: skip
_FR_HOURS = ("en semaine après 18 h", "jamais le mercredi", "le matin de préférence",
             "entre 12 h et 14 h", "samedi matin")  # fmt: skip
_EN_HOURS = ("weekdays after 6 pm", "mornings only", "not on Fridays", "lunchtime",
             "Saturday mornings")  # fmt: skip
# What people prefer (see PRODUCT.md): phone and e-mail first, then face to face.
_PREFERRED = (("phone", 30), ("email", 28), ("visit", 10), ("chat", 9), ("sms", 8),
              ("letter", 5), ("", 10))  # fmt: skip
_FIRST_CONTACT = (("email", 30), ("phone", 28), ("chat", 10), ("visit", 9), ("web_form", 8),
                  ("sms", 7), ("letter", 6), ("whatsapp", 2))  # fmt: skip
_SHOWCASE_CHANNELS = ("email", "phone", "visit", "chat", "letter", "web_form", "sms")
_LIVE = {"phone", "visit"}
_PREFIX: dict[str, dict[tuple[str, str], str]] = {
    "fr": {("phone", IN): "Appel entrant — ", ("visit", IN): "Visite en boutique — ",
           ("phone", OUT): "Rappel — "},
    "en": {("phone", IN): "Inbound call — ", ("visit", IN): "Shop visit — ",
           ("phone", OUT): "Call back — "},
}  # fmt: skip


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", search_key(value))


class _Planner:
    """Draws one demo company; every random choice goes through `rng` or the fakers."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.fakers = {"fr": Faker("fr_FR"), "en": Faker("en_GB")}
        for offset, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed + offset)
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.members = {
            team: [a.username for a in ADVISORS if a.team == team and a.role != LEAD]
            for team in TEAMS
        }
        self.leads = {a.team: a.username for a in ADVISORS if a.role == LEAD}
        self.backups = {a.username: a.backup for a in ADVISORS}
        self.first_names = {a.username: a.display_name.split()[0] for a in ADVISORS}
        self.portfolio: dict[str, int] = {a.username: 0 for a in ADVISORS}

    # Identities

    def email(self, given: str, family: str, language: str, company: str | None) -> str:
        g, f = _slug(given) or "client", _slug(family) or "suivi"
        local = self.rng.choice((f"{g}.{f}", f"{g}{f}", f"{g[0]}{f}", f"{g}.{f}"))
        domain = (
            f"{_slug(company)[:20]}.{'fr' if language == 'fr' else 'co.uk'}"
            if company
            else self.rng.choice(_FR_DOMAINS if language == "fr" else _EN_DOMAINS)
        )
        address = f"{local}@{domain}"
        while address in self.emails:
            address = f"{local}{self.rng.randint(1, 999)}@{domain}"
        self.emails.add(address)
        return address

    def phone(self, language: str) -> str:
        """A valid mobile number, written the way people type it."""
        while True:
            if language == "fr":
                head = self.rng.choice(("6", "6", "7"))
                second = str(self.rng.randint(0, 9) if head == "6" else self.rng.randint(3, 9))
                national = head + second + "".join(str(self.rng.randint(0, 9)) for _ in range(7))
                e164 = "+33" + national
            else:
                national = (
                    "7"
                    + self.rng.choice("45789")
                    + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
                )
                e164 = "+44" + national
            if e164 in self.phones or not phonenumbers.is_valid_number(phonenumbers.parse(e164)):
                continue
            self.phones.add(e164)
            if language == "fr":
                digits = "0" + national
                return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
            return f"+44 {national[:4]} {national[4:]}"

    # Customers

    def customer(self, index: int) -> CustomerSpec:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            team, language = PARTICULIERS, "fr"
        elif roll < 0.80:
            team, language = PROFESSIONNELS, "fr" if rng.random() < 0.85 else "en"
        else:
            team, language = ENGLISH_DESK, "en"
        fake = self.fakers[language]
        female = rng.random() < 0.52
        given = fake.first_name_female() if female else fake.first_name_male()
        family = fake.last_name()
        company = fake.company() if team == PROFESSIONNELS else None
        identities = [("email", self.email(given, family, language, company))]
        if rng.random() < 0.85:
            identities.append(("phone", self.phone(language)))
        identities.append(("customer_number", f"SV-{100001 + index}"))
        # Leads keep a small portfolio; 3 % of customers wait for an assignment.
        advisor: str | None
        if team == PARTICULIERS and self.portfolio[DEMO_USERNAME] < 8:
            advisor = DEMO_USERNAME  # even a tiny demo shows a full inbox
        elif rng.random() < 0.03:
            advisor = None
        elif rng.random() < 0.08:
            advisor = self.leads[team]
        else:
            advisor = rng.choice(self.members[team])
        if advisor:
            self.portfolio[advisor] += 1
        return CustomerSpec(
            given_name=given,
            family_name=family,
            address_as=self.address_as(given, family, language, female),
            language=language,
            preferred_channel=_weighted(rng, _PREFERRED),
            contact_hours=rng.choice(_FR_HOURS if language == "fr" else _EN_HOURS)
            if rng.random() < 0.3
            else "",
            advisor=advisor,
            team=team,
            created_at=self.now - timedelta(days=rng.uniform(40, 1500)),
            identities=identities,
        )

    def address_as(self, given: str, family: str, language: str, female: bool) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            if language == "fr":
                return f"{'Mme' if female else 'M.'} {family}"
            return f"{self.rng.choice(('Ms', 'Mrs')) if female else 'Mr'} {family}"
        if roll < 0.88:
            return given
        if roll < 0.93:
            return f"Dr {family}"
        return ""

    # Histories

    def fill(self, spec: CustomerSpec) -> dict[str, str]:
        rng, language = self.rng, spec.language
        return {
            "greeting": spec.address_as or f"{spec.given_name} {spec.family_name}",
            "amount": (
                f"{rng.uniform(12, 480):.2f} €".replace(".", ",")
                if language == "fr"
                else f"£{rng.uniform(10, 420):.2f}"
            ),
            "city": rng.choice(texts.FR_CITIES if language == "fr" else texts.EN_CITIES),
            "device": rng.choice(texts.DEVICES),
            "offer": rng.choice(texts.FR_OFFERS if language == "fr" else texts.EN_OFFERS),
        }

    def date(self, moment: datetime, language: str) -> str:
        months = _FR_MONTHS if language == "fr" else _EN_MONTHS
        return f"{moment.day} {months[moment.month - 1]}"

    def history(self, spec: CustomerSpec, *, state: str, showcase: bool) -> None:
        """Resolved cases spread over the customer's life, then maybe one active case."""
        rng = self.rng
        count = 6 if showcase else rng.choices((0, 1, 2, 3, 4, 8), (8, 30, 30, 17, 10, 5))[0]
        if state != "none":
            count = max(count - 1, 0)
        start, end = spec.created_at + timedelta(days=1), self.now - timedelta(days=16)
        starts = sorted(start + (end - start) * rng.random() for _ in range(count) if end > start)
        for number, opened in enumerate(starts):
            channel = _SHOWCASE_CHANNELS[number % len(_SHOWCASE_CHANNELS)] if showcase else None
            spec.cases.append(self.case(spec, opened, state="resolved", first_channel=channel))
        if state != "none":
            back = timedelta(days=rng.uniform(0.1, 6), minutes=rng.uniform(0, 600))
            spec.cases.append(self.case(spec, self.now - back, state=state))

    def first_channel(self, spec: CustomerSpec) -> str:
        if spec.preferred_channel and self.rng.random() < 0.6:
            return spec.preferred_channel
        return _weighted(self.rng, _FIRST_CONTACT)

    def case(
        self,
        spec: CustomerSpec,
        opened: datetime,
        *,
        state: str,
        first_channel: str | None = None,
        fresh: bool = False,
    ) -> CaseSpec:
        rng, language = self.rng, spec.language
        topics = texts.FR_TOPICS if language == "fr" else texts.EN_TOPICS
        topic: Topic = rng.choice(topics)
        owner = spec.advisor or self.leads[spec.team]
        values = self.fill(spec) | {
            "advisor": self.first_names[owner],
            "date": self.date(opened + timedelta(days=rng.randint(3, 20)), language),
        }
        say = {name: getattr(topic, name).format(**values) for name in
               ("subject", "opening", "reply", "follow_up", "closing", "summary")}  # fmt: skip
        channel = first_channel or self.first_channel(spec)
        items: list[InteractionSpec] = []
        moment = opened

        def add(channel: str, direction: str, text: str, at: datetime, **kw: Any) -> None:
            author = owner if direction != IN else None
            kind = CUSTOMER if direction == IN else ADVISOR
            prefix = _PREFIX[language].get((channel, direction), "")
            items.append(InteractionSpec(channel, direction, kind, author, prefix + text, at, **kw))

        if state == "awaiting" and (fresh or rng.random() < 0.35):
            # A brand-new matter: one contact nobody has answered yet; sometimes a call
            # abandoned in the queue, which needs a call back.
            if rng.random() < 0.3:
                minutes = rng.randint(3, 25)
                missed = texts.FR_MISSED_CALL if language == "fr" else texts.EN_MISSED_CALL
                add("phone", IN, missed.format(minutes=minutes) + " " + say["opening"], moment,
                    metadata={"queue_seconds": minutes * 60, "answered": False})  # fmt: skip
            else:
                add("email" if channel in _LIVE else channel, IN, say["opening"], moment,
                    metadata=self.metadata("email", say["subject"], values))  # fmt: skip
            summary = ""
        else:
            moment = self.exchange(add, channel, say["opening"], say["reply"], moment, say,
                                   values)  # fmt: skip
            summary = say["summary"]
            if rng.random() < 0.2:
                moment += timedelta(minutes=rng.randint(5, 90))
                notes = texts.FR_NOTES if language == "fr" else texts.EN_NOTES
                add("note", INTERNAL, rng.choice(notes), moment)
            if state == "awaiting":
                # The customer came back and is waiting for the answer now.
                moment = max(moment + timedelta(minutes=30),
                             self.now - timedelta(days=rng.uniform(0.01, 2)))  # fmt: skip
                add(self.first_channel(spec), IN, say["follow_up"], min(moment, self.now))
            elif state in ("resolved", "open") and rng.random() < 0.7:
                moment += timedelta(hours=rng.uniform(2, 96))
                moment = self.exchange(add, self.first_channel(spec), say["follow_up"],
                                       say["closing"], moment, say, values)  # fmt: skip
        status = {"resolved": Case.Status.RESOLVED, "waiting": Case.Status.WAITING}.get(
            state, Case.Status.OPEN
        )
        resolved_at = None
        if state == "resolved":
            resolved_at = moment + timedelta(minutes=rng.randint(1, 120))
        case = CaseSpec(
            subject=say["subject"], topic=topic.key, status=status, owner=owner, summary=summary,
            opened_at=opened, resolved_at=resolved_at, interactions=items,
        )  # fmt: skip
        if rng.random() < 0.06 or (state == "awaiting" and owner == ABSENT):
            self.hand_over(case, language)
        return _settle(case)

    def exchange(self, add: Any, channel: str, asked: str, answer: str, moment: datetime,
                 say: dict[str, str], values: dict[str, str]) -> datetime:  # fmt: skip
        """The customer asks on `channel`; an advisor answers. Returns the last moment."""
        rng = self.rng
        meta = self.metadata(channel, say["subject"], values)
        if channel in _LIVE:
            # Answered live: the wait ends when someone picks up or greets them.
            picked = moment + timedelta(minutes=rng.uniform(0.5, 20))
            add(channel, IN, asked, moment, first_answered_at=picked, metadata=meta)
            moment = picked + timedelta(hours=rng.uniform(0.2, 4))
            reply_channel = rng.choice(("email", "sms")) if channel == "phone" else "email"
        elif channel == "chat":
            add(channel, IN, asked, moment, metadata=meta)
            moment += timedelta(minutes=rng.uniform(0.5, 12))
            reply_channel = "chat"
        else:
            add(channel, IN, asked, moment, metadata=meta)
            moment += timedelta(hours=rng.uniform(0.3, 48))
            reply_channel = {"letter": rng.choice(("letter", "email")), "sms": "sms",
                             "whatsapp": "whatsapp"}.get(channel, "email")  # fmt: skip
        if rng.random() < 0.25:
            reply_channel = "phone"  # the advisor calls back instead of writing
        add(reply_channel, OUT, answer, min(moment, self.now),
            metadata=self.metadata(reply_channel, say["subject"], values))  # fmt: skip
        return min(moment, self.now)

    def metadata(self, channel: str, subject: str, values: dict[str, str]) -> dict[str, Any]:
        if channel == "email":
            return {"subject": subject}
        if channel == "phone":
            return {"duration_seconds": self.rng.randint(60, 1200)}
        if channel == "visit":
            return {"location": values["city"]}
        return {}

    def hand_over(self, case: CaseSpec, language: str) -> None:
        """The owner passes the case to their backup, with the note that spares the
        customer from explaining again."""
        if case.owner is None or self.backups.get(case.owner) is None:
            return
        to = self.backups[case.owner]
        assert to is not None
        first = case.interactions[0].occurred_at
        last = case.interactions[-1].occurred_at
        at = first + (last - first) * self.rng.random()
        notes = texts.FR_HANDOFF_NOTES if language == "fr" else texts.EN_HANDOFF_NOTES
        seen = None if case.status != Case.Status.RESOLVED else at + timedelta(hours=1)
        case.handoff = HandoffSpec(case.owner, to, self.rng.choice(notes), at, seen)
        case.owner = to

    def duplicate(self, original: CustomerSpec, index: int, kind: str) -> CustomerSpec | None:
        """The same person created a second time, as it happens when they write from
        another address or an advisor mistypes their name."""
        email = original.identities[0][1]
        local, _, domain = email.partition("@")
        given, family = original.given_name, original.family_name
        if kind == "gmail" and domain == "gmail.com" and "." in local:
            address = local.replace(".", "") + "@" + domain
        elif kind in ("tag", "gmail"):
            address = f"{local}+{self.rng.choice(('factures', 'pro', 'perso', 'box'))}@{domain}"
        else:
            family = _typo(family)
            full = f"{search_key(given)} {search_key(original.family_name)}"
            typo = f"{search_key(given)} {search_key(family)}"
            ratio = difflib.SequenceMatcher(None, full, typo).ratio()
            if family == original.family_name or ratio < NAME_SIMILARITY:
                return None
            address = self.email(given, family, original.language, None)
        if address in self.emails and kind != "typo":
            return None
        self.emails.add(address)
        created = self.now - timedelta(days=self.rng.uniform(0.5, 6))
        spec = CustomerSpec(
            given_name=given, family_name=family, address_as="", language=original.language,
            preferred_channel="email", contact_hours="", advisor=None, team=original.team,
            created_at=created, identities=[("email", address)], duplicate_of=index,
        )  # fmt: skip
        # Routed to the original's advisor, who is the one to notice and merge.
        case = self.case(spec, created, state="awaiting", first_channel="email", fresh=True)
        if case.handoff is None:
            case.owner = original.advisor or self.leads[original.team]
        spec.cases.append(case)
        return spec


def _typo(family: str) -> str:
    """Dupont -> Dupond: a plausible one-letter slip after the first three letters."""
    swaps = {"t": "d", "d": "t", "s": "z", "z": "s", "n": "nn", "l": "ll", "y": "i"}
    for position in range(len(family) - 1, 2, -1):
        letter = family[position].lower()
        if letter in swaps:
            return family[:position] + swaps[letter] + family[position + 1 :]
    return family + "e"


def _settle(case: CaseSpec) -> CaseSpec:
    """Derive what `interaction_record` maintains: a person's answer answers every
    inbound contact before it; the case waits since its oldest unanswered contact."""
    case.interactions.sort(key=lambda item: item.occurred_at)
    pending: list[InteractionSpec] = []
    for item in case.interactions:
        if item.direction == IN and item.first_answered_at is None:
            pending.append(item)
        elif item.direction == OUT and item.author_kind == ADVISOR:
            for waiting in pending:
                waiting.first_answered_at = item.occurred_at
            pending = []
    case.awaiting_reply_since = pending[0].occurred_at if pending else None
    if case.interactions:
        case.last_interaction_at = case.interactions[-1].occurred_at
    return case


def plan_demo(*, seed: int = 2026, customers: int = 3000, now: datetime) -> list[CustomerSpec]:
    """The whole demo as plain data. Same seed and moment, same plan."""
    planner = _Planner(seed, now)
    rng = planner.rng
    plan = [planner.customer(index) for index in range(customers)]
    # Every advisor starts with a few cases waiting in their inbox, the demo user more,
    # and the demo user's first customer has a history across every channel.
    forced = {a.username: 3 for a in ADVISORS} | {DEMO_USERNAME: 6}
    showcase_done = False
    for spec in plan:
        showcase = spec.advisor == DEMO_USERNAME and not showcase_done
        showcase_done = showcase_done or showcase
        if spec.advisor and forced.get(spec.advisor, 0) > 0 and not showcase:
            forced[spec.advisor] -= 1
            state = "awaiting"
        else:
            roll = rng.random()
            state = ("awaiting" if roll < 0.045 else "waiting" if roll < 0.085
                     else "open" if roll < 0.11 else "none")  # fmt: skip
        planner.history(spec, state=state, showcase=showcase)
    kinds = ("tag", "typo", "gmail", "tag", "typo", "gmail", "tag", "typo")
    originals = [i for i, spec in enumerate(plan) if spec.team == PARTICULIERS and spec.advisor]
    rng.shuffle(originals)
    made = 0
    for index in originals:
        if made == min(len(kinds), max(customers // 10, 5)):
            break
        duplicate = planner.duplicate(plan[index], index, kinds[made])
        if duplicate is not None:
            plan.append(duplicate)
            made += 1
    return plan


# --- Loading ----------------------------------------------------------------------------


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _promises_for_waiting_cases() -> int:
    """The first-answer promises the policies would have made when each waiting case's
    first unanswered contact arrived, so the demo shows countdowns, risks and breaches.
    Bulk-loaded history bypasses the services, hence this catch-up."""
    waiting = Case.objects.select_related("customer").filter(awaiting_reply_since__isnull=False)
    count = 0
    for case in waiting.order_by("pk"):
        assert case.awaiting_reply_since is not None
        with clock.frozen_at(case.awaiting_reply_since):
            promise_make_by_policy(case=case, kind=Promise.Kind.FIRST_ANSWER)
        count += 1
    return count


def load_demo(*, seed: int = 2026, customers: int = 3000, stdout: Any = None) -> DemoSummary:
    """Load the demo company once; when the demo user exists, change nothing."""
    if get_user_model().objects.filter(username=DEMO_USERNAME).exists():
        _say(stdout, f"The demo is already loaded (user “{DEMO_USERNAME}” exists).")
        return DemoSummary(created=False)
    started = time.perf_counter()
    plan = plan_demo(seed=seed, customers=customers, now=clock.now())
    with transaction.atomic():
        advisors, teams = _create_people()
        counts = _write(plan, advisors, teams)
        duplicate_ids = counts.pop("duplicate_ids")
        duplicates_detect_many(customer_ids=duplicate_ids)
        load_scheduling_demo(seed=seed)
        load_callbacks_demo(advisor=advisors[DEMO_USERNAME])
        articles = load_knowledge_demo(editor=advisors["nathalie"])
        load_chat_demo(team=advisors[DEMO_USERNAME].team)
        promise_count = _promises_for_waiting_cases()
    # Outside the load's transaction: the sweep claims and updates in batches of its own.
    swept = promises_sweep()
    demo = advisors[DEMO_USERNAME]
    summary = DemoSummary(
        created=True,
        teams=len(teams),
        advisors=len(advisors),
        possible_duplicates=PossibleDuplicate.objects.count(),
        demo_inbox=len(inbox_page(advisor=demo, limit=100).items),
        seconds=round(time.perf_counter() - started, 2),
        **counts,
    )
    _say(
        stdout,
        f"Demo loaded in {summary.seconds:.1f} s: {summary.customers} customers, "
        f"{summary.cases} cases, {summary.interactions} interactions, "
        f"{summary.advisors} advisors in {summary.teams} teams, "
        f"{summary.possible_duplicates} possible duplicates to review.",
    )
    _say(
        stdout,
        f"{promise_count} promises follow the waiting cases: {swept.at_risk} at risk, "
        f"{swept.broken} already broken, {swept.customers_told} customers told a new time.",
    )
    _say(stdout, f"{articles} knowledge articles live in French and English.")
    return summary


def _create_people() -> tuple[dict[str, Advisor], dict[str, Team]]:
    teams = {name: people.team_create(name=name) for name in TEAMS}
    advisors: dict[str, Advisor] = {}
    for index, spec in enumerate(ADVISORS):
        # No password here: hashing is slow on purpose, so it is done once below.
        advisors[spec.username] = people.advisor_create(
            username=spec.username,
            password=None,
            display_name=spec.display_name,
            email=f"{spec.username}@suivi.localhost",
            team=teams[spec.team],
            role=spec.role,
            languages=spec.languages,
            skills=spec.skills,
            working_hours=spec.working_hours,
            # Desk phones 201, 202, ... in the order above (docs/channels/phone.md).
            extension=str(FIRST_EXTENSION + index),
        )
    for spec in ADVISORS:
        if spec.backup:
            people.advisor_set_backup(advisor=advisors[spec.username], backup=advisors[spec.backup])
    get_user_model().objects.filter(pk__in=[a.user_id for a in advisors.values()]).update(
        password=make_password(DEMO_PASSWORD)
    )
    now = clock.now()
    Absence.objects.create(
        advisor=advisors[ABSENT],
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=5),
        reason="Congés",
    )
    return advisors, teams


def _write(
    plan: list[CustomerSpec], advisors: dict[str, Advisor], teams: dict[str, Team]
) -> dict[str, Any]:
    def advisor_id(username: str | None) -> int | None:
        return advisors[username].pk if username else None

    rows = [
        Customer(
            given_name=spec.given_name,
            family_name=spec.family_name,
            address_as=spec.address_as,
            language=spec.language,
            preferred_channel=spec.preferred_channel,
            contact_hours=spec.contact_hours,
            dedicated_advisor_id=advisor_id(spec.advisor),
            # The service's rule: the dedicated advisor's team, else the routing team.
            team_id=advisors[spec.advisor].team_id if spec.advisor else teams[spec.team].pk,
            created_at=spec.created_at,
            given_key=search_key(spec.given_name)[:120],
            family_key=search_key(spec.family_name)[:120],
        )
        for spec in plan
    ]
    Customer.objects.bulk_create(rows, batch_size=1000)
    identities = []
    for spec, customer in zip(plan, rows, strict=True):
        for kind, raw in spec.identities:
            normalised = normalise(kind, raw)
            identities.append(
                Identity(
                    customer_id=customer.pk,
                    kind=normalised.kind,
                    value=normalised.value,
                    loose_value=normalised.loose_value,
                    created_at=spec.created_at,
                )
            )
    Identity.objects.bulk_create(identities, batch_size=2000)
    cases: list[Case] = []
    case_specs: list[CaseSpec] = []
    for spec, customer in zip(plan, rows, strict=True):
        for case_spec in spec.cases:
            updated = max(filter(None, (case_spec.last_interaction_at, case_spec.resolved_at,
                                        case_spec.opened_at)))  # fmt: skip
            cases.append(
                Case(
                    customer_id=customer.pk,
                    subject=case_spec.subject[:200],
                    topic=case_spec.topic,
                    status=case_spec.status,
                    owner_id=advisor_id(case_spec.owner),
                    summary=case_spec.summary,
                    opened_at=case_spec.opened_at,
                    resolved_at=case_spec.resolved_at,
                    updated_at=updated,
                    awaiting_reply_since=case_spec.awaiting_reply_since,
                    last_interaction_at=case_spec.last_interaction_at,
                )
            )
            case_specs.append(case_spec)
    Case.objects.bulk_create(cases, batch_size=2000)
    interactions: list[Interaction] = []
    handoffs: list[Handoff] = []
    for case, case_spec in zip(cases, case_specs, strict=True):
        for item in case_spec.interactions:
            interactions.append(
                Interaction(
                    customer_id=case.customer_id,
                    case_id=case.pk,
                    channel=item.channel,
                    direction=item.direction,
                    author_kind=item.author_kind,
                    author_advisor_id=advisor_id(item.author),
                    text=item.text,
                    occurred_at=item.occurred_at,
                    metadata=item.metadata,
                    first_answered_at=item.first_answered_at,
                    created_at=item.occurred_at,
                )
            )
        if (handoff := case_spec.handoff) is not None:
            handoffs.append(
                Handoff(
                    case_id=case.pk,
                    from_advisor_id=advisor_id(handoff.from_advisor),
                    to_advisor_id=advisor_id(handoff.to_advisor),
                    by_id=advisor_id(handoff.from_advisor),
                    context_note=handoff.context_note,
                    created_at=handoff.created_at,
                    seen_at=handoff.seen_at,
                )
            )
    Interaction.objects.bulk_create(interactions, batch_size=2000)
    Handoff.objects.bulk_create(handoffs, batch_size=2000)
    return {
        "customers": len(rows),
        "identities": len(identities),
        "cases": len(cases),
        "interactions": len(interactions),
        "handoffs": len(handoffs),
        "duplicate_ids": [
            row.pk for spec, row in zip(plan, rows, strict=True) if spec.duplicate_of is not None
        ],
    }


__all__ = [
    "ADVISORS",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "DemoSummary",
    "load_demo",
    "plan_demo",
]
