import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Vehicle } from './vehicle_sim.ts';
import { generateRecords } from './generator.ts';
import { parseFunctionCall } from './format.ts';
import type { FunctionCall } from './vehicle_api.ts';

test('valid calls change the state and describe it', () => {
  const car = new Vehicle();
  assert.equal(car.execute({ name: 'set_temperature', arguments: { temperature: 25, area: ['driver'] } }), { ok: true, text: 'temperature set to 25 celsius for driver' });
  assert.is(car.state.temperature.driver, 25);
  assert.is(car.state.temperature['rear-left'], 21);
  assert.ok(car.execute({ name: 'adjust_fan_speed', arguments: { speed: 'increase' } }).ok);
  assert.is(car.state.fan['front-passenger'], 4);
  car.execute({ name: 'control_window', arguments: { window_position: 'open', window_location: 'rear_left' } });
  assert.is(car.state.windows.rear_left, 'open');
  car.execute({ name: 'set_navigation_destination', arguments: { destination: 'oak park' } });
  assert.match(car.summary(), /destination oak park/);
});

test('invalid calls give an error observation, never a crash, and change nothing', () => {
  const car = new Vehicle();
  const before = JSON.stringify(car.state);
  for (const call of [
    { name: 'fly_to_moon', arguments: {} },
    { name: 'set_temperature', arguments: {} },
    { name: 'set_temperature', arguments: { temperature: 500 } },
    { name: 'set_fan_speed', arguments: { speed: 'warp' } },
    { name: 'possibly_incomplete_set_temperature', arguments: { temperature: '' } },
  ] as FunctionCall[]) {
    const obs = car.execute(call);
    assert.is(obs.ok, false, call.name);
    assert.ok(obs.text.length > 0);
  }
  assert.is(JSON.stringify(car.state), before);
});

test('every generated call executes', () => {
  const car = new Vehicle();
  for (const r of generateRecords(2000, 'sim')) {
    const obs = car.execute(parseFunctionCall(r.assistant)!);
    assert.ok(obs.ok || obs.text.includes('needs a value'), obs.text);
  }
});

test.run();
