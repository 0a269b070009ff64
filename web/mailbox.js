// The shared-memory mailbox between socket-worker.js, which writes a session's messages into
// it, and session-socket.js, which reads them during a frame: its layout and both sides of its
// seqlock, in one place.
//
// Four Int32 slots, then messages as [u32 byte length][UTF-8 text], oldest first:
//   0: generation, odd while the worker writes (a reader that sees it change drops its copy)
//   1: the last sequence number the page has applied (written by the page)
//   2: the sequence number of the first message held
//   3: how many messages are held

const GENERATION = 0;
const APPLIED = 1;
const FIRST = 2;
const COUNT = 3;
const HEADER_BYTES = 16;

const decoder = new TextDecoder();

export class Mailbox {
  /** A new mailbox with room for `capacity` bytes of messages (shared memory: the page must be cross-origin isolated). */
  static create(capacity) {
    return new Mailbox(new SharedArrayBuffer(HEADER_BYTES + capacity));
  }

  constructor(buffer) {
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, 4);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  /** Changes with every write; watching it tells a reader that something new may be there. */
  get generation() {
    return Atomics.load(this.header, GENERATION);
  }

  /** The last sequence number the page has applied. */
  get applied() {
    return Atomics.load(this.header, APPLIED);
  }

  acknowledge(seq) {
    Atomics.store(this.header, APPLIED, seq);
  }

  /**
   * The worker's side: holds `messages` (`{ seq, bytes }`, consecutive, oldest first), as many
   * as fit. The page can only use them in order, so one too large ends what the mailbox holds.
   */
  write(messages) {
    Atomics.add(this.header, GENERATION, 1);
    let offset = HEADER_BYTES;
    let count = 0;
    for (const message of messages) {
      if (offset + 4 + message.bytes.length > this.bytes.length) break;
      this.view.setUint32(offset, message.bytes.length);
      this.bytes.set(message.bytes, offset + 4);
      offset += 4 + message.bytes.length;
      count += 1;
    }
    Atomics.store(this.header, FIRST, messages.length ? messages[0].seq : 0);
    Atomics.store(this.header, COUNT, count);
    Atomics.add(this.header, GENERATION, 1);
  }

  /**
   * The page's side: the held messages that follow `applied` without a gap (`{ seq, text }`,
   * in order). A copy taken while the worker was writing is dropped (none are returned): those
   * messages are on their way by postMessage too.
   */
  read(applied) {
    const generation = this.generation;
    if (generation % 2 === 1) return [];
    const first = Atomics.load(this.header, FIRST);
    const count = Atomics.load(this.header, COUNT);
    if (count === 0 || first > applied + 1 || first + count - 1 <= applied) return [];
    const copies = [];
    let offset = HEADER_BYTES;
    for (let i = 0; i < count; i++) {
      const length = offset + 4 <= this.bytes.length ? this.view.getUint32(offset) : Infinity;
      if (offset + 4 + length > this.bytes.length) return [];
      // slice() copies into unshared memory, which TextDecoder requires.
      if (first + i > applied) copies.push({ seq: first + i, bytes: this.bytes.slice(offset + 4, offset + 4 + length) });
      offset += 4 + length;
    }
    if (this.generation !== generation) return [];
    return copies.map(({ seq, bytes }) => ({ seq, text: decoder.decode(bytes) }));
  }
}
