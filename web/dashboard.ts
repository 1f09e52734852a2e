// The simulated car (data/vehicle_sim.ts) as a small dashboard: one gauge per part of its state.
// A gauge whose value a call just changed lights up for a moment.
import type { VehicleState } from '../data/vehicle_sim.ts';

interface Gauge {
  label: string;
  value: string;
  /** 0..1 for a bar under the value, if any */
  level?: number;
}

const short: Record<string, string> = { driver: 'driver', 'front-passenger': 'passenger', 'rear-left': 'rear left', 'rear-right': 'rear right', rear_left: 'rear left', rear_right: 'rear right' };

function gauges(s: VehicleState): Gauge[] {
  const deg = s.unit === 'celsius' ? '°C' : '°F';
  const out: Gauge[] = [];
  for (const [zone, t] of Object.entries(s.temperature)) out.push({ label: `temperature, ${short[zone]}`, value: `${t}${deg}`, level: (t - 16) / 16 });
  for (const [zone, f] of Object.entries(s.fan)) out.push({ label: `fan, ${short[zone]}`, value: f === 0 ? 'off' : `${f} / 10`, level: f / 10 });
  for (const [seat, w] of Object.entries(s.windows)) out.push({ label: `window, ${short[seat] ?? seat}`, value: w });
  for (const [seat, p] of Object.entries(s.seats)) out.push({ label: `seat, ${short[seat] ?? seat}`, value: `fwd ${p.forward}, up ${p.height}, tilt ${p.tilt}` });
  out.push(
    { label: 'engine', value: s.engine.running ? `running${s.engine.method ? ` (${s.engine.method})` : ''}` : 'off' },
    { label: 'doors', value: s.locked ? 'locked' : 'unlocked' },
    { label: 'headlights', value: s.headlights ? 'on' : 'off' },
    { label: 'wipers', value: s.wipers },
    { label: 'defroster', value: s.defroster === null ? 'off' : `${s.defroster.zone}, ${s.defroster.minutes} min` },
    { label: 'music', value: s.music.playing ? `♪ ${s.music.track}` : 'stopped' },
    { label: 'volume', value: String(s.music.volume), level: s.music.volume / 10 },
    { label: 'navigation', value: s.destination ?? 'no destination' },
    { label: 'ambient light', value: `${s.ambient.color}, ${s.ambient.intensity}`, level: s.ambient.intensity / 10 },
    { label: 'cruise control', value: s.cruise === null ? 'off' : `${s.cruise}` },
    { label: 'sport mode', value: s.sportMode ? 'on' : 'off' },
    { label: 'battery health', value: `${s.battery.health}%`, level: s.battery.health / 100 },
  );
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Draw the state into `el`; gauges whose value differs from `before` are marked changed. */
export function renderDashboard(el: HTMLElement, state: VehicleState, before?: VehicleState): void {
  const old = before === undefined ? null : new Map(gauges(before).map((g) => [g.label, g.value]));
  el.innerHTML = gauges(state).map((g) => {
    const changed = old !== null && old.get(g.label) !== g.value;
    const bar = g.level === undefined ? '' : `<div class="bar"><i style="width:${Math.round(100 * Math.min(1, Math.max(0, g.level)))}%"></i></div>`;
    return `<div class="gauge${changed ? ' changed' : ''}"><span>${esc(g.label)}</span><b>${esc(g.value)}</b>${bar}</div>`;
  }).join('');
}
