// What the trainer eats: batches of token ids and next-token targets. The data side owns these
// types (data/dataset.ts makes them); the trainer only asks a BatchSource for more.

export interface Batch {
  /** (B, T) token ids, row-major */
  idx: Int32Array;
  /** (B, T) next-token targets, -1 where the loss is not counted */
  targets: Int32Array;
  B: number;
  T: number;
}

export interface BatchSource {
  vocabSize: number;
  /** Draw batchSize sequences from a split, using rng (uniform in [0, 1)) for the choice. */
  getBatch(split: 'train' | 'val', batchSize: number, rng: () => number): Batch;
}
