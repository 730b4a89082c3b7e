/**
 * Rendered responses of read-only endpoints, kept until the data changes. Feeds change the data a few times
 * an hour while scripts ask for the same pages again and again, so most requests are answered from here.
 * Least recently used entries go first once the cache holds `maxBytes`; a body over an eighth of that is
 * never kept.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { token: string; body: string }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, token: string): string | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (hit.token !== token) {
      this.bytes -= hit.body.length;
      return undefined;
    }
    this.entries.set(key, hit); // most recently used last
    return hit.body;
  }

  set(key: string, token: string, body: string): void {
    if (body.length > this.maxBytes / 8) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    this.entries.set(key, { token, body });
    this.bytes += body.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.body.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
