// Where the model looks: the attention probabilities of every head, for one sequence.
//
// The forward pass below is the model's own (embeddings, then each Block), run one block at a
// time so that before each block we can recompute its attention weights from its input:
//   h = ln_1(x);  q, k = heads of c_attn(h);  p[t, s] = softmax_s(q_t . k_s / sqrt(D)), s <= t
// The fused kernels never keep p (backward recomputes what it needs), so this is the one place
// that writes it down.
import { noGrad, ops } from '../engine/index.ts';
import type { GPT } from './gpt.ts';

/** probs[layer][head] is a (T, T) row-major matrix: row t sums to 1 over columns 0..t. */
export interface AttentionMaps {
  T: number;
  probs: Float32Array[][];
}

export function attentionMaps(model: GPT, ids: number[]): AttentionMaps {
  const T = ids.length;
  if (T === 0 || T > model.config.block_size) throw new Error(`attentionMaps: need 1 to ${model.config.block_size} tokens, got ${T}`);
  const H = model.config.n_head;
  const D = model.config.n_embd / H;
  return noGrad(() => {
    const idx = Int32Array.from(ids);
    const pos = Int32Array.from({ length: T }, (_, i) => i);
    let x = ops.add(ops.embedding(model.wte, idx, [1, T]), ops.embedding(model.wpe, pos, [1, T]));
    const probs: Float32Array[][] = [];
    for (const block of model.h) {
      const [q, k] = block.attn.headsQKV(block.ln_1.forward(x)); // (1, H, T, D) each, contiguous
      const layer: Float32Array[] = [];
      for (let h = 0; h < H; h++) {
        const p = new Float32Array(T * T);
        const qh = q.data.subarray(h * T * D, (h + 1) * T * D);
        const kh = k.data.subarray(h * T * D, (h + 1) * T * D);
        for (let t = 0; t < T; t++) {
          let max = -Infinity;
          for (let s = 0; s <= t; s++) {
            let dot = 0;
            for (let d = 0; d < D; d++) dot += qh[t * D + d] * kh[s * D + d];
            p[t * T + s] = dot / Math.sqrt(D);
            max = Math.max(max, p[t * T + s]);
          }
          let sum = 0;
          for (let s = 0; s <= t; s++) sum += p[t * T + s] = Math.exp(p[t * T + s] - max);
          for (let s = 0; s <= t; s++) p[t * T + s] /= sum;
        }
        layer.push(p);
      }
      probs.push(layer);
      x = block.forward(x, false);
    }
    return { T, probs };
  });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * One heatmap per head of `layer`: a row for each token the model wrote (rows from..T-1), a
 * column for each token it could look at (cols from colFrom), darker = more attention.
 */
export function attentionSvg(maps: AttentionMaps, labels: string[], layer: number, rowFrom: number, colFrom: number, title: string): string {
  const heads = maps.probs[layer];
  const rows = Array.from({ length: maps.T - rowFrom }, (_, i) => rowFrom + i);
  const cols = Array.from({ length: maps.T - colFrom }, (_, i) => colFrom + i);
  const cell = 11;
  const labelW = 150;
  const labelH = 110;
  const gap = 24;
  const mapW = cols.length * cell;
  const mapH = 24 + labelH + rows.length * cell;
  // two heads side by side, as many rows of them as it takes
  const perRow = Math.min(2, heads.length);
  const width = perRow * (labelW + mapW + gap);
  const height = 16 + Math.ceil(heads.length / perRow) * (mapH + gap);
  const show = (s: string) => esc(s.replace(/\n/g, '\\n').slice(0, 22));
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="9">`, `<rect width="${width}" height="${height}" fill="white"/>`];
  out.push(`<text x="8" y="18" font-family="sans-serif" font-size="13">${esc(title)}</text>`);
  heads.forEach((p, h) => {
    const x0 = (h % perRow) * (labelW + mapW + gap) + labelW;
    const y0 = 16 + Math.floor(h / perRow) * (mapH + gap) + 24 + labelH; // the map's top edge
    out.push(`<text x="${x0}" y="${y0 - labelH - 6}" font-family="sans-serif" font-size="11">layer ${layer + 1}, head ${h + 1}</text>`);
    rows.forEach((t, r) => out.push(`<text x="${x0 - 4}" y="${y0 + r * cell + 8}" text-anchor="end">${show(labels[t])}</text>`));
    cols.forEach((s, c) => out.push(`<text transform="translate(${x0 + c * cell + 8} ${y0 - 4}) rotate(-60)">${show(labels[s])}</text>`));
    rows.forEach((t, r) => cols.forEach((s, c) => {
      const v = s <= t ? p[t * maps.T + s] : 0;
      const shade = Math.round(255 * (1 - Math.sqrt(v))); // sqrt: small weights stay visible
      out.push(`<rect x="${x0 + c * cell}" y="${y0 + r * cell}" width="${cell - 1}" height="${cell - 1}" fill="rgb(${shade},${shade},255)"><title>${show(labels[t])} -> ${show(labels[s])}: ${v.toFixed(3)}</title></rect>`);
    }));
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
