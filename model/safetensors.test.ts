import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeSafetensors, decodeSafetensors } from './safetensors.ts';

test('writer output matches the format byte for byte on a hand-built example', () => {
  const bytes = encodeSafetensors(new Map([['a', { shape: [2], data: Float32Array.from([1, -2]) }]]));
  const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  // 8-byte little-endian length, then the header, then the raw data
  assert.equal(Array.from(bytes.subarray(0, 8)), [padded.length, 0, 0, 0, 0, 0, 0, 0]);
  assert.is(Buffer.from(bytes.subarray(8, 8 + padded.length)).toString(), padded);
  assert.is(padded.length % 8, 0);
  // 1.0f = 0x3f800000 and -2.0f = 0xc0000000, little-endian
  assert.equal(Array.from(bytes.subarray(8 + padded.length)), [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
});

test('reader parses a file written by hand (not by our writer), with metadata', () => {
  const header = JSON.stringify({ __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] } });
  const h = Buffer.from(header);
  const buf = new Uint8Array(8 + h.length + 8);
  new DataView(buf.buffer).setBigUint64(0, BigInt(h.length), true);
  buf.set(h, 8);
  new DataView(buf.buffer).setFloat32(8 + h.length, 0.5, true);
  new DataView(buf.buffer).setFloat32(8 + h.length + 4, 3, true);
  const f = decodeSafetensors(buf, 'hand.safetensors');
  assert.equal(f.metadata, { format: 'pt' });
  assert.equal(f.tensors.get('w')!.shape, [1, 2]);
  assert.equal(Array.from(f.tensors.get('w')!.data), [0.5, 3]);
});

test('round trip, and clear errors for truncated or corrupt files', () => {
  const t = new Map([['x', { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }], ['y', { shape: [1], data: Float32Array.from([7]) }]]);
  const bytes = encodeSafetensors(t, { note: 'hi' });
  const back = decodeSafetensors(bytes, 'm.safetensors');
  assert.equal(Array.from(back.tensors.get('x')!.data), [1, 2, 3, 4, 5, 6]);
  assert.equal([...back.tensors.keys()], ['x', 'y']);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 5), 'm.safetensors'), /m.safetensors: file is 5 bytes, too short/);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 40), 'm.safetensors'), /m.safetensors: header claims \d+ bytes/);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'm.safetensors'), /m.safetensors: tensor 'y' lies at bytes \[24, 28\) but the data section has only 24 bytes/);
  const corrupt = bytes.slice();
  corrupt[9] = 0x7b; // '{' inside the JSON
  corrupt[10] = 0x7b;
  assert.throws(() => decodeSafetensors(corrupt, 'm.safetensors'), /header is not valid JSON/);
});

/** A file with this header (any JSON) and `dataBytes` bytes of data after it. */
function fileWith(header: unknown, dataBytes: number): Uint8Array {
  const h = Buffer.from(JSON.stringify(header));
  const buf = new Uint8Array(8 + h.length + dataBytes);
  new DataView(buf.buffer).setBigUint64(0, BigInt(h.length), true);
  buf.set(h, 8);
  return buf;
}

const f32 = (shape: unknown, offsets: unknown) => ({ dtype: 'F32', shape, data_offsets: offsets });

test('a header or an entry that is not an object is an error naming the file, not a TypeError', () => {
  for (const [header, message] of [
    [null, /bad.safetensors: header must be a JSON object of tensors, got null/],
    [[1, 2], /header must be a JSON object of tensors, got an array/],
    [7, /header must be a JSON object of tensors, got number 7/],
    [{ w: null }, /bad.safetensors: tensor 'w' must be an object \{dtype, shape, data_offsets\}, got null/],
    [{ w: 'F32' }, /tensor 'w' must be an object .*, got string "F32"/],
    [{ w: { shape: [1], data_offsets: [0, 4] } }, /tensor 'w' has unknown dtype undefined/],
    [{ __metadata__: null, w: f32([1], [0, 4]) }, /__metadata__ must be an object of strings, got null/],
    [{ __metadata__: { n: 1 }, w: f32([1], [0, 4]) }, /__metadata__ must be an object of strings/],
  ] as const) {
    assert.throws(() => decodeSafetensors(fileWith(header, 4), 'bad.safetensors'), message as RegExp);
  }
});

test('shapes and offsets must be non-negative integers', () => {
  for (const [entry, message] of [
    [f32(null, [0, 4]), /tensor 'w' has shape null: it must be an array of non-negative integers/],
    [f32('1', [0, 4]), /has shape "1": it must be an array/],
    [f32([-1], [0, 4]), /has shape \[-1\]/],
    [f32([0.5, 2], [0, 4]), /has shape \[0.5,2\]/],
    [f32([1], [0.5, 4.5]), /tensor 'w' has data_offsets \[0.5,4.5\]: they must be two non-negative integers/],
    [f32([1], [-4, 0]), /has data_offsets \[-4,0\]/],
    [f32([1], [0]), /has data_offsets \[0\]/],
    [f32([1], null), /has data_offsets null/],
  ] as const) {
    assert.throws(() => decodeSafetensors(fileWith({ w: entry }, 4), 'bad.safetensors'), message as RegExp);
  }
  // an empty tensor is fine
  assert.equal(decodeSafetensors(fileWith({ e: f32([0, 3], [0, 0]) }, 0), 'ok.safetensors').tensors.get('e')!.shape, [0, 3]);
});

test('the tensors must cover the data section exactly: no overlap, no hole, no trailing bytes', () => {
  const two = (a: unknown, b: unknown, bytes: number) => () => decodeSafetensors(fileWith({ a, b }, bytes), 'bad.safetensors');
  assert.throws(two(f32([2], [0, 8]), f32([1], [4, 8]), 8), /bad.safetensors: tensors 'a' and 'b' overlap: 'b' starts at byte 4, before 'a' ends at 8/);
  assert.throws(two(f32([1], [0, 4]), f32([1], [8, 12]), 12), /bytes \[4, 8\) of the data section belong to no tensor/);
  assert.throws(two(f32([1], [4, 8]), f32([1], [8, 12]), 12), /bytes \[0, 4\) of the data section belong to no tensor/);
  assert.throws(two(f32([1], [0, 4]), f32([1], [4, 8]), 12), /bytes \[8, 12\) at the end of the data section belong to no tensor \(trailing bytes\)/);
  assert.throws(() => decodeSafetensors(fileWith({}, 4), 'bad.safetensors'), /bytes \[0, 4\) at the end/);
  // out of order in the header is fine when they tile the data
  const f = decodeSafetensors(fileWith({ b: f32([1], [4, 8]), a: f32([1], [0, 4]) }, 8), 'ok.safetensors');
  assert.equal([...f.tensors.keys()], ['b', 'a']);
});

test.run();
