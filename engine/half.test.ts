import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  float32ToFloat16Bits, float16BitsToFloat32, float32ToBfloat16Bits, bfloat16BitsToFloat32, narrow, widen, roundInPlace,
} from './half.ts';
import { makeRng } from './random.ts';

const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

test('float16: known bit patterns, rounding to nearest even, subnormals, inf and NaN', () => {
  const cases: Array<[number, number]> = [
    [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [0.1, 0x2e66], [1 / 3, 0x3555], [0, 0x0000], [-0, 0x8000],
    [65504, 0x7bff], // the largest float16
    [65519, 0x7bff], // rounds down to it
    [65520, 0x7c00], // halfway to 65536, ties to even: infinity
    [1e6, 0x7c00], [-1e6, 0xfc00], [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // the smallest normal
    [2 ** -24, 0x0001], // the smallest subnormal
    [1023 * 2 ** -24, 0x03ff], // the largest subnormal
    [2 ** -25, 0x0000], // halfway between 0 and 2^-24: ties to even, 0
    [3 * 2 ** -26, 0x0001], // three quarters of the smallest subnormal: up
    [1e-8, 0x0000], // the gradient loss scaling rescues
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and 1 + 2^-10: even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between 1 + 2^-10 and 1 + 2^-9: even (up)
    [2 ** -14 - 2 ** -25, 0x0400], // the largest subnormal's tie rounds up into the normals
  ];
  for (const [x, bits] of cases) assert.is(hex(float32ToFloat16Bits(x)), hex(bits), `float16(${x})`);
  assert.is(float32ToFloat16Bits(NaN) & 0x7c00, 0x7c00);
  assert.ok((float32ToFloat16Bits(NaN) & 0x3ff) !== 0, 'NaN keeps a mantissa bit');
  assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
  assert.is(float16BitsToFloat32(0x0001), 2 ** -24);
  assert.is(float16BitsToFloat32(0xfc00), -Infinity);
  assert.is(Object.is(float16BitsToFloat32(0x8000), -0), true);
});

test('float16: every one of the 65,536 patterns survives widen then narrow', () => {
  for (let h = 0; h < 65536; h++) {
    const x = float16BitsToFloat32(h);
    if (Number.isNaN(x)) continue;
    if (float32ToFloat16Bits(x) !== h) assert.unreachable(`${hex(h)} -> ${x} -> ${hex(float32ToFloat16Bits(x))}`);
  }
});

test('bfloat16: known bit patterns and ties to even', () => {
  const cases: Array<[number, number]> = [
    [1, 0x3f80], [-2, 0xc000], [Math.PI, 0x4049], [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82],
    [3.4028234663852886e38, 0x7f80], // float32's max rounds up to infinity
    [1e-8, 0x322c], // bfloat16 keeps float32's range: no underflow
    [Infinity, 0x7f80], [-Infinity, 0xff80], [-0, 0x8000], [1e-40, 0x0001], // a float32 subnormal
  ];
  for (const [x, bits] of cases) assert.is(hex(float32ToBfloat16Bits(x)), hex(bits), `bfloat16(${x})`);
  assert.ok(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN))));
  assert.is(bfloat16BitsToFloat32(0x3f80), 1);
});

test('narrow / widen / roundInPlace in bulk agree with the scalar conversions on random values', () => {
  const rng = makeRng('half');
  const x = Float32Array.from({ length: 4099 }, (_, i) => (rng() - 0.5) * 10 ** ((i % 13) - 8));
  x[7] = Infinity;
  x[8] = -70000;
  for (const dtype of ['float16', 'bfloat16'] as const) {
    const toBits = dtype === 'float16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
    const fromBits = dtype === 'float16' ? float16BitsToFloat32 : bfloat16BitsToFloat32;
    const h = narrow(x, dtype);
    const w = widen(h, dtype);
    const r = roundInPlace(new Float32Array(x), dtype);
    for (let i = 0; i < x.length; i++) {
      assert.is(h[i], toBits(x[i]), `${dtype} narrow at ${i}`);
      assert.is(w[i], Math.fround(fromBits(h[i])), `${dtype} widen at ${i}`);
      assert.is(r[i], w[i], `${dtype} round at ${i}`);
    }
  }
});

test.run();
