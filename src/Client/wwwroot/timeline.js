// Live timeline of a run: streams event batches from the runs hub (SignalR + MessagePack) and
// draws a lane per actor on a canvas, with the queue depth underneath.

const KINDS = ['start', 'work', 'sleep', 'wait', 'acquire', 'release', 'put', 'get', 'set', 'clear', 'poll', 'done', 'end', 'crash'];
const STATE_KINDS = new Set(['start', 'work', 'sleep', 'wait', 'end']);
const STATES = ['queued', 'running', 'completed', 'cancelled', 'failed'];

const COLORS = {
  running: '#43a047',
  blocked: '#e53935',
  sleeping: '#90a4ae',
  put: '#1e88e5',
  get: '#fb8c00',
  tick: '#8e24aa',
  poll: '#ffb300',
  flag: '#00897b',
  crash: '#d50000',
  depthFill: 'rgba(57, 73, 171, 0.18)',
  depthLine: '#3949ab',
  capacity: '#e53935',
  grid: '#eceff1',
  axis: '#607d8b',
  text: '#263238',
  muted: '#78909c',
  laneBg: '#fafbfc',
};

const LABEL_W = 150;
const HEADER_H = 24;
const LANE_H = 30;
const LANE_GAP = 6;
const DEPTH_H = 80;
const AXIS_H = 26;
const RIGHT_PAD = 16;
const MIN_SPAN_NS = 1e6; // never zoom in further than 1 ms across the whole width
const FOLLOW_MIN_SPAN_NS = 2e9; // a fresh run shows at least two seconds
const MAX_KEPT_EVENTS = 500000;

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

function kindName(kind) {
  if (typeof kind === 'number') {
    return KINDS[kind] ?? 'work';
  }
  return typeof kind === 'string' ? kind.toLowerCase() : 'work';
}

function num(v, fallback = 0) {
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : fallback;
}

function formatMs(ns) {
  const ms = ns / 1e6;
  return ms >= 100 ? ms.toFixed(0) + ' ms' : ms >= 10 ? ms.toFixed(1) + ' ms' : ms.toFixed(2) + ' ms';
}

function niceStep(rough) {
  const pow = Math.pow(10, Math.floor(Math.log10(rough)));
  const f = rough / pow;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * pow;
}

function formatSeconds(ns, stepNs) {
  const s = ns / 1e9;
  const step = stepNs / 1e9;
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step)));
  return s.toFixed(decimals) + ' s';
}

/** What the stream has told us about one run. */
class RunModel {
  constructor() {
    this.actors = [];
    this.lanes = new Map();
    this.depth = [];
    this.maxLevel = 0;
    this.capacity = 0;
    this.tMax = 0;
    this.endT = null;
    this.state = 'queued';
    this.coalesced = 0;
    this.final = false;
    this.eventCount = 0;
    this.dropped = 0;
    this.error = null;
    this.anchor = null;
  }

  lane(actorId) {
    let lane = this.lanes.get(actorId);
    if (!lane) {
      lane = { id: actorId, segments: [], marks: [], events: [], sorted: true, current: null };
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
        name: a.name ?? `actor ${a.id}`,
        role: a.role ?? '',
        pid: num(a.pid, 0),
        threadId: a.threadId === null || a.threadId === undefined ? null : num(a.threadId),
      }));
      for (const a of this.actors) {
        this.lane(a.id);
      }
    }
    const params = run.parameters ?? {};
    const capacity = num(params.capacity, 0);
    if (capacity > 0) {
      this.capacity = capacity;
    }
    const wallMs = run.summary ? num(run.summary.wallMs, 0) : 0;
    if (wallMs > 0) {
      this.endT = Math.max(this.endT ?? 0, wallMs * 1e6);
    }
  }

  setState(lane, state, t) {
    const cur = lane.current;
    if (cur && cur.state === state) {
      return;
    }
    if (cur) {
      lane.segments.push({ t0: cur.t0, t1: Math.max(t, cur.t0), state: cur.state });
    }
    lane.current = state ? { state, t0: t } : null;
  }

  add(ev) {
    const t = num(ev.t);
    const actor = num(ev.actor);
    const kind = kindName(ev.kind);
    const level = num(ev.level, -1);
    const e = { t, actor, kind, resource: ev.resource ?? null, value: num(ev.value), level };
    const lane = this.lane(actor);
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

    switch (kind) {
      case 'start':
      case 'work':
        this.setState(lane, 'running', t);
        break;
      case 'sleep':
        this.setState(lane, 'sleeping', t);
        break;
      case 'wait':
        this.setState(lane, 'blocked', t);
        break;
      case 'end':
        this.setState(lane, null, t);
        break;
      case 'crash':
        this.setState(lane, null, t);
        lane.marks.push(e);
        break;
      default:
        // An instant: after a wait, getting the thing waited for means running again.
        if (lane.current && lane.current.state === 'blocked' && kind !== 'poll') {
          this.setState(lane, 'running', t);
        }
        lane.marks.push(e);
        break;
    }

    if ((kind === 'put' || kind === 'get') && level >= 0) {
      this.depth.push({ t, level, e });
      if (level > this.maxLevel) {
        this.maxLevel = level;
      }
    }
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
        this.setState(lane, null, end);
      }
    }
  }

  laneOrder() {
    const known = this.actors.map(a => a.id);
    const extra = [...this.lanes.keys()].filter(id => !known.includes(id)).sort((a, b) => a - b);
    return [...known, ...extra];
  }

  actor(id) {
    return this.actors.find(a => a.id === id) ?? { id, name: `actor ${id}`, role: '', pid: 0, threadId: null };
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

class Timeline {
  constructor(host, dotnet) {
    this.host = host;
    this.dotnet = dotnet;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Timeline of the run');
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'timeline-tooltip';
    host.replaceChildren(this.canvas, this.tooltip);
    this.ctx = this.canvas.getContext('2d');
    this.model = new RunModel();
    this.view = { t0: 0, t1: FOLLOW_MIN_SPAN_NS };
    this.follow = true;
    this.connection = null;
    this.subscription = null;
    this.generation = 0;
    this.frame = 0;
    this.hover = null;
    this.drag = null;
    this.disposed = false;

    this.onWheel = this.onWheel.bind(this);
    this.onMouseDown = this.onMouseDown.bind(this);
    this.onMouseMove = this.onMouseMove.bind(this);
    this.onMouseUp = this.onMouseUp.bind(this);
    this.onMouseLeave = this.onMouseLeave.bind(this);
    this.draw = this.draw.bind(this);

    this.canvas.addEventListener('wheel', this.onWheel, { passive: false });
    this.canvas.addEventListener('mousedown', this.onMouseDown);
    this.canvas.addEventListener('mousemove', this.onMouseMove);
    this.canvas.addEventListener('mouseleave', this.onMouseLeave);
    window.addEventListener('mouseup', this.onMouseUp);
    window.addEventListener('mousemove', this.onMouseMove);
    this.resizeObserver = new ResizeObserver(() => this.requestDraw());
    this.resizeObserver.observe(host);
    this.requestDraw();
  }

  // --- stream -------------------------------------------------------------------------------

  async watch(runId) {
    await this.close();
    const generation = ++this.generation;
    this.model = new RunModel();
    this.follow = true;
    this.hover = null;
    this.hideTooltip();
    this.requestDraw();
    if (!runId) {
      return;
    }

    const sr = globalThis.signalR;
    if (!sr || !sr.HubConnectionBuilder) {
      this.model.error = 'The SignalR client script did not load, so the timeline cannot stream.';
      this.requestDraw();
      return;
    }

    const url = new URL('hubs/runs', document.baseURI).toString();
    let builder = new sr.HubConnectionBuilder().withUrl(url).configureLogging(sr.LogLevel.Warning);
    if (sr.protocols && sr.protocols.msgpack) {
      builder = builder.withHubProtocol(new sr.protocols.msgpack.MessagePackHubProtocol());
    }
    const connection = builder.build();
    // The hub also tells its clients about run state; the page learns that through .NET instead.
    connection.on('RunChanged', () => { });
    this.connection = connection;
    try {
      await connection.start();
    } catch (err) {
      if (generation === this.generation) {
        this.model.error = 'Could not connect to the server for the live timeline: ' + (err?.message ?? err);
        this.requestDraw();
      }
      return;
    }
    if (generation !== this.generation || this.disposed) {
      await connection.stop();
      return;
    }

    this.subscription = connection.stream('StreamEvents', runId).subscribe({
      next: batch => {
        if (generation === this.generation) {
          this.onBatch(normalizeKeys(batch));
        }
      },
      complete: () => {
        if (generation === this.generation) {
          this.onEnded();
        }
      },
      error: err => {
        if (generation === this.generation) {
          this.model.error = 'The live stream stopped: ' + (err?.message ?? err);
          this.onEnded();
        }
      },
    });
  }

  onBatch(batch) {
    const m = this.model;
    if (batch.run) {
      m.setRun(batch.run);
    }
    for (const ev of batch.events ?? []) {
      m.add(ev);
    }
    m.coalesced += num(batch.coalesced, 0);
    m.state = stateName(batch.state);
    m.anchor = { t: m.tMax, wall: performance.now() };
    if (batch.final) {
      m.final = true;
      m.finish();
      this.notifyEnded();
    }
    this.requestDraw();
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

  // --- view ---------------------------------------------------------------------------------

  setFollow(follow) {
    this.follow = !!follow;
    this.requestDraw();
  }

  fit() {
    this.follow = true;
    this.requestDraw();
  }

  fullSpan() {
    const now = this.model.now(performance.now());
    const end = this.model.final ? Math.max(now, 1e6) : Math.max(now * 1.05, FOLLOW_MIN_SPAN_NS);
    return { t0: 0, t1: end };
  }

  userMovedView() {
    if (this.follow) {
      this.follow = false;
      this.dotnet?.invokeMethodAsync('OnViewChanged', false).catch(() => { });
    }
  }

  plotWidth() {
    return Math.max(50, this.cssWidth - LABEL_W - RIGHT_PAD);
  }

  xOf(t) {
    return LABEL_W + ((t - this.view.t0) / (this.view.t1 - this.view.t0)) * this.plotWidth();
  }

  tOf(x) {
    return this.view.t0 + ((x - LABEL_W) / this.plotWidth()) * (this.view.t1 - this.view.t0);
  }

  onWheel(e) {
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const pivot = this.tOf(Math.max(LABEL_W, x));
    const factor = Math.exp(e.deltaY * 0.0015);
    let span = (this.view.t1 - this.view.t0) * factor;
    span = Math.max(MIN_SPAN_NS, Math.min(span, 1e13));
    const ratio = (pivot - this.view.t0) / (this.view.t1 - this.view.t0);
    this.view = { t0: pivot - ratio * span, t1: pivot - ratio * span + span };
    this.userMovedView();
    this.requestDraw();
  }

  onMouseDown(e) {
    if (e.button !== 0) {
      return;
    }
    this.drag = { x: e.clientX, t0: this.view.t0, t1: this.view.t1, moved: false };
    this.canvas.classList.add('dragging');
    e.preventDefault();
  }

  onMouseMove(e) {
    if (this.drag) {
      const dx = e.clientX - this.drag.x;
      if (Math.abs(dx) > 2) {
        this.drag.moved = true;
      }
      if (this.drag.moved) {
        const dt = (dx / this.plotWidth()) * (this.drag.t1 - this.drag.t0);
        this.view = { t0: this.drag.t0 - dt, t1: this.drag.t1 - dt };
        this.userMovedView();
        this.hideTooltip();
        this.requestDraw();
      }
      return;
    }
    if (e.target !== this.canvas) {
      return;
    }
    const rect = this.canvas.getBoundingClientRect();
    this.updateHover(e.clientX - rect.left, e.clientY - rect.top);
  }

  onMouseUp() {
    if (this.drag) {
      this.drag = null;
      this.canvas.classList.remove('dragging');
    }
  }

  onMouseLeave() {
    if (!this.drag) {
      this.hover = null;
      this.hideTooltip();
      this.requestDraw();
    }
  }

  // --- hover --------------------------------------------------------------------------------

  nearestIn(events, t, maxDt) {
    if (events.length === 0) {
      return null;
    }
    const i = lowerBound(events, t, e => e.t);
    let best = null;
    for (const j of [i - 1, i]) {
      if (j >= 0 && j < events.length) {
        const d = Math.abs(events[j].t - t);
        if (d <= maxDt && (!best || d < best.d)) {
          best = { e: events[j], d };
        }
      }
    }
    return best?.e ?? null;
  }

  updateHover(x, y) {
    const m = this.model;
    const layout = this.layout();
    if (x < LABEL_W || x > this.cssWidth - RIGHT_PAD) {
      this.hover = null;
      this.hideTooltip();
      this.requestDraw();
      return;
    }
    const t = this.tOf(x);
    const maxDt = (10 / this.plotWidth()) * (this.view.t1 - this.view.t0);
    let found = null;
    const laneIndex = Math.floor((y - HEADER_H) / (LANE_H + LANE_GAP));
    const order = m.laneOrder();
    if (y >= HEADER_H && laneIndex >= 0 && laneIndex < order.length) {
      const lane = m.lanes.get(order[laneIndex]);
      if (lane) {
        found = this.nearestIn(m.sortedEvents(lane), t, maxDt);
      }
    } else if (layout.depthTop !== null && y >= layout.depthTop && y <= layout.depthTop + DEPTH_H) {
      const d = this.nearestIn(m.depth, t, maxDt);
      found = d?.e ?? null;
    }
    this.hover = found;
    if (!found) {
      this.hideTooltip();
    } else {
      const a = m.actor(found.actor);
      const parts = [`<b>${escapeHtml(a.name)}</b> · ${escapeHtml(found.kind)}`];
      if (found.resource) {
        parts.push(`resource: ${escapeHtml(found.resource)}`);
      }
      parts.push(`value: ${found.value}`);
      if (found.level >= 0) {
        parts.push(`depth after: ${found.level}`);
      }
      parts.push(`t = ${formatMs(found.t)}`);
      this.tooltip.innerHTML = parts.join('<br>');
      this.tooltip.style.display = 'block';
      const tipW = this.tooltip.offsetWidth;
      const left = x + 14 + tipW > this.cssWidth ? x - 14 - tipW : x + 14;
      this.tooltip.style.left = `${Math.max(0, left)}px`;
      this.tooltip.style.top = `${Math.max(0, y + 12)}px`;
    }
    this.requestDraw();
  }

  hideTooltip() {
    this.tooltip.style.display = 'none';
  }

  // --- drawing ------------------------------------------------------------------------------

  requestDraw() {
    if (!this.frame && !this.disposed) {
      this.frame = requestAnimationFrame(this.draw);
    }
  }

  layout() {
    const m = this.model;
    const lanes = Math.max(1, m.laneOrder().length);
    const lanesBottom = HEADER_H + lanes * (LANE_H + LANE_GAP);
    const hasDepth = m.depth.length > 0 || m.capacity > 0;
    const depthTop = hasDepth ? lanesBottom + 10 : null;
    const height = (hasDepth ? depthTop + DEPTH_H : lanesBottom) + AXIS_H;
    return { lanesBottom, depthTop, height };
  }

  draw() {
    this.frame = 0;
    if (this.disposed) {
      return;
    }
    const m = this.model;
    const layout = this.layout();
    const dpr = window.devicePixelRatio || 1;
    const cssWidth = Math.max(300, this.host.clientWidth);
    const cssHeight = layout.height;
    this.cssWidth = cssWidth;
    if (this.canvas.width !== Math.round(cssWidth * dpr) || this.canvas.height !== Math.round(cssHeight * dpr)) {
      this.canvas.width = Math.round(cssWidth * dpr);
      this.canvas.height = Math.round(cssHeight * dpr);
      this.canvas.style.height = `${cssHeight}px`;
    }
    if (this.follow) {
      this.view = this.fullSpan();
    }

    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    ctx.font = '12px Roboto, Helvetica, Arial, sans-serif';
    ctx.textBaseline = 'middle';

    const plotRight = cssWidth - RIGHT_PAD;
    const axisTop = cssHeight - AXIS_H;
    const step = niceStep(((this.view.t1 - this.view.t0) / this.plotWidth()) * 90);

    // Grid lines behind everything.
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    const firstTick = Math.ceil(this.view.t0 / step) * step;
    for (let t = firstTick; t <= this.view.t1; t += step) {
      const x = Math.round(this.xOf(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, HEADER_H - 4);
      ctx.lineTo(x, axisTop);
      ctx.stroke();
    }

    this.drawHeader(ctx, cssWidth);

    const order = m.laneOrder();
    const now = m.now(performance.now());
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W, 0, plotRight - LABEL_W, cssHeight);
    ctx.clip();
    order.forEach((id, i) => this.drawLane(ctx, m.lanes.get(id), HEADER_H + i * (LANE_H + LANE_GAP), now));
    if (layout.depthTop !== null) {
      this.drawDepth(ctx, layout.depthTop, now);
    }
    ctx.restore();

    // Lane labels.
    order.forEach((id, i) => {
      const y = HEADER_H + i * (LANE_H + LANE_GAP);
      const a = m.actor(id);
      ctx.fillStyle = COLORS.text;
      ctx.font = '500 12px Roboto, Helvetica, Arial, sans-serif';
      ctx.fillText(clipText(ctx, a.name, LABEL_W - 12), 8, y + 9);
      ctx.fillStyle = COLORS.muted;
      ctx.font = '10px Roboto, Helvetica, Arial, sans-serif';
      const role = a.role && !a.name.toLowerCase().includes(a.role.toLowerCase()) ? a.role : null;
      // A child process's main thread id equals its pid: show it once.
      const tid = a.threadId !== null && a.threadId !== a.pid ? `tid ${a.threadId}` : null;
      const ids = [role, tid, a.pid ? `pid ${a.pid}` : null].filter(Boolean).join(' · ');
      ctx.fillText(clipText(ctx, ids, LABEL_W - 12), 8, y + 22);
    });
    if (layout.depthTop !== null) {
      ctx.fillStyle = COLORS.text;
      ctx.font = '500 12px Roboto, Helvetica, Arial, sans-serif';
      ctx.fillText('Queue depth', 8, layout.depthTop + 10);
    }

    this.drawAxis(ctx, axisTop, step, firstTick, plotRight);

    // What is drawn, for people using assistive tools and for tests.
    this.canvas.dataset.lanes = String(order.length);
    this.canvas.dataset.events = String(m.eventCount);

    if (!m.final && m.state === 'running') {
      this.requestDraw(); // keep the present moving while the run is live
    }
  }

  drawHeader(ctx, cssWidth) {
    const m = this.model;
    ctx.font = '12px Roboto, Helvetica, Arial, sans-serif';
    ctx.textAlign = 'left';
    let status;
    if (m.error) {
      ctx.fillStyle = COLORS.crash;
      status = m.error;
    } else if (this.generation === 0 || (!m.eventCount && m.state === 'queued')) {
      ctx.fillStyle = COLORS.muted;
      status = this.generation === 0 ? '' : 'Waiting for the run to start…';
    } else {
      ctx.fillStyle = COLORS.muted;
      status = `${m.eventCount.toLocaleString('en-US')} events · ${m.state}${m.final ? '' : ' · live'}`;
    }
    ctx.fillText(status, LABEL_W, 10);
    if (m.coalesced > 0) {
      ctx.textAlign = 'right';
      ctx.fillStyle = '#ef6c00';
      ctx.fillText(`${m.coalesced.toLocaleString('en-US')} state changes coalesced to keep up`, cssWidth - RIGHT_PAD, 10);
      ctx.textAlign = 'left';
    }
  }

  drawLane(ctx, lane, y, now) {
    if (!lane) {
      return;
    }
    ctx.fillStyle = COLORS.laneBg;
    ctx.fillRect(LABEL_W, y, this.plotWidth(), LANE_H);
    const v0 = this.view.t0;
    const v1 = this.view.t1;
    const barY = y + 3;
    const barH = LANE_H - 6;
    const segs = lane.segments;
    // Segments are appended in time order per lane; skip those left of the view quickly.
    let start = lowerBound(segs, v0, s => s.t1);
    let lastX = -1;
    let lastColor = null;
    for (let i = start; i < segs.length; i++) {
      const s = segs[i];
      if (s.t0 > v1) {
        break;
      }
      lastX = this.fillSegment(ctx, s.t0, s.t1, s.state, barY, barH, lastX, lastColor);
      lastColor = COLORS[s.state];
    }
    if (lane.current) {
      this.fillSegment(ctx, lane.current.t0, Math.max(now, lane.current.t0), lane.current.state, barY, barH, -1, null);
    }

    // Marks on top.
    const marks = lane.marks;
    const mStart = lowerBound(marks, v0, e => e.t);
    const lastMarkX = {};
    for (let i = mStart; i < marks.length; i++) {
      const e = marks[i];
      if (e.t > v1) {
        break;
      }
      const x = this.xOf(e.t);
      if (lastMarkX[e.kind] !== undefined && Math.abs(x - lastMarkX[e.kind]) < 2 && e.kind !== 'crash') {
        continue;
      }
      lastMarkX[e.kind] = x;
      this.drawMark(ctx, e, x, y, e === this.hover);
    }
    if (this.hover && this.hover.actor === lane.id && STATE_KINDS.has(this.hover.kind)) {
      const x = this.xOf(this.hover.t);
      ctx.strokeStyle = COLORS.text;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, y);
      ctx.lineTo(x + 0.5, y + LANE_H);
      ctx.stroke();
    }
  }

  fillSegment(ctx, t0, t1, state, y, h, lastX, lastColor) {
    const color = COLORS[state];
    if (!color) {
      return lastX;
    }
    let x0 = this.xOf(t0);
    const x1 = this.xOf(t1);
    if (x1 < LABEL_W - 1) {
      return lastX;
    }
    // Many tiny segments in one pixel: draw at least a pixel, but not over and over.
    if (x1 - x0 < 1) {
      if (Math.floor(x0) === lastX && lastColor === color) {
        return lastX;
      }
      ctx.fillStyle = color;
      ctx.fillRect(Math.floor(x0), y, 1, h);
      return Math.floor(x0);
    }
    x0 = Math.max(x0, LABEL_W - 1);
    ctx.fillStyle = color;
    ctx.fillRect(x0, y, x1 - x0, h);
    return Math.floor(x1);
  }

  drawMark(ctx, e, x, y, highlighted) {
    const mid = y + LANE_H / 2;
    ctx.lineWidth = 1;
    switch (e.kind) {
      case 'put':
        ctx.fillStyle = COLORS.put;
        ctx.beginPath();
        ctx.moveTo(x, y - 1);
        ctx.lineTo(x + 5, y + 7);
        ctx.lineTo(x - 5, y + 7);
        ctx.closePath();
        ctx.fill();
        ctx.strokeStyle = '#fff';
        ctx.stroke();
        break;
      case 'get':
        ctx.fillStyle = COLORS.get;
        ctx.beginPath();
        ctx.moveTo(x, y + LANE_H + 1);
        ctx.lineTo(x + 5, y + LANE_H - 7);
        ctx.lineTo(x - 5, y + LANE_H - 7);
        ctx.closePath();
        ctx.fill();
        ctx.strokeStyle = '#fff';
        ctx.stroke();
        break;
      case 'poll':
        ctx.fillStyle = COLORS.poll;
        ctx.beginPath();
        ctx.arc(x, mid, 2.5, 0, Math.PI * 2);
        ctx.fill();
        break;
      case 'set':
      case 'clear':
        ctx.fillStyle = e.kind === 'set' ? COLORS.flag : '#fff';
        ctx.strokeStyle = COLORS.flag;
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
        ctx.strokeStyle = COLORS.crash;
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.moveTo(x - 6, mid - 6);
        ctx.lineTo(x + 6, mid + 6);
        ctx.moveTo(x + 6, mid - 6);
        ctx.lineTo(x - 6, mid + 6);
        ctx.stroke();
        break;
      default: // acquire, release, done
        ctx.fillStyle = COLORS.tick;
        ctx.fillRect(Math.round(x) - 1, y + 4, 2, LANE_H - 8);
        break;
    }
    if (highlighted) {
      ctx.strokeStyle = COLORS.text;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x - 7, y - 2, 14, LANE_H + 4);
    }
  }

  drawDepth(ctx, top, now) {
    const m = this.model;
    const plotRight = this.cssWidth - RIGHT_PAD;
    ctx.fillStyle = COLORS.laneBg;
    ctx.fillRect(LABEL_W, top, this.plotWidth(), DEPTH_H);
    const maxY = Math.max(1, m.maxLevel, m.capacity);
    const yOf = level => top + DEPTH_H - 4 - (level / maxY) * (DEPTH_H - 14);

    // Capacity line.
    if (m.capacity > 0) {
      const y = Math.round(yOf(m.capacity)) + 0.5;
      ctx.strokeStyle = COLORS.capacity;
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(LABEL_W, y);
      ctx.lineTo(plotRight, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = COLORS.capacity;
      ctx.font = '10px Roboto, Helvetica, Arial, sans-serif';
      ctx.textAlign = 'right';
      ctx.fillText(`capacity ${m.capacity}`, plotRight - 4, y - 7);
      ctx.textAlign = 'left';
    }

    const pts = m.depth;
    if (pts.length > 0) {
      const end = m.final ? Math.max(m.tMax, m.endT ?? 0) : now;
      ctx.beginPath();
      const baseY = yOf(0);
      let x = this.xOf(pts[0].t);
      ctx.moveTo(x, baseY);
      let y = yOf(pts[0].level);
      ctx.lineTo(x, y);
      for (let i = 1; i < pts.length; i++) {
        x = this.xOf(pts[i].t);
        ctx.lineTo(x, y);
        y = yOf(pts[i].level);
        ctx.lineTo(x, y);
      }
      const xEnd = this.xOf(end);
      ctx.lineTo(xEnd, y);
      ctx.strokeStyle = COLORS.depthLine;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.lineTo(xEnd, baseY);
      ctx.closePath();
      ctx.fillStyle = COLORS.depthFill;
      ctx.fill();
    }

    // Scale labels at the left edge of the plot.
    ctx.fillStyle = COLORS.muted;
    ctx.font = '10px Roboto, Helvetica, Arial, sans-serif';
    ctx.fillText(String(maxY), LABEL_W + 4, yOf(maxY) + 1);
    ctx.fillText('0', LABEL_W + 4, yOf(0) - 6);
  }

  drawAxis(ctx, top, step, firstTick, plotRight) {
    ctx.strokeStyle = COLORS.axis;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(LABEL_W, top + 0.5);
    ctx.lineTo(plotRight, top + 0.5);
    ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    ctx.font = '11px Roboto, Helvetica, Arial, sans-serif';
    ctx.textAlign = 'center';
    for (let t = firstTick; t <= this.view.t1; t += step) {
      const x = Math.round(this.xOf(t)) + 0.5;
      if (x < LABEL_W - 1 || x > plotRight + 1) {
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + 5);
      ctx.stroke();
      ctx.fillText(formatSeconds(t, step), x, top + 15);
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
    this.resizeObserver.disconnect();
    this.canvas.removeEventListener('wheel', this.onWheel);
    this.canvas.removeEventListener('mousedown', this.onMouseDown);
    this.canvas.removeEventListener('mousemove', this.onMouseMove);
    this.canvas.removeEventListener('mouseleave', this.onMouseLeave);
    window.removeEventListener('mouseup', this.onMouseUp);
    window.removeEventListener('mousemove', this.onMouseMove);
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

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** Creates a timeline inside the host element; .NET keeps the returned object to drive it. */
export function createTimeline(host, dotnet) {
  return new Timeline(host, dotnet);
}
