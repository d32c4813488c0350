/**
 * A small seeded PRNG (mulberry32): the demo catalog must be the same on every machine and for
 * every batch size, so product N is generated from its own seed alone.
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rand: () => number, items: readonly T[]): T =>
  items[Math.floor(rand() * items.length)] as T;

export const between = (rand: () => number, min: number, max: number): number =>
  min + Math.floor(rand() * (max - min + 1));
