// The timeline's measures and tunings, and the palette it reads from CSS custom properties.

// Canvas colours come from CSS custom properties on the host (light and dark themes in
// playground.css); these are the fallbacks when a property is missing.
export const PALETTE = {
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

export const LABEL_W_WIDE = 150;
export const LABEL_W_NARROW = 84;
export const NARROW_BELOW = 600;
export const HEADER_H = 24;
export const HEADER_H_TWO_ROWS = 40;
export const LANE_H = 30;
export const LANE_GAP = 6;
export const STEP_H = 80;
export const BAND_H = 26;
export const GAUGE_GAP = 10;
export const AXIS_H = 26;
export const RIGHT_PAD = 12;
export const MIN_SPAN_NS = 5e3; // never zoom in further than 5 µs across the plot
export const FOLLOW_MIN_SPAN_NS = 2e9; // a fresh run shows at least two seconds
export const VIEW_MARGIN = 0.05; // the view may go this far (of the whole run) past either end
export const MOUSE_SLOP_PX = 6;
export const TOUCH_SLOP_PX = 14;
export const TAP_MOVE_PX = 8;
export const RECONNECT_DELAYS_MS = [0, 1000, 2000, 5000, 10000, 10000, 10000, 30000];
// While a run is live, tiles fill in behind an edge this far behind the present, moved in these steps.
export const LIVE_TILE_LAG_NS = 200e6;
// An ended run whose stream still sends batches this full has a long log to catch up on: draw it from tiles instead.
export const CATCH_UP_FOR_TILES = 2000;
export const LIVE_TILE_STEP_NS = 250e6;
export const FONT = 'Roboto, Helvetica, Arial, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
