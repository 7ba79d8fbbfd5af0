"""The human side of a routing decision: "Dedicated advisor Marie absent until Monday
14 April → backup Léa".

Decisions are taken in workers without a language, and read later by people in theirs:
the decision keeps the facts (`details`) and `render` builds the sentence on demand.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Stable codes of the outcome (see docs/routing.md).
CASE_OWNER = "case_owner"
DEDICATED_ADVISOR = "dedicated_advisor"
BACKUP = "backup"
LEAST_LOADED = "least_loaded"
TEAM_LEAD = "team_lead"
NO_TEAM = "no_team"
NOBODY_AVAILABLE = "nobody_available"

OWNER, DEDICATED = "owner", "dedicated"


def _who(role: str, name: str) -> str:
    if role == OWNER:
        return _("case owner %(name)s") % {"name": name}
    if role == DEDICATED:
        return _("dedicated advisor %(name)s") % {"name": name}
    return _("backup %(name)s") % {"name": name}


def _why(skip: dict[str, Any]) -> str:
    why = skip["why"]
    if why == "absent":
        until = timezone.localtime(datetime.fromisoformat(skip["until"]))
        return _("absent until %(until)s") % {"until": date_format(until, "l j F")}
    if why == "outside_hours":
        return _("outside working hours")
    if why == "away":
        return _("away")
    return _("at capacity")


def _outcome(details: dict[str, Any]) -> str:
    code, name = details["code"], details.get("advisor", "")
    if code == CASE_OWNER:
        return _who(OWNER, name)
    if code == DEDICATED_ADVISOR:
        return _who(DEDICATED, name)
    if code == BACKUP:
        return _who(BACKUP, name)
    if code == LEAST_LOADED:
        return _("%(name)s, least loaded in the team") % {"name": name}
    if code == TEAM_LEAD:
        return _("case already reassigned %(count)d times → team lead %(name)s") % {
            "count": details.get("handoffs", 2),
            "name": name,
        }
    if code == NO_TEAM:
        return _("no team to route to")
    return _("nobody available in the team")


def render(details: dict[str, Any]) -> str:
    """The sentence for a decision, in the active language."""
    steps = []
    if details.get("no_dedicated"):
        steps.append(_("no dedicated advisor"))
    steps += [f"{_who(s['role'], s['name'])} {_why(s)}" for s in details.get("skipped", ())]
    text = " → ".join([", ".join(steps), _outcome(details)] if steps else [_outcome(details)])
    return text[:1].upper() + text[1:]
