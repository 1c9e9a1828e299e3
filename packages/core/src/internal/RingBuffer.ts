/** A fixed-capacity buffer that keeps the most recent items, oldest first. */
export class RingBuffer<A> {
  readonly capacity: number
  private readonly items: Array<A | undefined>
  private start = 0
  private count = 0

  constructor(capacity: number) {
    this.capacity = capacity
    this.items = new Array<A | undefined>(capacity)
  }

  get size(): number {
    return this.count
  }

  push(item: A): void {
    const end = (this.start + this.count) % this.capacity
    this.items[end] = item
    if (this.count < this.capacity) this.count++
    else this.start = (this.start + 1) % this.capacity
  }

  toArray(): ReadonlyArray<A> {
    const out: Array<A> = []
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as A)
    return out
  }
}
