// Embedding lookup: out[..., :] = weight[idx[...], :].  Backward scatter-adds rows of the
// gradient into the rows that were read (a token seen twice gets both contributions).
import { Tensor } from '../tensor.ts';
import { shapeStr } from '../shape.ts';
import { floatsToOverwrite } from '../step_buffers.ts';

export function embedding(weight: Tensor, idx: Int32Array | number[], idxShape?: number[]): Tensor {
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-d (rows, dim), got ${shapeStr(weight.shape)}`);
  const ids = idx instanceof Int32Array ? idx : Int32Array.from(idx);
  const shape = idxShape ?? [ids.length];
  if (shape.reduce((a, b) => a * b, 1) !== ids.length) throw new Error(`embedding: ${ids.length} ids do not fill shape ${shapeStr(shape)}`);
  const [V, C] = weight.shape;
  const data = floatsToOverwrite(ids.length * C);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < V)) throw new Error(`embedding: id ${id} at position ${i} is outside the table of ${V} rows`);
    data.set(weight.data.subarray(id * C, (id + 1) * C), i * C);
  }
  return Tensor.fromOp('embedding', data, [...shape, C], [weight], (out) => {
    const g = out.grad!;
    const gw = weight.gradBuffer();
    for (let i = 0; i < ids.length; i++) {
      const row = ids[i] * C;
      for (let c = 0; c < C; c++) gw[row + c] += g[i * C + c];
    }
  });
}
