// A safetensors file from disk (Node): the format itself is model/safetensors.ts, bytes only.
import { readFileSync } from 'node:fs';
import { decodeSafetensors } from './safetensors.ts';
import type { SafetensorsFile } from './safetensors.ts';

export function readSafetensors(path: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new Error(`safetensors: cannot read ${path}: ${(e as Error).message}`);
  }
  return decodeSafetensors(buf, path);
}
