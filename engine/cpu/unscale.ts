// Loss scaling's second half: divide the gradients by the scale the loss was multiplied by, and
// notice in the same pass whether any of them overflowed.  v - v is 0 for every finite v and
// NaN for +-inf and NaN, so one comparison catches both.
export function unscaleGradients(grad: Float32Array, invScale: number): boolean {
  let nonFinite = false;
  for (let i = 0; i < grad.length; i++) {
    const v = Math.fround(grad[i] * invScale); // the float32 that is stored, which may overflow
    if (v - v !== 0) nonFinite = true;
    grad[i] = v;
  }
  return nonFinite;
}
