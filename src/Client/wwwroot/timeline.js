// Live timeline of a run: streams event batches from the runs hub (SignalR + MessagePack) and
// draws a lane per actor on a canvas, with a chart per gauge the scenario declares underneath.
//
// Nothing here knows a scenario: how each event kind moves a lane comes from the page (the C#
// LaneStates.Table, which the summary follows too), and so do the gauges, their labels and limits.
// Every word it shows comes from the strings the page passes in (TimelineText.resx and its
// translations); numbers are formatted for the page's culture.
//
// Once a run has ended, a picture the live stream had to coalesce is redrawn from the server's
// level-of-detail tiles for whatever window is on screen, so it is faithful to the whole log at the
// resolution shown.
//
// One job per module: timeline-model.js (events to spans, marks and gauge points), -stream.js
// (the live stream and which tiles to ask for), -tiles.js (fetching and drawing tiles),
// -render.js (the canvas), -input.js (wheel, drag, pinch, keys, hover), -replay.js (a finished
// run as it stood at a moment), -text.js (words and numbers), -constants.js (measures and
// palette). This one builds the Timeline they all act on.

import { FOLLOW_MIN_SPAN_NS, HEADER_H, LABEL_W_WIDE, PALETTE } from './timeline-constants.js';
import { InputPart } from './timeline-input.js';
import { LaneRules, RunModel, num } from './timeline-model.js';
import { RenderPart } from './timeline-render.js';
import { ReplayPart } from './timeline-replay.js';
import { StreamPart } from './timeline-stream.js';
import { Texts } from './timeline-text.js';
import { TileSource } from './timeline-tiles.js';

// What the page's tests reach for.
export { LaneRules, RunModel, normalizeKeys } from './timeline-model.js';
export { Texts, fillTemplate } from './timeline-text.js';

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
    // The view (and whether it follows the run) may be shared by timelines shown together.
    this.viewState = { view: { t0: 0, t1: FOLLOW_MIN_SPAN_NS }, follow: true, members: new Set([this]) };
    this.connection = null;
    this.subscription = null;
    this.problem = null;
    this.generation = 0;
    this.frame = 0;
    this.hover = null;
    this.replay = null;
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

  /** Highlights every put of these items (ones the run lost); null or empty clears. */
  markItems(ids) {
    this.marked = new Set((ids ?? []).map(v => num(v, NaN)).filter(Number.isFinite));
    this.requestDraw();
  }

  // --- view ---------------------------------------------------------------------------------

  // --- a view shared by a group ------------------------------------------------------------

  get view() {
    return this.viewState.view;
  }

  set view(v) {
    const s = this.viewState;
    const changed = s.view.t0 !== v.t0 || s.view.t1 !== v.t1;
    s.view = v;
    if (changed) {
      this.peers().forEach(peer => peer.requestDraw());
    }
  }

  get follow() {
    return this.viewState.follow;
  }

  set follow(f) {
    const s = this.viewState;
    if (s.follow === f) {
      return;
    }
    s.follow = f;
    for (const peer of this.peers()) {
      peer.requestDraw();
      peer.dotnet?.invokeMethodAsync('OnViewChanged', f).catch(() => { });
    }
  }

  /** The other timelines sharing this one's view. */
  peers() {
    return [...this.viewState.members].filter(m => m !== this);
  }

  /**
   * Shares the view with every timeline of the page in the same group (two runs compared): one
   * time axis, as long as the longer run, zoomed and panned together. Null leaves the group.
   */
  setGroup(name) {
    this.leaveGroup();
    const group = name ? (viewGroups.get(name) ?? { name, view: this.view, follow: true, members: new Set() }) : null;
    if (group) {
      viewGroups.set(name, group);
      group.members.add(this);
      this.viewState = group;
    } else {
      this.viewState = { view: this.view, follow: this.follow, members: new Set([this]) };
    }
    this.peers().forEach(peer => peer.requestDraw());
    this.requestDraw();
  }

  /** Leaves the shared view; the last one out forgets the group. */
  leaveGroup() {
    const s = this.viewState;
    s.members.delete(this);
    s.members.forEach(peer => peer.requestDraw());
    if (s.name && s.members.size === 0) {
      viewGroups.delete(s.name);
    }
  }

  async dispose() {
    this.leaveGroup();
    this.tileSource.reset(null);
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

/** Views shared by name: the timelines of one page that show runs side by side. */
const viewGroups = new Map();

// The timeline's methods live in modules by job; they all act on one Timeline.
for (const part of [StreamPart, InputPart, RenderPart, ReplayPart]) {
  for (const name of Object.getOwnPropertyNames(part.prototype)) {
    if (name !== 'constructor') {
      Object.defineProperty(Timeline.prototype, name, Object.getOwnPropertyDescriptor(part.prototype, name));
    }
  }
}

/**
 * Creates a timeline inside the host element; .NET keeps the returned object to drive it.
 * options: { strings: { key: template }, culture: 'en' | 'zh-CN' | ..., describedBy: element id }.
 */
export function createTimeline(host, dotnet, options) {
  return new Timeline(host, dotnet, options);
}
