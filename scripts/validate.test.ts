import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { validateSettings } from './validate.ts';
import { DECODINGS } from '../train/fc_eval.ts';

test('each rule accepts its values and names the flag and the value otherwise', () => {
  const rules = { batch_size: 'positive integer', limit: 'non-negative integer', temperature: 'non-negative number', p: 'number from 0 to 1', decoding: DECODINGS } as const;
  validateSettings('predict', { batch_size: 1, limit: 0, temperature: 0, p: 1, decoding: 'copy' }, rules);
  const bad: Array<[object, RegExp]> = [
    [{ batch_size: 0 }, /^predict: --batch_size must be a positive integer, got 0$/],
    [{ batch_size: -3 }, /--batch_size must be a positive integer, got -3/],
    [{ batch_size: 2.5 }, /--batch_size must be a positive integer, got 2.5/],
    [{ limit: -1 }, /--limit must be a non-negative integer, got -1/],
    [{ temperature: -0.1 }, /--temperature must be a non-negative number, got -0.1/],
    [{ p: 1.5 }, /--p must be a number from 0 to 1, got 1.5/],
    [{ decoding: 'strict' }, /--decoding must be one of free, schema, copy, got 'strict'/],
  ];
  for (const [change, message] of bad) {
    assert.throws(() => validateSettings('predict', { batch_size: 1, limit: 0, temperature: 0, p: 1, decoding: 'copy', ...change }, rules), message);
  }
});

// No model exists at --out_dir: the error must be about the flag, so it came before any loading.
for (const [script, flag, message] of [
  ['predict', '--batch_size=0', /--batch_size must be a positive integer, got 0/],
  ['predict', '--decoding=strict', /--decoding must be one of/],
  ['eval', '--batch_size=-1', /--batch_size must be a positive integer, got -1/],
  ['eval', '--limit=-2', /--limit must be a non-negative integer, got -2/],
  ['sample', '--temperature=-1', /--temperature must be a non-negative number, got -1/],
  ['sample', '--top_k=1.5', /--top_k must be a non-negative integer, got 1.5/],
  ['sample', '--num_samples=0', /--num_samples must be a positive integer, got 0/],
  ['chat', '--max_new_tokens=0', /--max_new_tokens must be a positive integer, got 0/],
  ['chat', '--decoding=greedy', /--decoding must be one of/],
  ['chat', '--min_confidence=2', /--min_confidence must be a number from 0 to 1, got 2/],
] as const) {
  test(`${script} ${flag} fails at once, before reading a model or data`, () => {
    const extra = script === 'eval' ? ['--fc_file=/nonexistent/records.json'] : [];
    const r = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, '--out_dir=/nonexistent/model', ...extra, flag], { input: 'lock the doors\n', encoding: 'utf8', timeout: 30_000 });
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
}

test.run();
