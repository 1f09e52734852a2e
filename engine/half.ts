// 16-bit floating point, by hand. Two formats share the 16 bits differently:
//
//   float16 (IEEE 754 binary16):  1 sign | 5 exponent (bias 15)  | 10 mantissa   max 65504, min subnormal 2^-24
//   bfloat16 (the top half of a float32): 1 sign | 8 exponent (bias 127) | 7 mantissa   float32's range, 3 digits
//
// float16 keeps more digits but a tiny range: gradients below 2^-24 ~ 6e-8 become zero, and
// values above 65504 become infinity. That is why float16 training scales the loss (GradScaler).
// bfloat16 has float32's range, so it needs no scaling, but only ~3 significant digits.
//
// Narrowing rounds to nearest, ties to even, as IEEE 754 and every GPU do; widening is exact.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bit pattern nearest to x (ties to even); overflow gives +-inf, NaN stays NaN. */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  return bitsToFloat16(u32[0]);
}

/** The same, from float32 bits (so bulk conversion can read a Uint32Array view). */
function bitsToFloat16(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13); // inf, quiet NaN
  const e = exp - 127 + 15; // the exponent re-biased for float16
  if (e >= 0x1f) return sign | 0x7c00; // too big: infinity
  if (e <= 0) {
    // a float16 subnormal (or zero): shift the mantissa, implicit 1 included, right by 14 - e
    if (e < -10) return sign; // below half the smallest subnormal: zero
    const m = mant | 0x800000;
    const shift = 14 - e;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    let h = m >>> shift;
    if (rest > halfway || (rest === halfway && (h & 1) === 1)) h++; // may carry into the smallest normal: still right
    return sign | h;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff; // the 13 bits dropped
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry may roll into the exponent, up to inf: right
  return h;
}

/** The value of a float16 bit pattern. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The bfloat16 bit pattern nearest to x (ties to even): float32's top 16 bits, rounded. */
export function float32ToBfloat16Bits(x: number): number {
  f32[0] = x;
  return bitsToBfloat16(u32[0]);
}

function bitsToBfloat16(b: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return (b >>> 16) | 0x40; // NaN stays a (quiet) NaN
  // adding 0x7fff plus the lowest kept bit rounds to nearest, ties to even; overflow carries to inf
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bfloat16BitsToFloat32(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

export type HalfDtype = 'float16' | 'bfloat16';

// widening float16 through a 65,536-entry table is much faster than the arithmetic above
let float16Table: Float32Array | null = null;
function float16Values(): Float32Array {
  if (float16Table === null) {
    float16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) float16Table[h] = float16BitsToFloat32(h);
  }
  return float16Table;
}

/** Narrow a whole array to 16-bit patterns. */
export function narrow(src: Float32Array, dtype: HalfDtype, out = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  if (dtype === 'float16') for (let i = 0; i < bits.length; i++) out[i] = bitsToFloat16(bits[i]);
  else for (let i = 0; i < bits.length; i++) out[i] = bitsToBfloat16(bits[i]);
  return out;
}

/** Widen 16-bit patterns back to float32 (exact). */
export function widen(src: Uint16Array, dtype: HalfDtype, out = new Float32Array(src.length)): Float32Array {
  if (dtype === 'float16') {
    const table = float16Values();
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  } else {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  }
  return out;
}

/** Round every value in place to the nearest one the 16-bit format can hold (narrow, then widen). */
export function roundInPlace(x: Float32Array, dtype: HalfDtype): Float32Array {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  if (dtype === 'float16') {
    const table = float16Values();
    for (let i = 0; i < bits.length; i++) x[i] = table[bitsToFloat16(bits[i])];
  } else {
    for (let i = 0; i < bits.length; i++) bits[i] = bitsToBfloat16(bits[i]) << 16;
  }
  return x;
}
