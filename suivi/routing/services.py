"""Every write about routing: presence, capacity, and the routing decision itself."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from suivi.conversations.models import Case, Handoff
from suivi.core import clock, statements
from suivi.core.errors import InvalidInput
from suivi.core.vocabulary import Channel, is_choice
from suivi.customers.models import Customer
from suivi.people.models import Advisor, Team

from . import reasons
from .availability import AT_CAPACITY, AdvisorState, advisor_states, advisor_states_compiled
from .models import LIVE_CHANNELS, AdvisorPresence, Capacity, RoutingDecision
from .waiting import default_handling_seconds

# How long a customer accepts to wait for their own advisor on a live channel before a
# backup is better; an e-mail case is not worth waiting for, so capacity is a hard cap.
ACCEPTABLE_WAIT = {Channel.PHONE: timedelta(seconds=60), Channel.CHAT: timedelta(seconds=60)}
# A case handed over this many times goes to the team lead, not to a third advisor.
MAX_REASSIGNMENTS = 2


class UnknownChannel(InvalidInput):
    code = "unknown_channel"
    default_message = _("Unknown channel.")


class UnknownPresence(InvalidInput):
    code = "unknown_presence"
    default_message = _("Unknown presence status.")


def check_channel(channel: str) -> None:
    if not is_choice(Channel, channel):
        raise UnknownChannel(channel=channel)


@transaction.atomic
def presence_set(*, advisor: Advisor, status: str) -> AdvisorPresence:
    """Set what the advisor (or the phone system) says about them right now."""
    if not is_choice(AdvisorPresence.Status, status):
        raise UnknownPresence(status=status)
    presence, _created = AdvisorPresence.objects.update_or_create(
        advisor=advisor, defaults={"status": status, "updated_at": clock.now()}
    )
    return presence


@transaction.atomic
def capacity_set(*, advisor: Advisor, channel: str, limit: int) -> Capacity:
    check_channel(channel)
    if limit < 1:
        raise InvalidInput(_("A capacity is at least 1."), limit=limit)
    capacity, _created = Capacity.objects.update_or_create(
        advisor=advisor, channel=channel, defaults={"limit": limit}
    )
    return capacity


class _Router:
    """One routing: the states of everyone who may answer, read once, then the rules."""

    def __init__(
        self, *, customer: Customer, channel: str, case: Case | None, moment: datetime,
        acceptable_wait: timedelta, planned: bool = False,
    ) -> None:  # fmt: skip
        self.customer, self.channel, self.case, self.moment = customer, channel, case, moment
        self.acceptable_wait, self.planned = acceptable_wait, planned
        self.skipped: list[dict[str, Any]] = []
        owner_id = case.owner_id if case is not None else None
        dedicated_id = customer.dedicated_advisor_id
        known = {
            name: value
            for name, value in (
                ("owner_id", owner_id), ("dedicated_id", dedicated_id),
                ("team_id", customer.team_id),
            )
            if value is not None
        }  # fmt: skip
        states: list[AdvisorState] | None = []
        if known:
            # Compiled once per shape (which of the three are known); None for a channel
            # counting live contacts, asked through the ORM.
            states = advisor_states_compiled(
                tuple(sorted(known)), _who, moment=moment, channel=channel,
                live_contacts=not planned, **known,
            )  # fmt: skip
        # else nobody to ask about (a new customer, no team yet): no query.
        if states is None:
            who, team = _who(**known)
            states = advisor_states(
                who=who, moment=moment, channel=channel, lead_of_team=team,
                live_contacts=not planned,
            )  # fmt: skip
        self.states = {s.pk: s for s in states}
        self.owner = self.states.get(owner_id) if owner_id else None
        self.dedicated = self.states.get(dedicated_id) if dedicated_id else None
        self.team_id = customer.team_id or next(
            (s.advisor.team_id for s in (self.dedicated, self.owner) if s is not None), None
        )
        self.lead = next((s for s in states if s.is_team_lead), None)

    def available(self, state: AdvisorState, role: str | None = None) -> bool:
        live = self.channel in LIVE_CHANNELS
        why = state.on_duty(self.moment, live=live, planned=self.planned)
        # An asynchronous case its owner already holds is already in their load; the
        # calls and chats held now will be over by a planned moment.
        if why is None and (live or role != reasons.OWNER) and not (live and self.planned):
            why = self._over_capacity(state)
        if why is not None and role is not None:
            skip = {"role": role, "name": state.advisor.display_name, "why": why}
            if state.absent_until is not None:
                skip["until"] = state.absent_until.isoformat()
            self.skipped.append(skip)
        return why is None

    def _over_capacity(self, state: AdvisorState) -> str | None:
        load, limit = state.load(self.channel), state.capacity
        if load < limit:
            return None
        if self.channel in LIVE_CHANNELS and self.acceptable_wait:
            # At capacity, yet free soon enough: the customer would rather wait a moment
            # for their own advisor than explain everything to someone new.
            expected = (load - limit + 1) * self.handling_seconds() / limit
            if expected <= self.acceptable_wait.total_seconds():
                return None
        return AT_CAPACITY

    def handling_seconds(self) -> float:
        # How long a call or a chat holds the advisor. The team's median first-answer
        # delay is no such figure (for a call it is the queue wait, a few seconds, which
        # would make an advisor on the phone look free at once), so the default is used.
        return default_handling_seconds(self.channel)

    def decide(self) -> tuple[AdvisorState | None, str, dict[str, Any]]:
        extra: dict[str, Any] = {}
        if self.owner is not None and self.available(self.owner, reasons.OWNER):
            return self.owner, reasons.CASE_OWNER, extra
        if self.case is not None and self.lead is not None:
            handoffs = Handoff.objects.filter(case=self.case).count()
            if handoffs >= MAX_REASSIGNMENTS:
                # Never a third advisor: the lead decides, whatever their own presence.
                return self.lead, reasons.TEAM_LEAD, {"handoffs": handoffs}
        tried = {self.owner.pk} if self.owner is not None else set()
        dedicated = self.dedicated
        if dedicated is None:
            extra["no_dedicated"] = True
        elif dedicated.pk not in tried:
            tried.add(dedicated.pk)
            if self.available(dedicated, reasons.DEDICATED):
                return dedicated, reasons.DEDICATED_ADVISOR, extra
        backup = self.states.get(dedicated.advisor.backup_id or 0) if dedicated else None
        if backup is not None and backup.pk not in tried:
            tried.add(backup.pk)
            if self.available(backup, reasons.BACKUP):
                return backup, reasons.BACKUP, extra
        if self.team_id is None:
            return None, reasons.NO_TEAM, extra
        language = self.customer.language
        candidates = [
            s
            for s in self.states.values()
            if s.advisor.team_id == self.team_id
            and s.pk not in tried
            and language in (s.advisor.languages or ())
            and self.available(s)
        ]
        if not candidates:
            return None, reasons.NOBODY_AVAILABLE, extra
        best = min(candidates, key=lambda s: (s.load(self.channel), s.open_cases, s.pk))
        return best, reasons.LEAST_LOADED, extra


def _who(
    *, owner_id: int | None = None, dedicated_id: int | None = None, team_id: int | None = None
) -> tuple[Q, Any]:
    """Who may answer: the case owner, the dedicated advisor and their backup, the team
    (the customer's, else the dedicated advisor's or the owner's) and its lead; and the
    team, for asking who leads it."""
    team: Any = team_id
    for advisor_id in (dedicated_id, owner_id):
        if team is None and advisor_id is not None:
            team = Subquery(Advisor.objects.filter(pk=advisor_id).values("team_id")[:1])
    who = Q(pk__in=[i for i in (owner_id, dedicated_id) if i is not None])
    if dedicated_id is not None:
        who |= Q(pk=Subquery(Advisor.objects.filter(pk=dedicated_id).values("backup_id")))
    if team is not None:
        who |= Q(team=team) | Q(pk=Subquery(_lead_of(team)))
    return who, team


def _lead_of(team: Any) -> Any:
    return Team.objects.filter(pk=team).values("lead_id")


def route(
    *,
    customer: Customer,
    channel: str,
    case: Case | None = None,
    now: datetime | None = None,
    acceptable_wait: timedelta | None = None,
    planned: bool = False,
) -> RoutingDecision:
    """Choose who answers this customer on this channel, and record why.

    The case owner; else the dedicated advisor if present and under capacity within the
    customer's acceptable wait; else their named backup; else the least loaded team
    member who speaks the customer's language. A case handed over twice goes to the team
    lead. The decision is recorded; its `advisor` may be None (nobody available).

    `planned`: the contact happens at `now`, ahead (a callback window tomorrow at 10:00):
    absences and working hours at that moment apply, today's presence and the calls and
    chats held now do not."""
    decision = route_decision(
        customer=customer, channel=channel, case=case, now=now,
        acceptable_wait=acceptable_wait, planned=planned,
    )  # fmt: skip
    # Reads, then one INSERT: atomic by itself, no transaction (or savepoint) needed.
    statements.insert([decision])
    return decision


def route_decision(
    *,
    customer: Customer,
    channel: str,
    case: Case | None = None,
    now: datetime | None = None,
    acceptable_wait: timedelta | None = None,
    planned: bool = False,
) -> RoutingDecision:
    """The decision `route` records, not saved yet: for a caller that opens the case
    with the chosen owner and records the decision with its case in one INSERT."""
    check_channel(channel)
    moment = now or clock.now()
    if acceptable_wait is None:
        acceptable_wait = ACCEPTABLE_WAIT.get(channel, timedelta(0))  # type: ignore[call-overload]
    router = _Router(
        customer=customer, channel=channel, case=case, moment=moment,
        acceptable_wait=acceptable_wait, planned=planned,
    )  # fmt: skip
    chosen, code, extra = router.decide()
    details = {
        "code": code,
        "advisor": chosen.advisor.display_name if chosen is not None else "",
        "skipped": router.skipped,
        **extra,
    }
    return RoutingDecision(
        customer=customer,
        case=case,
        channel=channel,
        advisor=chosen.advisor if chosen is not None else None,
        reason_code=code,
        reason=reasons.render(details)[:500],
        details=details,
        decided_at=moment,
    )
