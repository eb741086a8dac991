"""A solver for the HHCRSP benchmark (issue 16): ruin-and-recreate search on exact schedules.

Why not OR-Tools routing: synchronisation there is a constraint between cumul variables of two
routes, which its local-search operators can rarely keep satisfied (most moves are refused), and the
Mankowska objective has a *maximum* tardiness term the routing model cannot express. Here a solution
is a sequence of services per caregiver, and its schedule is computed exactly:

**Schedule.** Every start time obeys lower bounds only — the window's opening, the caregiver's
arrival (previous departure + travel, or shift start + travel from the start point), the partner's
start for a simultaneous pair, ``first + min`` for the second of a sequential pair and
``second - max`` for the first. The earliest schedule is their least fixpoint, found by a work
list (Bellman–Ford on a difference-constraint graph); a cycle that keeps pushing (two pairs served in
crossing orders) means the sequences have no schedule. Tardiness only grows with later starts and
travel does not depend on times, so the earliest schedule is optimal for the Mankowska objective.
Times are computed in floating point exactly as the benchmark's validator compares them.

**Search.** Adaptive ruin and recreate with simulated-annealing acceptance (after Shaw's large
neighbourhood search and SISR): remove patients (random, related by place and time, a string of a
route, the worst), re-insert each at its cheapest place; a two-service patient tries the best few
places of each service in pairs on two different caregivers. Inserting only delays starts, so an
insertion is evaluated by propagating its delays through the touched routes and undoing them.

:func:`solve_hhc` is a pure function of the instance, the time limit and the seed (the only clock is
``clock``, injectable).
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from hjemme.errors import InputError
from hjemme.planning.hhc.format import Instance, Location, Route, Solution

INF = math.inf
SIM, FIRST, SECOND = 1, 2, 3
GRANULAR_FROM = 60  # tasks; smaller instances try every place
# granular places only for the Mankowska variant: with caregivers' own start points and shifts (the
# extended variant) a place near related visits is often on the wrong caregiver's day; measured on
# the four extended samples at 10 s, trying every place cut the gap from 10–70 % to 2–12 %
NEIGHBOURS = 20


@dataclass(frozen=True, slots=True)
class HhcParams:
    time_limit_s: float = 10.0
    seed: int = 0
    max_removed: int = 20
    temperature: float = 1.0  # start temperature as a share of the best objective per patient
    workers: int = 1  # independent searches side by side (processes, seeds seed, seed+1, …)


class _Model:
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
        self.horizon = max(self.close) + sum(self.dur) + 2 * max(max(r) for r in self.D) * (self.T + 1) + 1e4


def _depart(start: float, duration: float) -> float:
    """The departure time whose difference from ``start`` is at least ``duration`` in floating point."""
    x = start + duration
    while x - start < duration:
        x = math.nextafter(x, INF)
    return x


class _State:
    """Routes, links and the schedule of one solution, with per-route cost components cached."""

    __slots__ = ("m", "routes", "where", "pred", "succ", "s", "rc", "tmax", "log")

    def __init__(self, m: _Model) -> None:
        self.m = m
        self.routes: list[list[int]] = [[] for _ in range(m.C)]
        self.where = [-1] * m.T
        self.pred = [-1] * m.T
        self.succ = [-1] * m.T
        self.s = [-INF] * m.T
        self.rc: list[tuple[float, ...]] = [(0.0,) * 6 for _ in range(m.C)]
        self.tmax = 0.0
        self.log: list[tuple[int, float]] | None = None

    def copy(self) -> _State:
        o = _State.__new__(_State)
        o.m = self.m
        o.routes = [list(r) for r in self.routes]
        o.where = list(self.where)
        o.pred = list(self.pred)
        o.succ = list(self.succ)
        o.s = list(self.s)
        o.rc = list(self.rc)
        o.tmax = self.tmax
        o.log = None
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
    def earliest(self, t: int) -> float:
        m, s = self.m, self.s
        p = self.pred[t]
        if p < 0:
            c = self.where[t]
            e = m.sstart[c] + m.D[m.cnode[c]][m.node[t]]
        else:
            e = _depart(s[p], m.dur[p]) + m.D[m.node[p]][m.node[t]]
        if m.open[t] > e:
            e = m.open[t]
        q = m.partner[t]
        if q >= 0 and self.where[q] >= 0 and s[q] > -INF:
            k = m.kind[t]
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
        return e

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
            free = _depart(st, m.dur[t])
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
            while _depart(x, m.dur[t]) + leg > starts[k + 1]:
                x = math.nextafter(x, -INF)
            if x > starts[k]:
                starts[k] = x
        return starts

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
        for t, c, i in moves:
            self.link(c, i, t)
        ok = self.propagate(deque(t for t, _, _ in moves), repeats)
        value = INF
        if ok:
            m, rc = self.m, self.rc
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
                idle_old = max(x[5] for x in rc)
                idle_new = max(new_costs[c][5] if c in new_costs else rc[c][5] for c in range(m.C))
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
        self.tmax = max(x[2] for x in self.rc)
        return ok


def _bound(st: _State, t: int, c: int, i: int) -> float:
    """A bound on the objective's increase of putting task ``t`` at position ``i`` of route ``c``:
    the extra travel plus the lateness its delay adds along the route, ignoring partners. Partners
    only add delay, so for the Mankowska objective this is a true lower bound; for the extended one
    it also subtracts the waiting the task could fill."""
    m = st.m
    D, node, s, dur, close, w = m.D, m.node, st.s, m.dur, m.close, m.w
    r = st.routes[c]
    n = len(r)
    nt = node[t]
    if i > 0:
        p = r[i - 1]
        prev_node, free = node[p], s[p] + dur[p]
    else:
        prev_node, free = m.cnode[c], m.sstart[c]
    nxt = node[r[i]] if i < n else m.cnode[c]
    to_t = D[prev_node][nt]
    delta = to_t + D[nt][nxt] - D[prev_node][nxt]
    start = free + to_t
    if start < m.open[t]:
        start = m.open[t]
    w_late = w[1]
    bound = w[0] * delta
    worst = 0.0
    if start > m.close[t]:
        worst = start - m.close[t]
        bound += w_late * worst
    here, at = nt, start + m.dur[t]
    j = i
    while j < n:
        u = r[j]
        arrive = at + D[here][node[u]]
        old = s[u]
        if arrive <= old:
            break
        late_new = arrive - close[u]
        if late_new > 0:
            late_old = old - close[u]
            bound += w_late * (late_new - (late_old if late_old > 0 else 0.0))
            if late_new > worst:
                worst = late_new
        here, at = node[u], arrive + dur[u]
        j += 1
    if worst > st.tmax:
        bound += w[2] * (worst - st.tmax)
    if w[4] and i < n:
        gap = s[r[i]] - free - D[prev_node][nxt]
        if gap > 0:
            bound -= w[4] * gap
    return bound


def _candidates(st: _State, t: int, exclude: int, limit: int) -> list[tuple[float, int, int]]:
    """The ``limit`` places (bound, caregiver, position) for task ``t`` with the lowest :func:`_bound`.

    Small instances try every place. Larger ones try the places next to the task's nearest related
    tasks (granular neighbourhoods, Toth & Vigo) and the start of empty routes: a place between two
    far-away visits is rarely the cheapest and costs as much to bound."""
    m = st.m
    places: set[tuple[int, int]] = set()
    eligible = m.eligible_set[t]
    if m.neighbours is None:
        for c in m.eligible[t]:
            if c != exclude:
                for i in range(len(st.routes[c]) + 1):
                    places.add((c, i))
    else:
        where, routes = st.where, st.routes
        for u in m.neighbours[t]:
            c = where[u]
            if c < 0 or c == exclude or c not in eligible:
                continue
            i = routes[c].index(u)
            places.add((c, i))
            places.add((c, i + 1))
        empty = 0
        for c in m.eligible[t]:
            if c != exclude and not routes[c]:
                places.add((c, 0))
                empty += 1
                if empty >= 2:
                    break
        if len(places) < 4:
            for c in m.eligible[t]:
                if c != exclude:
                    places.add((c, len(routes[c])))
    out = [(_bound(st, t, c, i), c, i) for c, i in places]
    out.sort()
    return out[:limit]


SINGLE_EVALS = 10
PAIR_EVALS = 16


def _insert_patient(st: _State, pi: int, rng: random.Random) -> bool:
    """Insert patient ``pi`` at the cheapest place found; places are tried in order of their bound
    and the search stops when the bound cannot beat the best so far."""
    m = st.m
    tasks = m.tasks_of[pi]
    base = st.objective()
    best, best_moves = INF, None
    if len(tasks) == 1:
        t = tasks[0]
        evals = 0
        for bound, c, i in _candidates(st, t, -1, 40):
            if base + bound >= best or evals >= SINGLE_EVALS:
                break
            evals += 1
            v = st.try_insert([(t, c, i)], base)
            if v < best:
                best, best_moves = v, [(t, c, i)]
        if best_moves is None:
            for c in m.eligible[t]:
                if c == (st.where[m.partner[t]] if m.partner[t] >= 0 else -1):
                    continue
                moves = [(t, c, len(st.routes[c]))]
                v = st.try_insert(moves, base, repeats=m.T + 2)
                if v < best:
                    best, best_moves = v, moves
    else:
        a, b = tasks
        ca = _candidates(st, a, -1, 8)
        cb = _candidates(st, b, -1, 8)
        pairs = sorted((la + lb, c1, i1, c2, i2) for la, c1, i1 in ca for lb, c2, i2 in cb if c1 != c2)
        evals = 0
        for bound, c1, i1, c2, i2 in pairs:
            if base + bound >= best or evals >= PAIR_EVALS:
                break
            evals += 1
            v = st.try_insert([(a, c1, i1), (b, c2, i2)], base)
            if v < best:
                best, best_moves = v, [(a, c1, i1), (b, c2, i2)]
        if best_moves is None:
            # last resort: both at the end of two routes, which can never close a cycle
            for c1 in m.eligible[a]:
                for c2 in m.eligible[b]:
                    if c1 == c2:
                        continue
                    moves = [(a, c1, len(st.routes[c1])), (b, c2, len(st.routes[c2]))]
                    v = st.try_insert(moves, base, repeats=m.T + 2)
                    if v < best:
                        best, best_moves = v, moves
    if best_moves is None:
        return False
    return st.commit(best_moves)


def _remove_patients(st: _State, patients: list[int]) -> bool:
    """Take the patients' tasks out and re-time only what depended on them: the rest of each route
    after the first removed task, closed under partners (nothing else can start earlier now)."""
    m = st.m
    first_cut: dict[int, int] = {}
    for pi in patients:
        for t in m.tasks_of[pi]:
            c = st.where[t]
            if c >= 0:
                i = st.routes[c].index(t)
                if i < first_cut.get(c, 1 << 30):
                    first_cut[c] = i
    for pi in patients:
        for t in m.tasks_of[pi]:
            if st.where[t] >= 0:
                st.unlink(t)
    redo: set[int] = set()
    stack = [(c, i) for c, i in first_cut.items()]
    cut = dict(first_cut)
    while stack:
        c, i = stack.pop()
        for t in st.routes[c][i:]:
            if t in redo:
                continue
            redo.add(t)
            q = m.partner[t]
            if q >= 0 and st.where[q] >= 0 and q not in redo:
                cq = st.where[q]
                iq = st.routes[cq].index(q)
                if iq < cut.get(cq, 1 << 30):
                    cut[cq] = iq
                    stack.append((cq, iq))
    s = st.s
    for t in redo:
        s[t] = -INF
    queue = deque(t for c, i in cut.items() for t in st.routes[c][i:])
    if not st.propagate(queue, repeats=m.T + 2):
        return False
    for c in cut:
        st.rc[c] = st.route_cost(c)
    st.tmax = max(x[2] for x in st.rc)
    return True


def _ruin(st: _State, rng: random.Random, k: int, op: int) -> list[int]:
    m = st.m
    n = len(m.tasks_of)
    k = min(k, n)
    if op == 0:
        return rng.sample(range(n), k)
    if op == 1:
        seed = rng.randrange(n)
        sn = m.node[m.tasks_of[seed][0]]
        so = m.open[m.tasks_of[seed][0]]

        def related(pi: int) -> float:
            t = m.tasks_of[pi][0]
            return m.D[sn][m.node[t]] + 0.5 * abs(m.open[t] - so)

        ranked = sorted(range(n), key=related)
        chosen: list[int] = []
        while len(chosen) < k and ranked:
            j = int(len(ranked) * rng.random() ** 4)
            chosen.append(ranked.pop(j))
        return chosen
    if op == 2:
        chosen_set: set[int] = set()
        used = [c for c in range(m.C) if st.routes[c]]
        while len(chosen_set) < k and used:
            c = rng.choice(used)
            used.remove(c)
            r = st.routes[c]
            length = min(len(r), max(1, rng.randint(1, max(1, k - len(chosen_set)))))
            begin = rng.randint(0, len(r) - length)
            for t in r[begin : begin + length]:
                chosen_set.add(m.patient_of[t])
        return list(chosen_set)[: max(k, 1)]
    # worst: the patients whose services start latest after their window, then random ones
    late = sorted(range(n), key=lambda pi: -max(st.s[t] - m.close[t] for t in m.tasks_of[pi]))
    chosen = []
    while len(chosen) < k and late:
        j = int(len(late) * rng.random() ** 3)
        chosen.append(late.pop(j))
    return chosen


def _build(m: _Model, rng: random.Random) -> _State:
    st = _State(m)
    order = sorted(range(len(m.tasks_of)), key=lambda pi: (m.open[m.tasks_of[pi][0]], -len(m.tasks_of[pi])))
    for pi in order:
        if not _insert_patient(st, pi, rng):
            raise RuntimeError("no schedule for the initial insertion")
    st.schedule_all()
    return st


def _to_solution(st: _State) -> Solution:
    m = st.m
    routes = []
    for c, caregiver in enumerate(m.inst.caregivers):
        locs = []
        starts = st.latest_starts(c) if m.w[4] else [st.s[t] for t in st.routes[c]]
        for t, start in zip(st.routes[c], starts, strict=True):
            locs.append(
                Location(m.inst.patients[m.patient_of[t]].id, m.service[t], start, _depart(start, m.dur[t]))
            )
        routes.append(Route(caregiver.id, tuple(locs)))
    first_start = {}
    for t in range(m.T):
        pid = m.inst.patients[m.patient_of[t]].id
        first_start[pid] = min(first_start.get(pid, INF), st.s[t])
    ordering = tuple(sorted(first_start, key=lambda pid: first_start[pid]))
    return Solution(tuple(routes), ordering)


def solve_hhc(
    instance: Instance,
    params: HhcParams | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Solution:
    """The best solution found for ``instance`` within ``params.time_limit_s`` seconds (with
    ``workers`` > 1, the best of that many independent searches run in parallel processes)."""
    params = params or HhcParams()
    if params.workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        runs = [replace(params, seed=params.seed + i, workers=1) for i in range(params.workers)]
        # fork: the workers need nothing re-imported (spawn would re-run the calling script)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=params.workers, mp_context=context) as pool:
            results = list(pool.map(_search, [instance] * len(runs), runs))
        return min(results, key=lambda r: r[0])[1]
    return _search(instance, params, clock)[1]


def _search(
    instance: Instance, params: HhcParams, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, Solution]:
    params = params or HhcParams()
    began = clock()
    rng = random.Random(params.seed)
    m = _Model(instance)
    cur = _build(m, rng)
    cur_obj = cur.objective()
    best, best_obj = cur.copy(), cur_obj
    n = len(m.tasks_of)
    weights = [1.0, 1.0, 1.0, 1.0]
    scores = [0.0, 0.0, 0.0, 0.0]
    uses = [0, 0, 0, 0]
    cooling = 1 / 200
    iteration = 0
    while True:
        elapsed = clock() - began
        if elapsed >= params.time_limit_s:
            break
        frac = elapsed / params.time_limit_s
        temp = params.temperature * best_obj / max(1, n) * cooling**frac
        iteration += 1
        op = rng.choices(range(4), weights=weights)[0]
        k = rng.randint(1, max(2, min(params.max_removed, 4 + n // 10)))
        cand = cur.copy()
        removed = _ruin(cand, rng, k, op)
        if not _remove_patients(cand, removed):
            continue
        mode = rng.random()
        if mode < 0.4:
            rng.shuffle(removed)
        elif mode < 0.7:
            removed.sort(key=lambda pi: m.open[m.tasks_of[pi][0]])
        else:
            removed.sort(key=lambda pi: (-len(m.tasks_of[pi]), m.close[m.tasks_of[pi][0]]))
        if not all(_insert_patient(cand, pi, rng) for pi in removed):
            continue
        obj = cand.objective()
        uses[op] += 1
        gain = 0.0
        if obj < best_obj - 1e-9:
            best, best_obj = cand.copy(), obj
            gain = 3.0
        if obj < cur_obj - 1e-9:
            gain = max(gain, 1.0)
        if obj < cur_obj - temp * math.log(max(rng.random(), 1e-300)):
            cur, cur_obj = cand, obj
            gain = max(gain, 0.3)
        scores[op] += gain
        if iteration % 100 == 0:
            for j in range(4):
                if uses[j]:
                    weights[j] = max(0.1, 0.7 * weights[j] + 0.3 * scores[j] / uses[j])
                scores[j], uses[j] = 0.0, 0
    return best_obj, _to_solution(best)
