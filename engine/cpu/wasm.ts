// A tiny WebAssembly emitter: just enough of the binary format to write one SIMD function by
// hand. Each helper returns the bytes of one instruction; a function body is their concatenation.
// Spec: https://webassembly.github.io/spec/core/binary/ (sections, LEB128 numbers, opcodes).

/** Unsigned LEB128: 7 bits per byte, high bit set on all but the last. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const SIMD = 0xfd;
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  /** local.set that leaves the value on the stack too */
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  i32Shl: () => [0x74],
  i32ShrU: () => [0x76],
  i32And: () => [0x71],
  i32LtU: () => [0x49],
  i32GeU: () => [0x4f],
  /** a loop whose label, when branched to, jumps back to its start */
  loop: () => [0x03, 0x40],
  /** a block whose label, when branched to, jumps past its end */
  block: () => [0x02, 0x40],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  end: () => [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** memarg = alignment (log2) and a constant byte offset added to the address */
  f32Load: (offset: number) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset: number) => [0x38, 2, ...uleb(offset)],
  f32Const: (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  f32Add: () => [0x92],
  f32Mul: () => [0x94],
  f32Div: () => [0x95],
  f32Sqrt: () => [0x91],
  f32Max: () => [0x97],
  v128Load: (offset: number) => [SIMD, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset: number) => [SIMD, ...uleb(0x0b), 4, ...uleb(offset)],
  /** four copies of one float (v128.const with its 16 bytes, little-endian) */
  f32x4Const: (v: number) => [SIMD, ...uleb(0x0c), ...new Uint8Array(new Float32Array([v, v, v, v]).buffer)],
  i32x4Const: (v: number) => [SIMD, ...uleb(0x0c), ...new Uint8Array(new Int32Array([v, v, v, v]).buffer)],
  /** four ints, one per lane */
  i32x4Lanes: (l0: number, l1: number, l2: number, l3: number) => [SIMD, ...uleb(0x0c), ...new Uint8Array(new Int32Array([l0, l1, l2, l3]).buffer)],
  /** four copies of an i32 from the stack */
  i32x4Splat: () => [SIMD, ...uleb(0x11)],
  /** lane by lane a < b (signed): all ones where true, else zeros */
  i32x4LtS: () => [SIMD, ...uleb(0x39)],
  /** bitselect(a, b, mask): a's bits where mask has ones, b's elsewhere */
  v128Bitselect: () => [SIMD, ...uleb(0x52)],
  f32x4Splat: () => [SIMD, ...uleb(0x13)],
  /** load one float and copy it into all four lanes */
  v128Load32Splat: (offset: number) => [SIMD, ...uleb(0x09), 2, ...uleb(offset)],
  f32x4Add: () => [SIMD, ...uleb(0xe4)],
  f32x4Sub: () => [SIMD, ...uleb(0xe5)],
  f32x4Mul: () => [SIMD, ...uleb(0xe6)],
  f32x4Div: () => [SIMD, ...uleb(0xe7)],
  /** one lane of a float vector, as an f32 */
  f32x4ExtractLane: (lane: number) => [SIMD, ...uleb(0x1f), lane],
  /** relaxed SIMD: a * b + c in one instruction (an FMA where the CPU has one; rounded once or twice) */
  f32x4RelaxedMadd: () => [SIMD, ...uleb(0x105)],
  /** pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a, lane by lane: x86's minps and maxps.
   * Used instead of f32x4.min and max (0xe8, 0xe9), which must also order NaN and the sign of 0: V8
   * spends ~7 instructions on each of those */
  f32x4Pmin: () => [SIMD, ...uleb(0xea)],
  f32x4Pmax: () => [SIMD, ...uleb(0xeb)],
  /** round each lane to the nearest integer, ties to even (still a float) */
  f32x4Nearest: () => [SIMD, ...uleb(0x6a)],
  /** float lanes to int32 lanes, saturating */
  i32x4TruncSatF32x4S: () => [SIMD, ...uleb(0xf8)],
  i32x4Add: () => [SIMD, ...uleb(0xae)],
  /** shift every lane left by an i32 from the stack */
  i32x4Shl: () => [SIMD, ...uleb(0xab)],
};

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

export interface WasmFunction {
  exportName: string;
  params: number[];
  /** groups of [count, type] */
  locals: Array<[number, number]>;
  body: number[];
}

/**
 * A module with one memory (exported as "memory") and the given functions (no results). With
 * importMemory the memory is not its own but imported as env.memory (at least memoryPages), so
 * that its functions can work on another module's data in place.
 */
export function buildModule(fns: WasmFunction[], memoryPages: number, importMemory = false): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0])));
  const imports = importMemory ? section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(memoryPages)]])) : [];
  const funcs = section(3, vec(fns.map((_, i) => uleb(i))));
  const memory = importMemory ? [] : section(5, vec([[0x00, ...uleb(memoryPages)]]));
  const exports = section(7, vec([
    ...fns.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]),
    [...name('memory'), 0x02, 0],
  ]));
  const code = section(10, vec(fns.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, ...op.end()];
    return [...uleb(body.length), ...body];
  })));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...memory, ...exports, ...code]);
}

/**
 * The functions as a module that works on `memory`, another module's (imported, see buildModule), so
 * they reach that module's data in place; null where this runtime cannot compile them (no SIMD).
 */
export function instantiateOnMemory(fns: WasmFunction[], memory: WebAssembly.Memory): WebAssembly.Exports | null {
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(buildModule(fns, 1, true)), { env: { memory } }).exports;
  } catch {
    return null;
  }
}
