// Replaying a finished run: the picture of the run as it stood at a moment, drawn from the server's
// level-of-detail log up to that moment (never from the live stream, which may have merged events),
// the moment moving at the chosen speed and ending on the run's final picture.

import { AXIS_H } from './timeline-constants.js';
import { clamp, num } from './timeline-model.js';

/** How often a playing replay tells the page where it is. */
const REPORT_MS = 250;
const MIN_SPEED = 0.1;
const MAX_SPEED = 10;

export class ReplayPart {
  /**
   * Drives the replay: 'play' (from the start again once at the end), 'pause', 'seek' (value: ns
   * since the run's start), 'speed' (value: 0.1 to 10 times real time), 'exit' (back to the whole run).
   */
  replayCommand(command, value) {
    const now = performance.now();
    if (command === 'exit') {
      this.replay = null;
      this.requestDraw();
      this.reportReplay(now, true);
      return;
    }
    const end = this.replayEnd();
    const r = this.replay ?? (this.replay = { at: 0, speed: 1, playing: false, wall: now, reported: 0 });
    this.advanceReplay(now);
    switch (command) {
      case 'play':
        if (r.at >= end) {
          r.at = 0;
        }
        if (num(value, 0) > 0) {
          // The page says the speed it shows with every play, so the two never differ.
          r.speed = clamp(num(value, 1), MIN_SPEED, MAX_SPEED);
        }
        r.playing = end > 0;
        break;
      case 'pause':
        r.playing = false;
        break;
      case 'seek':
        r.at = clamp(num(value, 0), 0, end);
        break;
      case 'speed':
        r.speed = clamp(num(value, 1), MIN_SPEED, MAX_SPEED);
        break;
      default:
        return;
    }
    r.wall = now;
    this.requestDraw();
    this.reportReplay(now, true);
  }

  /** Where the run ends (ns): the replay's last moment. */
  replayEnd() {
    const m = this.model;
    return Math.max(m.tMax, m.endT ?? 0, num(this.tileSource.tiles?.horizon, 0));
  }

  /** Moves a playing replay on by the wall time since the last frame, times its speed. */
  advanceReplay(wallNow) {
    const r = this.replay;
    if (!r) {
      return;
    }
    if (r.playing) {
      const end = this.replayEnd();
      r.at = Math.min(end, r.at + (wallNow - r.wall) * 1e6 * r.speed);
      if (r.at >= end) {
        // The last frame is the run's final picture.
        r.playing = false;
        this.reportReplay(wallNow, true);
      }
    }
    r.wall = wallNow;
    if (r.playing) {
      // A paused replay has nothing new to say, however often it is redrawn.
      this.reportReplay(wallNow, false);
    }
  }

  /** Tells the page the replay's moment, its end and whether it plays: at once, or a few times a second. */
  reportReplay(wallNow, now) {
    const r = this.replay;
    if (r && !now && wallNow - r.reported < REPORT_MS) {
      return;
    }
    if (r) {
      r.reported = wallNow;
    }
    if (this.dotnet && !this.disposed) {
      this.dotnet.invokeMethodAsync('OnReplay', r ? r.at : -1, this.replayEnd(), !!r?.playing).catch(() => { });
    }
  }

  /**
   * Tiles of the view up to the replay's moment, rounded up to a whole pixel so a playing replay
   * asks again once a pixel; null before the first pixel. What arrived for a later moment (after a
   * seek back) is covered past the moment when drawn.
   */
  replayTiles() {
    const r = this.replay;
    const t0 = Math.max(0, this.view.t0);
    const nsPerPx = (this.view.t1 - this.view.t0) / this.plotWidth();
    const edge = Math.min(this.view.t1, t0 + Math.ceil((r.at - t0) / nsPerPx) * nsPerPx);
    if (!(edge > t0) || !(nsPerPx > 0)) {
      return null;
    }
    if (this.model.actors.length === 0 || !this.model.endT) {
      this.fetchRunInfo();
    }
    this.tileSource.want(t0, edge, Math.max(1, Math.round((edge - t0) / nsPerPx)));
    return this.tileSource.tiles;
  }

  /** Marks the replay's moment with a line across the lanes and gauges. */
  drawReplayMoment(ctx, layout) {
    const x = Math.round(Math.max(this.labelW, this.xOf(this.replay.at))) + 0.5;
    ctx.strokeStyle = this.colors.highlight;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, this.headerH - 4);
    ctx.lineTo(x, layout.height - AXIS_H);
    ctx.stroke();
  }
}
