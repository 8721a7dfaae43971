// The timeline's model of a run: events in, per-lane spans, marks and gauge points out. It
// knows no scenario: how each event kind moves a lane comes from the page (LaneStates.Table).

export const STATES = ['queued', 'running', 'completed', 'cancelled', 'failed'];

/** The item put to tell a taker to stop (Python's None). */
export const SENTINEL = -1;

export const MAX_KEPT_EVENTS = 500000;
// MessagePack sends .NET objects with PascalCase keys, JSON with camelCase: accept both.
export function lowerFirst(key) {
  return typeof key === 'string' && key.length > 0 ? key[0].toLowerCase() + key.slice(1) : key;
}

export function normalizeKeys(value) {
  if (Array.isArray(value)) {
    return value.map(normalizeKeys);
  }
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (value instanceof Map) {
    const out = {};
    for (const [k, v] of value) {
      out[lowerFirst(String(k))] = normalizeKeys(v);
    }
    return out;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value)) {
    const out = {};
    for (const k of Object.keys(value)) {
      out[lowerFirst(k)] = normalizeKeys(value[k]);
    }
    return out;
  }
  return value;
}

export function stateName(state) {
  if (typeof state === 'number') {
    return STATES[state] ?? 'running';
  }
  return typeof state === 'string' ? state.toLowerCase() : 'running';
}

/**
 * The one lane-state machine, as the page passes it (LaneStates.Table in C#): what each event kind
 * does to its actor's lane. 'running', 'sleeping' and 'blocked' start a span of that state, 'done'
 * ends the lane, 'resume' is an instant that ends a block (the call returned) and 'keep' an
 * instant that changes nothing.
 */
export class LaneRules {
  constructor(table, kinds) {
    this.table = table && typeof table === 'object' ? table : {};
    this.kinds = Array.isArray(kinds) ? kinds : Object.keys(this.table);
  }

  /** An unknown kind is an instant that leaves the lane as it is. */
  rule(kind) {
    return Object.prototype.hasOwnProperty.call(this.table, kind) ? this.table[kind] : 'keep';
  }

  /** True for kinds that set the lane's state rather than mark an instant. */
  isState(kind) {
    const rule = this.rule(kind);
    return rule !== 'resume' && rule !== 'keep';
  }

  /** A kind's name; MessagePack may send the number of the C# enum instead. */
  kindName(kind) {
    if (typeof kind === 'number') {
      return this.kinds[kind] ?? String(kind);
    }
    return typeof kind === 'string' ? kind.toLowerCase() : '';
  }
}

/** The gauges the page declares for the run's scenario, with safe defaults. */
export function readGauges(gauges) {
  return (Array.isArray(gauges) ? gauges : []).map(normalizeKeys).filter(g => g && typeof g.resource === 'string' && g.resource !== '').map(g => ({
    id: String(g.id ?? g.resource),
    resource: g.resource,
    style: g.style === 'band' ? 'band' : 'step',
    label: typeof g.label === 'string' ? g.label : String(g.id ?? g.resource),
    limitLabel: typeof g.limitLabel === 'string' ? g.limitLabel : null,
    limitParameter: typeof g.limitParameter === 'string' && g.limitParameter !== '' ? g.limitParameter : null,
  }));
}

/** True when an event of resource belongs to the gauge: its resource, or resource:detail. */
export function gaugeMatches(spec, resource) {
  return typeof resource === 'string' && resource.startsWith(spec.resource)
    && (resource.length === spec.resource.length || resource[spec.resource.length] === ':');
}

/** Which legend entry explains the mark drawn for an instant. */
export function markKey(e) {
  if (isSentinel(e)) {
    return 'sentinel';
  }
  switch (e.kind) {
    case 'put':
    case 'get':
    case 'poll':
    case 'crash':
      return e.kind;
    case 'set':
    case 'clear':
      return 'flag';
    case 'error':
      return 'fault';
    case 'mark':
      return 'mark';
    default:
      return 'tick';
  }
}

export function num(v, fallback = 0) {
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : fallback;
}

export function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}

export function niceStep(rough) {
  const pow = Math.pow(10, Math.floor(Math.log10(rough)));
  const f = rough / pow;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * pow;
}

/** What the stream has told us about one run: lanes by the page's lane rules, a series per gauge. */
export class RunModel {
  constructor(rules, gauges) {
    this.rules = rules instanceof LaneRules ? rules : new LaneRules(null, null);
    this.actors = [];
    this.lanes = new Map();
    this.gauges = (gauges ?? []).map(spec => ({ spec, points: [], sorted: true, max: 0, limit: 0, last: null }));
    // Legend entries of the marks seen so far, and those not yet reported to the page.
    this.markKeys = new Set();
    this.newMarkKeys = [];
    this.tMax = 0;
    this.endT = null;
    this.state = 'queued';
    this.coalesced = 0;
    this.final = false;
    this.eventCount = 0;
    this.dropped = 0;
    this.anchor = null;
    this.resuming = false;
  }

  lane(actorId) {
    let lane = this.lanes.get(actorId);
    if (!lane) {
      lane = {
        id: actorId, segments: [], marks: [], events: [], sorted: true, current: null, end: null, done: false,
        lastT: -Infinity, lastTCount: 0, resumeT: -Infinity, resumeSkip: 0,
      };
      this.lanes.set(actorId, lane);
    }
    return lane;
  }

  setRun(run) {
    if (!run) {
      return;
    }
    if (Array.isArray(run.actors) && run.actors.length > 0) {
      this.actors = run.actors.map(a => ({
        id: num(a.id),
        name: a.name ?? null,
        role: a.role ?? '',
        pid: num(a.pid, 0),
        threadId: a.threadId === null || a.threadId === undefined ? null : num(a.threadId),
      }));
      for (const a of this.actors) {
        this.lane(a.id);
      }
    }
    const params = run.parameters ?? {};
    for (const g of this.gauges) {
      const name = g.spec.limitParameter;
      if (name) {
        // Keys of the run's parameters arrive camelCased, like every key of the stream.
        const limit = num(params[name] ?? params[lowerFirst(name)], 0);
        if (limit > 0) {
          g.limit = limit;
        }
      }
    }
    const wallMs = run.summary ? num(run.summary.wallMs, 0) : 0;
    if (wallMs > 0) {
      this.endT = Math.max(this.endT ?? 0, wallMs * 1e6);
    }
  }

  /**
   * Starts a new span when the state changes, or when the actor records a new activity in the
   * same state (making item 8 after item 7), so every span can say what it was.
   */
  setState(lane, state, t, cause) {
    const cur = lane.current;
    if (cur && cur.state === state && !(cause && this.rules.isState(cause.kind))) {
      return;
    }
    if (cur) {
      lane.segments.push({ t0: cur.t0, t1: Math.max(t, cur.t0), state: cur.state, cause: cur.cause });
    }
    lane.current = state ? { state, t0: t, cause } : null;
  }

  /**
   * After a reconnect the hub replays the run from its first event: skip, per lane, what was
   * already here (each lane's events arrive in time order).
   */
  beginResume() {
    this.resuming = true;
    for (const lane of this.lanes.values()) {
      lane.resumeT = lane.lastT;
      lane.resumeSkip = lane.lastTCount;
    }
  }

  add(ev) {
    const t = num(ev.t);
    const actor = num(ev.actor);
    const lane = this.lane(actor);
    if (t < lane.resumeT) {
      return;
    }
    if (t === lane.resumeT && lane.resumeSkip > 0) {
      lane.resumeSkip--;
      return;
    }
    if (t === lane.lastT) {
      lane.lastTCount++;
    } else if (t > lane.lastT) {
      lane.lastT = t;
      lane.lastTCount = 1;
    }

    const kind = this.rules.kindName(ev.kind);
    const level = num(ev.level, -1);
    const e = { t, actor, kind, resource: ev.resource ?? null, value: num(ev.value), level };
    this.eventCount++;
    if (this.eventCount <= MAX_KEPT_EVENTS) {
      const events = lane.events;
      if (events.length > 0 && events[events.length - 1].t > t) {
        lane.sorted = false;
      }
      events.push(e);
    } else {
      this.dropped++;
    }
    if (t > this.tMax) {
      this.tMax = t;
    }

    const rule = this.rules.rule(kind);
    switch (rule) {
      case 'running':
      case 'sleeping':
      case 'blocked':
        // A lane that ended stays ended, as in the summary's reckoning.
        if (!lane.done) {
          this.setState(lane, rule, t, e);
        }
        break;
      case 'done':
        if (!lane.done) {
          this.setState(lane, null, t, e);
          lane.done = true;
          lane.end = e;
        }
        if (kind !== 'end') {
          // A lane that ends otherwise than by finishing (a crash) is marked where it ended.
          this.addMark(lane, e);
        }
        break;
      case 'resume':
        // The call the lane was blocked in returned: it runs again.
        if (!lane.done && lane.current && lane.current.state === 'blocked') {
          this.setState(lane, 'running', t, e);
        }
        this.addMark(lane, e);
        break;
      default:
        this.addMark(lane, e);
        break;
    }

    if (level >= 0 && e.resource !== null) {
      for (const g of this.gauges) {
        if (gaugeMatches(g.spec, e.resource)) {
          // The level before, as this viewer knew it, for the tooltip's "from → to".
          e.gauge = g;
          e.from = g.last;
          g.last = level;
          const pts = g.points;
          if (pts.length > 0 && pts[pts.length - 1].t > t) {
            g.sorted = false;
          }
          pts.push({ t, level, e });
          if (level > g.max) {
            g.max = level;
          }
          break;
        }
      }
    }
  }

  addMark(lane, e) {
    lane.marks.push(e);
    this.noteMark(e);
  }

  /** Remembers the legend entry of a mark drawn for the first time. */
  noteMark(e) {
    const key = markKey(e);
    if (!this.markKeys.has(key)) {
      this.markKeys.add(key);
      this.newMarkKeys.push(key);
    }
  }

  /** A gauge's points in time order. */
  gaugePoints(g) {
    if (!g.sorted) {
      g.points.sort((a, b) => a.t - b.t);
      g.sorted = true;
    }
    return g.points;
  }

  /** The present on the run's clock: the latest event, extrapolated while the run is live. */
  now(wallNow) {
    if (this.final || this.state !== 'running' || !this.anchor) {
      return Math.max(this.tMax, this.endT ?? 0);
    }
    const ahead = Math.min((wallNow - this.anchor.wall) * 1e6, 5e9);
    return Math.max(this.tMax, this.anchor.t + ahead);
  }

  finish() {
    const end = Math.max(this.tMax, this.endT ?? 0);
    for (const lane of this.lanes.values()) {
      if (lane.current) {
        this.setState(lane, null, end, null);
      }
    }
  }

  laneOrder() {
    const known = this.actors.map(a => a.id);
    const extra = [...this.lanes.keys()].filter(id => !known.includes(id)).sort((a, b) => a - b);
    return [...known, ...extra];
  }

  actor(id) {
    return this.actors.find(a => a.id === id) ?? { id, name: null, role: '', pid: 0, threadId: null };
  }

  sortedEvents(lane) {
    if (!lane.sorted) {
      lane.events.sort((a, b) => a.t - b.t);
      lane.sorted = true;
    }
    return lane.events;
  }
}

export function lowerBound(items, t, key) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

export function isSentinel(e) {
  return (e.kind === 'put' || e.kind === 'get') && e.value === SENTINEL;
}
