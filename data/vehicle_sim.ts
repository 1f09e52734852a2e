// A simulated car for the Thought -> Act -> Observe loop. Executing a call checks it against the
// API schema first: an unknown function, a missing or out-of-range value gives an error
// observation (never an exception); a valid call changes the state and returns a sentence
// describing the new state, which the model reads before answering the user.
import { FUNCTION_BY_NAME, INCOMPLETE_PREFIX, ZONES, validateCall } from './vehicle_api.ts';
import type { FunctionCall } from './vehicle_api.ts';

type Zone = (typeof ZONES)[number];

export interface VehicleState {
  temperature: Record<Zone, number>;
  unit: 'celsius' | 'fahrenheit';
  fan: Record<Zone, number>; // 0 off .. 10
  seats: Record<string, { forward: number; height: number; tilt: number }>;
  windows: Record<string, 'open' | 'closed'>;
  wipers: 'off' | 'low' | 'medium' | 'high';
  defroster: { zone: string; minutes: number } | null;
  engine: { running: boolean; method: string | null };
  locked: boolean;
  music: { playing: boolean; track: string; volume: number };
  headlights: boolean;
  destination: string | null;
  ambient: { color: string; intensity: number };
  cruise: number | null;
  battery: { health: number; history: number[] };
  sportMode: boolean;
}

export interface Observation {
  ok: boolean;
  text: string;
}

const SEAT_KEYS = ['driver', 'front-passenger', 'rear_left', 'rear_right'];
const FAN_LEVELS: Record<string, number> = { low: 3, medium: 6, high: 9 };
const WIPER_ORDER = ['off', 'low', 'medium', 'high'] as const;

export class Vehicle {
  state: VehicleState;

  constructor() {
    const perZone = <T>(v: T) => Object.fromEntries(ZONES.map((z) => [z, v])) as Record<Zone, T>;
    this.state = {
      temperature: perZone(21), unit: 'celsius', fan: perZone(3),
      seats: Object.fromEntries(SEAT_KEYS.map((s) => [s, { forward: 0, height: 0, tilt: 0 }])),
      windows: Object.fromEntries(SEAT_KEYS.map((s) => [s, 'closed' as const])),
      wipers: 'off', defroster: null, engine: { running: false, method: null }, locked: true,
      music: { playing: false, track: 'random', volume: 5 }, headlights: false, destination: null,
      ambient: { color: 'white', intensity: 5 }, cruise: null, battery: { health: 94, history: [98, 97, 96, 95, 94] }, sportMode: false,
    };
  }

  /** Validate and apply a call; always returns an observation. */
  execute(call: FunctionCall): Observation {
    if (call.name.startsWith(INCOMPLETE_PREFIX)) {
      const spec = FUNCTION_BY_NAME.get(call.name.slice(INCOMPLETE_PREFIX.length));
      const missing = Object.entries(call.arguments).filter(([, v]) => v === '').map(([k]) => k);
      if (spec !== undefined && missing.length > 0) return { ok: false, text: `${spec.name} needs a value for ${missing.join(' and ')}; nothing changed` };
    }
    const problems = validateCall(call);
    if (problems.length > 0) return { ok: false, text: `error: ${problems.join('; ')}; nothing changed` };
    const a = call.arguments;
    const s = this.state;
    const zones = (Array.isArray(a.area) ? a.area : [...ZONES]) as Zone[];
    const zoneText = Array.isArray(a.area) ? ` for ${zones.join(', ')}` : ' everywhere';
    switch (call.name) {
      case 'set_temperature':
        for (const z of zones) s.temperature[z] = a.temperature as number;
        if (a.unit !== undefined) s.unit = a.unit as VehicleState['unit'];
        return { ok: true, text: `temperature set to ${a.temperature} ${s.unit}${zoneText}` };
      case 'adjust_temperature': {
        const d = a.action === 'increase' ? 1 : -1;
        for (const z of zones) s.temperature[z] += d;
        return { ok: true, text: `temperature ${a.action}d by 1 degree${zoneText}: now ${zones.map((z) => `${z} ${s.temperature[z]}`).join(', ')}` };
      }
      case 'set_fan_speed':
        for (const z of zones) s.fan[z] = FAN_LEVELS[a.speed as string];
        return { ok: true, text: `fan speed set to ${a.speed}${zoneText}` };
      case 'adjust_fan_speed': {
        const d = a.speed === 'increase' ? 1 : -1;
        for (const z of zones) s.fan[z] = Math.max(0, Math.min(10, s.fan[z] + d));
        return { ok: true, text: `fan speed ${a.speed}d${zoneText}: now ${zones.map((z) => `${z} ${s.fan[z]}`).join(', ')}` };
      }
      case 'adjust_seat': {
        const seat = (a.seat_type as string | undefined) ?? 'driver';
        const p = s.seats[seat];
        const move: Record<string, () => void> = {
          'forward': () => p.forward++, 'backward': () => p.forward--, 'up': () => p.height++, 'down': () => p.height--,
          'tilt-forward': () => p.tilt++, 'tilt-backward': () => p.tilt--,
        };
        move[a.position as string]();
        return { ok: true, text: `${seat} seat moved ${a.position}` };
      }
      case 'control_window': {
        const where = a.window_location === undefined ? SEAT_KEYS : [a.window_location as string];
        for (const w of where) s.windows[w] = a.window_position === 'open' ? 'open' : 'closed';
        return { ok: true, text: `${a.window_location === undefined ? 'all windows' : `${a.window_location} window`} ${a.window_position === 'open' ? 'opened' : 'closed'}` };
      }
      case 'adjust_wiper_speed': {
        const i = WIPER_ORDER.indexOf(s.wipers) + (a.speed === 'increase' ? 1 : -1);
        s.wipers = WIPER_ORDER[Math.max(0, Math.min(3, i))];
        return { ok: true, text: `wipers now ${s.wipers}` };
      }
      case 'set_wiper_speed':
        s.wipers = a.speed as VehicleState['wipers'];
        return { ok: true, text: `wipers set to ${s.wipers}` };
      case 'activate_defroster':
        s.defroster = { zone: (a.defroster_zone as string | undefined) ?? 'all', minutes: (a.duration_minutes as number | undefined) ?? 10 };
        return { ok: true, text: `defroster on for the ${s.defroster.zone === 'all' ? 'front and rear' : s.defroster.zone} for ${s.defroster.minutes} minutes` };
      case 'start_engine':
        s.engine = { running: true, method: (a.method as string | undefined) ?? 'keyless' };
        return { ok: true, text: `engine started (${s.engine.method})` };
      case 'lock_doors':
        s.locked = a.lock_state === 'lock';
        return { ok: true, text: `doors ${s.locked ? 'locked' : 'unlocked'}` };
      case 'play_music':
        s.music = { playing: true, track: (a.track as string | undefined) ?? 'random', volume: (a.volume as number | undefined) ?? s.music.volume };
        return { ok: true, text: `playing ${s.music.track === 'random' ? 'a random track' : s.music.track} at volume ${s.music.volume}` };
      case 'toggle_headlights':
        s.headlights = a.light_state === 'on';
        return { ok: true, text: `headlights ${a.light_state}` };
      case 'set_navigation_destination':
        s.destination = a.destination as string;
        return { ok: true, text: `route set to ${s.destination}` };
      case 'control_ambient_lighting':
        s.ambient = { color: a.color as string, intensity: (a.intensity as number | undefined) ?? s.ambient.intensity };
        return { ok: true, text: `ambient light ${s.ambient.color} at intensity ${s.ambient.intensity}` };
      case 'set_cruise_control':
        s.cruise = a.speed as number;
        return { ok: true, text: `cruise control set to ${s.cruise} km/h` };
      case 'check_battery_health':
        return { ok: true, text: `battery health ${s.battery.health}%${a.include_history ? `, history ${s.battery.history.join(', ')}` : ''}` };
      case 'toggle_sport_mode':
        s.sportMode = a.action === 'activate';
        return { ok: true, text: `sport mode ${s.sportMode ? 'on' : 'off'}` };
      default:
        return { ok: false, text: `error: ${call.name} is not implemented by this car; nothing changed` };
    }
  }

  /** One line with the state a driver cares about. */
  summary(): string {
    const s = this.state;
    const temps = ZONES.map((z) => `${z} ${s.temperature[z]}`).join(', ');
    const fans = ZONES.map((z) => `${z} ${s.fan[z]}`).join(', ');
    const open = Object.entries(s.windows).filter(([, v]) => v === 'open').map(([k]) => k);
    return [
      `temperature (${s.unit}): ${temps}`, `fan: ${fans}`, `windows open: ${open.length ? open.join(', ') : 'none'}`, `wipers ${s.wipers}`,
      `engine ${s.engine.running ? 'on' : 'off'}`, `doors ${s.locked ? 'locked' : 'unlocked'}`, `headlights ${s.headlights ? 'on' : 'off'}`,
      `music ${s.music.playing ? `${s.music.track} @${s.music.volume}` : 'off'}`, `destination ${s.destination ?? 'none'}`,
      `ambient ${s.ambient.color} @${s.ambient.intensity}`, `cruise ${s.cruise ?? 'off'}`, `sport mode ${s.sportMode ? 'on' : 'off'}`,
    ].join(' | ');
  }
}
