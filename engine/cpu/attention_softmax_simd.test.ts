import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { attentionSoftmaxSimdAvailable, causalSoftmaxRows, causalSoftmaxBackwardRows } from './attention_softmax_simd.ts';
import { softmaxCausalRow, softmaxBackwardRow } from './attention.ts';
import { makeRng } from '../random.ts';

const rng = makeRng('attention-softmax-simd-test');
const randomArray = (n: number, lo: number, hi: number) => new Float32Array(n).map(() => lo + rng() * (hi - lo));

// (rows, Tk): a full causal head, rows not a multiple of 4 wide (the module pads them), a head
// whose queries come after a prefix of keys (Tk > rows), one row, one key
const shapes: Array<[number, number]> = [[128, 128], [37, 37], [5, 41], [12, 40], [1, 3], [9, 9], [1, 1]];

test('the CPU kernels run the attention softmax in WebAssembly SIMD here', () => {
  assert.ok(attentionSoftmaxSimdAvailable);
});

test('causal softmax in SIMD: the loops\' probabilities to 1e-6 relative, exactly 0 past each row\'s keys, however large the scores there', () => {
  for (const [rows, Tk] of shapes) {
    const offset = Tk - rows;
    const s = randomArray(rows * Tk, -6, 6);
    // the future's scores far above the rest: a mask that let one lane through would show
    for (let i = 0; i < rows; i++) for (let j = i + offset + 1; j < Tk; j++) s[i * Tk + j] = 1e4;
    const [want, got] = [s.slice(), s.slice()];
    for (let i = 0; i < rows; i++) softmaxCausalRow(want, i * Tk, i + offset, Tk, 0.2);
    assert.ok(causalSoftmaxRows(got, rows, Tk, offset + 1, 0.2));
    for (let i = 0; i < rows * Tk; i++) {
      if (want[i] === 0) assert.is(got[i], 0, `(${rows}, ${Tk}) [${i}] past the row's keys`);
      else assert.ok(Math.abs(got[i] - want[i]) <= 1e-6 * want[i], `(${rows}, ${Tk}) [${i}]: ${got[i]}, want ${want[i]}`);
    }
  }
});

test('causal softmax backward in SIMD: the loops\' dS to 1e-6 of the largest, exactly 0 past each row\'s keys', () => {
  for (const [rows, Tk] of shapes) {
    const offset = Tk - rows;
    const p = randomArray(rows * Tk, -3, 3);
    for (let i = 0; i < rows; i++) softmaxCausalRow(p, i * Tk, i + offset, Tk, 0.5);
    const g = randomArray(rows * Tk, -2, 2);
    const [want, got] = [g.slice(), g.slice()];
    for (let i = 0; i < rows; i++) softmaxBackwardRow(p, i * Tk, want, i * Tk, i + offset, Tk, 0.5);
    assert.ok(causalSoftmaxBackwardRows(p, got, rows, Tk, offset + 1, 0.5));
    const largest = want.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    assert.ok(largest > 0 || Tk === 1, 'dS is not all zeros (with one key it is: P = 1)');
    for (let i = 0; i < rows * Tk; i++) {
      if (want[i] === 0) assert.is(got[i], 0, `(${rows}, ${Tk}) [${i}] past the row's keys`);
      else assert.ok(Math.abs(got[i] - want[i]) <= 1e-6 * largest, `(${rows}, ${Tk}) [${i}]: ${got[i]}, want ${want[i]}`);
    }
  }
});

test.run();
