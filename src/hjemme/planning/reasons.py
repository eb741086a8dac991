"""Why a task is not in the plan, in words a coordinator understands (bokmål first, English second).

Reasons are diagnosed after solving, from the problem alone, most specific first: nobody on duty
who may do it, goods that fit no vehicle, a window no shift can reach, a delivery that cannot
arrive before its visit, and finally "no room" when the routes are simply full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import Task, TaskKind
from hjemme.domain.time import format_hhmm


@dataclass(frozen=True, slots=True)
class Reason:
    nb: str
    en: str


def no_clinician_with_skill(skill: str | None) -> Reason:
    if skill:
        return Reason(
            f"ingen kliniker med ferdighet '{skill}' på vakt",
            f"no clinician with skill '{skill}' on duty",
        )
    return Reason("ingen kliniker på vakt", "no clinician on duty")


def all_excluded(skill: str | None) -> Reason:
    return Reason(
        f"alle klinikere med ferdighet '{skill}' på vakt er reservert mot pasienten",
        f"every clinician on duty with skill '{skill}' is excluded by the patient",
    )


def window_unreachable(task: Task) -> Reason:
    window = str(task.window)
    return Reason(
        f"tidsvindu {window} nås ikke innenfor noen vakt",
        f"time window {window} cannot be reached within any shift",
    )


def no_room(task: Task) -> Reason:
    return Reason(
        f"ikke plass i noen rute innenfor tidsvinduet {task.window} (kapasitet)",
        f"no route has room within the time window {task.window} (capacity)",
    )


def no_transport() -> Reason:
    return Reason("ingen varebil eller kurer på vakt", "no van or courier on duty")


def no_cold_chain() -> Reason:
    return Reason(
        "ingen kjølebil på vakt (varene krever kjølekjede)",
        "no refrigerated vehicle on duty (goods need the cold chain)",
    )


def no_qualified_courier() -> Reason:
    return Reason(
        "ingen kvalifisert kurer på vakt (cytostatika)", "no qualified courier on duty (cytostatics)"
    )


def too_large(task: Task) -> Reason:
    assert task.goods is not None
    return Reason(
        f"varene ({task.goods.volume_l:g} l, {task.goods.weight_kg:g} kg) får ikke plass i noen bil",
        f"the goods ({task.goods.volume_l:g} l, {task.goods.weight_kg:g} kg) fit no vehicle",
    )


def precedence(visit_start_min: int) -> Reason:
    at = format_hhmm(visit_start_min)
    return Reason(
        f"leveransen rekker ikke frem før besøket kl. {at}",
        f"the delivery cannot arrive before the visit at {at}",
    )


def visit_not_planned(visit_id: str) -> Reason:
    return Reason(
        f"besøket der prøven tas ({visit_id}) er ikke planlagt",
        f"the visit where the sample is taken ({visit_id}) is not planned",
    )


def no_partner(task: Task) -> Reason:
    """A two-person visit (issue 16) where no second person could be there at the right time."""
    return Reason(
        f"ingen andre kan være med på besøket til rett tid innenfor {task.window}",
        f"nobody else can join the visit at the right time within {task.window}",
    )


def sample_too_late(task: Task) -> Reason:
    return Reason(
        f"verken klinikeren eller noen kurer når laboratoriet innen holdbarheten "
        f"({task.sample_stability_min} min)",
        f"neither the clinician nor a courier reaches the lab within the stability time "
        f"({task.sample_stability_min} min)",
    )


def video_no_slot(task: Task) -> Reason:
    return Reason(
        f"ingen kliniker har ledig tid uten kjøring innenfor tidsvinduet {task.window}",
        f"no clinician has time off the road within the time window {task.window}",
    )


def pinned_slot_unavailable() -> Reason:
    return Reason(
        "det fastlåste tidspunktet passer ikke lenger i ruten (vakt, pause eller en annen fastlåst stopp)",
        "the pinned time no longer fits the route (shift, break or another pinned stop)",
    )


def cancelled() -> Reason:
    return Reason("avlyst", "cancelled")


def may_visit(task: Task, r: Resource) -> bool:
    """``r`` is a clinician with the task's skill whom the patient has not excluded."""
    return (
        r.kind is ResourceKind.CLINICIAN
        and (task.skill is None or task.skill in r.skills)
        and r.staff_id not in task.excluded_staff_ids
    )


def may_carry(task: Task, r: Resource) -> bool:
    """``r`` is a van or courier that may carry the task's goods: cold chain, qualified, size."""
    if r.kind is ResourceKind.CLINICIAN:
        return False
    goods = task.goods
    if goods is not None:
        if goods.cold_chain and not r.cold_chain:
            return False
        if goods.qualified_carrier and not r.qualified_carrier:
            return False
        if goods.volume_l > r.volume_l or goods.weight_kg > r.weight_kg:
            return False
    return True


def eligible_clinicians(task: Task, resources: Mapping[str, Resource]) -> list[Resource]:
    """Clinicians on duty who may do ``task``: the skill, and not excluded by the patient."""
    return [r for r in resources.values() if may_visit(task, r)]


def eligible_carriers(task: Task, resources: Mapping[str, Resource]) -> list[Resource]:
    """Vans and couriers that may carry ``task``'s goods: cold chain, qualified carrier, size."""
    return [r for r in resources.values() if may_carry(task, r)]


def static_reason(task: Task, resources: Mapping[str, Resource]) -> Reason | None:
    """A reason that holds whatever the routes look like, or ``None`` if routing decided it."""
    if task.kind in (TaskKind.VISIT, TaskKind.VIDEO):
        skilled = [
            r
            for r in resources.values()
            if r.kind is ResourceKind.CLINICIAN and (task.skill is None or task.skill in r.skills)
        ]
        if not skilled:
            return no_clinician_with_skill(task.skill)
        if not eligible_clinicians(task, resources):
            return all_excluded(task.skill)
        return None
    if task.kind is TaskKind.SAMPLE:
        return None
    carriers = [r for r in resources.values() if r.kind is not ResourceKind.CLINICIAN]
    if not carriers:
        return no_transport()
    goods = task.goods
    if goods is not None:
        if goods.cold_chain and not any(r.cold_chain for r in carriers):
            return no_cold_chain()
        if goods.qualified_carrier and not any(r.qualified_carrier for r in carriers):
            return no_qualified_courier()
    if not eligible_carriers(task, resources):
        return too_large(task)
    return None
