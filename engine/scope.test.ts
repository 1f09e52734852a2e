import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withEngine, getKernels, getDtype, cpuKernels } from './index.ts';
import type { Kernels } from './index.ts';

test('withEngine: the settings hold inside fn, and the previous ones come back after it, also when it throws', async () => {
  const other: Kernels = { ...cpuKernels };
  const seen = await withEngine({ kernels: other, dtype: 'bfloat16' }, async () => {
    await Promise.resolve(); // still set after an await
    return [getKernels() === other, getDtype()];
  });
  assert.equal(seen, [true, 'bfloat16']);
  assert.ok(getKernels() === cpuKernels);
  assert.is(getDtype(), 'float32');
  await withEngine({ kernels: other, dtype: 'float16' }, () => {
    throw new Error('boom');
  }).then(() => assert.unreachable('should throw'), (e: Error) => assert.match(e.message, 'boom'));
  assert.ok(getKernels() === cpuKernels);
  assert.is(getDtype(), 'float32');
});

test.run();
