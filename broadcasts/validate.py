"""Whether a broadcast may be created: its texts, and whether the audience it names can be reached as
things stand now. One rule for every door: the REST API (`POST /api/v1/broadcasts` and its preview, the
budget and decision announcements), the SMS commands (`SIARAN`, `DARURAT`) and the desk.

`problems` lists what stops a draft, given its preview (broadcasts/preview.py: `of_draft`); `check`
previews a draft and raises `Refused` (a BadRequest) naming them. Whatever the door,
broadcasts/service.py: `create` still refuses what no broadcast may be (a time in the past, a recurrence
without a date, a bad {variable}).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session

from broadcasts.compose import validate as text_problems
from broadcasts.dispatcher import DEFAULT_RATES
from broadcasts.fanout import VillageRoutes
from broadcasts.preview import Preview, of_draft
from broadcasts.ratelimit import Rate
from broadcasts.service import Draft
from models import Channel
from models.errors import BadRequest


class Refused(BadRequest):
    """A draft that may not be created as it stands: `problems` say why (the message joins them), and
    `preview` what it would do, for a door that words its own answer (an SMS to a cadre)."""

    def __init__(self, problems: Sequence[str], result: Preview) -> None:
        super().__init__(" ".join(problems))
        self.problems = tuple(problems)
        self.preview = result


def problems(draft: Draft, result: Preview, *, can_name_template: bool = True) -> list[str]:
    """What would stop `draft` being created, given its preview `result`: a bad {variable} in a text,
    nobody subscribed in the audience, nobody reachable on the channels this deployment sends on, or
    WhatsApp recipients outside the 24-hour window with neither a template nor an SMS to fall back on.
    Empty when nothing does; each problem once.

    The last stops a draft only at a door that can name a template (the REST API, the desk). The SMS
    commands cannot: there the broadcast goes to everyone it can reach, and the cadre is told how many
    it leaves out (`Preview.without_template`) before saying YA."""
    found = [
        *text_problems(draft.sms_text),
        *(text_problems(draft.whatsapp_text) if draft.whatsapp_text else []),
    ]
    for variable in draft.template_variables:
        found += text_problems(variable)
    chosen = result.counts.total + result.unreachable + result.without_template
    if chosen == 0:
        found.append("audience is empty: no subscribed contact matches it")
    elif result.counts.total == 0 and result.unreachable:
        found.append(
            f"audience is empty: none of the {result.unreachable} chosen contacts can be reached on the "
            "channels this deployment sends on"
        )
    if result.without_template and (can_name_template or result.counts.total == 0):
        n = result.without_template
        found.append(
            f"{n} WhatsApp recipient{'s' if n != 1 else ''} outside the 24-hour window "
            f"{'have' if n != 1 else 'has'} no SMS to fall back on: give template_name "
            "(an approved WhatsApp template)"
        )
    return list(dict.fromkeys(found))


def check(
    *,
    session: Session,
    village: VillageRoutes,
    draft: Draft,
    now: datetime,
    rates: Mapping[Channel, Rate] = DEFAULT_RATES,
    can_name_template: bool = True,
) -> Preview:
    """The draft's preview as fan-out would route it now, when nothing stops it being created; `Refused`
    naming every problem otherwise. `village`: its routes over the channels this deployment sends on
    (broadcasts/runs.py: `village_routes`); `rates`: the deployment's, for the duration estimate;
    `can_name_template`: False for a door that cannot (see `problems`)."""
    result = of_draft(session=session, village=village, draft=draft, now=now, rates=rates)
    found = problems(draft, result, can_name_template=can_name_template)
    if found:
        raise Refused(found, result)
    return result
