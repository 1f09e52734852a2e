// The loss curve as a picture: a hand-written SVG (no plotting library), redrawn at every eval.
//
//   left axis, log scale:  training loss (every logged iteration) and val loss (every eval)
//   right axis, linear:    the learning rate (warmup, then cosine decay)
//
// A log scale because a loss falls by orders of magnitude: on a linear axis the first hundred
// iterations would fill the picture and the rest would be a flat line.

export interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
  /** dashed, thinner: for the learning rate */
  dashed?: boolean;
  /** dots at the points as well as the line (few points, like evals) */
  dots?: boolean;
}

const W = 720;
const H = 400;
const M = { left: 64, right: 72, top: 36, bottom: 48 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round numbers for a log axis: 1, 2, 5 x 10^k between lo and hi, or every m x 10^k when that gives fewer than 3. */
function logTicks(lo: number, hi: number): number[] {
  const ticks = (mantissas: number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mantissas) if (m * 10 ** e >= lo && m * 10 ** e <= hi) out.push(m * 10 ** e);
    }
    return out;
  };
  const coarse = ticks([1, 2, 5]);
  return coarse.length >= 3 ? coarse : ticks([1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9]);
}

function linearTicks(lo: number, hi: number, n = 5): number[] {
  const step = (hi - lo) / n;
  return Array.from({ length: n + 1 }, (_, i) => lo + i * step);
}

const fmt = (v: number) => (v >= 1000 || (v !== 0 && v < 0.01) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** A path through the points, in the plot's pixel coordinates. */
function path(points: Array<[number, number]>, x: (v: number) => number, y: (v: number) => number): string {
  return points.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ');
}

/**
 * A chart of loss series on a log axis (left) and rate series on a linear axis (right), against
 * the iteration. Non-finite and non-positive losses are left out (a log axis cannot show them).
 */
export function lossChart(title: string, losses: Series[], rates: Series[]): string {
  const clean = losses.map((s) => ({ ...s, points: s.points.filter(([, v]) => Number.isFinite(v) && v > 0) }));
  const all = clean.flatMap((s) => s.points);
  const allRates = rates.flatMap((s) => s.points);
  const xs = [...all, ...allRates].map(([i]) => i);
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(1, ...xs);
  const vals = all.map(([, v]) => v);
  const yLo = vals.length > 0 ? Math.min(...vals) / 1.2 : 0.1;
  const yHi = vals.length > 0 ? Math.max(...vals) * 1.2 : 10;
  const rHi = Math.max(1e-12, ...allRates.map(([, v]) => v)) * 1.1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((v - xMin) / (xMax - xMin)) * pw;
  const y = (v: number) => M.top + ((Math.log(yHi) - Math.log(v)) / (Math.log(yHi) - Math.log(yLo))) * ph;
  const yr = (v: number) => M.top + (1 - v / rHi) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  // grid and ticks
  for (const t of logTicks(yLo, yHi)) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of linearTicks(xMin, xMax)) {
    const tx = Math.round(t);
    out.push(`<text x="${x(tx).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${tx}</text>`);
  }
  if (rates.length > 0) for (const t of linearTicks(0, rHi, 4)) out.push(`<text x="${W - M.right + 6}" y="${(yr(t) + 4).toFixed(1)}" fill="#888">${fmt(t)}</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">iteration</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">loss (log scale)</text>`);
  if (rates.length > 0) out.push(`<text transform="translate(${W - 12} ${M.top + ph / 2}) rotate(90)" text-anchor="middle" fill="#888">learning rate</text>`);
  // the series, and a legend in the top right corner
  const legend = [...clean, ...rates];
  for (const s of rates) out.push(`<path d="${path(s.points, x, yr)}" fill="none" stroke="${s.color}" stroke-width="1" stroke-dasharray="4 3"/>`);
  for (const s of clean) {
    if (s.points.length > 1) out.push(`<path d="${path(s.points, x, y)}" fill="none" stroke="${s.color}" stroke-width="${s.dots ? 2 : 1.2}"/>`);
    if (s.dots) for (const [a, b] of s.points) out.push(`<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  legend.forEach((s, i) => {
    const ly = M.top + 14 + i * 16;
    out.push(`<line x1="${W - M.right - 150}" x2="${W - M.right - 130}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
    out.push(`<text x="${W - M.right - 124}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface Bar {
  label: string;
  /** how many examples */
  n: number;
  /** shares in [0, 1]: the exact match (dark) and the function name alone (light, behind it) */
  exact: number;
  name: number;
}

/** Horizontal bars, one per function: exact match in front of function-name accuracy, n beside each. */
export function accuracyChart(title: string, bars: Bar[]): string {
  const rowH = 18;
  const labelW = 300;
  const barW = 360;
  const top = 44;
  const H = top + bars.length * rowH + 40;
  const W = labelW + barW + 110;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelW + t * barW;
    out.push(`<line x1="${x}" x2="${x}" y1="${top - 6}" y2="${top + bars.length * rowH}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x}" y="${top + bars.length * rowH + 16}" text-anchor="middle">${t * 100}%</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 8}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${labelW}" y="${y + 2}" width="${(b.name * barW).toFixed(1)}" height="${rowH - 4}" fill="#aec7e8"><title>function name ${(100 * b.name).toFixed(1)}%</title></rect>`);
    out.push(`<rect x="${labelW}" y="${y + 2}" width="${(b.exact * barW).toFixed(1)}" height="${rowH - 4}" fill="#1f77b4"><title>exact ${(100 * b.exact).toFixed(1)}%</title></rect>`);
    out.push(`<text x="${labelW + barW + 6}" y="${y + 13}">${(100 * b.exact).toFixed(1)}%  n=${b.n}</text>`);
  });
  out.push(`<text x="${labelW}" y="${H - 6}" fill="#555">dark: exact match (name and every argument); light: name alone</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
