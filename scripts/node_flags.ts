// Imported first by every entry point (before the engine compiles its WebAssembly): Node 20 has
// WebAssembly's relaxed SIMD, whose f32x4.relaxed_madd is a real fused multiply-add, only behind
// a V8 flag. Setting it here, at run time, works in every Node version (newer ones have it on
// already), where a command-line flag unknown to a later Node would stop it from starting.
// Worker threads share the process's V8 flags. The browser needs none of this.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--experimental-wasm-relaxed-simd');
