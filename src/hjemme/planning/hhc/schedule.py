"""Exact schedules of HHCRSP solutions (issue 16): the state the search in :mod:`.solver` changes.

A solution is a sequence of services per caregiver. Every start time obeys lower bounds only — the
window's opening, the caregiver's arrival (previous departure + travel, or shift start + travel from
the start point), the partner's start for a simultaneous pair, ``first + min`` for the second of a
sequential pair and ``second - max`` for the first. The earliest schedule is their least fixpoint,
found by a work list (Bellman–Ford on a difference-constraint graph); a cycle that keeps pushing (two
pairs served in crossing orders) means the sequences have no schedule. Tardiness only grows with
later starts and travel does not depend on times, so the earliest schedule is optimal for the
Mankowska objective. Times are computed in floating point exactly as the benchmark's validator
compares them.
"""

from __future__ import annotations

import math
from collections import deque

from hjemme.errors import InputError
from hjemme.planning.hhc.format import Instance

INF = math.inf
SIM, FIRST, SECOND = 1, 2, 3
GRANULAR_FROM = 60  # tasks; smaller instances try every place
# granular places only for the Mankowska variant: with caregivers' own start points and shifts (the
# extended variant) a place near related visits is often on the wrong caregiver's day; measured on
# the four extended samples at 10 s, trying every place cut the gap from 10–70 % to 2–12 %
NEIGHBOURS = 20


class Model:
    """Flat arrays of the instance: one *task* per (patient, required service)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.D = [list(row) for row in inst.distances]
        self.patient_of: list[int] = []
        self.node: list[int] = []
        self.dur: list[float] = []
        self.open: list[float] = []
        self.close: list[float] = []
        self.partner: list[int] = []
        self.kind: list[int] = []
        self.gmin: list[float] = []
        self.gmax: list[float] = []
        self.service: list[str] = []
        self.tasks_of: list[tuple[int, ...]] = []
        cg = inst.caregivers
        self.cnode = [c.matrix_index for c in cg]
        self.sstart = [c.shift[0] if c.shift else 0.0 for c in cg]
        self.send = [c.shift[1] if c.shift else INF for c in cg]
        self.eligible: list[list[int]] = []
        for pi, p in enumerate(inst.patients):
            ids = []
            for di, d in enumerate(p.demands):
                t = len(self.node)
                ids.append(t)
                self.patient_of.append(pi)
                self.node.append(p.matrix_index)
                self.dur.append(d.duration)
                self.open.append(p.window[0])
                self.close.append(p.window[1])
                self.service.append(d.service)
                self.partner.append(-1)
                self.kind.append(0)
                self.gmin.append(p.sync.min_gap if p.sync else 0.0)
                self.gmax.append(p.sync.max_gap if p.sync else 0.0)
                self.eligible.append(
                    [ci for ci, c in enumerate(cg) if d.service in c.abilities and c.id not in p.incompatible]
                )
                if not self.eligible[-1]:
                    raise InputError("caregivers", f"no caregiver can do {d.service} for {p.id}")
                del di
            if len(ids) == 2 and p.sync is not None:
                a, b = ids
                if not any(x != y for x in self.eligible[a] for y in self.eligible[b]):
                    raise InputError(
                        "caregivers", f"{p.id} needs two different caregivers; only one can come"
                    )
                self.partner[a], self.partner[b] = b, a
                if p.sync.kind == "simultaneous":
                    self.kind[a] = self.kind[b] = SIM
                else:
                    self.kind[a], self.kind[b] = FIRST, SECOND
            self.tasks_of.append(tuple(ids))
        self.T = len(self.node)
        self.C = len(cg)
        self.eligible_set = [frozenset(e) for e in self.eligible]
        self.neighbours: list[list[int]] | None = None
        if self.T > GRANULAR_FROM and inst.variant == "mankowska":
            self.neighbours = []
            for t in range(self.T):

                def related(u: int, t: int = t) -> float:
                    gap = max(self.open[u] - self.close[t], self.open[t] - self.close[u], 0.0)
                    return self.D[self.node[t]][self.node[u]] + gap

                mine = self.eligible_set[t]
                others = [
                    u
                    for u in range(self.T)
                    if self.patient_of[u] != self.patient_of[t] and mine & self.eligible_set[u]
                ]
                others.sort(key=related)
                self.neighbours.append(others[:NEIGHBOURS])
        if inst.variant == "mankowska":
            self.w = (1.0, 1.0, 1.0, 0.0, 0.0, 0.0)
        else:
            self.w = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
        # the objective has no shift, waiting or idle terms: insertions can be costed incrementally
        self.plain = self.w[3] == self.w[4] == self.w[5] == 0.0
        self._near: list[list[int]] | None = None
        self.horizon = max(self.close) + sum(self.dur) + 2 * max(max(r) for r in self.D) * (self.T + 1) + 1e4

    def near_patients(self) -> list[list[int]]:
        """Per patient, the other patients nearest first (built on first use)."""
        if self._near is None:
            where = [self.node[ids[0]] for ids in self.tasks_of]
            self._near = [
                sorted(
                    (q for q in range(len(where)) if q != p), key=lambda q, a=where[p]: self.D[a][where[q]]
                )
                for p in range(len(where))
            ]
        return self._near


def depart(start: float, duration: float) -> float:
    """The departure time whose difference from ``start`` is at least ``duration`` in floating point."""
    x = start + duration
    while x - start < duration:
        x = math.nextafter(x, INF)
    return x


class State:
    """Routes, links and the schedule of one solution, with per-route cost components cached."""

    __slots__ = ("m", "routes", "where", "pred", "succ", "s", "rc", "tmax", "log", "idle")

    def __init__(self, m: Model) -> None:
        self.m = m
        self.routes: list[list[int]] = [[] for _ in range(m.C)]
        self.where = [-1] * m.T
        self.pred = [-1] * m.T
        self.succ = [-1] * m.T
        self.s = [-INF] * m.T
        self.rc: list[tuple[float, ...]] = [(0.0,) * 6 for _ in range(m.C)]
        self.tmax = 0.0
        self.log: list[tuple[int, float]] | None = None
        self.idle: tuple[float, int] | None = None

    def copy(self) -> State:
        o = State.__new__(State)
        o.m = self.m
        o.routes = [list(r) for r in self.routes]
        o.where = list(self.where)
        o.pred = list(self.pred)
        o.succ = list(self.succ)
        o.s = list(self.s)
        o.rc = list(self.rc)
        o.tmax = self.tmax
        o.log = None
        o.idle = self.idle
        return o

    # -- links --------------------------------------------------------------------------------------
    def link(self, c: int, i: int, t: int) -> None:
        r = self.routes[c]
        r.insert(i, t)
        self.where[t] = c
        p = r[i - 1] if i > 0 else -1
        n = r[i + 1] if i + 1 < len(r) else -1
        self.pred[t], self.succ[t] = p, n
        if p >= 0:
            self.succ[p] = t
        if n >= 0:
            self.pred[n] = t

    def unlink(self, t: int) -> None:
        c = self.where[t]
        r = self.routes[c]
        r.remove(t)
        p, n = self.pred[t], self.succ[t]
        if p >= 0:
            self.succ[p] = n
        if n >= 0:
            self.pred[n] = p
        self.where[t] = self.pred[t] = self.succ[t] = -1
        self.s[t] = -INF

    # -- schedule -----------------------------------------------------------------------------------
    def propagate(self, queue: deque[int], repeats: int = 4) -> bool:
        """Raise starts to their lower bounds from the tasks in ``queue``; False when they keep rising.

        A positive cycle (pairs served in crossing orders) raises the same tasks round after round;
        a task raised more than ``repeats`` times is taken for one. That may refuse a rare schedulable
        insertion whose delays arrive by many paths, which costs a candidate, never validity."""
        m, s, log = self.m, self.s, self.log
        succ, pred, partner, where = self.succ, self.pred, m.partner, self.where
        D, node, dur, opens, kind = m.D, m.node, m.dur, m.open, m.kind
        horizon = m.horizon
        raised: dict[int, int] = {}
        while queue:
            t = queue.popleft()
            # earliest start of t (inlined: this loop is the solver's hot path)
            p = pred[t]
            if p < 0:
                c = where[t]
                e = m.sstart[c] + D[m.cnode[c]][node[t]]
            else:
                sp, dp = s[p], dur[p]
                x = sp + dp
                while x - sp < dp:
                    x = math.nextafter(x, INF)
                e = x + D[node[p]][node[t]]
            if opens[t] > e:
                e = opens[t]
            q = partner[t]
            if q >= 0 and where[q] >= 0 and s[q] > -INF:
                k = kind[t]
                if k == SIM:
                    lb = s[q]
                elif k == SECOND:
                    lb = s[q] + m.gmin[t]
                else:
                    lb = s[q] - m.gmax[t]
                    while lb + m.gmax[t] < s[q]:
                        lb = math.nextafter(lb, INF)
                if lb > e:
                    e = lb
            if e > s[t]:
                if e > horizon:
                    return False
                k = raised.get(t, 0) + 1
                if k > repeats:
                    return False
                raised[t] = k
                if log is not None:
                    log.append((t, s[t]))
                s[t] = e
                n = succ[t]
                if n >= 0:
                    queue.append(n)
                if q >= 0 and where[q] >= 0:
                    queue.append(q)
        return True

    def schedule_all(self) -> bool:
        """The earliest schedule from scratch (after removals)."""
        for t in range(self.m.T):
            if self.where[t] >= 0:
                self.s[t] = -INF
        queue: deque[int] = deque(t for r in self.routes for t in r)
        ok = self.propagate(queue, repeats=self.m.T + 2)
        if ok:
            self.rc = [self.route_cost(c) for c in range(self.m.C)]
            self.idle = None
            self.tmax = max(x[2] for x in self.rc)
        return ok

    # -- costs --------------------------------------------------------------------------------------
    def route_cost(self, c: int) -> tuple[float, ...]:
        """(travel, total tardiness, max tardiness, extra time, waiting, idle) of route ``c``."""
        m, s = self.m, self.s
        r = self.routes[c]
        if not r:
            return (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        D, here = m.D, m.cnode[c]
        travel = tsum = tmax = wait = 0.0
        free = m.sstart[c]
        first = True
        lead = 0.0
        for t in r:
            leg = D[here][m.node[t]]
            travel += leg
            st = s[t]
            if first:
                lead = st - leg - free
                first = False
            else:
                wait += st - free - leg
            late = st - m.close[t]
            if late > 0:
                tsum += late
                if late > tmax:
                    tmax = late
            here = m.node[t]
            free = depart(st, m.dur[t])
        back = free + D[here][m.cnode[c]]
        travel += D[here][m.cnode[c]]
        extra = idle_tail = 0.0
        if back > m.send[c]:
            extra = back - m.send[c]
        elif m.send[c] < INF:
            idle_tail = m.send[c] - back
        return (travel, tsum, tmax, extra, wait, lead + wait + idle_tail)

    def latest_starts(self, c: int) -> list[float]:
        """Route ``c``'s starts pushed as late as they can go without a later visit, more lateness or a
        partner moving (pairs stay put): the waiting before the first visit becomes time at the start
        point, which the extended objective counts as idle but not as waiting."""
        m, s = self.m, self.s
        r = self.routes[c]
        starts = [s[t] for t in r]
        for k in range(len(r) - 2, -1, -1):
            t = r[k]
            if m.partner[t] >= 0:
                continue
            leg = m.D[m.node[t]][m.node[r[k + 1]]]
            x = min(starts[k + 1] - m.dur[t] - leg, max(s[t], m.close[t]))
            if x <= starts[k]:
                continue
            while depart(x, m.dur[t]) + leg > starts[k + 1]:
                x = math.nextafter(x, -INF)
            if x > starts[k]:
                starts[k] = x
        return starts

    def idle_max(self) -> tuple[float, int]:
        """The largest idle time of the routes and whose it is (cached until the routes change)."""
        if self.idle is None:
            at = max(range(self.m.C), key=lambda c: self.rc[c][5])
            self.idle = (self.rc[at][5], at)
        return self.idle

    def objective(self, rc: list[tuple[float, ...]] | None = None) -> float:
        rc = rc if rc is not None else self.rc
        w = self.m.w
        value = (
            w[0] * sum(x[0] for x in rc)
            + w[1] * sum(x[1] for x in rc)
            + w[2] * max(x[2] for x in rc)
            + w[3] * sum(x[3] for x in rc)
            + w[4] * sum(x[4] for x in rc)
        )
        if w[5]:
            value += w[5] * max(x[5] for x in rc)
        return value

    # -- tentative insertion ------------------------------------------------------------------------
    def try_insert(self, moves: list[tuple[int, int, int]], base: float, repeats: int = 4) -> float:
        """Objective after inserting ``(task, caregiver, position)`` moves, given the current one
        ``base``; the state is restored. Inserting only delays starts, so the maximum tardiness can
        only grow and only the touched routes need re-costing."""
        log: list[tuple[int, float]] = []
        self.log = log
        m = self.m
        D, node = m.D, m.node
        travel = 0.0
        for t, c, i in moves:
            self.link(c, i, t)
            p, n = self.pred[t], self.succ[t]
            a = node[p] if p >= 0 else m.cnode[c]
            b = node[n] if n >= 0 else m.cnode[c]
            travel += D[a][node[t]] + D[node[t]][b] - D[a][b]
        ok = self.propagate(deque(t for t, _, _ in moves), repeats)
        value = INF
        if ok and m.plain:
            # travel, total and maximum tardiness only (Mankowska): the delta is the added legs and
            # the lateness of the starts that moved — no route needs re-costing
            s, close = self.s, m.close
            first: dict[int, float] = {}
            for t, old_start in log:
                if t not in first:
                    first[t] = old_start
            late_sum = 0.0
            worst = self.tmax
            for t, old_start in first.items():
                new_late = s[t] - close[t]
                if new_late > 0:
                    old_late = old_start - close[t]
                    late_sum += new_late - (old_late if old_late > 0 else 0.0)
                    if new_late > worst:
                        worst = new_late
            w = m.w
            value = base + w[0] * travel + w[1] * late_sum + w[2] * (worst - self.tmax)
        elif ok:
            rc = self.rc
            w = m.w
            touched = {c for _, c, _ in moves}
            where = self.where
            for t, _ in log:
                touched.add(where[t])
            delta = 0.0
            tmax_old = self.tmax
            tmax_new = tmax_old
            new_costs = {}
            for c in touched:
                new = self.route_cost(c)
                old = rc[c]
                new_costs[c] = new
                delta += (
                    w[0] * (new[0] - old[0])
                    + w[1] * (new[1] - old[1])
                    + w[3] * (new[3] - old[3])
                    + w[4] * (new[4] - old[4])
                )
                if new[2] > tmax_new:
                    tmax_new = new[2]
            delta += w[2] * (tmax_new - tmax_old)
            if w[5]:
                idle_old, idle_at = self.idle_max()
                idle_new = max(x[5] for x in new_costs.values())
                if idle_at in new_costs:
                    # the longest idle time changed: the rest have to be looked at
                    for c in range(m.C):
                        if c not in new_costs and rc[c][5] > idle_new:
                            idle_new = rc[c][5]
                elif idle_old > idle_new:
                    idle_new = idle_old
                delta += w[5] * (idle_new - idle_old)
            value = base + delta
        s = self.s
        for t, old_start in reversed(log):
            s[t] = old_start
        self.log = None
        for t, _, _ in reversed(moves):
            self.unlink(t)
        return value

    def commit(self, moves: list[tuple[int, int, int]]) -> bool:
        self.log = []
        for t, c, i in moves:
            self.link(c, i, t)
        ok = self.propagate(deque(t for t, _, _ in moves), self.m.T + 2)
        touched = {self.where[t] for t, _ in self.log} | {c for _, c, _ in moves}
        self.log = None
        for c in touched:
            self.rc[c] = self.route_cost(c)
        self.idle = None
        self.tmax = max(x[2] for x in self.rc)
        return ok
