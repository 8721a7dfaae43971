// Where the timeline's events come from: the runs hub's live stream (SignalR + MessagePack),
// and, for whatever window is on screen, the server's level-of-detail tiles.

import { CATCH_UP_FOR_TILES, LIVE_TILE_LAG_NS, LIVE_TILE_STEP_NS, RECONNECT_DELAYS_MS } from './timeline-constants.js';
import { RunModel, normalizeKeys, num, readGauges, stateName } from './timeline-model.js';

export class StreamPart {
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
    this.replay = null;
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
    // A live frame of the run: the same for every viewer at the live edge. The stream brings the
    // catch-up before it; a frame whose number is not past what the page has is already drawn.
    connection.on('Events', batch => {
      if (!current() || !this.subscription) {
        return;
      }
      const b = normalizeKeys(batch);
      const seq = num(b.seq, 0);
      if (b.runId !== runId || seq <= this.lastSeq) {
        return;
      }
      this.lastSeq = seq;
      this.onBatch(b);
    });
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
    // A new stream catches up from the run's first event, then takes the live frames after it.
    this.lastSeq = -1;
    this.subscription = connection.stream('StreamEvents', runId).subscribe({
      next: batch => {
        if (current()) {
          const b = normalizeKeys(batch);
          this.lastSeq = Math.max(this.lastSeq, num(b.seq, 0));
          this.onBatch(b);
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
}
