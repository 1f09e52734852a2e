// Load function-calling data in the original project's format from a directory, like its
// train.py: every *train*.json is training data, every *test*.json / *val*.json validation.
// Two differences keep other JSON files out. The word must start a word of the name, so
// constraints.json ("cons-train-ts") or interval.json are no data files, while the original's
// fc_data_user_commands-train_incomplete.json, train.json or my_val.json are. And a file whose
// JSON is not an array (a config such as train_config.json) is passed over. Every other .json
// file (function_config.json, tokenizer.json) is listed as ignored, with the reason.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FcRecord } from './format.ts';
import { parseFunctionCall } from './format.ts';

export interface LoadedData {
  train: FcRecord[];
  val: FcRecord[];
  trainFiles: string[];
  valFiles: string[];
  /** the directory's other .json files, and why each was not read as records */
  ignoredFiles: Array<{ file: string; reason: string }>;
  /** records skipped as malformed (only with skipBad) */
  skipped: number;
}

/** Why a record is malformed, or null when it is fine. */
export function recordProblem(r: unknown): string | null {
  if (r === null || typeof r !== 'object') return 'not an object';
  const rec = r as Record<string, unknown>;
  for (const key of ['system', 'user', 'assistant']) {
    if (typeof rec[key] !== 'string') return `field '${key}' is missing or not a string`;
  }
  if (!(rec.user as string).includes('<|im_start|>user')) return "field 'user' lacks <|im_start|>user";
  if (!(rec.assistant as string).startsWith('<|im_start|>assistant\n')) return "field 'assistant' does not start with <|im_start|>assistant";
  if (parseFunctionCall(rec.assistant as string) === null) return "field 'assistant' holds no parsable <functioncall>";
  return null;
}

/** A file's JSON, a UTF-8 byte order mark at its start dropped (editors on Windows write one). */
function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Error(`loader: ${path} is not readable JSON (${(e as Error).message})`);
  }
}

/** Records of parsed file data; a malformed record is an error naming the file and index unless skipBad. */
function readRecords(path: string, data: unknown, skipBad: boolean): { records: FcRecord[]; skipped: number } {
  if (!Array.isArray(data)) throw new Error(`loader: ${path} must hold a JSON array of {system, user, assistant} records`);
  const records: FcRecord[] = [];
  let skipped = 0;
  data.forEach((r, i) => {
    const problem = recordProblem(r);
    if (problem === null) records.push(r as FcRecord);
    else if (skipBad) skipped++;
    else throw new Error(`loader: ${path} record ${i}: ${problem} (use --skip_bad=true to skip such records)`);
  });
  return { records, skipped };
}

/** Read one file of records; a malformed record is an error naming the file and index unless skipBad. */
export function loadFcFile(path: string, skipBad = false): { records: FcRecord[]; skipped: number } {
  return readRecords(path, readJson(path), skipBad);
}

/** Does `word` start a word of the file name (not preceded by a letter)? train.json, a-train_b.json; not constraints.json. */
function nameHas(name: string, word: string): boolean {
  return new RegExp(`(^|[^a-z])${word}`, 'i').test(name);
}

/** Which split a .json file's name puts it in; null for neither. */
export function splitOfName(name: string): 'train' | 'val' | null {
  if (nameHas(name, 'train')) return 'train';
  if (nameHas(name, 'test') || nameHas(name, 'val')) return 'val';
  return null;
}

/** A directory's records by file name (see the top); `needTrain` false for evaluation, which reads only the val/test files. */
export function loadFcDir(dir: string, skipBad = false, needTrain = true): LoadedData {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && statSync(join(dir, n)).isFile()).sort();
  } catch (e) {
    throw new Error(`loader: cannot read directory ${dir}: ${(e as Error).message}`);
  }
  const out: LoadedData = { train: [], val: [], trainFiles: [], valFiles: [], ignoredFiles: [], skipped: 0 };
  for (const name of names) {
    const file = join(dir, name);
    if (name === 'tokenizer.json') continue; // the directory's tokenizer, read by the training stages themselves
    const split = splitOfName(name);
    if (split === null) {
      const reason = /train|test|val/i.test(name) ? 'train, test or val only inside a word of its name' : 'no train, test or val in its name';
      out.ignoredFiles.push({ file, reason });
      continue;
    }
    const data = readJson(file);
    if (!Array.isArray(data)) {
      out.ignoredFiles.push({ file, reason: 'not a JSON array of records' });
      continue;
    }
    const { records, skipped } = readRecords(file, data, skipBad);
    (split === 'train' ? out.train : out.val).push(...records);
    (split === 'train' ? out.trainFiles : out.valFiles).push(file);
    out.skipped += skipped;
  }
  const ignored = out.ignoredFiles.length > 0 ? ` (ignored: ${out.ignoredFiles.map((f) => `${f.file}: ${f.reason}`).join('; ')})` : '';
  if (!needTrain) return out;
  if (out.trainFiles.length === 0) throw new Error(`loader: no *train*.json file of records in ${dir}${ignored}`);
  if (out.train.length === 0) throw new Error(`loader: ${out.trainFiles.join(', ')} ${out.trainFiles.length === 1 ? 'has' : 'have'} no records${out.skipped > 0 ? ` (${out.skipped} malformed skipped)` : ''}`);
  return out;
}
