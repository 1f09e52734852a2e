// Cross-entropy from logits, one row per position, targets of -1 ignored:
//
//   loss_r = logsumexp(x_r) - x_r[t_r]             (max subtracted first: finite for any logits)
//   dx_r   = softmax(x_r) - onehot(t_r)

export function crossEntropyForward(logits: Float32Array, targets: Int32Array, rows: number, V: number): [number, number] {
  let sum = 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === -1) continue;
    if (t < 0 || t >= V) throw new Error(`crossEntropy: target ${t} at row ${r} is outside [0, ${V}) (use -1 to ignore a position)`);
    const o = r * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (logits[o + j] > max) max = logits[o + j];
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[o + j] - max);
    sum += Math.log(s) + max - logits[o + t];
    count++;
  }
  return [sum, count];
}

export function crossEntropyBackward(logits: Float32Array, targets: Int32Array, dlogits: Float32Array, rows: number, V: number, scale: number): void {
  const e = new Float64Array(V); // exp(x - max) of one row, computed once
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === -1) continue;
    const o = r * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (logits[o + j] > max) max = logits[o + j];
    let s = 0;
    for (let j = 0; j < V; j++) s += e[j] = Math.exp(logits[o + j] - max);
    const k = scale / s;
    for (let j = 0; j < V; j++) dlogits[o + j] += k * e[j];
    dlogits[o + t] -= scale;
  }
}
