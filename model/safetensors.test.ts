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

test.run();
