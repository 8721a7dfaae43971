// How the reader moves the timeline and asks about it: wheel, drag, pinch, keys, and the hover or
// tap that describes what is under the pointer.

import { FOLLOW_MIN_SPAN_NS, LANE_GAP, LANE_H, MIN_SPAN_NS, MOUSE_SLOP_PX, RIGHT_PAD, TAP_MOVE_PX, TOUCH_SLOP_PX, VIEW_MARGIN } from './timeline-constants.js';
import { SENTINEL, clamp, isSentinel, lowerBound } from './timeline-model.js';
import { Texts } from './timeline-text.js';
import { bucketAt, bucketSpan } from './timeline-tiles.js';

export class InputPart {
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

  /** The whole of this run, and of every run sharing its view: one axis as long as the longest. */
  fullSpan() {
    const end = Math.max(this.ownEnd(), ...this.peers().map(peer => peer.ownEnd()));
    return { t0: 0, t1: end };
  }

  /** Where this run's whole picture ends: its end once final, a little past the present while live. */
  ownEnd() {
    const now = this.model.now(performance.now());
    return this.model.final ? Math.max(now, 1e6) : Math.max(now * 1.05, FOLLOW_MIN_SPAN_NS);
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

  /** The instant, span or gauge level at (x, y), or null. */
  hitTest(x, y, slop) {
    const m = this.model;
    if (x < this.labelW - slop || x > this.cssWidth - RIGHT_PAD + slop) {
      return null;
    }
    const t = this.tOf(x);
    if (this.replay && t > this.replay.at) {
      // Past a replay's moment nothing has happened yet.
      return null;
    }
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
}
