// The page's Node side: bundle web/ with esbuild (the same engine/, model/, data/ and train/
// modules Node runs), and serve it with node:http beside a checkpoint directory's files, or write
// it all as a static folder. Used by `npm run demo` (scripts/demo.ts) and the browser test.
//
// Served with the two cross-origin isolation headers (COOP/COEP), so the page may use
// SharedArrayBuffer, as the Node trainer's threads do.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCheckpointInfo } from '../model/checkpoint_info.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The page's files by URL path: index.html, main.js, learn_worker.js and their shared chunks. */
export async function buildPage(): Promise<Map<string, Uint8Array>> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'web/main.ts', learn_worker: 'web/learn_worker.ts' },
    bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'chrome114',
    outdir: 'page', write: false, sourcemap: 'linked', logLevel: 'silent',
    chunkNames: 'chunks/[name]-[hash]',
  });
  const files = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) files.set(`/${f.path.slice(join(ROOT, 'page').length + 1)}`, f.contents);
  files.set('/index.html', readFileSync(join(ROOT, 'web', 'index.html')));
  return files;
}

/** The files of a checkpoint directory the page fetches (checkpoint.json names its tokenizer; LoRA adds two). */
export function checkpointFileNames(dir: string): string[] {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) return [];
  const info = parseCheckpointInfo(readFileSync(path, 'utf8'), path);
  const names = ['checkpoint.json', 'model.safetensors', info.tokenizer ?? 'tokenizer.json'];
  if (info.lora) names.push('adapter_config.json', 'adapter_model.safetensors');
  return names.filter((n) => existsSync(join(dir, n)));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json', '.json': 'application/json', '.safetensors': 'application/octet-stream',
};
const typeOf = (path: string) => TYPES[/\.[a-z]+$/.exec(path)?.[0] ?? ''] ?? 'application/octet-stream';

export interface RunningSite {
  url: string;
  server: Server;
  close: () => Promise<void>;
}

/** Serve the page and, under /checkpoint/, the checkpoint's files (read when asked for, so a new save is served). */
export function servePage(page: Map<string, Uint8Array>, checkpointDir: string, port: number, host = '127.0.0.1'): Promise<RunningSite> {
  const names = new Set(checkpointFileNames(checkpointDir));
  const server = createServer((req, res) => {
    const asked = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const path = asked === '/' ? '/index.html' : asked;
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    const name = path.startsWith('/checkpoint/') ? path.slice('/checkpoint/'.length) : null;
    let body: Uint8Array | undefined;
    if (name !== null) body = names.has(name) ? readFileSync(join(checkpointDir, name)) : undefined;
    else body = page.get(path);
    if (body === undefined) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': typeOf(path), 'Content-Length': body.length }).end(body);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'EADDRINUSE' ? `demo: port ${port} is in use: choose another with --port=N` : `demo: cannot serve on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      resolvePromise({ url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}/`, server, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/**
 * The page and the checkpoint as a static folder, for any web server. Without COOP/COEP headers
 * the page runs as well (it needs no SharedArrayBuffer), but a server that sends them is better.
 */
export function writeStaticSite(page: Map<string, Uint8Array>, checkpointDir: string, dest: string): string[] {
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new Error(`demo: --build=${dest} must be new or empty`);
  const written: string[] = [];
  for (const [path, bytes] of page) {
    const to = join(dest, path);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, bytes);
    written.push(to);
  }
  mkdirSync(join(dest, 'checkpoint'), { recursive: true });
  for (const name of checkpointFileNames(checkpointDir)) {
    copyFileSync(join(checkpointDir, name), join(dest, 'checkpoint', name));
    written.push(join(dest, 'checkpoint', name));
  }
  return written;
}
