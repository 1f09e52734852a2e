// Float32Arrays for one forward + backward, reused by the next.
//
// A fine-tuning shard of the walkthrough allocates ~30 MB of activations, their gradients and
// temporaries, and all of them are dead when its gradients have been read out. V8 keeps typed
// arrays' memory outside its heap and frees it only in a full garbage collection, which it starts
// whenever another 64 MB have been allocated out there: a couple of mark-compacts a step, about 8%
// of its time (bench/RESULTS.md). So inside withStepBuffers(fn) the ops take their arrays from a
// pool (floats(n)), and when fn returns every array it took goes back to the pool for the next
// call. Outside it, floats(n) is new Float32Array(n), and nothing changes. The pool settles at a
// few shards' worth (73 MB per thread for the walkthrough's fine-tuning, measured over 145 steps).
//
// The one rule that makes it safe: nothing that fn allocated is read after fn returns. The
// trainer's shard (train/step.ts) keeps it: it reads the loss and copies the parameters' gradients
// out before it returns. Parameters (leaf tensors) never get pooled gradients (Tensor.gradBuffer).

/** Free arrays by capacity, and the arrays taken since withStepBuffers began. */
interface Pool {
  free: Map<number, Float32Array[]>;
  taken: Float32Array[];
}

let active: Pool | null = null;
/** kept between calls, so the second step reuses the first one's arrays */
const pool: Pool = { free: new Map(), taken: [] };

/** Smallest capacity of the form m * 2^e (m in 8..15) that holds n: at most 1/8 wasted, few sizes. */
export function capacityFor(n: number): number {
  if (n <= 16) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/** n zeros, like new Float32Array(n); inside withStepBuffers, from the pool. */
export function floats(n: number): Float32Array {
  const { array, fresh } = take(n);
  return fresh ? array : array.fill(0); // a reused array holds what the last shard left in it
}

/**
 * n floats that the caller writes every one of before reading any: an op's output that its
 * kernel fills in whole. Inside withStepBuffers a reused array is not zeroed first, a pass that
 * costs as much as a cheap kernel (a matmul's output, attention's probabilities). An element left
 * unwritten would hold the last shard's numbers: the pool's test compares gradients with and
 * without it, bit for bit.
 */
export function floatsToOverwrite(n: number): Float32Array {
  return take(n).array;
}

/** An array of n floats: from the pool inside withStepBuffers (fresh: false), else new (zeros). */
function take(n: number): { array: Float32Array; fresh: boolean } {
  if (active === null || n < 64) return { array: new Float32Array(n), fresh: true };
  const cap = capacityFor(n);
  // a free array of n's capacity, else of one of the next few (up to ~1.7x): shards differ in
  // length, and without this the pool would keep arrays of every length it has seen
  let base: Float32Array | undefined;
  for (let c = cap, tries = 0; base === undefined && tries < 5; c = capacityFor(c + 1), tries++) base = active.free.get(c)?.pop();
  const fresh = base === undefined;
  if (base === undefined) base = new Float32Array(cap);
  active.taken.push(base);
  return { array: n === base.length ? base : base.subarray(0, n), fresh };
}

/** Run fn with floats() drawing from the pool; every array it drew goes back when fn returns (or throws). */
export function withStepBuffers<T>(fn: () => T): T {
  if (active !== null) return fn(); // nested: part of the outer call
  active = pool;
  try {
    return fn();
  } finally {
    for (const base of pool.taken) {
      let list = pool.free.get(base.length);
      if (list === undefined) pool.free.set(base.length, (list = []));
      list.push(base);
    }
    pool.taken = [];
    active = null;
  }
}

/** Fill every free array of the pool with v (for tests: a kernel that reads an element it did not write then reads v). */
export function fillPooled(v: number): void {
  for (const list of pool.free.values()) for (const b of list) b.fill(v);
}

/** Bytes the pool holds (free arrays; all of them between calls), for tests and the curious. */
export function pooledBytes(): number {
  let n = 0;
  for (const list of pool.free.values()) for (const b of list) n += b.byteLength;
  return n;
}
