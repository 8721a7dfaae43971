// Live timeline of a run: streams event batches from the runs hub (SignalR + MessagePack) and
// draws a lane per actor on a canvas, with a chart per gauge the scenario declares underneath.
//
// Nothing here knows a scenario: how each event kind moves a lane comes from the page (the C#
// LaneStates.Table, which the summary follows too), and so do the gauges, their labels and limits.
// Every word it shows comes from the strings the page passes in (TimelineText.resx and its
// translations); numbers are formatted for the page's culture.
//
// Once a run has ended, a picture the live stream had to coalesce is redrawn from the server's
// level-of-detail tiles (timeline-tiles.js) for whatever window is on screen, so it is faithful to
// the whole log at the resolution shown.

import { TileSource, lanePaths, bucketSpan, bucketAt } from './timeline-tiles.js';

const STATES = ['queued', 'running', 'completed', 'cancelled', 'failed'];

/** The item put to tell a taker to stop (Python's None). */
const SENTINEL = -1;

// Canvas colours come from CSS custom properties on the host (light and dark themes in
// playground.css); these are the fallbacks when a property is missing.
const PALETTE = {
  bg: ['--tl-bg', '#ffffff'],
  text: ['--tl-text', '#263238'],
  muted: ['--tl-muted', '#546e7a'],
  grid: ['--tl-grid', '#eceff1'],
  axis: ['--tl-axis', '#546e7a'],
  laneBg: ['--tl-lane-bg', '#f7f9fa'],
  running: ['--tl-running', '#43a047'],
  blocked: ['--tl-blocked', '#e53935'],
  sleeping: ['--tl-sleeping', '#90a4ae'],
  put: ['--tl-put', '#1e88e5'],
  get: ['--tl-get', '#fb8c00'],
  tick: ['--tl-tick', '#8e24aa'],
  poll: ['--tl-poll', '#ffb300'],
  flag: ['--tl-flag', '#00897b'],
  crash: ['--tl-crash', '#d50000'],
  sentinel: ['--tl-sentinel', '#000000'],
  lost: ['--tl-lost', '#d50000'],
  markEdge: ['--tl-mark-edge', '#ffffff'],
  fault: ['--tl-fault', '#e65100'],
  mark: ['--tl-mark', '#f9a825'],
  spanLabel: ['--tl-span-label', '#0d1b0e'],
  gaugeFill: ['--tl-gauge-fill', 'rgba(57, 73, 171, 0.18)'],
  gaugeLine: ['--tl-gauge-line', '#3949ab'],
  band: ['--tl-band', '#00897b'],
  limit: ['--tl-limit', '#c62828'],
  warn: ['--tl-warn', '#a84300'],
  error: ['--tl-error', '#c62828'],
  highlight: ['--tl-highlight', '#263238'],
};

const LABEL_W_WIDE = 150;
const LABEL_W_NARROW = 84;
const NARROW_BELOW = 600;
const HEADER_H = 24;
const HEADER_H_TWO_ROWS = 40;
const LANE_H = 30;
const LANE_GAP = 6;
const STEP_H = 80;
const BAND_H = 26;
const GAUGE_GAP = 10;
const AXIS_H = 26;
const RIGHT_PAD = 12;
const MIN_SPAN_NS = 5e3; // never zoom in further than 5 µs across the plot
const FOLLOW_MIN_SPAN_NS = 2e9; // a fresh run shows at least two seconds
const VIEW_MARGIN = 0.05; // the view may go this far (of the whole run) past either end
const MAX_KEPT_EVENTS = 500000;
const MOUSE_SLOP_PX = 6;
const TOUCH_SLOP_PX = 14;
const TAP_MOVE_PX = 8;
const RECONNECT_DELAYS_MS = [0, 1000, 2000, 5000, 10000, 10000, 10000, 30000];
// While a run is live, tiles fill in behind an edge this far behind the present, moved in these steps.
const LIVE_TILE_LAG_NS = 200e6;
// An ended run whose stream still sends batches this full has a long log to catch up on: draw it from tiles instead.
const CATCH_UP_FOR_TILES = 2000;
const LIVE_TILE_STEP_NS = 250e6;
const FONT = 'Roboto, Helvetica, Arial, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

// MessagePack sends .NET objects with PascalCase keys, JSON with camelCase: accept both.
function lowerFirst(key) {
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

function stateName(state) {
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
function readGauges(gauges) {
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
function gaugeMatches(spec, resource) {
  return typeof resource === 'string' && resource.startsWith(spec.resource)
    && (resource.length === spec.resource.length || resource[spec.resource.length] === ':');
}

/** Which legend entry explains the mark drawn for an instant. */
function markKey(e) {
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

function num(v, fallback = 0) {
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : fallback;
}

function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}

function niceStep(rough) {
  const pow = Math.pow(10, Math.floor(Math.log10(rough)));
  const f = rough / pow;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * pow;
}

/** Fills {name} placeholders; unknown names stay as they are. */
export function fillTemplate(template, args) {
  if (!args) {
    return template;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name) => (Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : whole));
}

/** The page's strings and culture: templates by key, numbers and durations in the reader's format. */
export class Texts {
  constructor(strings, culture) {
    this.strings = strings && typeof strings === 'object' ? strings : {};
    this.culture = culture || 'en';
    this.fixedFormats = new Map();
    try {
      this.countFormat = new Intl.NumberFormat(this.culture);
    } catch {
      this.culture = 'en';
      this.countFormat = new Intl.NumberFormat('en');
    }
  }

  has(key) {
    return Object.prototype.hasOwnProperty.call(this.strings, key);
  }

  /** The template for key, filled; a missing key shows itself so it is noticed, never blank. */
  get(key, args) {
    return fillTemplate(this.has(key) ? this.strings[key] : key, args);
  }

  /** The first of keys that exists, filled, or null. */
  pick(keys, args) {
    for (const key of keys) {
      if (this.has(key)) {
        return fillTemplate(this.strings[key], args);
      }
    }
    return null;
  }

  /** A resource in words ("lot:full" → "parking lot full"); an unknown one shows its own name. */
  resource(name) {
    if (name === null || name === undefined || name === '') {
      return '';
    }
    return this.has('resource.' + name) ? this.strings['resource.' + name] : String(name);
  }

  count(n) {
    return this.countFormat.format(n);
  }

  fixed(value, decimals) {
    let f = this.fixedFormats.get(decimals);
    if (!f) {
      f = new Intl.NumberFormat(this.culture, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
      this.fixedFormats.set(decimals, f);
    }
    return f.format(value);
  }

  /** A length of time, in the unit that keeps three significant digits. */
  duration(ns) {
    const a = Math.abs(ns);
    const digits = v => (v < 10 ? 2 : v < 100 ? 1 : 0);
    if (a < 1e3) {
      return this.get('unit.ns', { value: this.fixed(ns, 0) });
    }
    if (a < 1e6) {
      return this.get('unit.us', { value: this.fixed(ns / 1e3, digits(a / 1e3)) });
    }
    if (a < 1e9) {
      return this.get('unit.ms', { value: this.fixed(ns / 1e6, digits(a / 1e6)) });
    }
    return this.get('unit.s', { value: this.fixed(ns / 1e9, digits(a / 1e9)) });
  }

  /** A moment of the run, in seconds since it started. */
  seconds(ns, decimals) {
    return this.get('unit.s', { value: this.fixed(ns / 1e9, decimals) });
  }
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

function lowerBound(items, t, key) {
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

function isSentinel(e) {
  return (e.kind === 'put' || e.kind === 'get') && e.value === SENTINEL;
}

class Timeline {
  constructor(host, dotnet, options) {
    const opts = options ?? {};
    this.host = host;
    this.dotnet = dotnet;
    this.texts = new Texts(opts.strings, opts.culture);
    this.rules = new LaneRules(opts.laneStates, opts.kinds);
    this.gaugeSpecs = [];
    this.spanLabels = new Set();
    this.canvas = document.createElement('canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-label', this.texts.get('canvas.label'));
    if (opts.describedBy) {
      this.canvas.setAttribute('aria-describedby', opts.describedBy);
    }
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'timeline-tooltip';
    this.tooltip.setAttribute('role', 'status');
    this.announcer = document.createElement('div');
    this.announcer.className = 'timeline-announcer';
    this.announcer.setAttribute('aria-live', 'polite');
    host.replaceChildren(this.canvas, this.tooltip, this.announcer);
    this.ctx = this.canvas.getContext('2d');
    // Everything but the hover highlight is drawn here, so moving the pointer only copies it.
    this.base = document.createElement('canvas');
    this.baseCtx = this.base.getContext('2d');
    this.baseDirty = true;
    this.colors = {};
    this.readPalette();
    this.model = new RunModel(this.rules, this.gaugeSpecs);
    this.marked = new Set();
    this.tileSource = new TileSource(() => {
      // An ended run's tiles know where it ended, before the stream's last batch says so.
      const tiles = this.tileSource.tiles;
      if (tiles && this.usesTiles() && tiles.horizon > 0) {
        this.model.endT = Math.max(this.model.endT ?? 0, num(tiles.horizon, 0));
      }
      // Every lane of the log gets a row, even one the stream has not mentioned yet.
      for (const lane of tiles?.lanes ?? []) {
        this.model.lane(num(lane.actor));
      }
      this.baseDirty = true;
      this.requestDraw();
    });
    this.drawnTiles = null;
    this.view = { t0: 0, t1: FOLLOW_MIN_SPAN_NS };
    this.follow = true;
    this.connection = null;
    this.subscription = null;
    this.problem = null;
    this.generation = 0;
    this.frame = 0;
    this.hover = null;
    this.pinned = false;
    this.tipAbove = false;
    this.pointers = new Map();
    this.gesture = null;
    this.disposed = false;
    this.cssWidth = Math.max(300, host.clientWidth);
    this.labelW = LABEL_W_WIDE;
    this.headerH = HEADER_H;

    this.onWheel = this.onWheel.bind(this);
    this.onPointerDown = this.onPointerDown.bind(this);
    this.onPointerMove = this.onPointerMove.bind(this);
    this.onPointerUp = this.onPointerUp.bind(this);
    this.onPointerCancel = this.onPointerCancel.bind(this);
    this.onPointerLeave = this.onPointerLeave.bind(this);
    this.onKeyDown = this.onKeyDown.bind(this);
    this.onDocumentPointerDown = this.onDocumentPointerDown.bind(this);
    this.onSchemeChange = this.onSchemeChange.bind(this);
    this.draw = this.draw.bind(this);

    const c = this.canvas;
    c.addEventListener('wheel', this.onWheel, { passive: false });
    c.addEventListener('pointerdown', this.onPointerDown);
    c.addEventListener('pointermove', this.onPointerMove);
    c.addEventListener('pointerup', this.onPointerUp);
    c.addEventListener('pointercancel', this.onPointerCancel);
    c.addEventListener('pointerleave', this.onPointerLeave);
    c.addEventListener('keydown', this.onKeyDown);
    document.addEventListener('pointerdown', this.onDocumentPointerDown, true);
    this.scheme = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
    this.scheme?.addEventListener?.('change', this.onSchemeChange);
    this.resizeObserver = new ResizeObserver(() => this.requestDraw());
    this.resizeObserver.observe(host);
    this.paletteCheck = 0;
    this.themeObserver = new MutationObserver(() => this.onClassMutation());
    this.themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['class'], subtree: true });
    this.requestDraw();
  }

  // --- theme --------------------------------------------------------------------------------

  /** Reads the colours from CSS; true when they changed. */
  readPalette() {
    const style = getComputedStyle(this.host);
    let changed = false;
    for (const [name, [prop, fallback]] of Object.entries(PALETTE)) {
      const value = style.getPropertyValue(prop).trim() || fallback;
      changed ||= this.colors[name] !== value;
      this.colors[name] = value;
    }
    return changed;
  }

  /** A class changed somewhere above (a theme switch on a wrapper): check the colours once per frame. */
  onClassMutation() {
    if (this.paletteCheck || this.disposed) {
      return;
    }
    this.paletteCheck = requestAnimationFrame(() => {
      this.paletteCheck = 0;
      if (!this.disposed && this.readPalette()) {
        this.requestDraw();
      }
    });
  }

  /**
   * The page switched between light (false) and dark (true), or left it to the page (null):
   * mark the timeline's root (the component renders the same classes) and read the colours again.
   */
  setTheme(dark) {
    const root = this.host.closest('.timeline-root');
    if (root) {
      root.classList.toggle('timeline-dark', dark === true);
      root.classList.toggle('timeline-light', dark === false);
    }
    this.readPalette();
    this.requestDraw();
  }

  onSchemeChange() {
    if (this.readPalette()) {
      this.requestDraw();
    }
  }

  // --- stream -------------------------------------------------------------------------------

  /**
   * Streams a run and draws it; gauges: the charts of its scenario, [{ id, resource, style, label,
   * limitLabel, limitParameter }]; spanLabels: resources whose spans show the value of the event
   * that began them (a task's number), where the span is wide enough.
   */
  async watch(runId, gauges, spanLabels) {
    await this.close();
    const generation = ++this.generation;
    this.gaugeSpecs = readGauges(gauges);
    this.spanLabels = new Set(Array.isArray(spanLabels) ? spanLabels.filter(r => typeof r === 'string' && r !== '') : []);
    this.model = new RunModel(this.rules, this.gaugeSpecs);
    this.marked = new Set();
    this.tileSource.reset(runId);
    this.drawnTiles = null;
    this.runInfoAsked = false;
    this.follow = true;
    this.problem = null;
    this.hover = null;
    this.pinned = false;
    this.hideTooltip();
    this.requestDraw();
    if (!runId) {
      return;
    }

    const sr = globalThis.signalR;
    if (!sr || !sr.HubConnectionBuilder) {
      this.problem = 'error.noScript';
      this.requestDraw();
      return;
    }

    const url = new URL('hubs/runs', document.baseURI).toString();
    // Transport trouble is shown on the canvas in words; the details go to the console as warnings.
    const logger = {
      log(level, message) {
        if (level >= sr.LogLevel.Warning && level < sr.LogLevel.None) {
          console.warn('[timeline stream]', message);
        }
      },
    };
    let builder = new sr.HubConnectionBuilder()
      .withUrl(url)
      .withAutomaticReconnect(RECONNECT_DELAYS_MS)
      .configureLogging(logger);
    if (sr.protocols && sr.protocols.msgpack) {
      builder = builder.withHubProtocol(new sr.protocols.msgpack.MessagePackHubProtocol());
    }
    const connection = builder.build();
    const current = () => generation === this.generation && connection === this.connection && !this.disposed;
    // The hub also tells its clients about run state; the page learns that through .NET instead.
    connection.on('RunChanged', () => { });
    connection.onreconnecting(() => {
      if (current() && !this.model.final) {
        this.problem = 'error.reconnecting';
        // Keep the last drawn state: no extrapolating the present while nothing arrives.
        this.model.anchor = null;
        this.requestDraw();
      }
    });
    connection.onreconnected(() => {
      if (current() && !this.model.final) {
        this.problem = null;
        this.subscribe(connection, runId, generation, true);
        this.requestDraw();
      }
    });
    connection.onclose(() => {
      if (current() && !this.model.final) {
        this.problem = 'error.gaveUp';
        this.requestDraw();
      }
    });
    this.connection = connection;

    // The first connection is retried like a dropped one.
    for (let attempt = 0; ; attempt++) {
      try {
        await connection.start();
        break;
      } catch {
        if (!current()) {
          return;
        }
        if (attempt + 1 >= RECONNECT_DELAYS_MS.length) {
          this.problem = 'error.gaveUp';
          this.requestDraw();
          return;
        }
        this.problem = 'error.reconnecting';
        this.requestDraw();
        await new Promise(resolve => setTimeout(resolve, Math.max(1000, RECONNECT_DELAYS_MS[attempt + 1])));
        if (!current()) {
          return;
        }
      }
    }
    if (!current()) {
      await connection.stop().catch(() => { });
      return;
    }
    this.problem = null;
    this.subscribe(connection, runId, generation, false);
  }

  subscribe(connection, runId, generation, resuming) {
    const sr = globalThis.signalR;
    const current = () => generation === this.generation && connection === this.connection && !this.disposed;
    try {
      this.subscription?.dispose();
    } catch {
      // The old stream is over already.
    }
    if (resuming) {
      this.model.beginResume();
    }
    this.subscription = connection.stream('StreamEvents', runId).subscribe({
      next: batch => {
        if (current()) {
          this.onBatch(normalizeKeys(batch));
        }
      },
      complete: () => {
        if (current()) {
          this.onEnded();
          // Everything is here: let the connection go.
          this.close().catch(() => { });
        }
      },
      error: () => {
        if (!current()) {
          return;
        }
        // A dropped connection fails its streams first and starts reconnecting right after, in
        // the same turn; only an error on a live connection means the stream itself gave up.
        setTimeout(() => {
          if (current() && connection.state === sr.HubConnectionState.Connected) {
            this.problem = 'error.streamStopped';
            this.onEnded();
          }
        }, 0);
      },
    });
  }

  onBatch(batch) {
    const m = this.model;
    if (batch.run) {
      m.setRun(batch.run);
    }
    // Once the run has ended and its picture comes from the server's log, the events the stream
    // still catches up on are not drawn: they are not worth the page's time. The stream goes on
    // only for its last batch, which brings the run's end and summary.
    if (!batch.final && (batch.events?.length ?? 0) >= CATCH_UP_FOR_TILES && ['completed', 'cancelled', 'failed'].includes(stateName(batch.state))) {
      // An ended run with a long log still to send (a viewer who came late, or a slow link).
      m.catchingUp = true;
    }
    m.state = stateName(batch.state);
    const skip = this.usesTiles();
    for (const ev of skip ? [] : batch.events ?? []) {
      m.add(ev);
    }
    if (m.resuming) {
      // The first batch after a reconnect replays what was already drawn; its coalesced count is
      // about that replay, not about anything left out.
      m.resuming = false;
    } else {
      m.coalesced += num(batch.coalesced, 0);
    }
    m.anchor = { t: m.tMax, wall: performance.now() };
    this.flushMarks();
    if (batch.final) {
      m.final = true;
      m.finish();
      this.problem = null;
      this.notifyEnded();
    }
    this.requestDraw();
  }

  /** Tells the page which legend entries the picture now has marks of, the first time it has them. */
  flushMarks() {
    const m = this.model;
    if (m.newMarkKeys.length > 0) {
      // The legend under the canvas explains only the marks this run has.
      const keys = m.newMarkKeys;
      m.newMarkKeys = [];
      if (this.dotnet && !this.disposed) {
        this.dotnet.invokeMethodAsync('OnMarksDrawn', keys).catch(() => { });
      }
    }
  }

  onEnded() {
    const m = this.model;
    if (!m.final) {
      m.final = true;
      m.finish();
      this.notifyEnded();
    }
    this.requestDraw();
  }

  notifyEnded() {
    if (this.dotnet && !this.disposed) {
      this.dotnet.invokeMethodAsync('OnStreamEnded').catch(() => { });
    }
  }

  async close() {
    const sub = this.subscription;
    const conn = this.connection;
    this.subscription = null;
    this.connection = null;
    try {
      sub?.dispose();
    } catch {
      // The stream may already be over.
    }
    if (conn) {
      try {
        await conn.stop();
      } catch {
        // Closing a broken connection is fine.
      }
    }
  }

  // --- marks --------------------------------------------------------------------------------

  /** Highlights every put of these items (ones the run lost); null or empty clears. */
  markItems(ids) {
    this.marked = new Set((ids ?? []).map(v => num(v, NaN)).filter(Number.isFinite));
    this.requestDraw();
  }

  // --- view ---------------------------------------------------------------------------------

  setFollow(follow) {
    this.follow = !!follow;
    this.requestDraw();
  }

  fit() {
    this.follow = true;
    this.requestDraw();
    this.announceView();
  }

  /** Zooms around the middle of the plot: factor below 1 zooms in. */
  zoomBy(factor) {
    const mid = (this.view.t0 + this.view.t1) / 2;
    this.zoomAt(mid, factor);
    this.announceView();
  }

  fullSpan() {
    const now = this.model.now(performance.now());
    const end = this.model.final ? Math.max(now, 1e6) : Math.max(now * 1.05, FOLLOW_MIN_SPAN_NS);
    return { t0: 0, t1: end };
  }

  /** Keeps the view inside the run (plus a margin) and no narrower than a few microseconds. */
  clampView(t0, span) {
    const full = this.fullSpan().t1;
    const margin = full * VIEW_MARGIN;
    const s = clamp(span, MIN_SPAN_NS, full + 2 * margin);
    const start = clamp(t0, -margin, full + margin - s);
    return { t0: start, t1: start + s };
  }

  zoomAt(pivot, factor) {
    const span = this.view.t1 - this.view.t0;
    const ratio = (pivot - this.view.t0) / span;
    const next = clamp(span * factor, MIN_SPAN_NS, Number.MAX_SAFE_INTEGER);
    this.view = this.clampView(pivot - ratio * next, next);
    this.userMovedView();
    this.requestDraw();
  }

  panBy(dt) {
    this.view = this.clampView(this.view.t0 + dt, this.view.t1 - this.view.t0);
    this.userMovedView();
    this.requestDraw();
  }

  userMovedView() {
    if (this.follow) {
      this.follow = false;
      this.dotnet?.invokeMethodAsync('OnViewChanged', false).catch(() => { });
    }
  }

  plotWidth() {
    return Math.max(50, this.cssWidth - this.labelW - RIGHT_PAD);
  }

  xOf(t) {
    return this.labelW + ((t - this.view.t0) / (this.view.t1 - this.view.t0)) * this.plotWidth();
  }

  tOf(x) {
    return this.view.t0 + ((x - this.labelW) / this.plotWidth()) * (this.view.t1 - this.view.t0);
  }

  /** Decimals that tell moments apart at the current zoom (milliseconds at least). */
  timeDecimals() {
    const spanS = (this.view.t1 - this.view.t0) / 1e9;
    return clamp(Math.ceil(-Math.log10(spanS / 200)), 3, 9);
  }

  announceView() {
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      if (this.disposed) {
        return;
      }
      const v = this.follow ? this.fullSpan() : this.view;
      const d = this.timeDecimals();
      this.announcer.textContent = this.texts.get('a11y.window', {
        from: this.texts.seconds(Math.max(0, v.t0), d),
        to: this.texts.seconds(v.t1, d),
      });
    }, 400);
  }

  // --- input --------------------------------------------------------------------------------

  localPoint(e) {
    const rect = this.canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  onWheel(e) {
    e.preventDefault();
    const { x } = this.localPoint(e);
    if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      // A sideways swipe on a touchpad pans.
      this.panBy((e.deltaX / this.plotWidth()) * (this.view.t1 - this.view.t0));
    } else {
      const scale = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 400 : 1;
      this.zoomAt(this.tOf(Math.max(this.labelW, x)), Math.exp(e.deltaY * scale * 0.0015));
    }
    if (!this.pinned) {
      this.hideTooltip();
    }
  }

  onPointerDown(e) {
    if (e.pointerType === 'mouse' && e.button !== 0) {
      return;
    }
    const p = this.localPoint(e);
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // The pointer may already be gone.
    }
    this.pointers.set(e.pointerId, { x: p.x, y: p.y, type: e.pointerType });
    if (this.pointers.size === 1) {
      this.startPan(p, e.pointerType, false);
    } else if (this.pointers.size === 2) {
      this.startPinch();
    }
    if (e.pointerType === 'mouse') {
      e.preventDefault(); // no text selection while dragging
    }
  }

  startPan(p, type, afterPinch) {
    this.gesture = { kind: 'pan', x: p.x, y: p.y, t0: this.view.t0, t1: this.view.t1, moved: afterPinch, type, afterPinch };
  }

  startPinch() {
    const [a, b] = [...this.pointers.values()];
    const mid = (a.x + b.x) / 2;
    this.gesture = {
      kind: 'pinch',
      dist: Math.max(20, Math.hypot(a.x - b.x, a.y - b.y)),
      pivot: this.tOf(Math.max(this.labelW, mid)),
      span: this.view.t1 - this.view.t0,
    };
    this.canvas.classList.add('dragging');
    this.hideTooltip();
  }

  onPointerMove(e) {
    const p = this.localPoint(e);
    const ptr = this.pointers.get(e.pointerId);
    if (!ptr) {
      if (e.pointerType === 'mouse') {
        this.tipAbove = false;
        this.showAt(p.x, p.y, MOUSE_SLOP_PX, false);
      }
      return;
    }
    ptr.x = p.x;
    ptr.y = p.y;
    const g = this.gesture;
    if (!g) {
      return;
    }
    if (g.kind === 'pan') {
      const dx = p.x - g.x;
      if (!g.moved && Math.hypot(dx, p.y - g.y) > TAP_MOVE_PX) {
        g.moved = true;
        this.canvas.classList.add('dragging');
        this.pinned = false;
        this.hideTooltip();
      }
      if (g.moved) {
        const span = g.t1 - g.t0;
        this.view = this.clampView(g.t0 - (dx / this.plotWidth()) * span, span);
        this.userMovedView();
        this.requestDraw();
      }
    } else if (g.kind === 'pinch' && this.pointers.size >= 2) {
      const [a, b] = [...this.pointers.values()];
      const dist = Math.max(20, Math.hypot(a.x - b.x, a.y - b.y));
      const mid = (a.x + b.x) / 2;
      const span = clamp(g.span * (g.dist / dist), MIN_SPAN_NS, Number.MAX_SAFE_INTEGER);
      // The moment first under the fingers stays under their midpoint.
      this.view = this.clampView(g.pivot - ((mid - this.labelW) / this.plotWidth()) * span, span);
      this.userMovedView();
      this.requestDraw();
    }
  }

  onPointerUp(e) {
    this.endPointer(e, true);
  }

  onPointerCancel(e) {
    this.endPointer(e, false);
  }

  endPointer(e, lifted) {
    const ptr = this.pointers.get(e.pointerId);
    if (!ptr) {
      return;
    }
    this.pointers.delete(e.pointerId);
    const g = this.gesture;
    if (this.pointers.size === 1) {
      // One finger left after a pinch: carry on panning with it, but lifting it is not a tap.
      const [rest] = [...this.pointers.values()];
      this.startPan(rest, rest.type, true);
      return;
    }
    if (this.pointers.size > 0) {
      return;
    }
    this.gesture = null;
    this.canvas.classList.remove('dragging');
    if (lifted && g && g.kind === 'pan' && !g.moved && !g.afterPinch && e.pointerType !== 'mouse') {
      // A tap: show what is under the finger, or hide the tip when there is nothing.
      this.tipAbove = true;
      const found = this.showAt(ptr.x, ptr.y, TOUCH_SLOP_PX, true);
      this.pinned = !!found;
    } else if (e.pointerType === 'mouse') {
      this.showAt(ptr.x, ptr.y, MOUSE_SLOP_PX, false);
    }
  }

  onPointerLeave(e) {
    if (e.pointerType === 'mouse' && !this.gesture && !this.pinned) {
      this.setHover(null);
    }
  }

  onDocumentPointerDown(e) {
    if (this.pinned && !this.host.contains(e.target)) {
      this.pinned = false;
      this.setHover(null);
    }
  }

  onKeyDown(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    const span = this.view.t1 - this.view.t0;
    switch (e.key) {
      case 'ArrowLeft':
        this.panBy(-span * (e.shiftKey ? 0.5 : 0.1));
        break;
      case 'ArrowRight':
        this.panBy(span * (e.shiftKey ? 0.5 : 0.1));
        break;
      case '+':
      case '=':
      case 'Add':
        this.zoomAt((this.view.t0 + this.view.t1) / 2, 1 / 1.5);
        break;
      case '-':
      case '_':
      case 'Subtract':
        this.zoomAt((this.view.t0 + this.view.t1) / 2, 1.5);
        break;
      case 'Home':
      case '0':
        this.fit();
        this.dotnet?.invokeMethodAsync('OnViewChanged', true).catch(() => { });
        break;
      case 'Escape':
        this.pinned = false;
        this.setHover(null);
        return;
      default:
        return;
    }
    e.preventDefault();
    this.pinned = false;
    this.setHover(null);
    this.announceView();
  }

  // --- what is under the pointer --------------------------------------------------------------

  laneTop(index) {
    return this.headerH + index * (LANE_H + LANE_GAP);
  }

  /** The instant, span or gauge level at (x, y), or null. */
  hitTest(x, y, slop) {
    const m = this.model;
    if (x < this.labelW - slop || x > this.cssWidth - RIGHT_PAD + slop) {
      return null;
    }
    const t = this.tOf(x);
    const order = m.laneOrder();
    const index = Math.floor((y - this.headerH) / (LANE_H + LANE_GAP));
    if (y >= this.headerH && index >= 0 && index < order.length && y <= this.laneTop(index) + LANE_H + LANE_GAP / 2) {
      const lane = m.lanes.get(order[index]);
      if (!lane) {
        return null;
      }
      if (this.drawnTiles && (this.tileEdge === null || t < this.tileEdge)) {
        return this.hitTiles(lane.id, x, t, slop);
      }
      const mark = this.nearestMark(lane.marks, x, slop);
      if (mark) {
        return { type: 'instant', e: mark, lane: lane.id };
      }
      if (lane.end && !lane.current && Math.abs(this.xOf(lane.end.t) - x) <= slop) {
        return { type: 'instant', e: lane.end, lane: lane.id };
      }
      const segs = lane.segments;
      const i = lowerBound(segs, t, s => s.t1);
      if (i < segs.length && segs[i].t0 <= t) {
        return { type: 'span', seg: segs[i], lane: lane.id, live: false };
      }
      const cur = lane.current;
      if (cur && t >= cur.t0 && t <= m.now(performance.now())) {
        return { type: 'span', seg: cur, lane: lane.id, live: true };
      }
      return null;
    }
    for (const box of this.layout().gauges) {
      if (y < box.top || y > box.top + box.h) {
        continue;
      }
      const series = this.drawnTiles && (this.tileEdge === null || t < this.tileEdge)
        ? this.drawnTiles.gauges?.find(s => s.name === box.g.spec.id)
        : null;
      if (series) {
        // From tiles: the level the gauge ended the pixel column on.
        const i = bucketAt(this.drawnTiles, t);
        const b = i >= 0 ? series.buckets[i] : null;
        return b && b.last !== null && b.last !== undefined ? { type: 'gauge', g: box.g, level: b.last, t } : null;
      }
      const pts = m.gaugePoints(box.g);
      const nearest = this.nearestMark(pts, x, slop);
      if (nearest) {
        return { type: 'instant', e: nearest.e, lane: null };
      }
      const i = lowerBound(pts, t, p => p.t);
      const before = i > 0 ? pts[i - 1] : null;
      if (before && t <= Math.max(m.tMax, m.endT ?? 0)) {
        return { type: 'gauge', g: box.g, level: before.level, t };
      }
      return null;
    }
    return null;
  }

  /** An event drawn as a mark in a picture from tiles: an instant, or a crash (which also ends its lane). */
  isTileMark(e) {
    return !this.rules.isState(e.kind) || e.kind === 'crash';
  }

  /** In a picture from tiles: the event drawn nearest (when the window's events are here), else the lane's pixel column. */
  hitTiles(laneId, x, t, slop) {
    const tiles = this.drawnTiles;
    if (Array.isArray(tiles.events)) {
      const marks = tiles.events.filter(e => e.actor === laneId && this.isTileMark(e));
      const mark = this.nearestMark(marks, x, slop);
      if (mark) {
        return { type: 'instant', e: mark, lane: laneId };
      }
    }
    const i = bucketAt(tiles, t);
    const buckets = tiles.lanesByActor.get(laneId);
    if (i < 0 || !buckets) {
      return null;
    }
    const { t0, t1 } = bucketSpan(tiles, i);
    return { type: 'bucket', lane: laneId, b: buckets[i], t0, t1 };
  }

  /** The item of a time-sorted list (by .t) drawn nearest to x, within slop pixels. */
  nearestMark(items, x, slop) {
    if (items.length === 0) {
      return null;
    }
    const span = this.view.t1 - this.view.t0;
    const dtSlop = (slop / this.plotWidth()) * span;
    const t = this.tOf(x);
    const i = lowerBound(items, t - dtSlop, it => it.t);
    let best = null;
    let bestD = Infinity;
    for (let j = i; j < items.length && items[j].t <= t + dtSlop; j++) {
      const d = Math.abs(items[j].t - t);
      // Among marks in reach, a lost or stop-marker item wins over a plain one: it is what a learner looks for.
      const special = items[j].kind ? (this.isLost(items[j]) || isSentinel(items[j]) || items[j].kind === 'crash' || items[j].kind === 'error' || items[j].kind === 'mark') : false;
      const score = special ? d * 0.25 : d;
      if (score < bestD) {
        bestD = score;
        best = items[j];
      }
    }
    return best;
  }

  isLost(e) {
    return e.kind === 'put' && this.marked.size > 0 && this.marked.has(e.value);
  }

  showAt(x, y, slop, pinned) {
    const hit = this.hitTest(x, y, slop);
    this.setHover(hit, x, y);
    if (pinned !== undefined && !hit) {
      this.pinned = false;
    }
    return hit;
  }

  setHover(hit, x, y) {
    this.hover = hit;
    if (!hit) {
      this.hideTooltip();
    } else {
      this.showTooltip(this.describe(hit), x, y);
    }
    this.requestOverlay();
  }

  showTooltip(lines, x, y) {
    const tip = this.tooltip;
    tip.replaceChildren();
    lines.forEach((line, i) => {
      const div = document.createElement('div');
      div.textContent = line.text;
      if (i === 0) {
        div.className = 'timeline-tooltip-title';
      } else if (line.lost) {
        div.className = 'timeline-tooltip-lost';
      }
      tip.appendChild(div);
    });
    tip.style.display = 'block';
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    let left = x + 14;
    if (left + w > this.cssWidth) {
      left = Math.max(0, Math.min(x - 14 - w, this.cssWidth - w));
    }
    // Below a mouse pointer; above a finger, which would hide it.
    const hostH = this.canvas.offsetHeight;
    const above = y - 24 - h;
    const below = y + 14;
    let top = this.tipAbove && above >= 0 ? above : below;
    if (top + h > hostH && above >= 0) {
      top = above;
    }
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${Math.max(0, top)}px`;
  }

  hideTooltip() {
    this.tooltip.style.display = 'none';
  }

  // --- words --------------------------------------------------------------------------------

  actorName(id) {
    const a = this.model.actor(id);
    return a.name ?? this.texts.get('actor.unnamed', { id });
  }

  /** Lines of the tooltip for a hit: the first says what, the rest when. */
  describe(hit) {
    const T = this.texts;
    const d = this.timeDecimals();
    if (hit.type === 'bucket') {
      return this.describeBucket(hit);
    }
    if (hit.type === 'span') {
      const s = hit.seg;
      const title = this.describeSpan(s, hit.lane);
      const end = hit.live ? this.model.now(performance.now()) : s.t1;
      const time = hit.live
        ? T.get('span.timeLive', { duration: T.duration(end - s.t0), from: T.seconds(s.t0, d) })
        : T.get('span.time', { duration: T.duration(s.t1 - s.t0), from: T.seconds(s.t0, d), to: T.seconds(s.t1, d) });
      return [{ text: title }, { text: time }];
    }
    if (hit.type === 'gauge') {
      return [
        { text: T.get('gauge.value', { label: hit.g.spec.label, value: this.gaugeValue(hit.g, hit.level) }) },
        { text: T.get('instant.at', { time: T.seconds(hit.t, d) }) },
      ];
    }
    const e = hit.e;
    const lines = [{ text: this.describeInstant(e) }, { text: T.get('instant.at', { time: T.seconds(e.t, d) }) }];
    if (this.isLost(e)) {
      lines.push({ text: T.get('mark.lost'), lost: true });
    }
    return lines;
  }

  argsOf(e, actor) {
    const T = this.texts;
    return {
      actor,
      item: String(e?.value ?? ''),
      value: T.count(e?.value ?? 0),
      left: T.count(e?.value ?? 0),
      code: String(e?.value ?? ''),
      resource: T.resource(e?.resource),
      kind: e?.kind ?? '',
    };
  }

  describeSpan(seg, laneId) {
    const T = this.texts;
    const actor = this.actorName(laneId);
    const cause = seg.cause;
    const state = { running: 'running', blocked: 'blocked', sleeping: 'sleeping' }[seg.state] ?? 'running';
    let what = null;
    // Only the event that began the state says why (a get that ended a wait just means running).
    if (cause && cause.resource && this.rules.isState(cause.kind)) {
      const args = this.argsOf(cause, actor);
      // Texts are keyed by the kind that began the span and its resource ("wait.lot", "work.make").
      const prefix = cause.kind;
      const keys = cause.value === SENTINEL
        ? [`${prefix}.${cause.resource}.sentinel`, `${prefix}.${cause.resource}`]
        : [`${prefix}.${cause.resource}`];
      what = T.pick(keys, args) ?? T.resource(cause.resource);
    }
    return what ? T.get(`span.${state}On`, { actor, what }) : T.get(`span.${state}`, { actor });
  }

  /** A gauge's level in words: a count, or on/off for a band. */
  gaugeValue(g, level) {
    if (g.spec.style === 'band') {
      return this.texts.get(level > 0 ? 'gauge.on' : 'gauge.off');
    }
    return this.texts.count(level);
  }

  /** What an event did, and what it did to its gauge (if it carries one). */
  describeInstant(e) {
    const what = this.describeKind(e);
    const g = e.gauge;
    if (!g || e.level < 0) {
      return what;
    }
    const T = this.texts;
    const to = this.gaugeValue(g, e.level);
    if (e.from === null || e.from === undefined || e.from === e.level) {
      return T.get('instant.atLevel', { what, gauge: g.spec.label, to });
    }
    return T.get('instant.withLevel', { what, gauge: g.spec.label, from: this.gaugeValue(g, e.from), to });
  }

  describeKind(e) {
    const T = this.texts;
    const actor = this.actorName(e.actor);
    const args = this.argsOf(e, actor);
    const res = e.resource ?? '';
    switch (e.kind) {
      case 'put':
      case 'get':
        if (e.value === SENTINEL) {
          return T.get(`${e.kind}.sentinel`, args);
        }
        return T.pick([`${e.kind}.${res}`], args) ?? T.get(`${e.kind}.item`, args);
      case 'mark':
        return T.pick([`mark.${res}`], args) ?? T.get('mark.any', args);
      case 'poll':
        return T.pick([`poll.${res}`], args) ?? T.get('poll.other', args);
      case 'done':
        return T.get('done.item', args);
      case 'crash':
        if (res.startsWith('signal')) {
          return T.get('crash.signal', args);
        }
        if (res === 'exit code') {
          return T.get('crash.exit', args);
        }
        return T.get('crash.error', { ...args, what: res || T.count(e.value) });
      case 'error':
        return T.pick([`fault.${res}`], args) ?? T.get('fault.any', args);
      case 'end':
        return T.pick([`end.${res}`], args) ?? T.get('end.any', args);
      case 'acquire':
      case 'release':
      case 'set':
      case 'clear':
        return T.pick([`${e.kind}.${res}`], args) ?? T.get(`${e.kind}.any`, args);
      default: {
        // A state change met as a point (a gauge's reading): say it as its span would.
        const rule = this.rules.rule(e.kind);
        if (rule === 'running' || rule === 'sleeping' || rule === 'blocked') {
          return this.describeSpan({ state: rule, cause: e }, e.actor);
        }
        return T.get('instant.other', args);
      }
    }
  }

  // --- drawing ------------------------------------------------------------------------------

  /** Redraws everything on the next frame. */
  requestDraw() {
    this.baseDirty = true;
    this.requestOverlay();
  }

  /** Redraws only the hover highlight on the next frame. */
  requestOverlay() {
    if (!this.frame && !this.disposed) {
      this.frame = requestAnimationFrame(this.draw);
    }
  }

  layout() {
    const m = this.model;
    const lanes = Math.max(1, m.laneOrder().length);
    const lanesBottom = this.headerH + lanes * (LANE_H + LANE_GAP);
    // One chart per declared gauge, in declaration order, under the lanes.
    const gauges = [];
    let y = lanesBottom;
    for (const g of m.gauges) {
      y += GAUGE_GAP;
      const h = g.spec.style === 'band' ? BAND_H : STEP_H;
      gauges.push({ g, top: y, h });
      y += h;
    }
    return { lanesBottom, gauges, height: y + AXIS_H };
  }

  draw() {
    this.frame = 0;
    if (this.disposed) {
      return;
    }
    const m = this.model;
    const dpr = window.devicePixelRatio || 1;
    const cssWidth = Math.max(280, this.host.clientWidth);
    this.cssWidth = cssWidth;
    this.labelW = cssWidth < NARROW_BELOW ? LABEL_W_NARROW : LABEL_W_WIDE;
    const ctx = this.ctx;
    const header = this.headerText(ctx, cssWidth);
    this.headerH = header.rows === 2 ? HEADER_H_TWO_ROWS : HEADER_H;
    const layout = this.layout();
    const cssHeight = layout.height;
    const pxW = Math.round(cssWidth * dpr);
    const pxH = Math.round(cssHeight * dpr);
    if (this.canvas.width !== pxW || this.canvas.height !== pxH) {
      this.canvas.width = pxW;
      this.canvas.height = pxH;
      this.canvas.style.height = `${cssHeight}px`;
      this.base.width = pxW;
      this.base.height = pxH;
      this.baseDirty = true;
    }
    const live = !m.final && m.state === 'running';
    if (this.baseDirty || live) {
      this.baseDirty = false;
      this.drawBase(this.baseCtx, layout, cssWidth, cssHeight, header, dpr);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, pxW, pxH);
    ctx.drawImage(this.base, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawHover(ctx, layout);

    if (this.hover && this.hover.type === 'span' && this.hover.live && this.tooltip.style.display === 'block') {
      // A live span keeps growing under a still pointer.
      this.tooltip.lastChild.textContent = this.describe(this.hover)[1].text;
    }

    if (live) {
      this.requestDraw(); // keep the present moving while the run is live
    }
  }

  drawBase(ctx, layout, cssWidth, cssHeight, header, dpr) {
    const m = this.model;
    const C = this.colors;
    if (this.follow) {
      this.view = this.fullSpan();
    } else {
      this.view = this.clampView(this.view.t0, this.view.t1 - this.view.t0);
    }

    const now = this.model.now(performance.now());
    this.drawnTiles = this.usesTiles() ? this.tilesForView() : this.liveTiles(now);
    // While the run is live, tiles reach only up to an edge behind the present; the stream draws the rest.
    this.tileEdge = this.drawnTiles && !this.usesTiles() ? this.drawnTiles.to : null;
    this.tileMarks = 0;

    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    ctx.fillStyle = C.bg;
    ctx.fillRect(0, 0, cssWidth, cssHeight);
    ctx.font = `12px ${FONT}`;
    ctx.textBaseline = 'middle';

    const labelW = this.labelW;
    const plotRight = cssWidth - RIGHT_PAD;
    const axisTop = cssHeight - AXIS_H;
    const step = niceStep(((this.view.t1 - this.view.t0) / this.plotWidth()) * (labelW === LABEL_W_NARROW ? 80 : 100));

    // Grid lines behind everything.
    ctx.strokeStyle = C.grid;
    ctx.lineWidth = 1;
    const firstTick = Math.ceil(this.view.t0 / step) * step;
    for (let t = firstTick; t <= this.view.t1; t += step) {
      const x = Math.round(this.xOf(t)) + 0.5;
      if (x < labelW) {
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(x, this.headerH - 4);
      ctx.lineTo(x, axisTop);
      ctx.stroke();
    }

    this.drawHeader(ctx, header, cssWidth);

    const order = m.laneOrder();
    ctx.save();
    ctx.beginPath();
    ctx.rect(labelW, 0, plotRight - labelW, cssHeight);
    ctx.clip();
    order.forEach((id, i) => this.drawLane(ctx, m.lanes.get(id), this.laneTop(i), now));
    const scales = layout.gauges.map(box => (box.g.spec.style === 'band' ? this.drawBand(ctx, box, now) : this.drawStep(ctx, box, now)));
    ctx.restore();
    layout.gauges.forEach((box, i) => {
      if (box.g.spec.style !== 'band') {
        this.drawStepScale(ctx, box, scales[i]);
      }
    });

    // Lane labels.
    const narrow = labelW === LABEL_W_NARROW;
    order.forEach((id, i) => {
      const y = this.laneTop(i);
      const a = m.actor(id);
      const name = this.actorName(id);
      ctx.fillStyle = C.text;
      ctx.font = `500 ${narrow ? 11 : 12}px ${FONT}`;
      ctx.fillText(clipText(ctx, name, labelW - 10), 6, y + 9);
      ctx.fillStyle = C.muted;
      ctx.font = `${narrow ? 9 : 10}px ${FONT}`;
      const roleText = a.role ? this.texts.pick([`role.${a.role}`]) ?? a.role : null;
      const role = roleText && !name.toLowerCase().includes(a.role.toLowerCase()) ? roleText : null;
      // A child process's main thread id equals its pid: show it once.
      const tid = a.threadId !== null && a.threadId !== a.pid ? this.texts.get('lane.tid', { tid: a.threadId }) : null;
      const pid = a.pid ? this.texts.get('lane.pid', { pid: a.pid }) : null;
      // Where room is short, the most specific id is enough (the thread's, else the process's).
      const ids = (narrow ? [role, tid ?? pid] : [role, tid, pid]).filter(Boolean).join(' · ');
      ctx.fillText(clipText(ctx, ids, labelW - 10), 6, y + 22);
    });
    for (const box of layout.gauges) {
      this.drawGaugeLabel(ctx, box.g.spec.label, box, narrow);
    }

    this.drawAxis(ctx, axisTop, step, firstTick, plotRight);

    // What is drawn, for people using assistive tools and for tests.
    this.canvas.dataset.lanes = String(order.length);
    this.canvas.dataset.gauges = m.gauges.map(g => g.spec.id).join(' ');
    this.canvas.dataset.events = String(m.eventCount);
    this.canvas.dataset.state = m.state;
    this.canvas.dataset.problem = this.problem ?? '';
    this.canvas.dataset.view = `${Math.round(this.view.t0)} ${Math.round(this.view.t1)}`;
    this.flushMarks();
    this.canvas.dataset.detail = !this.drawnTiles ? 'events' : this.tilesCoverView() ? 'tiles' : 'tiles-pending';
    this.canvas.dataset.marks = String(this.drawnTiles ? this.tileMarks : 0);
    this.canvas.dataset.coalesced = String(m.coalesced);
    // Where the plot lies in css px (its left and right edge), so a test can point at a time.
    this.canvas.dataset.plot = `${labelW} ${plotRight}`;
    // What the lanes show in all, per lane in order: ns running, blocked, sleeping.
    this.canvas.dataset.drawn = this.drawnTiles
      ? order.map(id => {
        const buckets = this.drawnTiles.lanesByActor.get(id) ?? [];
        const sum = state => buckets.reduce((v, b) => v + b[state], 0);
        return `${sum('running')},${sum('blocked')},${sum('sleeping')}`;
      }).join(';')
      : '';
  }

  // --- level of detail ----------------------------------------------------------------------

  /**
   * True when the picture comes from the server's tiles: the run has ended and the live stream
   * had to leave state changes out (or the page could not keep every event).
   */
  usesTiles() {
    const m = this.model;
    // As soon as the run has ended: the stream may still be catching up, but the server's log is whole.
    const ended = m.final || m.state === 'completed' || m.state === 'cancelled' || m.state === 'failed';
    return ended && !!this.tileSource.runId && (m.coalesced > 0 || m.dropped > 0 || !!m.catchingUp);
  }

  /**
   * While a run is live and the stream has had to coalesce: tiles of the view up to an edge a
   * little behind the present, moved forward a quarter of a second at a time, so what the stream
   * merged is filled in from the log behind the live edge. Null when there is nothing to fill in.
   */
  liveTiles(now) {
    const m = this.model;
    if (m.final || m.state !== 'running' || m.coalesced === 0 || !this.tileSource.runId) {
      return null;
    }
    const from = Math.max(0, this.view.t0);
    const edge = Math.min(this.view.t1, Math.floor(Math.max(0, now - LIVE_TILE_LAG_NS) / LIVE_TILE_STEP_NS) * LIVE_TILE_STEP_NS);
    const width = this.xOf(edge) - this.xOf(from);
    if (edge <= from || width < 1) {
      return null;
    }
    // Ask again only when the edge has moved on: a following view rescales every frame.
    if (edge !== this.liveEdgeAsked) {
      this.liveEdgeAsked = edge;
      this.tileSource.want(from, edge, width);
    }
    const tiles = this.tileSource.tiles;
    // Tiles of an older edge still hold: the log behind it does not change.
    return tiles && tiles.to <= now ? tiles : null;
  }

  /** Draws part of a row with a clip: x from x0 to x1 (css px), between y0 and y1. */
  clipped(ctx, x0, x1, y0, y1, draw) {
    if (x1 <= x0) {
      return;
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, y0, x1 - x0, y1 - y0);
    ctx.clip();
    draw();
    ctx.restore();
  }

  /**
   * For a picture from tiles: the run's actors and end from the API when the stream has not
   * brought them yet — the batches of a late viewer's catch-up carry none, only the last does.
   */
  fetchRunInfo() {
    const runId = this.tileSource.runId;
    if (this.runInfoAsked || !runId) {
      return;
    }
    this.runInfoAsked = true;
    fetch(new URL(`api/runs/${encodeURIComponent(runId)}`, document.baseURI), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(response => (response.ok ? response.json() : null))
      .then(run => {
        if (run && runId === this.tileSource.runId && !this.disposed) {
          this.model.setRun(run);
          this.requestDraw();
        }
      })
      .catch(() => { });
  }

  /** Asks for the window on screen at one bucket per css pixel; returns the newest tiles in hand (maybe of another window). */
  tilesForView() {
    if (this.model.actors.length === 0 || !this.model.endT) {
      this.fetchRunInfo();
    }
    this.tileSource.want(this.view.t0, this.view.t1, this.plotWidth());
    return this.tileSource.tiles;
  }

  tilesCoverView() {
    return this.tileSource.covers(this.view.t0, this.view.t1, this.plotWidth());
  }

  /**
   * The lanes of the tiles in hand drawn once into a bitmap, one css pixel per bucket, each lane at
   * its own row: while only the view moves, a frame copies rows of it instead of drawing tens of
   * thousands of columns again.
   */
  laneBitmap(dpr) {
    const tiles = this.drawnTiles;
    const C = this.colors;
    const order = this.model.laneOrder();
    const height = this.laneTop(order.length);
    const key = [tiles.key, dpr, height, order.join(','), C.running, C.blocked, C.sleeping, C.tick].join('|');
    if (this.tileBitmap?.key === key) {
      return this.tileBitmap;
    }
    const width = Math.max(1, tiles.buckets);
    const canvas = this.tileBitmap?.canvas ?? document.createElement('canvas');
    canvas.width = Math.ceil(width * dpr);
    canvas.height = Math.ceil(height * dpr);
    const c = canvas.getContext('2d');
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, width, height);
    const xOf = t => ((t - tiles.from) / (tiles.to - tiles.from)) * width;
    order.forEach((id, i) => {
      const buckets = tiles.lanesByActor.get(id);
      if (!buckets) {
        return;
      }
      const y = this.laneTop(i);
      const { paths, instants } = lanePaths(tiles, buckets, xOf, y + 3, LANE_H - 6, 0, width);
      for (const state of ['sleeping', 'running', 'blocked']) {
        c.fillStyle = C[state];
        c.fill(paths[state]);
      }
      if (!Array.isArray(tiles.events)) {
        c.fillStyle = C.tick;
        for (const p of instants) {
          c.fillRect(Math.floor(p.x), y, 1, 3);
        }
      }
    });
    this.tileBitmap = { key, canvas, width, dpr };
    return this.tileBitmap;
  }

  /** A lane from tiles: each pixel column split by the time it spent in each state; instants as ticks, or as marks when the window's events are here. */
  drawLaneTiles(ctx, lane, y) {
    const tiles = this.drawnTiles;
    if (!tiles.lanesByActor.has(lane.id)) {
      return;
    }
    const bitmap = this.laneBitmap(window.devicePixelRatio || 1);
    const x0 = this.xOf(tiles.from);
    const x1 = this.xOf(tiles.to);
    const smoothing = ctx.imageSmoothingEnabled;
    // Columns stay columns when the view has moved since the tiles came: no blur between states.
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(bitmap.canvas, 0, y * bitmap.dpr, bitmap.width * bitmap.dpr, LANE_H * bitmap.dpr, x0, y, x1 - x0, LANE_H);
    ctx.imageSmoothingEnabled = smoothing;
    if (Array.isArray(tiles.events)) {
      // Few enough events in view: each instant where it happened, as the live picture draws it.
      for (const e of tiles.events) {
        if (e.actor === lane.id && this.isTileMark(e) && e.t >= this.view.t0 && e.t <= this.view.t1) {
          this.drawMark(ctx, e, this.xOf(e.t), y);
          this.model.noteMark(e);
          this.tileMarks++;
        }
      }
    }
  }

  /** A step gauge from tiles: the range of levels in each pixel column, and the level it ends on. */
  drawStepTiles(ctx, box, g, yOf) {
    const tiles = this.drawnTiles;
    const series = tiles.gauges?.find(x => x.name === g.spec.id);
    if (!series) {
      return;
    }
    const C = this.colors;
    const plotRight = this.cssWidth - RIGHT_PAD;
    const range = new Path2D();
    const line = new Path2D();
    let started = false;
    series.buckets.forEach((b, i) => {
      if (b.min === null || b.min === undefined) {
        return;
      }
      const { t0, t1 } = bucketSpan(tiles, i);
      const x0 = Math.max(this.labelW, this.xOf(t0));
      const x1 = Math.min(plotRight, this.xOf(t1));
      if (x1 <= this.labelW || x0 >= plotRight) {
        return;
      }
      const top = yOf(b.max);
      range.rect(x0, top, Math.max(1, x1 - x0), Math.max(1, yOf(b.min) - top));
      const y = yOf(b.last);
      if (!started) {
        line.moveTo(x0, y);
        started = true;
      } else {
        line.lineTo(x0, y);
      }
      line.lineTo(x1, y);
    });
    ctx.fillStyle = C.gaugeFill;
    ctx.fill(range);
    ctx.strokeStyle = C.gaugeLine;
    ctx.lineWidth = 1.5;
    ctx.stroke(line);
  }

  /** A band gauge from tiles: full where the flag was up all through a pixel column, lighter where it changed inside. */
  drawBandTiles(ctx, g, y, h) {
    const tiles = this.drawnTiles;
    const series = tiles.gauges?.find(x => x.name === g.spec.id);
    if (!series) {
      return;
    }
    const plotRight = this.cssWidth - RIGHT_PAD;
    const full = new Path2D();
    const mixed = new Path2D();
    series.buckets.forEach((b, i) => {
      if (b.max === null || b.max === undefined || b.max <= 0) {
        return;
      }
      const { t0, t1 } = bucketSpan(tiles, i);
      const x0 = Math.max(this.labelW, this.xOf(t0));
      const x1 = Math.min(plotRight, this.xOf(t1));
      (b.min > 0 ? full : mixed).rect(x0, y, Math.max(1, x1 - x0), h);
    });
    ctx.fillStyle = this.colors.band;
    ctx.globalAlpha = 0.6;
    ctx.fill(full);
    ctx.globalAlpha = 0.3;
    ctx.fill(mixed);
    ctx.globalAlpha = 1;
  }

  /** What a lane's pixel column held, from tiles: its share of each state and its instants. */
  describeBucket(hit) {
    const T = this.texts;
    const d = this.timeDecimals();
    const b = hit.b;
    const span = Math.max(1, hit.t1 - hit.t0);
    const parts = ['running', 'blocked', 'sleeping']
      .filter(state => b[state] > 0)
      .map(state => T.get(`bucket.${state}`, { percent: `${Math.round((100 * b[state]) / span)}%` }));
    const instants = Object.entries(b.instants ?? {}).map(([kind, count]) => T.get('bucket.instant', { count: T.count(count), kind }));
    return [
      { text: T.get('bucket.title', { actor: this.actorName(hit.lane), from: T.seconds(hit.t0, d + 1), to: T.seconds(hit.t1, d + 1) }) },
      { text: parts.length > 0 ? parts.join(' · ') : T.get('bucket.nothing') },
      ...(instants.length > 0 ? [{ text: instants.join(' · ') }] : []),
    ];
  }

  /** The outline of the hovered span or mark, on top of the base picture. */
  drawHover(ctx, layout) {
    const hover = this.hover;
    if (!hover || hover.type === 'gauge') {
      return;
    }
    const order = this.model.laneOrder();
    const laneId = hover.type === 'span' || hover.type === 'bucket' ? hover.lane : hover.e.actor;
    const index = order.indexOf(laneId);
    if (index < 0) {
      return;
    }
    const y = this.laneTop(index);
    const plotRight = this.cssWidth - RIGHT_PAD;
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.labelW - 8, 0, plotRight - this.labelW + 16, layout.height);
    ctx.clip();
    ctx.strokeStyle = this.colors.highlight;
    if (hover.type === 'bucket') {
      // A pixel column of a picture from tiles: outline at least a few pixels, so it can be seen.
      const x0 = Math.max(this.labelW, this.xOf(hover.t0));
      const x1 = Math.min(plotRight, this.xOf(hover.t1));
      const mid = (x0 + x1) / 2;
      const half = Math.max(2, (x1 - x0) / 2);
      ctx.lineWidth = 2;
      ctx.strokeRect(mid - half - 1, y + 2, 2 * half + 2, LANE_H - 4);
    } else if (hover.type === 'span') {
      const s = hover.seg;
      const end = hover.live ? this.model.now(performance.now()) : s.t1;
      const x0 = Math.max(this.labelW, Math.round(this.xOf(s.t0)));
      const x1 = Math.min(plotRight, Math.round(this.xOf(end)));
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 - 1, y + 2, Math.max(2, x1 - x0 + 2), LANE_H - 4);
    } else {
      const x = this.xOf(hover.e.t);
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x - 7, y - 2, 14, LANE_H + 4);
    }
    ctx.restore();
  }

  /** The status line (and the coalesced note), and whether they need two rows. */
  headerText(ctx, cssWidth) {
    const m = this.model;
    const T = this.texts;
    let status = '';
    let problem = false;
    if (this.problem) {
      status = T.get(this.problem);
      problem = true;
    } else if (this.generation === 0) {
      status = '';
    } else if (!m.eventCount && m.state === 'queued') {
      status = T.get('status.waiting');
    } else {
      // While the stream still catches up, the server's log already has every event.
      const recorded = this.usesTiles() ? Math.max(m.eventCount, num(this.tileSource.tiles?.recorded, 0)) : m.eventCount;
      const args = { count: T.count(recorded), state: T.get(`state.${m.state}`) };
      status = T.get(m.final ? 'status.events' : 'status.eventsLive', args);
    }
    const notes = [];
    // The merged count goes once the picture on screen comes whole from the server's log.
    if (m.coalesced > 0 && !(this.usesTiles() && this.tilesCoverView())) {
      notes.push(T.get('status.coalesced', { count: T.count(m.coalesced) }));
    }
    if (m.dropped > 0) {
      notes.push(T.get('status.notKept', { count: T.count(m.dropped) }));
    }
    const note = notes.join(' · ');
    ctx.font = `12px ${FONT}`;
    const room = cssWidth - RIGHT_PAD - 6;
    const rows = note && ctx.measureText(status).width + 16 + ctx.measureText(note).width > room ? 2 : 1;
    return { status, problem, note, rows };
  }

  drawHeader(ctx, header, cssWidth) {
    const C = this.colors;
    ctx.font = `12px ${FONT}`;
    ctx.textAlign = 'left';
    const room = cssWidth - RIGHT_PAD - 6;
    ctx.fillStyle = header.problem ? C.error : C.muted;
    ctx.fillText(clipText(ctx, header.status, room), 6, 10);
    if (header.note) {
      ctx.fillStyle = C.warn;
      if (header.rows === 2) {
        ctx.fillText(clipText(ctx, header.note, room), 6, 26);
      } else {
        ctx.textAlign = 'right';
        ctx.fillText(header.note, cssWidth - RIGHT_PAD, 10);
        ctx.textAlign = 'left';
      }
    }
  }

  drawLane(ctx, lane, y, now) {
    if (!lane) {
      return;
    }
    const C = this.colors;
    ctx.fillStyle = C.laneBg;
    ctx.fillRect(this.labelW, y, this.plotWidth(), LANE_H);
    if (this.drawnTiles) {
      if (this.tileEdge === null) {
        this.drawLaneTiles(ctx, lane, y);
        return;
      }
      const edge = this.xOf(this.tileEdge);
      const right = this.cssWidth;
      this.clipped(ctx, this.labelW, edge, y - 4, y + LANE_H + 4, () => this.drawLaneTiles(ctx, lane, y));
      this.clipped(ctx, edge, right, y - 4, y + LANE_H + 4, () => this.drawLaneEvents(ctx, lane, y, now));
      return;
    }
    this.drawLaneEvents(ctx, lane, y, now);
  }

  /** A lane from the events the page holds: spans, labels and marks. */
  drawLaneEvents(ctx, lane, y, now) {
    const C = this.colors;
    const v0 = this.view.t0;
    const v1 = this.view.t1;
    const barY = y + 3;
    const barH = LANE_H - 6;
    const segs = lane.segments;
    // Segments are appended in time order per lane; skip those left of the view quickly.
    const start = lowerBound(segs, v0, s => s.t1);
    let lastX = -1;
    let lastColor = null;
    const labelled = [];
    for (let i = start; i < segs.length; i++) {
      const s = segs[i];
      if (s.t0 > v1) {
        break;
      }
      lastX = this.fillSegment(ctx, s.t0, s.t1, s.state, barY, barH, lastX, lastColor);
      lastColor = C[s.state];
      if (this.isLabelled(s)) {
        labelled.push({ t0: s.t0, t1: s.t1, value: s.cause.value });
      }
    }
    if (lane.current) {
      const cur = lane.current;
      this.fillSegment(ctx, cur.t0, Math.max(now, cur.t0), cur.state, barY, barH, -1, null);
      if (this.isLabelled(cur)) {
        labelled.push({ t0: cur.t0, t1: Math.max(now, cur.t0), value: cur.cause.value });
      }
    }
    this.drawSpanLabels(ctx, labelled, y);

    // Marks on top. Many marks in one pixel are drawn once per kind; lost items and stop
    // markers are never hidden behind ordinary ones.
    const marks = lane.marks;
    const mStart = lowerBound(marks, v0, e => e.t);
    const lastMarkX = {};
    for (let i = mStart; i < marks.length; i++) {
      const e = marks[i];
      if (e.t > v1) {
        break;
      }
      const x = this.xOf(e.t);
      const key = this.isLost(e) ? 'lost' : markKey(e);
      if (lastMarkX[key] !== undefined && Math.abs(x - lastMarkX[key]) < 3 && key !== 'crash' && key !== 'fault' && key !== 'mark') {
        continue;
      }
      lastMarkX[key] = x;
      this.drawMark(ctx, e, x, y);
    }
  }

  /** True for a running or sleeping span begun by an event of a labelled resource (a task's work). */
  isLabelled(seg) {
    return this.spanLabels.size > 0 && (seg.state === 'running' || seg.state === 'sleeping')
      && seg.cause && this.spanLabels.has(seg.cause.resource);
  }

  /** Each labelled span's value, centred inside it, where it fits. */
  drawSpanLabels(ctx, spans, y) {
    if (spans.length === 0) {
      return;
    }
    const plotRight = this.cssWidth - RIGHT_PAD;
    ctx.save();
    ctx.font = `600 11px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = this.colors.spanLabel;
    for (const s of spans) {
      const x0 = Math.max(this.labelW, this.xOf(s.t0));
      const x1 = Math.min(plotRight, this.xOf(s.t1));
      const room = x1 - x0;
      if (room < 12) {
        continue;
      }
      const text = String(s.value);
      if (ctx.measureText(text).width + 6 <= room) {
        ctx.fillText(text, (x0 + x1) / 2, y + LANE_H / 2);
      }
    }
    ctx.restore();
  }

  fillSegment(ctx, t0, t1, state, y, h, lastX, lastColor) {
    const color = this.colors[state];
    if (!color) {
      return lastX;
    }
    // Whole pixels, so neighbouring spans of one colour meet without a seam.
    let x0 = Math.round(this.xOf(t0));
    const x1 = Math.round(this.xOf(t1));
    if (x1 < this.labelW - 1) {
      return lastX;
    }
    // Many tiny segments in one pixel: one pixel column each, where blocking wins (it is what
    // a learner looks for), instead of painting the same column over and over.
    if (x1 - x0 < 1) {
      if (Math.floor(x0) === lastX && (lastColor === color || state !== 'blocked')) {
        return lastX;
      }
      ctx.fillStyle = color;
      ctx.fillRect(Math.floor(x0), y, 1, h);
      return Math.floor(x0);
    }
    x0 = Math.max(x0, this.labelW - 1);
    ctx.fillStyle = color;
    ctx.fillRect(x0, y, x1 - x0, h);
    return Math.floor(x1);
  }

  drawMark(ctx, e, x, y) {
    const C = this.colors;
    const mid = y + LANE_H / 2;
    ctx.lineWidth = 1;
    if (isSentinel(e)) {
      // The stop marker: a square, on the top edge for a put and the bottom edge for a get.
      const sy = e.kind === 'put' ? y - 1 : y + LANE_H - 8;
      ctx.fillStyle = C.sentinel;
      ctx.fillRect(x - 4.5, sy, 9, 9);
      ctx.strokeStyle = C.markEdge;
      ctx.strokeRect(x - 4.5, sy, 9, 9);
    } else {
      switch (e.kind) {
        case 'put':
          ctx.fillStyle = C.put;
          ctx.beginPath();
          ctx.moveTo(x, y - 1);
          ctx.lineTo(x + 5, y + 7);
          ctx.lineTo(x - 5, y + 7);
          ctx.closePath();
          ctx.fill();
          ctx.strokeStyle = C.markEdge;
          ctx.stroke();
          break;
        case 'get':
          ctx.fillStyle = C.get;
          ctx.beginPath();
          ctx.moveTo(x, y + LANE_H + 1);
          ctx.lineTo(x + 5, y + LANE_H - 7);
          ctx.lineTo(x - 5, y + LANE_H - 7);
          ctx.closePath();
          ctx.fill();
          ctx.strokeStyle = C.markEdge;
          ctx.stroke();
          break;
        case 'poll':
          ctx.fillStyle = C.poll;
          ctx.beginPath();
          ctx.arc(x, mid, 2.5, 0, Math.PI * 2);
          ctx.fill();
          break;
        case 'set':
        case 'clear':
          ctx.fillStyle = e.kind === 'set' ? C.flag : C.markEdge;
          ctx.strokeStyle = C.flag;
          ctx.beginPath();
          ctx.moveTo(x, mid - 5);
          ctx.lineTo(x + 5, mid);
          ctx.lineTo(x, mid + 5);
          ctx.lineTo(x - 5, mid);
          ctx.closePath();
          ctx.fill();
          ctx.stroke();
          break;
        case 'crash':
          ctx.strokeStyle = C.crash;
          ctx.lineWidth = 3;
          ctx.beginPath();
          ctx.moveTo(x - 6, mid - 6);
          ctx.lineTo(x + 6, mid + 6);
          ctx.moveTo(x + 6, mid - 6);
          ctx.lineTo(x - 6, mid + 6);
          ctx.stroke();
          break;
        case 'error':
          // An error the actor survives: a warning triangle with a bar, across the lane.
          ctx.fillStyle = C.fault;
          ctx.beginPath();
          ctx.moveTo(x, mid - 8);
          ctx.lineTo(x + 7, mid + 6);
          ctx.lineTo(x - 7, mid + 6);
          ctx.closePath();
          ctx.fill();
          ctx.strokeStyle = C.markEdge;
          ctx.stroke();
          ctx.fillStyle = C.markEdge;
          ctx.fillRect(Math.round(x) - 1, mid - 3, 2, 5);
          ctx.fillRect(Math.round(x) - 1, mid + 3, 2, 2);
          break;
        case 'mark': {
          // An outcome the scenario points out (a buyer told success): a five-pointed star.
          ctx.fillStyle = C.mark;
          ctx.beginPath();
          for (let k = 0; k < 10; k++) {
            const r = k % 2 === 0 ? 8 : 3.5;
            const a = -Math.PI / 2 + (k * Math.PI) / 5;
            const px = x + r * Math.cos(a);
            const py = mid + r * Math.sin(a);
            if (k === 0) {
              ctx.moveTo(px, py);
            } else {
              ctx.lineTo(px, py);
            }
          }
          ctx.closePath();
          ctx.fill();
          ctx.strokeStyle = C.markEdge;
          ctx.lineWidth = 1;
          ctx.stroke();
          break;
        }
        default: // acquire, release, done
          ctx.fillStyle = C.tick;
          ctx.fillRect(Math.round(x) - 1, y + 4, 2, LANE_H - 8);
          break;
      }
    }
    if (this.isLost(e)) {
      // A lost item: a ring around its put.
      ctx.strokeStyle = C.lost;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y + 4, 8, 0, Math.PI * 2);
      ctx.stroke();
    }
  }

  /** A count over time as a filled step chart, with the limit line when the gauge has one; returns the scale's top. */
  drawStep(ctx, box, now) {
    const m = this.model;
    const C = this.colors;
    const g = box.g;
    const top = box.top;
    const h = box.h;
    const labelW = this.labelW;
    const plotRight = this.cssWidth - RIGHT_PAD;
    ctx.fillStyle = C.laneBg;
    ctx.fillRect(labelW, top, this.plotWidth(), h);
    const tileMax = this.drawnTiles?.gauges?.find(x => x.name === g.spec.id)?.buckets.reduce((v, b) => Math.max(v, b.max ?? 0), 0) ?? 0;
    const maxY = Math.max(1, g.max, g.limit, tileMax);
    const yOf = level => top + h - 4 - (level / maxY) * (h - 14);

    if (g.limit > 0) {
      const y = Math.round(yOf(g.limit)) + 0.5;
      ctx.strokeStyle = C.limit;
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(labelW, y);
      ctx.lineTo(plotRight, y);
      ctx.stroke();
      ctx.setLineDash([]);
      if (g.spec.limitLabel) {
        ctx.fillStyle = C.limit;
        ctx.font = `10px ${FONT}`;
        ctx.textAlign = 'right';
        ctx.fillText(fillTemplate(g.spec.limitLabel, { n: this.texts.count(g.limit) }), plotRight - 4, y - 7);
        ctx.textAlign = 'left';
      }
    }

    if (this.drawnTiles) {
      if (this.tileEdge === null) {
        this.drawStepTiles(ctx, box, g, yOf);
        return maxY;
      }
      const edge = this.xOf(this.tileEdge);
      this.clipped(ctx, labelW, edge, top, top + h, () => this.drawStepTiles(ctx, box, g, yOf));
      this.clipped(ctx, edge, plotRight, top, top + h, () => this.drawStepPoints(ctx, g, yOf, now));
      return maxY;
    }

    this.drawStepPoints(ctx, g, yOf, now);
    return maxY;
  }

  /** A step gauge from the points the page holds. */
  drawStepPoints(ctx, g, yOf, now) {
    const m = this.model;
    const C = this.colors;
    const pts = m.gaugePoints(g);
    if (pts.length > 0) {
      const end = m.final ? Math.max(m.tMax, m.endT ?? 0) : now;
      // Only the points in view (and the one before, which sets the level at the left edge).
      const first = Math.max(0, lowerBound(pts, this.view.t0, p => p.t) - 1);
      ctx.beginPath();
      const baseY = yOf(0);
      let x = this.xOf(pts[first].t);
      ctx.moveTo(x, baseY);
      let y = yOf(pts[first].level);
      ctx.lineTo(x, y);
      for (let i = first + 1; i < pts.length; i++) {
        x = this.xOf(pts[i].t);
        ctx.lineTo(x, y);
        y = yOf(pts[i].level);
        ctx.lineTo(x, y);
        if (pts[i].t > this.view.t1) {
          break;
        }
      }
      const xEnd = Math.max(x, this.xOf(Math.min(end, this.view.t1 + (this.view.t1 - this.view.t0))));
      ctx.lineTo(xEnd, y);
      ctx.strokeStyle = C.gaugeLine;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.lineTo(xEnd, baseY);
      ctx.closePath();
      ctx.fillStyle = C.gaugeFill;
      ctx.fill();
    }
  }

  /** An on/off quantity (a flag) as a band across the plot, filled while its level is 1. */
  drawBand(ctx, box, now) {
    const m = this.model;
    const C = this.colors;
    const g = box.g;
    const labelW = this.labelW;
    const plotRight = this.cssWidth - RIGHT_PAD;
    ctx.fillStyle = C.laneBg;
    ctx.fillRect(labelW, box.top, this.plotWidth(), box.h);
    const y = box.top + 3;
    const h = box.h - 6;
    // The off state is an outline, so an empty band still reads as a band.
    ctx.strokeStyle = C.band;
    ctx.lineWidth = 1;
    ctx.strokeRect(labelW + 0.5, y + 0.5, this.plotWidth() - 1, h - 1);
    if (this.drawnTiles) {
      if (this.tileEdge === null) {
        this.drawBandTiles(ctx, g, y, h);
        return 1;
      }
      const edge = this.xOf(this.tileEdge);
      this.clipped(ctx, labelW, edge, y, y + h, () => this.drawBandTiles(ctx, g, y, h));
      this.clipped(ctx, edge, plotRight, y, y + h, () => this.drawBandPoints(ctx, g, y, h, now));
      return 1;
    }

    this.drawBandPoints(ctx, g, y, h, now);
    return 1;
  }

  /** A band gauge from the points the page holds. */
  drawBandPoints(ctx, g, y, h, now) {
    const m = this.model;
    const C = this.colors;
    const labelW = this.labelW;
    const plotRight = this.cssWidth - RIGHT_PAD;
    const pts = m.gaugePoints(g);
    if (pts.length === 0) {
      return 1;
    }
    const end = m.final ? Math.max(m.tMax, m.endT ?? 0) : now;
    const first = Math.max(0, lowerBound(pts, this.view.t0, p => p.t) - 1);
    ctx.fillStyle = C.band;
    // Lighter than the lanes' states, as the legend's swatch shows it.
    ctx.globalAlpha = 0.6;
    for (let i = first; i < pts.length; i++) {
      const p = pts[i];
      if (p.t > this.view.t1) {
        break;
      }
      if (p.level <= 0) {
        continue;
      }
      const t1 = i + 1 < pts.length ? pts[i + 1].t : Math.max(end, p.t);
      const x0 = Math.max(labelW, Math.round(this.xOf(p.t)));
      const x1 = Math.min(plotRight, Math.round(this.xOf(t1)));
      // A flag up for less than a pixel still shows as one.
      ctx.fillRect(x0, y, Math.max(1, x1 - x0), h);
    }
    ctx.globalAlpha = 1;
    return 1;
  }

  /** A step chart's scale, right-aligned in the label column next to the plot. */
  drawStepScale(ctx, box, maxY) {
    const yOf = level => box.top + box.h - 4 - (level / maxY) * (box.h - 14);
    ctx.fillStyle = this.colors.muted;
    ctx.font = `10px ${FONT}`;
    ctx.textAlign = 'right';
    ctx.fillText(this.texts.count(maxY), this.labelW - 4, yOf(maxY));
    ctx.fillText(this.texts.count(0), this.labelW - 4, yOf(0));
    ctx.textAlign = 'left';
  }

  /**
   * A gauge's name in the label column: in the middle of a step chart (whose scale numbers sit at
   * its top and bottom), on two lines where one is too narrow; on one line beside a band.
   */
  drawGaugeLabel(ctx, title, box, narrow) {
    ctx.fillStyle = this.colors.text;
    ctx.font = `500 ${narrow ? 11 : 12}px ${FONT}`;
    const room = this.labelW - 10;
    const mid = box.top + box.h / 2;
    const space = title.lastIndexOf(' ');
    if (box.g.spec.style !== 'band' && ctx.measureText(title).width > room && space > 0) {
      ctx.fillText(clipText(ctx, title.slice(0, space), room), 6, mid - 8);
      ctx.fillText(clipText(ctx, title.slice(space + 1), room), 6, mid + 8);
    } else {
      ctx.fillText(clipText(ctx, title, room), 6, mid);
    }
  }

  drawAxis(ctx, top, step, firstTick, plotRight) {
    const C = this.colors;
    const labelW = this.labelW;
    ctx.strokeStyle = C.axis;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(labelW, top + 0.5);
    ctx.lineTo(plotRight, top + 0.5);
    ctx.stroke();
    ctx.fillStyle = C.axis;
    ctx.font = `11px ${FONT}`;
    ctx.textAlign = 'center';
    const decimals = step >= 1e9 ? 0 : clamp(Math.ceil(-Math.log10(step / 1e9) - 1e-9), 0, 9);
    for (let t = firstTick; t <= this.view.t1; t += step) {
      const x = Math.round(this.xOf(t)) + 0.5;
      if (x < labelW - 1 || x > plotRight + 1) {
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + 5);
      ctx.stroke();
      // Keep the first and last labels inside the canvas.
      const label = this.texts.seconds(Math.abs(t) < step / 2 ? 0 : t, decimals);
      const w = ctx.measureText(label).width;
      const lx = clamp(x, labelW + w / 2, this.cssWidth - w / 2 - 2);
      ctx.fillText(label, lx, top + 15);
    }
    ctx.textAlign = 'left';
  }

  async dispose() {
    this.disposed = true;
    this.generation++;
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    clearTimeout(this.announceTimer);
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    if (this.paletteCheck) {
      cancelAnimationFrame(this.paletteCheck);
    }
    const c = this.canvas;
    c.removeEventListener('wheel', this.onWheel);
    c.removeEventListener('pointerdown', this.onPointerDown);
    c.removeEventListener('pointermove', this.onPointerMove);
    c.removeEventListener('pointerup', this.onPointerUp);
    c.removeEventListener('pointercancel', this.onPointerCancel);
    c.removeEventListener('pointerleave', this.onPointerLeave);
    c.removeEventListener('keydown', this.onKeyDown);
    document.removeEventListener('pointerdown', this.onDocumentPointerDown, true);
    this.scheme?.removeEventListener?.('change', this.onSchemeChange);
    this.dotnet = null;
    await this.close();
  }
}

function clipText(ctx, text, maxWidth) {
  if (ctx.measureText(text).width <= maxWidth) {
    return text;
  }
  let s = text;
  while (s.length > 1 && ctx.measureText(s + '…').width > maxWidth) {
    s = s.slice(0, -1);
  }
  return s + '…';
}

/**
 * Creates a timeline inside the host element; .NET keeps the returned object to drive it.
 * options: { strings: { key: template }, culture: 'en' | 'zh-CN' | ..., describedBy: element id }.
 */
export function createTimeline(host, dotnet, options) {
  return new Timeline(host, dotnet, options);
}
