"""A solver for the HHCRSP benchmark (issue 16): ruin-and-recreate search on exact schedules.

Why not OR-Tools routing: synchronisation there is a constraint between cumul variables of two
routes, which its local-search operators can rarely keep satisfied (most moves are refused), and the
Mankowska objective has a *maximum* tardiness term the routing model cannot express. Here a solution
is a sequence of services per caregiver, and its schedule is computed exactly (:mod:`.schedule`).

**Search.** Adaptive ruin and recreate with simulated-annealing acceptance (after Shaw's large
neighbourhood search and SISR): remove patients (random, related by place and time, a string of a
route, the worst by saving, adjacent strings from the routes of a seed's nearest neighbours),
re-insert each at its cheapest place; a two-service patient tries the best few places of each
service in pairs on two different caregivers. With shifts (the extended variant) the bound counts
the overtime a delay carries to the caregiver's return, and a caregiver not yet out is always tried:
by travel alone a new start looks dear, and the overtime it saves the busy ones shows only when
costed. Inserting only delays starts, so an insertion is evaluated by propagating its delays through
the touched routes and undoing them. The temperature
starts hot (10× the best objective per patient) and ends at 1/50 of that: measured on 10-CPU-second
runs, a cooler search settled in worse basins.

:func:`solve_hhc` is a pure function of the instance, the time limit and the seed (the only clock is
``clock``, injectable).
"""

from __future__ import annotations

import bisect
import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from hjemme.planning.hhc.format import Instance, Location, Route, Solution
from hjemme.planning.hhc.schedule import INF, Model, State, depart


@dataclass(frozen=True, slots=True)
class HhcParams:
    time_limit_s: float = 10.0
    seed: int = 0
    max_removed: int = 20
    temperature: float = 10.0  # start temperature, in units of the best objective per patient
    workers: int = 1  # independent searches side by side (processes, seeds seed, seed+1, …)


def _bound(st: State, t: int, c: int, i: int) -> float:
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
    if j == n and w[3]:
        # the delay reaches the caregiver's return: overtime past the shift's end costs too
        end = m.send[c]
        back_new = at + D[here][m.cnode[c]]
        back_old = (s[r[-1]] + dur[r[-1]] + D[node[r[-1]]][m.cnode[c]]) if n else m.sstart[c]
        over = (back_new - end if back_new > end else 0.0) - (back_old - end if back_old > end else 0.0)
        if over > 0:
            bound += w[3] * over
    if worst > st.tmax:
        bound += w[2] * (worst - st.tmax)
    if w[4] and i < n:
        gap = s[r[i]] - free - D[prev_node][nxt]
        if gap > 0:
            bound -= w[4] * gap
    return bound


def _candidates(st: State, t: int, exclude: int, limit: int) -> list[tuple[float, int, int]]:
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
    # a cheap bound first (the extra travel and the task's own lateness: the full bound adds the
    # delay carried along the route), so only the places that could make the list get the full one
    m_open, m_close, dur, node, D, s = m.open[t], m.close[t], m.dur, m.node, m.D, st.s
    w0, w1, w2, w4 = m.w[0], m.w[1], m.w[2], m.w[4]
    tmax, nt, routes = st.tmax, node[t], st.routes
    cheap = []
    for c, i in places:
        r = routes[c]
        if i > 0:
            p = r[i - 1]
            prev_node, free = node[p], s[p] + dur[p]
        else:
            prev_node, free = m.cnode[c], m.sstart[c]
        nxt = node[r[i]] if i < len(r) else m.cnode[c]
        to_t = D[prev_node][nt]
        value = w0 * (to_t + D[nt][nxt] - D[prev_node][nxt])
        late = free + to_t - m_close
        if late > 0:
            value += w1 * late
            if late > tmax:
                value += w2 * (late - tmax)
        if w4 and i < len(r):
            gap = s[r[i]] - free - D[prev_node][nxt]
            if gap > 0:
                value -= w4 * gap
        cheap.append((value, c, i))
    del m_open
    cheap.sort()
    out: list[tuple[float, int, int]] = []
    for value, c, i in cheap:
        if len(out) >= limit and value >= out[-1][0]:
            break
        full = _bound(st, t, c, i)
        if len(out) < limit or full < out[-1][0]:
            bisect.insort(out, (full, c, i))
            if len(out) > limit:
                out.pop()
    if m.w[3] and not any(not routes[c] for _, c, _ in out):
        # a caregiver not yet out always looks dear by travel, and the overtime and waiting it saves
        # the busy ones show only when evaluated: the cheapest such start is always among the places
        empty = next(((v, c, i) for v, c, i in cheap if not routes[c]), None)
        if empty is not None:
            out.append((_bound(st, t, empty[1], empty[2]), empty[1], empty[2]))
            out.sort()
    return out


SINGLE_EVALS = 10
K_DIV = 25
COOLING = 1 / 50  # the last temperature, as a share of the first
PAIR_EVALS = 16


def _insert_patient(st: State, pi: int) -> bool:
    """Insert patient ``pi`` at the cheapest place found; places are tried in order of their bound
    and the search stops when the bound cannot beat the best so far."""
    m = st.m
    tasks = m.tasks_of[pi]
    base = st.objective()
    best, best_moves = INF, None
    if len(tasks) == 1:
        t = tasks[0]
        evals = 0
        for bound, c, i in _candidates(st, t, -1, SINGLE_EVALS):
            if base + bound >= best or evals > SINGLE_EVALS:  # (+1: a caregiver not yet out)
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


def _remove_patients(st: State, patients: list[int]) -> bool:
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
    st.idle = None
    st.tmax = max(x[2] for x in st.rc)
    return True


def _ruin(st: State, rng: random.Random, k: int, op: int) -> list[int]:
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
    if op == 3:
        # worst: the patients whose removal saves most (detour and lateness), with some randomness
        D, node, where, pred, succ, cnode = m.D, m.node, st.where, st.pred, st.succ, m.cnode
        s, close = st.s, m.close

        def saving(pi: int) -> float:
            total = 0.0
            for t in m.tasks_of[pi]:
                c = where[t]
                p, q = pred[t], succ[t]
                a = node[p] if p >= 0 else cnode[c]
                b = node[q] if q >= 0 else cnode[c]
                total += D[a][node[t]] + D[node[t]][b] - D[a][b]
                late = s[t] - close[t]
                if late > 0:
                    total += 2 * late
            return total

        worst = sorted(range(n), key=saving, reverse=True)
        chosen = []
        while len(chosen) < k and worst:
            j = int(len(worst) * rng.random() ** 4)
            chosen.append(worst.pop(j))
        return chosen
    # adjacent strings (after SISR, Christiaens & Vanden Berghe 2020): a string of visits from the
    # routes of a seed patient's nearest neighbours, one string per route
    near = m.near_patients()
    seed = rng.randrange(n)
    ruined: set[int] = set()
    chosen_set: set[int] = set()
    longest = max(2, min(10, 2 * k // 3 + 1))
    for pj in [seed, *near[seed]]:
        if len(chosen_set) >= k:
            break
        for t in m.tasks_of[pj]:
            c = st.where[t]
            if c < 0 or c in ruined:
                continue
            ruined.add(c)
            r = st.routes[c]
            length = rng.randint(1, min(len(r), longest))
            at = r.index(t)
            begin = rng.randint(max(0, at - length + 1), min(at, len(r) - length))
            for u in r[begin : begin + length]:
                chosen_set.add(m.patient_of[u])
    return list(chosen_set)


def _build(m: Model) -> State:
    """Every patient inserted at its cheapest place, earliest window first."""
    st = State(m)
    order = sorted(range(len(m.tasks_of)), key=lambda pi: (m.open[m.tasks_of[pi][0]], -len(m.tasks_of[pi])))
    for pi in order:
        if not _insert_patient(st, pi):
            raise RuntimeError("no schedule for the initial insertion")
    st.schedule_all()
    return st


def _to_solution(st: State) -> Solution:
    m = st.m
    routes = []
    for c, caregiver in enumerate(m.inst.caregivers):
        locs = []
        starts = st.latest_starts(c) if m.w[4] else [st.s[t] for t in st.routes[c]]
        for t, start in zip(st.routes[c], starts, strict=True):
            locs.append(
                Location(m.inst.patients[m.patient_of[t]].id, m.service[t], start, depart(start, m.dur[t]))
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
    m = Model(instance)
    cur = _build(m)
    cur_obj = cur.objective()
    best, best_obj = cur.copy(), cur_obj
    n = len(m.tasks_of)
    ops = 5
    weights = [1.0] * ops
    scores = [0.0] * ops
    uses = [0] * ops
    cooling = COOLING
    iteration = 0
    while True:
        elapsed = clock() - began
        if elapsed >= params.time_limit_s:
            break
        frac = elapsed / params.time_limit_s
        temp = params.temperature * best_obj / max(1, n) * cooling**frac
        iteration += 1
        op = rng.choices(range(ops), weights=weights)[0]
        k = rng.randint(1, max(2, min(params.max_removed, 4 + n // K_DIV)))
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
        if not all(_insert_patient(cand, pi) for pi in removed):
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
            for j in range(ops):
                if uses[j]:
                    weights[j] = max(0.1, 0.7 * weights[j] + 0.3 * scores[j] / uses[j])
                scores[j], uses[j] = 0.0, 0
    return best_obj, _to_solution(best)
