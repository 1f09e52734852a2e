import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import type { Kernels } from '../kernels.ts';
import { withEngine } from '../scope.ts';
import { packedAttention } from '../ops/packed_attention.ts';
import type { PackedLayout } from '../ops/packed_attention.ts';
import { Tensor, noGrad } from '../tensor.ts';
import { makeRng } from '../random.ts';
import { cpuKernels } from './index.ts';

const rng = makeRng('packed-attention-simd-test');
const randomArray = (n: number) => new Float32Array(n).map(() => rng() * 4 - 2);
// the op's plain path: each part's heads gathered and handed to attention.ts
const plainKernels: Kernels = { ...cpuKernels, packedAttentionForward: undefined, packedAttentionBackward: undefined };

/** packedAttention's output and gradients with kernel set k, from the same inputs. */
function run(k: Kernels, x: Float32Array[], dout: Float32Array, H: number, layout: PackedLayout): Promise<Float32Array[]> {
  return withEngine({ kernels: k, dtype: 'float32' }, () => {
    const rows = layout.prefix + layout.lengths.reduce((a, n) => a + n, 0);
    const [q, kk, v] = x.map((a) => new Tensor(a.slice(), [rows, a.length / rows], true));
    const out = packedAttention(q, kk, v, H, layout);
    out.backward(dout.slice());
    return [out.data, q.grad!, kk.grad!, v.grad!];
  });
}

const differing = (a: Float32Array, b: Float32Array) => a.reduce((n, x, i) => n + (Object.is(x, b[i]) ? 0 : 1), 0);

test('the CPU kernels do packed attention in one call (WebAssembly SIMD)', () => {
  assert.type(cpuKernels.packedAttentionForward, 'function');
  assert.type(cpuKernels.packedAttentionBackward, 'function');
});

test('packed attention in one call: the same bits as the plain path, output and q, k, v gradients, on random inputs', async () => {
  // prefixes long and short (under 8 rows the plain path runs that part), a short sequence
  // among long ones, no prefix, head widths that are and are not multiples of 8
  const cases: Array<{ H: number; D: number; layout: PackedLayout }> = [
    { H: 4, D: 24, layout: { prefix: 20, lengths: [12, 30, 9, 41] } },
    { H: 4, D: 24, layout: { prefix: 6, lengths: [74, 3, 128, 90] } },
    { H: 2, D: 5, layout: { prefix: 0, lengths: [13, 40, 8] } },
    { H: 3, D: 16, layout: { prefix: 11, lengths: [1, 17] } },
  ];
  for (const { H, D, layout } of cases) {
    const R = layout.prefix + layout.lengths.reduce((a, n) => a + n, 0);
    const x = [randomArray(R * H * D), randomArray(R * H * D), randomArray(R * H * D)];
    const dout = randomArray(R * H * D);
    const want = await run(plainKernels, x, dout, H, layout);
    const got = await run(cpuKernels, x, dout, H, layout);
    ['output', 'dq', 'dk', 'dv'].forEach((name, i) => {
      assert.ok(want[i].some((w) => w !== 0), `${name} is not all zeros`);
      assert.is(differing(got[i], want[i]), 0, `${name}, H=${H} D=${D}, prefix ${layout.prefix}, lengths ${layout.lengths}`);
    });
  }
});

test('packed attention in one call without recording (no probabilities kept): the same output', async () => {
  const [H, D] = [4, 24];
  const layout = { prefix: 9, lengths: [33, 20] };
  const R = 62;
  const x = [randomArray(R * H * D), randomArray(R * H * D), randomArray(R * H * D)];
  const output = (k: Kernels) => withEngine({ kernels: k, dtype: 'float32' },
    () => noGrad(() => packedAttention(...(x.map((a) => new Tensor(a, [R, H * D])) as [Tensor, Tensor, Tensor]), H, layout).data));
  const [want, got] = [await output(plainKernels), await output(cpuKernels)];
  assert.is(differing(got, want), 0);
});

test.run();
