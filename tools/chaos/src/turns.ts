/**
 * Work that must not overlap other work of the same key runs in turns, in the order it asked:
 * each `take` waits for the earlier ones of its key to end. Work of other keys goes on meanwhile.
 */
export class Turns<Key> {
  private readonly last = new Map<Key, Promise<void>>();

  async take<T>(key: Key, work: () => Promise<T>): Promise<T> {
    const previous = this.last.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.last.set(
      key,
      previous.then(() => mine),
    );
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Resolves once every turn taken so far has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.last.values()]);
  }
}

/**
 * Work that may overlap its own kind but not the other: `exclusive` work runs alone, `shared` work
 * alongside other shared work. Exclusive work waits for the shared work under way and holds back
 * shared work that arrives after it, in order.
 */
export class Isolation {
  /** Ends when the last exclusive work asked for so far has ended. */
  private exclusiveTail: Promise<void> = Promise.resolve();
  /** Exclusive works asked for and not ended. */
  private exclusivesPending = 0;
  private readonly sharing = new Set<Promise<unknown>>();

  async shared<T>(work: () => Promise<T>): Promise<T> {
    // Started in the same tick when no exclusive work is pending, so one asked for later sees it.
    while (this.exclusivesPending > 0) await this.exclusiveTail;
    const running = work();
    const ended = running.then(
      () => undefined,
      () => undefined,
    );
    this.sharing.add(ended);
    try {
      return await running;
    } finally {
      this.sharing.delete(ended);
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.exclusiveTail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.exclusiveTail = previous.then(() => mine);
    this.exclusivesPending += 1;
    try {
      await previous;
      await Promise.all([...this.sharing]);
      return await work();
    } finally {
      this.exclusivesPending -= 1;
      release();
    }
  }

  /** Resolves once every exclusive work asked for so far, and the shared work under way, has ended. */
  async settled(): Promise<void> {
    await this.exclusiveTail;
    await Promise.all([...this.sharing]);
  }
}
