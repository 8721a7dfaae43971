// The server's level-of-detail picture of a run (GET /api/runs/{id}/tiles): for the window on
// screen, per lane and per pixel-wide bucket, the time spent running, blocked and sleeping and the
// instants by kind; per gauge its lowest, highest and last level; the raw events of a window small
// enough. One request at a time, the newest view wanted next; what arrived last stays drawable
// while the next is on its way, so panning and zooming never show a blank.

const MAX_BUCKETS = 8000;
// A window is asked for once the view has stood still this long, and at the latest this long
// after it first moved: a drag asks a few times a second, not on every frame, so the server (and
// the machine it may share with the browser) is not kept busy answering windows already left.
const SETTLE_MS = 60;
const MAX_WAIT_MS = 250;
const RETRY_MS = 2000;

export class TileSource {
  /** onLoaded: called (on the main thread) whenever tiles arrive or a request fails. */
  constructor(onLoaded) {
    this.onLoaded = onLoaded;
    this.runId = null;
    this.tiles = null;
    this.next = null;
    this.inflight = null;
    this.timer = 0;
    this.controller = null;
    this.failed = false;
    this.movedAt = 0;
    this.firstMovedAt = null;
  }

  /** Forgets everything: a new run, or none. */
  reset(runId) {
    clearTimeout(this.timer);
    this.timer = 0;
    this.controller?.abort();
    this.controller = null;
    this.inflight = null;
    this.next = null;
    this.firstMovedAt = null;
    this.failedKey = null;
    this.runId = runId ?? null;
    this.tiles = null;
    this.failed = false;
    this.gone = false;
  }

  /** The key of a window: whole ns, the bucket count the server will use. */
  static key(t0, t1, buckets) {
    const from = Math.max(0, Math.floor(t0));
    const to = Math.max(from + 1, Math.ceil(t1));
    const n = Math.min(MAX_BUCKETS, Math.max(1, Math.round(buckets)));
    return { from, to, buckets: n, text: `${from} ${to} ${n}` };
  }

  /** True when the tiles in hand answer exactly this window. */
  covers(t0, t1, buckets) {
    return !!this.tiles && this.tiles.key === TileSource.key(t0, t1, buckets).text;
  }

  /**
   * Asks for the window unless it is in hand or on its way. One request at a time: while one is
   * out, only the newest window wanted is remembered, and asked for when it comes back and the
   * view has settled — so a drag gets fresh tiles a few times a second, never a queue of stale ones.
   */
  want(t0, t1, buckets) {
    if (!this.runId || this.gone) {
      return;
    }
    const key = TileSource.key(t0, t1, buckets);
    if (this.failedKey === key.text && performance.now() < this.failedUntil) {
      // Refused or failed a moment ago: asked again after the retry delay, not on every redraw.
      return;
    }
    if (this.tiles?.key === key.text || this.inflight === key.text) {
      this.next = null;
      this.firstMovedAt = null;
      return;
    }
    if (this.next?.text !== key.text) {
      this.next = key;
      this.movedAt = performance.now();
      this.firstMovedAt ??= this.movedAt;
    }
    this.pump();
  }

  pump() {
    if (this.inflight || !this.next || this.timer) {
      return;
    }
    const now = performance.now();
    const wait = Math.max(0, Math.min(this.movedAt + SETTLE_MS, (this.firstMovedAt ?? now) + MAX_WAIT_MS) - now);
    this.timer = setTimeout(() => {
      this.timer = 0;
      // Still moving, and not waiting too long yet: wait for the view to settle.
      const at = performance.now();
      if (this.next && at - this.movedAt < SETTLE_MS && at - (this.firstMovedAt ?? at) < MAX_WAIT_MS) {
        this.pump();
        return;
      }
      const key = this.next;
      this.next = null;
      this.firstMovedAt = null;
      if (key) {
        this.load(key);
      }
    }, wait);
  }

  async load(key) {
    const controller = new AbortController();
    this.controller = controller;
    this.inflight = key.text;
    const runId = this.runId;
    try {
      const url = new URL(`api/runs/${encodeURIComponent(runId)}/tiles?from=${key.from}&to=${key.to}&buckets=${key.buckets}`, document.baseURI);
      // JSON, compressed on the wire. The server also answers in MessagePack (a third fewer bytes
      // after compression), but reading it here costs four times JSON.parse's main-thread time
      // (27 ms against 6 for a full-width window of a busy run), which a drag cannot spare.
      const response = await fetch(url, { signal: controller.signal, credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (response.status === 404) {
        // The server no longer has the run: nothing to ask for again.
        this.gone = true;
        throw new Error('tiles: the run is no longer on the server');
      }
      if (!response.ok) {
        throw new Error(`tiles: HTTP ${response.status}`);
      }
      const body = await response.json();
      if (controller.signal.aborted || runId !== this.runId) {
        return;
      }
      body.key = key.text;
      body.lanesByActor = new Map((body.lanes ?? []).map(l => [l.actor, l.buckets]));
      this.tiles = body;
      this.failed = false;
      this.onLoaded();
    } catch (error) {
      if (error?.name === 'AbortError' || runId !== this.runId) {
        return;
      }
      console.warn('[timeline tiles]', error);
      this.failed = true;
      this.failedKey = key.text;
      this.failedUntil = performance.now() + RETRY_MS;
      this.onLoaded();
      if (!this.gone) {
        // A blip (the network, a busy server): the same window again in a moment, unless a newer one is wanted by then.
        setTimeout(() => {
          if (runId === this.runId) {
            this.failed = false;
            this.next ??= key;
            this.pump();
          }
        }, RETRY_MS);
      }
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        this.inflight = null;
        this.pump();
      }
    }
  }
}

/** The start and end (ns) of bucket i of a tile window. */
export function bucketSpan(tiles, i) {
  const width = (tiles.to - tiles.from) / tiles.buckets;
  return { t0: tiles.from + i * width, t1: i === tiles.buckets - 1 ? tiles.to : tiles.from + (i + 1) * width };
}

/** The index of the bucket of a tile window that holds time t, or -1. */
export function bucketAt(tiles, t) {
  if (!tiles || t < tiles.from || t >= tiles.to) {
    return -1;
  }
  return Math.min(tiles.buckets - 1, Math.floor(((t - tiles.from) / (tiles.to - tiles.from)) * tiles.buckets));
}

/**
 * One lane's buckets as three batched paths: in each pixel column a bar split in proportion to the
 * time the bucket spent in each state, so a bucket that mixes states is drawn mixed. xOf maps ns
 * to css px; the caller fills each path in its state's colour.
 */
export function lanePaths(tiles, buckets, xOf, y, h, left, right) {
  const paths = { running: new Path2D(), blocked: new Path2D(), sleeping: new Path2D() };
  const instants = [];
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    const { t0, t1 } = bucketSpan(tiles, i);
    const x0 = Math.max(left, xOf(t0));
    const x1 = Math.min(right, xOf(t1));
    if (x1 <= left || x0 >= right) {
      continue;
    }
    const width = Math.max(1, x1 - x0);
    const span = t1 - t0;
    if (span > 0) {
      // Blocked on top (what a learner looks for), then running, then sleeping at the bottom.
      let top = y;
      for (const state of ['blocked', 'running', 'sleeping']) {
        const share = Math.min(1, Math.max(0, b[state] / span));
        if (share > 0) {
          const part = share * h;
          paths[state].rect(x0, top, width, part);
          top += part;
        }
      }
    }
    if (b.instants && Object.keys(b.instants).length > 0) {
      instants.push({ x: (x0 + x1) / 2, instants: b.instants });
    }
  }
  return { paths, instants };
}
