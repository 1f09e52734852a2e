// The probes (README.md beside this file) are data a reader trusts: each record must load in the
// original format and hold a valid call; a copy probe asks for one value that is the command's own
// words, a zone probe for a zone list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { loadFcFile } from '../../data/loader.ts';
import { parseFunctionCall, userText } from '../../data/format.ts';
import { validateCall } from '../../data/vehicle_api.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

for (const [file, size] of [['copy_names_a.json', 168], ['copy_names_b.json', 120]] as const) {
  test(`${file}: ${size} valid calls, each value copied word for word from its command`, () => {
    const { records, skipped } = loadFcFile(here(file));
    assert.is(skipped, 0);
    assert.is(records.length, size);
    for (const r of records) {
      const call = parseFunctionCall(r.assistant)!;
      assert.equal(validateCall(call), [], `${userText(r)}: ${JSON.stringify(call)}`);
      const value = call.arguments.track ?? call.arguments.destination;
      assert.type(value, 'string');
      assert.ok(new RegExp(`(^|\\W)${(value as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\W|$)`).test(userText(r)), `"${value}" is not whole words of "${userText(r)}"`);
    }
  });
}

for (const file of ['zones_a.json', 'zones_b.json']) {
  test(`${file}: 40 valid calls, each with a zone list`, () => {
    const { records, skipped } = loadFcFile(here(file));
    assert.is(skipped, 0);
    assert.is(records.length, 40);
    for (const r of records) {
      const call = parseFunctionCall(r.assistant)!;
      assert.equal(validateCall(call), [], `${userText(r)}: ${JSON.stringify(call)}`);
      assert.ok(Array.isArray(call.arguments.area), userText(r));
    }
  });
}

test.run();
