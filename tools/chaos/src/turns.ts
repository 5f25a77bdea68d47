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
