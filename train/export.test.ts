import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '../engine/index.ts';
import { FcDataset } from '../data/dataset.ts';
import { generateRecords } from '../data/generator.ts';
import { readTokenBin, metaPickle } from '../data/export_nanogpt.ts';
import { hfVocab } from '../data/export_hf_tokenizer.ts';
import { GPT } from '../model/gpt.ts';
import type { GPTConfig } from '../model/config.ts';
import { saveCheckpoint } from '../model/checkpoint.ts';
import { readSafetensors } from '../model/safetensors_file.ts';
import { tokenizerFingerprint, trainFcTokenizer } from './fc_data.ts';
import { saveTokenizer } from '../data/tokenizer_file.ts';
import { runExport } from './export.ts';

// A checkpoint made by hand, as fine-tuning with LoRA leaves one: model, adapters, tokenizer,
// and a train_config naming the records it read.
const root = mkdtempSync(join(tmpdir(), 'export-'));
const dataDir = join(root, 'data');
const ckpt = join(root, 'model');
const trainRecords = generateRecords(40, 'export/train');
const valRecords = generateRecords(10, 'export/val');
mkdirSync(dataDir);
writeFileSync(join(dataDir, 'fc_generated_train.json'), JSON.stringify(trainRecords));
writeFileSync(join(dataDir, 'fc_generated_val.json'), JSON.stringify(valRecords));
const tok = trainFcTokenizer(trainRecords, 400);
const cfg: GPTConfig = { block_size: 96, vocab_size: tok.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, dropout: 0, bias: true };
manualSeed(11);
const model = new GPT(cfg);
model.applyLora({ targets: ['c_attn', 'c_fc'], rank: 2, alpha: 4, dropout: 0 });
for (const t of model.namedAdapters().values()) t.data.forEach((_, i, a) => (a[i] = Math.sin(i + a.length))); // B != 0: merging changes the weights
mkdirSync(ckpt);
saveTokenizer(tok, join(ckpt, 'tokenizer.json'));
saveCheckpoint(ckpt, model, null, {
  model_config: cfg, iter_num: 7, best_val_loss: 1, tokenizer: 'tokenizer.json', tokenizer_sha256: tokenizerFingerprint(tok),
  train_config: { fc_data_dir: dataDir, seed: 5, val_fraction: 0.1, batch_size: 8, learning_rate: 3e-3, optimizer: 'muon' },
});
model.mergeLora(true);
const merged = model.namedParameters();

const exportCli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

const nonEmpty = join(root, 'full');
mkdirSync(nonEmpty);
writeFileSync(join(nonEmpty, 'x'), '');
for (const [args, message] of [
  [[`--out_dir=${ckpt}`, `--dest=${root}/a`], /^error: export: --format must be one of hf, nanogpt, got ""$/],
  [[`--out_dir=${ckpt}`, '--format=onnx', `--dest=${root}/a`], /--format must be one of hf, nanogpt, got 'onnx'/],
  [['--out_dir=/nonexistent/model', '--format=hf', `--dest=${root}/a`], /--out_dir=\/nonexistent\/model holds no checkpoint.json/],
  [[`--out_dir=${ckpt}`, '--format=hf'], /--dest=DIR must name the directory/],
  [[`--out_dir=${ckpt}`, '--format=hf', `--dest=${nonEmpty}`], /--dest=.*full exists and is not an empty directory/],
  [[`--out_dir=${ckpt}`, '--format=nanogpt', `--dest=${root}/a`, '--fc_data_dir=/nonexistent/data'], /--fc_data_dir=\/nonexistent\/data does not exist/],
  [[`--out_dir=${ckpt}`, '--format=hf', `--dest=${root}/a`, '--dtype=f16'], /unknown key 'dtype'/],
] as const) {
  test(`export ${args.slice(1).join(' ')}: one error line, nothing written`, () => {
    const r = exportCli([...args]);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr.trim(), message);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.not.ok(existsSync(join(root, 'a')), 'no dest made');
    assert.equal(readdirSync(nonEmpty), ['x']);
  });
}

test('--format=hf: the files from_pretrained reads, LoRA merged, Conv1D weights transposed, a line per file', () => {
  const dest = join(root, 'hf');
  const r = exportCli([`--out_dir=${ckpt}`, '--format=hf', `--dest=${dest}`]);
  assert.is(r.status, 0, r.stderr);
  const files = ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json'];
  assert.equal(readdirSync(dest).sort(), [...files].sort());
  for (const f of files) assert.match(r.stdout, `wrote ${join(dest, f)}`);
  assert.match(r.stdout, /LoRA adapters \(rank 2 on c_attn, c_fc\) merged into the weights/);
  const config = JSON.parse(readFileSync(join(dest, 'config.json'), 'utf8'));
  assert.equal([config.vocab_size, config.n_positions, config.n_layer, config.eos_token_id], [tok.vocabSize, 96, 1, tok.specialId('<|endoftext|>')]);
  const weights = readSafetensors(join(dest, 'model.safetensors'));
  const hf = weights.tensors.get('transformer.h.0.mlp.c_fc.weight')!;
  const ours = merged.get('transformer.h.0.mlp.c_fc.weight')!;
  assert.equal(hf.shape, [16, 64]);
  assert.is(hf.data[3 * 64 + 5], ours.data[5 * 16 + 3], 'W_hf[in, out] = W_ours[out, in] of the merged weight');
  assert.equal(Array.from(weights.tensors.get('transformer.wte.weight')!.data), Array.from(model.wte.data));
  const vocab = JSON.parse(readFileSync(join(dest, 'tokenizer.json'), 'utf8')).model.vocab;
  assert.equal(vocab, hfVocab(tok.toJSON()));
  assert.equal(JSON.parse(readFileSync(join(dest, 'vocab.json'), 'utf8')), vocab);
});

test('--format=nanogpt: train.bin and val.bin hold the examples ids, meta.pkl the vocab size, the weights nanoGPT names', () => {
  const dest = join(root, 'fc-export');
  const log: string[] = [];
  runExport({ out_dir: ckpt, format: 'nanogpt', dest, fc_data_dir: '' }, (l) => log.push(l));
  assert.equal(readdirSync(dest).sort(), ['README.txt', 'meta.pkl', 'model.safetensors', 'to_ckpt.py', 'train.bin', 'train_config.py', 'val.bin']);
  const ds = new FcDataset(tok, trainRecords, valRecords, cfg.block_size);
  const expected = (split: 'train' | 'val') => ds[split].flatMap((e) => Array.from(e.ids));
  assert.equal(Array.from(readTokenBin(readFileSync(join(dest, 'train.bin')))), expected('train'));
  assert.equal(Array.from(readTokenBin(readFileSync(join(dest, 'val.bin')))), expected('val'));
  assert.ok(ds.train.length > 20, 'most examples fit the block');
  assert.equal(Array.from(readFileSync(join(dest, 'meta.pkl'))), Array.from(metaPickle(tok.vocabSize)));
  const weights = readSafetensors(join(dest, 'model.safetensors')).tensors;
  assert.equal([...weights.keys()], [...merged.keys(), 'lm_head.weight']);
  assert.equal(Array.from(weights.get('transformer.h.0.attn.c_attn.weight')!.data), Array.from(merged.get('transformer.h.0.attn.c_attn.weight')!.data));
  const config = readFileSync(join(dest, 'train_config.py'), 'utf8');
  for (const line of ['dataset = "fc-export"', 'init_from = "resume"', 'n_embd = 16', 'block_size = 96', 'bias = True', 'batch_size = 8', 'learning_rate = 0.003', 'dropout = 0.0']) assert.ok(config.includes(line), line);
  const toCkpt = readFileSync(join(dest, 'to_ckpt.py'), 'utf8');
  assert.ok(toCkpt.includes(`model_args = dict(n_layer=1, n_head=2, n_embd=16, block_size=96, bias=True, vocab_size=${tok.vocabSize}, dropout=0.0)`));
  assert.match(readFileSync(join(dest, 'README.txt'), 'utf8'), `train: ${ds.train.length} examples, ${expected('train').length} tokens`);
  assert.ok(log.some((l) => l.startsWith(`wrote ${join(dest, 'train.bin')}`)), log.join('\n'));
});

test.run();
