// One seeded generator drives all randomness (init, dropout, batch sampling, generation),
// so the same seed and config give the same loss curve.
import seedrandom from 'seedrandom';

export type RngState = seedrandom.State.Arc4;

let rng: seedrandom.StatefulPRNG<seedrandom.State.Arc4> = seedrandom('1337', { state: true });
let spareNormal: number | null = null;

/** Reset the global generator: everything random after this is a function of `seed`. */
export function manualSeed(seed: number | string): void {
  rng = seedrandom(String(seed), { state: true });
  spareNormal = null;
}

/** Uniform in [0, 1). */
export function random(): number {
  return rng();
}

/** Uniform integer in [0, n). */
export function randint(n: number): number {
  return Math.floor(rng() * n);
}

/** Standard normal by the Box-Muller transform (two normals per pair of uniforms). */
export function randn(): number {
  if (spareNormal !== null) {
    const z = spareNormal;
    spareNormal = null;
    return z;
  }
  let u = 0;
  while (u === 0) u = rng();
  const v = rng();
  const r = Math.sqrt(-2 * Math.log(u));
  spareNormal = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** Snapshot of the generator, stored in checkpoints so a resumed run continues the same stream. */
export function getRngState(): { prng: RngState; spareNormal: number | null } {
  return { prng: rng.state(), spareNormal };
}

export function setRngState(state: { prng: RngState; spareNormal: number | null }): void {
  rng = seedrandom('', { state: state.prng });
  spareNormal = state.spareNormal;
}

/** A separate stream for code that must not disturb the global one (e.g. data generation). */
export function makeRng(seed: number | string): () => number {
  return seedrandom(String(seed));
}
