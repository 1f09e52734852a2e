import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { add, sub, mul, div, neg, pow, exp, log, tanh, sqrt, relu, gelu } from './elementwise.ts';
import { gradCheck } from '../gradcheck.ts';
import { param, spreadParam } from './testing.ts';
import { tensor } from '../tensor.ts';

const TOL = 1e-3;
// shape pairs that exercise broadcasting: equal, size-1 axes, missing leading axes, scalars
const PAIRS: Array<[number[], number[]]> = [[[3, 5], [3, 5]], [[2, 1, 5], [3, 1]], [[4, 3], [3]], [[1], [2, 3]], [[2, 3], []]];

for (const [name, op] of [['add', add], ['sub', sub], ['mul', mul]] as const) {
  test(`${name}: gradient check with broadcasting`, () => {
    for (const [sa, sb] of PAIRS) {
      const a = param(sa);
      const b = param(sb);
      const r = gradCheck(() => op(a, b), [a, b]);
      assert.ok(r.maxRelError < TOL, `${name} ${JSON.stringify([sa, sb])}: ${r.maxRelError}`);
    }
  });
}

test('div: gradient check with broadcasting (denominator away from 0)', () => {
  for (const [sa, sb] of PAIRS) {
    const a = param(sa);
    const b = param(sb, 0.5, 2);
    const r = gradCheck(() => div(a, b), [a, b]);
    assert.ok(r.maxRelError < TOL, `div ${JSON.stringify([sa, sb])}: ${r.maxRelError}`);
  }
});

test('binary ops accept plain numbers and reject shapes that do not broadcast', () => {
  assert.equal(add(tensor([1, 2]), 1).toArray(), [2, 3]);
  assert.equal(div(6, tensor([2, 3])).toArray(), [3, 2]);
  assert.throws(() => add(tensor([[1, 2, 3]]), tensor([[1, 2]])), /add: cannot broadcast \[1,3\] with \[1,2\]/);
});

const UNARY: Array<[string, (x: ReturnType<typeof param>) => ReturnType<typeof param>, number, number]> = [
  ['neg', neg, -2, 2], ['exp', exp, -2, 2], ['log', log, 0.2, 3], ['tanh', tanh, -2, 2], ['sqrt', sqrt, 0.2, 3],
  ['gelu', gelu, -3, 3], ['pow 3', (x) => pow(x, 3), -2, 2], ['pow -0.5', (x) => pow(x, -0.5), 0.3, 2],
];
for (const [name, op, low, high] of UNARY) {
  test(`${name}: gradient check`, () => {
    for (const shape of [[7], [2, 3, 5]]) {
      const x = param(shape, low, high);
      const r = gradCheck(() => op(x), [x]);
      assert.ok(r.maxRelError < TOL, `${name} ${shape}: ${r.maxRelError}`);
    }
  });
}

test('relu: gradient check away from the kink, and values', () => {
  const x = spreadParam([4, 5], -2, 2);
  assert.ok(gradCheck(() => relu(x), [x]).maxRelError < TOL);
  assert.equal(relu(tensor([-1, 0, 2])).toArray(), [0, 0, 2]);
});

test('gelu matches GPT-2 tanh-approximation values', () => {
  const y = gelu(tensor([-1, 0, 1, 3])).data;
  const want = [-0.15880800939172324, 0, 0.8411919906082768, 2.99636302710808];
  want.forEach((w, i) => assert.ok(Math.abs(y[i] - w) < 1e-6, `${y[i]} vs ${w}`));
});

test.run();
