/**
 * Every autosave on screen registers here, so the app can write what is still waiting before it
 * goes away: the window closing, signing out, the idle lock. A saver waits out a quiet period
 * (300–400 ms) before it writes; without this, words typed just before closing were lost.
 *
 * A saver stays registered after its screen is gone until its last write has finished, so a
 * close right after a tab switch still waits for that write.
 */
export type Flusher = {
  /** Writes what waits now and resolves once every write is done. True when nothing failed. */
  flush: () => Promise<boolean>;
  /** Why something typed cannot be saved as it stands (e.g. over a limit), or null. */
  unsaveable?: () => string | null;
};

const flushers = new Set<Flusher>();

export function registerFlusher(flusher: Flusher): () => void {
  flushers.add(flusher);
  return () => {
    flushers.delete(flusher);
  };
}

/**
 * Flushes every registered saver at once. Resolves to the reasons some writing could not be
 * saved (empty when everything is stored). A saver that takes longer than `timeoutMs` counts as
 * not saved, so a hung write cannot keep the window open for ever.
 */
export async function flushAll(timeoutMs = 4000): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    [...flushers].map(async (f) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      try {
        const ok = await Promise.race([f.flush(), late]);
        if (ok === 'late') problems.push('A save is taking too long to finish.');
        else if (!ok) problems.push('A change could not be saved.');
      } catch {
        problems.push('A change could not be saved.');
      } finally {
        clearTimeout(timer);
      }
      const why = f.unsaveable?.();
      if (why) problems.push(why);
    }),
  );
  return [...new Set(problems)];
}

/** Writing on screen that cannot be saved as it stands (asked before a screen change drops it). */
export function unsaveableWriting(): string[] {
  return [...flushers].map((f) => f.unsaveable?.() ?? null).filter((w): w is string => w !== null);
}

/**
 * Before a screen change that would drop writing which cannot be saved: asks the person.
 * True when nothing would be lost or they chose to leave anyway.
 */
export function confirmLeave(ask: (message: string) => boolean = (m) => window.confirm(m)): boolean {
  const reasons = unsaveableWriting();
  if (reasons.length === 0) return true;
  return ask(`${reasons.join(' ')}\n\nLeave this screen and lose that text?`);
}

/** For tests: forget every registered saver. */
export function resetFlushers() {
  flushers.clear();
}
