// Drawing the timeline on its canvas: lanes, marks, gauges, axis and header, from the live model
// or from tiles.

import { AXIS_H, BAND_H, FONT, GAUGE_GAP, HEADER_H, HEADER_H_TWO_ROWS, LABEL_W_NARROW, LABEL_W_WIDE, LANE_GAP, LANE_H, NARROW_BELOW, RIGHT_PAD, STEP_H } from './timeline-constants.js';
import { clamp, isSentinel, lowerBound, markKey, niceStep, num } from './timeline-model.js';
import { fillTemplate } from './timeline-text.js';
import { bucketSpan, lanePaths } from './timeline-tiles.js';

export class RenderPart {
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
    this.advanceReplay(performance.now());
    const live = (!m.final && m.state === 'running') || !!this.replay?.playing;
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
    this.drawnTiles = this.replay ? this.replayTiles() : this.usesTiles() ? this.tilesForView() : this.liveTiles(now);
    // While the run is live, tiles reach only up to an edge behind the present; the stream draws the rest.
    this.tileEdge = this.drawnTiles && !this.usesTiles() && !this.replay ? this.drawnTiles.to : null;
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
    if (this.replay) {
      this.drawReplayMoment(ctx, layout);
    }
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
    // A replay's moment (ns) and whether it plays; empty when the whole run is shown.
    this.canvas.dataset.replay = this.replay ? `${Math.round(this.replay.at)} ${this.replay.playing ? 'playing' : 'paused'}` : '';
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
    // Only the columns in view: tiles of a wider window (the view was zoomed in since they came)
    // would otherwise be scaled up to many times the screen's width first.
    const perColumn = (tiles.to - tiles.from) / bitmap.width;
    const c0 = clamp(Math.floor((this.view.t0 - tiles.from) / perColumn), 0, bitmap.width);
    const c1 = clamp(Math.ceil((this.view.t1 - tiles.from) / perColumn), c0, bitmap.width);
    if (c1 > c0) {
      const x0 = this.xOf(tiles.from + c0 * perColumn);
      const x1 = this.xOf(tiles.from + c1 * perColumn);
      const smoothing = ctx.imageSmoothingEnabled;
      // Columns stay columns when the view has moved since the tiles came: no blur between states.
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(bitmap.canvas, c0 * bitmap.dpr, y * bitmap.dpr, (c1 - c0) * bitmap.dpr, LANE_H * bitmap.dpr, x0, y, x1 - x0, LANE_H);
      ctx.imageSmoothingEnabled = smoothing;
    }
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
    // Each column's range of levels, and the level it ends on as a short bar: the columns are a
    // pixel or two wide, and the range behind already spans every jump between them. Drawn as
    // plain rectangles, neighbours that match merged: one path of thousands of rectangles costs a
    // software canvas tens of ms to fill (a busy queue's range changes in every column).
    const ranges = [];
    const bars = [];
    const add = (list, x0, x1, top, bottom) => {
      const last = list[list.length - 1];
      if (last && last.top === top && last.bottom === bottom && last.x1 >= x0) {
        last.x1 = x1;
      } else {
        list.push({ x0, x1, top, bottom });
      }
    };
    series.buckets.forEach((b, i) => {
      if (b.min === null || b.min === undefined) {
        return;
      }
      const { t0, t1 } = bucketSpan(tiles, i);
      // Whole pixels, so neighbours meet without a seam.
      const x0 = Math.round(Math.max(this.labelW, this.xOf(t0)));
      const x1 = Math.round(Math.min(plotRight, this.xOf(t1)));
      if (x1 <= this.labelW || x0 >= plotRight) {
        return;
      }
      const top = Math.round(yOf(b.max));
      add(ranges, x0, x1, top, Math.max(top + 1, Math.round(yOf(b.min))));
      const y = Math.round(yOf(b.last) - 0.75);
      add(bars, x0, x1, y, y + 2);
    });
    ctx.fillStyle = C.gaugeFill;
    for (const r of ranges) {
      ctx.fillRect(r.x0, r.top, Math.max(1, r.x1 - r.x0), r.bottom - r.top);
    }
    ctx.fillStyle = C.gaugeLine;
    for (const r of bars) {
      ctx.fillRect(r.x0, r.top, Math.max(1, r.x1 - r.x0), r.bottom - r.top);
    }
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
    if (this.replay) {
      notes.push(T.get('status.replay', { at: T.seconds(this.replay.at, 2), end: T.seconds(this.replayEnd(), 2) }));
    }
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
    this.drawRow(ctx, y - 4, y + LANE_H + 4, () => this.drawLaneTiles(ctx, lane, y), () => this.drawLaneEvents(ctx, lane, y, now));
  }

  /**
   * Draws one row (a lane or a gauge) from where its picture comes: from tiles only up to a
   * replay's moment; from tiles behind a live run's tile edge and from the page's own events past
   * it; from tiles alone; or from the events alone. Called inside the plot's clip.
   */
  drawRow(ctx, y0, y1, fromTiles, fromEvents) {
    if (this.replay) {
      // A replay draws from the log only, and nothing past its moment.
      if (this.drawnTiles) {
        this.clipped(ctx, this.labelW, this.xOf(this.replay.at), y0, y1, fromTiles);
      }
      return;
    }
    if (!this.drawnTiles) {
      fromEvents();
      return;
    }
    if (this.tileEdge === null) {
      fromTiles();
      return;
    }
    const edge = this.xOf(this.tileEdge);
    this.clipped(ctx, this.labelW, edge, y0, y1, fromTiles);
    this.clipped(ctx, edge, this.cssWidth, y0, y1, fromEvents);
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

    this.drawRow(ctx, top, top + h, () => this.drawStepTiles(ctx, box, g, yOf), () => this.drawStepPoints(ctx, g, yOf, now));
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
    const C = this.colors;
    const g = box.g;
    const labelW = this.labelW;
    ctx.fillStyle = C.laneBg;
    ctx.fillRect(labelW, box.top, this.plotWidth(), box.h);
    const y = box.top + 3;
    const h = box.h - 6;
    // The off state is an outline, so an empty band still reads as a band.
    ctx.strokeStyle = C.band;
    ctx.lineWidth = 1;
    ctx.strokeRect(labelW + 0.5, y + 0.5, this.plotWidth() - 1, h - 1);
    this.drawRow(ctx, y, y + h, () => this.drawBandTiles(ctx, g, y, h), () => this.drawBandPoints(ctx, g, y, h, now));
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

  laneTop(index) {
    return this.headerH + index * (LANE_H + LANE_GAP);
  }

  isLost(e) {
    return e.kind === 'put' && this.marked.size > 0 && this.marked.has(e.value);
  }

  actorName(id) {
    const a = this.model.actor(id);
    return a.name ?? this.texts.get('actor.unnamed', { id });
  }
}

export function clipText(ctx, text, maxWidth) {
  if (ctx.measureText(text).width <= maxWidth) {
    return text;
  }
  let s = text;
  while (s.length > 1 && ctx.measureText(s + '…').width > maxWidth) {
    s = s.slice(0, -1);
  }
  return s + '…';
}
