// The denominator of MFU on a CPU: its fp32 peak, estimated from what the OS tells us.
//
//   peak = cores x clock x (SIMD lanes of fp32) x 2 (a fused multiply-add is 2 FLOPs) x FMA units
//
// AVX-512: 16 lanes, AVX/AVX2: 8, otherwise SSE/NEON: 4; 2 FMA units per core where FMA exists.
// It is an upper bound nobody reaches from JavaScript (scalar code uses one lane), which is
// exactly what MFU should show.
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';

export interface PeakEstimate {
  flops: number;
  description: string;
}

export function estimateCpuPeakFlops(): PeakEstimate {
  const list = cpus();
  const cores = Math.max(1, list.length);
  let mhz = list[0]?.speed ?? 0;
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
    const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(info);
    if (m !== null && mhz === 0) mhz = Number(m[1]);
  } catch {
    // not Linux: fall back to os.cpus() alone
  }
  if (!(mhz > 0)) mhz = 2500;
  const lanes = /\bavx512f\b/.test(flags) ? 16 : /\bavx2?\b/.test(flags) ? 8 : 4;
  const fmaUnits = /\bfma\b/.test(flags) ? 2 : 1;
  const flops = cores * mhz * 1e6 * lanes * 2 * fmaUnits;
  return {
    flops,
    description: `${cores} cores x ${(mhz / 1000).toFixed(2)} GHz x ${lanes} fp32 lanes x 2 (FMA) x ${fmaUnits} FMA unit(s) = ${(flops / 1e9).toFixed(0)} GFLOP/s`,
  };
}
