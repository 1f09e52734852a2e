// npm run eval -- [--out_dir=out/finetune] (--fc_data_dir=DIR | --fc_file=FILE) [--limit=N (0: all)] [--batch_size=32] [--decoding=copy|schema|free] [--given_values=true]
// Exact-match accuracy of a fine-tuned model on data in the original format. --given_values also
// counts the commands whose given values the call has right, names ignored (train/fc_eval.ts
// givenValuesMatch): a measure for the original's train_incomplete file, whose names mislead.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { accuracyChart } from '../train/plot.ts';
import { parseArgs, printConfig, runMain } from './cli.ts';
import { validateSettings } from './validate.ts';
import { loadTrained } from '../train/load_trained.ts';
import { loadFcDir, loadFcFile } from '../data/loader.ts';
import { DECODINGS, evaluateRecords, formatMismatchKinds, formatReport, givenValuesMatch } from '../train/fc_eval.ts';
import type { Decoding } from '../train/fc_eval.ts';
import { Progress } from '../train/progress.ts';

// chart: where the per-function accuracy chart goes (default <out_dir>/eval.svg; 'none' writes none)
const defaults = { out_dir: 'out/finetune', fc_data_dir: '', fc_file: '', limit: 0, batch_size: 32, skip_bad: false, show_errors: 5, decoding: 'copy' as Decoding, chart: '', given_values: false };

runMain(() => {
  const cfg = parseArgs(defaults);
  validateSettings('eval', cfg, { batch_size: 'positive integer', limit: 'non-negative integer', show_errors: 'non-negative integer', decoding: DECODINGS });
  if ((cfg.fc_data_dir === '') === (cfg.fc_file === '')) throw new Error('eval: give exactly one of --fc_data_dir=DIR (its validation files) or --fc_file=FILE');
  printConfig('eval', cfg);
  let records;
  if (cfg.fc_file !== '') {
    records = loadFcFile(cfg.fc_file, cfg.skip_bad).records;
    if (records.length === 0) throw new Error(`eval: ${cfg.fc_file} has no records`);
  } else {
    const d = loadFcDir(cfg.fc_data_dir, cfg.skip_bad, false);
    if (d.valFiles.length === 0) throw new Error(`eval: ${cfg.fc_data_dir} has no *val*.json or *test*.json file of records`);
    if (d.val.length === 0) throw new Error(`eval: ${d.valFiles.join(', ')} ${d.valFiles.length === 1 ? 'has' : 'have'} no records`);
    records = d.val;
  }
  if (cfg.limit > 0) records = records.slice(0, cfg.limit);
  const { model, tokenizer } = loadTrained(cfg.out_dir);
  const progress = new Progress(records.length, 'eval');
  const t0 = performance.now();
  const report = evaluateRecords(model, tokenizer, records, { batchSize: cfg.batch_size, decoding: cfg.decoding, onProgress: (done) => progress.update(done, '') });
  progress.done();
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\n${formatReport(report)}\n`);
  console.log(`exact match: ${report.exact}/${report.n} = ${(100 * report.exactAccuracy).toFixed(1)}%, function name: ${(100 * report.nameAccuracy).toFixed(1)}% (${seconds.toFixed(1)}s, ${(report.n / seconds).toFixed(1)} commands/s)`);
  if (cfg.given_values) {
    const given = report.rows.filter((r) => givenValuesMatch(r.expected, r.call)).length;
    console.log(`given values right (names ignored): ${given}/${report.n} = ${((100 * given) / report.n).toFixed(1)}%`);
  }
  if (cfg.chart !== 'none') {
    const chartPath = cfg.chart === '' ? join(cfg.out_dir, 'eval.svg') : cfg.chart;
    const bars = [...report.perFunction].sort(([a], [b]) => a.localeCompare(b)).map(([label, f]) => ({ label, n: f.n, exact: f.exact / f.n, name: f.name / f.n }));
    bars.push({ label: 'all', n: report.n, exact: report.exactAccuracy, name: report.nameAccuracy });
    writeFileSync(chartPath, accuracyChart(`${cfg.fc_file !== '' ? basename(cfg.fc_file) : cfg.fc_data_dir}: exact match per function (${cfg.decoding} decoding)`, bars));
    console.log(`per-function chart: ${chartPath}`);
  }
  if (report.exact < report.n) console.log(`\nmismatches by kind (+key added, -key left out, ~key wrong value):\n${formatMismatchKinds(report.rows)}`);
  const errors = report.rows.filter((r) => !r.ok).slice(0, cfg.show_errors);
  if (errors.length > 0) {
    console.log(`\nfirst ${errors.length} mismatches:`);
    for (const e of errors) console.log(`  ${e.user}\n    expected  ${JSON.stringify(e.expected)}\n    predicted ${e.call === null ? e.raw.trim() : JSON.stringify(e.call)}`);
  }
});
