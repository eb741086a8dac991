"""Stage 5: video consultations in clinicians' time off the road (no task already timed moves)."""

from __future__ import annotations

from dataclasses import replace

from hjemme.domain.tasks import TaskKind
from hjemme.planning import reasons as why
from hjemme.planning.day import DayState, Pins
from hjemme.planning.problem import Problem
from hjemme.planning.timeline import VIDEO, Item, insert_best, with_break


def place_videos(problem: Problem, pins: Pins, day: DayState) -> None:
    videos = sorted(
        (t for t in problem.tasks if t.kind is TaskKind.VIDEO and t.id not in day.reasons),
        key=lambda t: (t.id not in pins, t.window.end_min, t.id),
    )
    tmin = problem.travel_min
    for video in videos:
        item = Item(VIDEO, video.id, None, video.duration_min, (video.window.start_min, video.window.end_min))
        candidates = why.eligible_clinicians(video, problem.resources_by_id)
        if video.id in pins:
            rid, at = pins[video.id]
            candidates = [r for r in candidates if r.id == rid]
            item = replace(item, window=(at, at))
        candidates.sort(
            key=lambda r: (
                r.staff_id not in video.preferred_staff_ids,
                day.timings[r.id].work_min if r.id in day.timings else 0,
                r.id,
            )
        )
        for resource in candidates:
            start, end = problem.loc(resource.start), problem.loc(resource.end)
            if resource.id in day.timings:
                result = insert_best(resource, start, end, day.timings[resource.id], item, tmin)
            else:
                placed = with_break(resource, start, end, [item], tmin)
                result = placed[1] if placed else None
            if result is not None:
                day.timings[resource.id] = result
                break
        else:
            day.reasons[video.id] = why.video_no_slot(video)
