import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { concatStreams, metaPickle, readTokenBin, tokenBin } from './export_nanogpt.ts';

test('token ids round-trip through uint16 little-endian bytes; an id past 65535 is an error', () => {
  const ids = [0, 1, 255, 256, 2047, 65535];
  const bytes = tokenBin(ids);
  assert.equal(Array.from(bytes.subarray(0, 8)), [0, 0, 1, 0, 255, 0, 0, 1], 'low byte first');
  assert.equal(Array.from(readTokenBin(bytes)), ids);
  assert.throws(() => tokenBin([3, 65536]), /token id 65536 at position 1 does not fit/);
  assert.throws(() => tokenBin([-1]), /token id -1/);
});

test('examples are joined into one stream, in order', () => {
  assert.equal(Array.from(concatStreams([[1, 2], [], [3], Int32Array.from([4, 5])])), [1, 2, 3, 4, 5]);
});

/** Just enough of Python's unpickler for what meta.pkl holds: a dict of str keys and int values. */
function unpickle(b: Uint8Array): Record<string, number> {
  const stack: unknown[] = [];
  const u32 = (i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
  let i = 0;
  if (b[i++] !== 0x80) throw new Error('no PROTO');
  i++; // the protocol number
  for (;;) {
    const op = String.fromCharCode(b[i++]);
    if (op === '}') stack.push({});
    else if (op === 'q') i++; // BINPUT: memo slot, unused here
    else if (op === 'X') {
      const n = u32(i);
      stack.push(Buffer.from(b.subarray(i + 4, i + 4 + n)).toString('utf8'));
      i += 4 + n;
    } else if (op === 'K') stack.push(b[i++]);
    else if (op === 'M') (stack.push(b[i] | (b[i + 1] << 8)), (i += 2));
    else if (op === 'J') (stack.push(u32(i)), (i += 4));
    else if (op === 's') {
      const value = stack.pop() as number;
      const key = stack.pop() as string;
      (stack[stack.length - 1] as Record<string, number>)[key] = value;
    } else if (op === '.') return stack.pop() as Record<string, number>;
    else throw new Error(`opcode ${op}`);
  }
}

test("meta.pkl is byte for byte Python's pickle.dumps({'vocab_size': N}, protocol=2) and parses back", () => {
  // printed by /usr/bin/python3 -c "import pickle; print(pickle.dumps({'vocab_size': 2048}, protocol=2))" (and 200, 70000)
  const python: Array<[number, string]> = [
    [2048, '\x80\x02}q\x00X\n\x00\x00\x00vocab_sizeq\x01M\x00\x08s.'],
    [200, '\x80\x02}q\x00X\n\x00\x00\x00vocab_sizeq\x01K\xc8s.'],
    [70000, '\x80\x02}q\x00X\n\x00\x00\x00vocab_sizeq\x01Jp\x11\x01\x00s.'],
  ];
  for (const [n, bytes] of python) {
    const ours = metaPickle(n);
    assert.equal(Array.from(ours), Array.from(bytes, (c) => c.charCodeAt(0)), `vocab_size ${n}`);
    assert.equal(unpickle(ours), { vocab_size: n });
  }
  assert.throws(() => metaPickle(-1), /not an int meta.pkl can hold/);
});

test.run();
