// The vehicle API the model learns to call: 18 functions with their parameters, as in the
// original project's function_config (values lowercase, as its data has them).

export type ParamType = 'number' | 'integer' | 'string' | 'boolean' | 'zones';

export interface ParamSpec {
  name: string;
  type: ParamType;
  description: string;
  /** allowed values (for 'zones': the allowed members of the list) */
  enum?: readonly string[];
  min?: number;
  max?: number;
  default?: string | number | boolean;
  required: boolean;
}

export interface FunctionSpec {
  name: string;
  description: string;
  params: readonly ParamSpec[];
}

/** Climate zones, as the `area` lists spell them (hyphens). */
export const ZONES = ['driver', 'front-passenger', 'rear-left', 'rear-right'] as const;
/** Seats and windows spell the rear zones with underscores. */
export const SEATS = ['driver', 'front-passenger', 'rear_left', 'rear_right'] as const;

const area = (what: string): ParamSpec => ({
  name: 'area', type: 'zones', enum: ZONES, default: 'all', required: false, description: `The zones whose ${what} changes.`,
});

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'set_temperature', description: 'Set the temperature in a specified zone of the car.',
    params: [
      area('temperature'),
      { name: 'temperature', type: 'number', min: 1, max: 80, required: true, description: 'The target temperature.' },
      { name: 'unit', type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius', required: false, description: 'The unit of the temperature value.' },
    ],
  },
  {
    name: 'adjust_fan_speed', description: "Adjust the fan speed of the car's climate control system.",
    params: [
      { name: 'speed', type: 'string', enum: ['increase', 'decrease'], default: 'increase', required: true, description: 'Raise or lower the fan speed.' },
      area('fan speed'),
    ],
  },
  {
    name: 'set_fan_speed', description: "Set the fan speed of the car's climate control system.",
    params: [
      { name: 'speed', type: 'string', enum: ['low', 'medium', 'high'], default: 'medium', required: true, description: 'The fan speed level.' },
      area('fan speed'),
    ],
  },
  {
    name: 'adjust_temperature', description: 'Adjust the temperature in a specified zone of the car.',
    params: [
      area('temperature'),
      { name: 'action', type: 'string', enum: ['increase', 'decrease'], default: 'increase', required: true, description: 'Warmer or cooler.' },
    ],
  },
  {
    name: 'adjust_seat', description: 'Adjust a seat.',
    params: [
      { name: 'seat_type', type: 'string', enum: SEATS, default: 'driver', required: false, description: 'Which seat.' },
      { name: 'position', type: 'string', enum: ['forward', 'backward', 'up', 'down', 'tilt-forward', 'tilt-backward'], required: true, description: 'Where to move it.' },
    ],
  },
  {
    name: 'control_window', description: 'Open or close a window.',
    params: [
      { name: 'window_position', type: 'string', enum: ['open', 'close'], required: true, description: 'Open or close.' },
      { name: 'window_location', type: 'string', enum: SEATS, default: 'all', required: false, description: 'Which window.' },
    ],
  },
  {
    name: 'adjust_wiper_speed', description: 'Make the wipers faster or slower.',
    params: [{ name: 'speed', type: 'string', enum: ['increase', 'decrease'], required: true, description: 'Faster or slower.' }],
  },
  {
    name: 'set_wiper_speed', description: 'Set the wiper speed.',
    params: [{ name: 'speed', type: 'string', enum: ['high', 'medium', 'low'], required: true, description: 'The wiper speed level.' }],
  },
  {
    name: 'activate_defroster', description: 'Turn on the defroster.',
    params: [
      { name: 'defroster_zone', type: 'string', enum: ['front', 'rear', 'all'], default: 'all', required: false, description: 'The zone to defrost.' },
      { name: 'duration_minutes', type: 'integer', min: 1, max: 30, default: 10, required: false, description: 'For how many minutes.' },
    ],
  },
  {
    name: 'start_engine', description: 'Start the engine.',
    params: [{ name: 'method', type: 'string', enum: ['remote', 'keyless', 'keyed'], default: 'keyless', required: false, description: 'How to start it.' }],
  },
  {
    name: 'lock_doors', description: 'Lock or unlock the doors.',
    params: [{ name: 'lock_state', type: 'string', enum: ['lock', 'unlock'], default: 'lock', required: true, description: 'Lock or unlock.' }],
  },
  {
    name: 'play_music', description: 'Play music.',
    params: [
      { name: 'track', type: 'string', default: 'random', required: false, description: 'The track name to play.' },
      { name: 'volume', type: 'integer', min: 1, max: 10, default: 5, required: false, description: 'Volume from 1 to 10.' },
    ],
  },
  {
    name: 'toggle_headlights', description: 'Turn the headlights on or off.',
    params: [{ name: 'light_state', type: 'string', enum: ['on', 'off'], required: true, description: 'On or off.' }],
  },
  {
    name: 'set_navigation_destination', description: 'Navigate somewhere.',
    params: [{ name: 'destination', type: 'string', required: true, description: 'The address or place to navigate to.' }],
  },
  {
    name: 'control_ambient_lighting', description: 'Set the ambient lighting.',
    params: [
      { name: 'color', type: 'string', enum: ['warm', 'red', 'blue', 'dark', 'white'], required: true, description: 'The colour of the light.' },
      { name: 'intensity', type: 'integer', min: 1, max: 10, default: 5, required: false, description: 'Intensity from 1 to 10.' },
    ],
  },
  {
    name: 'set_cruise_control', description: 'Set cruise control.',
    params: [{ name: 'speed', type: 'integer', min: 10, max: 150, required: true, description: 'Cruise speed in km/h.' }],
  },
  {
    name: 'check_battery_health', description: 'Report the battery health.',
    params: [{ name: 'include_history', type: 'boolean', default: false, required: false, description: 'Include historical data.' }],
  },
  {
    name: 'toggle_sport_mode', description: 'Turn sport mode on or off.',
    params: [{ name: 'action', type: 'string', enum: ['activate', 'deactivate'], required: true, description: 'Activate or deactivate.' }],
  },
];

export const FUNCTION_BY_NAME: ReadonlyMap<string, FunctionSpec> = new Map(FUNCTIONS.map((f) => [f.name, f]));

export type ArgValue = string | number | boolean | string[];

export interface FunctionCall {
  name: string;
  arguments: Record<string, ArgValue>;
}

export const INCOMPLETE_PREFIX = 'possibly_incomplete_';

/**
 * Check a call against the schema: known function, known parameters, required ones present,
 * values of the right type, in the enum and within bounds. Returns the problems (empty = valid).
 * An incomplete call (possibly_incomplete_<name>) must have '' for at least one required value.
 */
export function validateCall(call: FunctionCall): string[] {
  const incomplete = call.name.startsWith(INCOMPLETE_PREFIX);
  const spec = FUNCTION_BY_NAME.get(incomplete ? call.name.slice(INCOMPLETE_PREFIX.length) : call.name);
  if (spec === undefined) return [`unknown function '${call.name}'`];
  const problems: string[] = [];
  for (const key of Object.keys(call.arguments)) {
    if (!spec.params.some((p) => p.name === key)) problems.push(`${spec.name} has no parameter '${key}'`);
  }
  let blanks = 0;
  for (const p of spec.params) {
    const v = call.arguments[p.name];
    if (v === undefined) {
      if (p.required) problems.push(`${spec.name}: missing required '${p.name}'`);
      continue;
    }
    if (incomplete && p.required && v === '') {
      blanks++;
      continue;
    }
    problems.push(...checkValue(spec.name, p, v));
  }
  if (incomplete && blanks === 0) problems.push(`${call.name}: an incomplete call must leave a required value ''`);
  return problems;
}

function checkValue(fn: string, p: ParamSpec, v: ArgValue): string[] {
  const where = `${fn}.${p.name}`;
  switch (p.type) {
    case 'zones':
      if (!Array.isArray(v) || v.length === 0) return [`${where} must be a non-empty list of zones`];
      if (new Set(v).size !== v.length) return [`${where} repeats a zone`];
      return v.filter((z) => !p.enum!.includes(z)).map((z) => `${where}: unknown zone '${z}'`);
    case 'number':
    case 'integer':
      if (typeof v !== 'number' || (p.type === 'integer' && !Number.isInteger(v))) return [`${where} must be ${p.type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`];
      if ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) return [`${where} = ${v} is outside [${p.min}, ${p.max}]`];
      return [];
    case 'boolean':
      return typeof v === 'boolean' ? [] : [`${where} must be true or false, got ${JSON.stringify(v)}`];
    case 'string':
      if (typeof v !== 'string' || v === '') return [`${where} must be a non-empty string, got ${JSON.stringify(v)}`];
      if (p.enum !== undefined && !p.enum.includes(v)) return [`${where} = '${v}' is not one of ${p.enum.join(', ')}`];
      return [];
  }
}
