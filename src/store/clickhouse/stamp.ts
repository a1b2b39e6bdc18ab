/**
 * Versions for ReplacingMergeTree rows. A stamp is strictly increasing within a
 * process (wall-clock microseconds, plus a random tail so that two processes
 * hardly ever share one) and stays below 2^52, so it travels exactly as a JSON
 * number. Events take `versionOf(stamp)`, which is larger for the EARLIER copy:
 * the first stored event of an (org, id) is the one with the highest `ver`.
 */

export type Stamper = () => number;

/** A new stamper; `now` is wall-clock ms (not the store's test clock: order of writes is real). */
export function createStamper(now: () => number = Date.now): Stamper {
  let last = 0;
  return () => {
    const candidate = now() * 1000 + Math.floor(Math.random() * 1000);
    last = Math.max(last + 1, candidate);
    return last;
  };
}

/** The event version of a stamp: earlier stamps give higher versions. */
export function versionOf(stamp: number): number {
  return 2 ** 52 - stamp;
}
