"""The kinds of change a day's journal records (issue 11, item 1)."""

from __future__ import annotations

import enum


class EntryKind(enum.StrEnum):
    PLANNED = "planned"  # the day planned: the first plan, or the whole day optimised again
    URGENT_VISIT = "urgent_visit"
    CANCELLED = "cancelled"
    ABSENT = "absent"  # a member of staff away from a time (to a time)
    VEHICLE_OUT = "vehicle_out"  # a vehicle out of service from a time (to a time)
    MOVED = "moved"  # a task moved (and pinned) by hand
    CONFIRMED = "confirmed"  # a task pinned where it is
    STARTED = "started"
    DONE = "done"
    NOT_DONE = "not_done"  # a visit that did not happen, with the reason
    DELIVERED = "delivered"
    SAMPLE_HANDED_IN = "sample_handed_in"
    RESTORED = "restored"  # an earlier version restored as the newest (undo)
    STAY_CHANGED = "stay_changed"  # admission, stage, pause, move or discharge changed a patient's tasks
    MARK_UNDONE = "mark_undone"  # the task's last status mark taken back (a tap by mistake)


PLAN_CHANGES = frozenset(
    {
        EntryKind.URGENT_VISIT,
        EntryKind.CANCELLED,
        EntryKind.ABSENT,
        EntryKind.VEHICLE_OUT,
        EntryKind.MOVED,
        EntryKind.STAY_CHANGED,
    }
)
"""Changes that make a new plan version by repairing the latest one."""

STATUS_MARKS = frozenset(
    {
        EntryKind.CONFIRMED,
        EntryKind.STARTED,
        EntryKind.DONE,
        EntryKind.NOT_DONE,
        EntryKind.DELIVERED,
        EntryKind.SAMPLE_HANDED_IN,
    }
)
"""Facts about a task on the plan: recorded, no new version; re-planning never moves the task again."""
