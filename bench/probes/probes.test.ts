// The probes (README.md beside this file) are data a reader trusts: each record must load in the
// original format and hold a valid call; a copy probe asks for one value that is the command's own
// words, a zone probe for a zone list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { loadFcFile } from '../../data/loader.ts';
import { parseFunctionCall, userText } from '../../data/format.ts';
import { validateCall } from '../../data/vehicle_api.ts';
import type { FunctionCall } from '../../data/vehicle_api.ts';

/** A probe file's records as [command, call]: every record loads, and its call is valid. */
function validProbes(file: string, size: number): Array<[string, FunctionCall]> {
  const { records, skipped } = loadFcFile(fileURLToPath(new URL(file, import.meta.url)));
  assert.is(skipped, 0);
  assert.is(records.length, size);
  return records.map((r) => {
    const call = parseFunctionCall(r.assistant)!;
    assert.equal(validateCall(call), [], `${userText(r)}: ${JSON.stringify(call)}`);
    return [userText(r), call];
  });
}

for (const [file, size] of [['copy_names_a.json', 168], ['copy_names_b.json', 120]] as const) {
  test(`${file}: ${size} valid calls, each value copied word for word from its command`, () => {
    for (const [command, call] of validProbes(file, size)) {
      const value = call.arguments.track ?? call.arguments.destination;
      assert.type(value, 'string');
      assert.ok(new RegExp(`(^|\\W)${(value as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\W|$)`).test(command), `"${value}" is not whole words of "${command}"`);
    }
  });
}

for (const [file, size] of [['everyday_a.json', 40], ['everyday_b.json', 44]] as const) {
  test(`${file}: ${size} valid calls; a zone list only where the command names a seat or everyone`, () => {
    const zoneWords = /\b(driver|passengers?|rear|back (seats|row)|in the back|front (right|passenger|driver)|everyone|everybody|all (seats|passengers|occupants)|every seat|whole (car|vehicle|cabin)|entire (car|vehicle)|throughout|everywhere|my side|behind)\b/i;
    for (const [command, call] of validProbes(file, size)) if (call.arguments.area !== undefined) assert.ok(zoneWords.test(command), command);
  });
}

for (const file of ['zones_a.json', 'zones_b.json']) {
  test(`${file}: 40 valid calls, each with a zone list`, () => {
    for (const [command, call] of validProbes(file, 40)) assert.ok(Array.isArray(call.arguments.area), command);
  });
}

test('fan_a.json: 40 valid fan calls, twenty sets with a level and twenty changes, each set said again as a change without it', () => {
  const probes = validProbes('fan_a.json', 40);
  const sets = probes.filter(([, call]) => call.name === 'set_fan_speed');
  const changes = probes.filter(([, call]) => call.name === 'adjust_fan_speed');
  assert.is(sets.length, 20);
  assert.is(changes.length, 20);
  for (const [command] of sets) assert.match(command, / to (low|medium|high|max|maximum|full blast|the lowest setting)\b/, command);
  for (const [command] of changes) assert.not.match(command, / to (low|medium|high|max|maximum|full blast|the \w+est setting)\b/, command);
});

test.run();
