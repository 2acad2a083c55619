/** The device database (devices.json): capacities, board bandwidth and build flow per part. */
import data from './devices.json' with { type: 'json' };

export interface Device {
  name: string;
  family: 'zynq7' | 'artix7' | 'zynqmp' | 'ice40';
  boards: string[];
  lut: number;
  ff: number;
  /** RAMB18 blocks on Xilinx parts; 4-kbit EBRs on iCE40 parts. */
  bram18: number;
  dsp: number;
  uram?: number;
  spram?: number;
  /** Board DDR bandwidth in GB/s (null: no DDR, e.g. iCE40 boards). */
  ddrGBs: number | null;
  flow: 'vivado' | 'icestorm';
  part: string;
  package?: string;
  /** Bits per block RAM on iCE40 (4096); RAMB18 is 18432. */
  ebrBits?: number;
}

export const DEVICES: readonly Device[] = data.devices as Device[];

export function findDevice(name: string): Device | undefined {
  const n = name.toLowerCase();
  return DEVICES.find((d) => d.name === n);
}

/** Device names closest to a misspelt one (edit distance), best first. */
export function closeDeviceNames(name: string, max = 3): string[] {
  return DEVICES.map((d) => ({ n: d.name, d: editDistance(name.toLowerCase(), d.name) }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((x) => x.n);
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
