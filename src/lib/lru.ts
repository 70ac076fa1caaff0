/**
 * The one bounded least-recently-used map of the code base (validators, form versions, QR images,
 * rate-limit windows). A Map iterates in insertion order, so re-inserting an entry on use makes the
 * first key the least recently used one, which is the one dropped when the map is over its bound.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  readonly max: number;

  /** @param max How many entries to keep (at least 1). */
  constructor(max: number) {
    this.max = max >= 1 ? Math.floor(max) : 1;
  }

  /** The value, marked most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /** The value, without marking it used (an entry read this way keeps its place). */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores the value as the most recently used entry, dropping the least recently used beyond `max`. */
  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  keys(): MapIterator<K> {
    return this.map.keys();
  }

  /** Entries from the least to the most recently used. */
  entries(): MapIterator<[K, V]> {
    return this.map.entries();
  }

  get size(): number {
    return this.map.size;
  }
}
