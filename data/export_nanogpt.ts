// nanoGPT's data files, as its data/*/prepare.py scripts write them and its train.py reads them:
//
//   train.bin, val.bin   one stream of token ids each, uint16 little-endian (np.uint16 .tofile());
//                        train.py reads random windows of block_size + 1 tokens from them
//   meta.pkl             a pickled dict; train.py takes meta['vocab_size'] for a model from scratch

/** Token ids as uint16 little-endian bytes; an id that does not fit in 16 bits is an error. */
export function tokenBin(ids: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(ids.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new Error(`export: token id ${id} at position ${i} does not fit nanoGPT's uint16 .bin files`);
    view.setUint16(i * 2, id, true);
  }
  return out;
}

/** The ids of a .bin file back (for checks and tests). */
export function readTokenBin(bytes: Uint8Array): Uint16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint16Array.from({ length: bytes.length / 2 }, (_, i) => view.getUint16(i * 2, true));
}

/** Examples one after another: one stream, as train.py wants it. */
export function concatStreams(examples: ArrayLike<number>[]): Int32Array {
  const out = new Int32Array(examples.reduce((n, e) => n + e.length, 0));
  let pos = 0;
  for (const e of examples) {
    out.set(e, pos);
    pos += e.length;
  }
  return out;
}

// Pickle opcodes (Python's Lib/pickletools.py): enough for {'vocab_size': N}.
const PROTO = 0x80; // protocol number follows
const EMPTY_DICT = 0x7d; // '}'
const BINPUT = 0x71; // 'q': remember the top of the stack (memo slot follows)
const BINUNICODE = 0x58; // 'X': a str, 4-byte little-endian length, UTF-8 bytes
const BININT1 = 0x4b; // 'K': unsigned 1-byte int
const BININT2 = 0x4d; // 'M': unsigned 2-byte int
const BININT = 0x4a; // 'J': signed 4-byte int
const SETITEM = 0x73; // 's': dict[key] = value
const STOP = 0x2e; // '.'

/** A non-negative int as Python's pickler writes it: the smallest of its three int opcodes. */
function pickleInt(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new Error(`export: ${n} is not an int meta.pkl can hold`);
  if (n < 0x100) return [BININT1, n];
  if (n < 0x10000) return [BININT2, n & 0xff, n >> 8];
  return [BININT, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
}

/** meta.pkl: {'vocab_size': N}, byte for byte what pickle.dumps(meta, protocol=2) writes. */
export function metaPickle(vocabSize: number): Uint8Array {
  const key = Buffer.from('vocab_size', 'utf8');
  const len = [key.length & 0xff, (key.length >> 8) & 0xff, (key.length >> 16) & 0xff, key.length >>> 24];
  return Uint8Array.from([PROTO, 2, EMPTY_DICT, BINPUT, 0, BINUNICODE, ...len, ...key, BINPUT, 1, ...pickleInt(vocabSize), SETITEM, STOP]);
}
