// The safetensors format (https://huggingface.co/docs/safetensors), read and written by hand:
//
//   [8 bytes: N, little-endian u64] [N bytes: JSON header] [raw tensor bytes]
//
// The header maps each name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to
// the start of the data section) and may hold "__metadata__": {string: string}. We pad the
// header with spaces to a multiple of 8 bytes, as the reference writer does, and store F32.
// Bytes in, bytes out: reading a file is model/safetensors_file.ts's (Node), fetching one the page's.

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

/** Named tensors (a model's parameters, its adapters) as the entries encodeSafetensors writes: their shapes and data, not copied. */
export function storedTensors(named: Map<string, { shape: number[]; data: Float32Array }>): Map<string, StoredTensor> {
  return new Map([...named].map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
}

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Serialise named float32 tensors (in the given order) with optional string metadata. */
export function encodeSafetensors(tensors: Map<string, StoredTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20); // padded with spaces
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    // copy as little-endian float32 whatever the machine's byte order
    const dv = new DataView(out.buffer, pos, t.data.length * 4);
    for (let i = 0; i < t.data.length; i++) dv.setFloat32(i * 4, t.data[i], true);
    pos += t.data.length * 4;
  }
  return out;
}

export interface SafetensorsFile {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** Parse a safetensors buffer; every problem is an error naming `source` (a path) and the tensor. */
export function decodeSafetensors(buf: Uint8Array, source: string): SafetensorsFile {
  const fail = (msg: string): never => {
    throw new Error(`safetensors: ${source}: ${msg}`);
  };
  if (buf.length < 8) fail(`file is ${buf.length} bytes, too short for the 8-byte header length (truncated?)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > buf.length - 8) fail(`header claims ${headerLen} bytes but the file has only ${buf.length - 8} after the length (truncated or not a safetensors file)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + headerLen)));
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) return fail(`header must be a JSON object of tensors, got ${describe(header)}`);
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const metadata = readMetadata(header.__metadata__, fail);
  const tensors = new Map<string, StoredTensor>();
  const spans: Array<[number, number, string]> = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isObject(info)) fail(`tensor '${name}' must be an object {dtype, shape, data_offsets}, got ${describe(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) fail(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}`);
    if (dtype !== 'F32') fail(`tensor '${name}' is ${dtype}; only F32 tensors are read`);
    if (!isCountList(shape)) return fail(`tensor '${name}' has shape ${JSON.stringify(shape)}: it must be an array of non-negative integers`);
    if (!isCountList(offsets) || offsets.length !== 2) return fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}: they must be two non-negative integers [begin, end]`);
    const [begin, end] = offsets;
    const n = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== n * 4) fail(`tensor '${name}' of shape [${shape}] needs ${n * 4} bytes but its offsets span ${end - begin}`);
    if (end > dataLen) fail(`tensor '${name}' lies at bytes [${begin}, ${end}) but the data section has only ${dataLen} bytes (truncated?)`);
    const data = new Float32Array(n);
    const dv = new DataView(buf.buffer, buf.byteOffset + dataStart + begin, n * 4);
    for (let i = 0; i < n; i++) data[i] = dv.getFloat32(i * 4, true);
    tensors.set(name, { shape, data });
    spans.push([begin, end, name]);
  }
  checkCoverage(spans, dataLen, fail);
  return { tensors, metadata };
}

/**
 * The spec: the tensors tile the data section, no overlaps and no holes. An overlap means two
 * tensors share bytes (a corrupt or hand-edited header); bytes of no tensor are an error too.
 */
function checkCoverage(spans: Array<[number, number, string]>, dataLen: number, fail: (msg: string) => never): void {
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  let last = '';
  for (const [begin, end, name] of spans) {
    if (begin < covered) fail(`tensors '${last}' and '${name}' overlap: '${name}' starts at byte ${begin}, before '${last}' ends at ${covered}`);
    if (begin > covered) fail(`bytes [${covered}, ${begin}) of the data section belong to no tensor`);
    covered = end;
    last = name;
  }
  if (covered < dataLen) fail(`bytes [${covered}, ${dataLen}) at the end of the data section belong to no tensor (trailing bytes)`);
}

function readMetadata(meta: unknown, fail: (msg: string) => never): Record<string, string> {
  if (meta === undefined) return {};
  if (!isObject(meta) || !Object.values(meta).every((v) => typeof v === 'string')) return fail(`__metadata__ must be an object of strings, got ${JSON.stringify(meta)}`);
  return meta as Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An array of non-negative integers (a shape, or offsets). */
function isCountList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);
}

/** A JSON value in a few words, for an error: null, an array, a number 3, ... */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}
