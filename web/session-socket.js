// A session's WebSocket as the container sees it: `send(text)` and a callback per message, in
// order. The socket itself lives in socket-worker.js (one worker for every open mini-program),
// which explains why; this side numbers what arrives, applies each message once, and, after
// the person does something, looks in the shared mailbox during the next frame so that the
// answer paints in that frame instead of the one after.
//
// The server follows everything a message caused with `{"kind": "settled"}`. In that frame,
// when the answer to something sent is still on its way, the page waits for it a little
// (SETTLE_WAIT_MS at most): a fast server's answer then shows a frame (16.7 ms) sooner, for at
// most a few milliseconds' delay to that frame.

import { Mailbox } from './mailbox.js';

// Room for a burst of patches; a larger answer still arrives, by postMessage, a frame later.
const MAILBOX_BYTES = 256 * 1024;
// The longest a frame waits for an answer still on its way: under a frame's time, so waiting
// never paints an answer later than the next frame would have.
const SETTLE_WAIT_MS = 10;

const sockets = new Map();
let worker = null;
let lastId = 0;

function socketWorker() {
  if (!worker) {
    worker = new Worker('/static/socket-worker.js', { type: 'module' });
    worker.addEventListener('message', ({ data }) => sockets.get(data.id)?.arrived(data));
  }
  return worker;
}

export class SessionSocket {
  constructor(url, onMessage) {
    this.id = ++lastId;
    this.onMessage = onMessage;
    this.applied = 0;
    // Messages sent, and messages the server has finished handling.
    this.sent = 0;
    this.settled = 0;
    this.closed = false;
    this.looking = false;
    // Shared memory needs a cross-origin isolated page (the server sends the headers); without
    // it every message comes by postMessage.
    this.mailbox = globalThis.crossOriginIsolated ? Mailbox.create(MAILBOX_BYTES) : null;
    sockets.set(this.id, this);
    socketWorker().postMessage({ id: this.id, open: url, mailbox: this.mailbox?.buffer ?? null });
  }

  // `urgent`: something the person did that they wait to see answered (a tap, a key), not
  // one of a stream of moves or scrolls, whose frames must not wait.
  send(text, urgent) {
    if (this.closed) return;
    worker.postMessage({ id: this.id, send: text });
    this.sent += 1;
    if (urgent && this.mailbox && !this.looking) {
      this.looking = true;
      requestAnimationFrame(() => {
        this.looking = false;
        this.look();
      });
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    worker.postMessage({ id: this.id, close: true });
    sockets.delete(this.id);
  }

  arrived({ seq, text, closed }) {
    if (closed) {
      this.closed = true;
      sockets.delete(this.id);
    } else if (seq > this.applied) {
      this.apply(seq, text);
    }
  }

  apply(seq, text) {
    this.applied = seq;
    this.mailbox?.acknowledge(seq);
    const message = JSON.parse(text);
    if (message.kind === 'settled') this.settled += 1;
    else this.onMessage(message);
  }

  // In a frame after something was sent: applies what has arrived and, while an answer is
  // still on its way, waits for it as the worker writes (a frame cannot sleep; it watches the
  // mailbox's generation), SETTLE_WAIT_MS at most.
  look() {
    // A user timing mark (Chromium's performance panel shows it): this frame looked for an
    // answer. Only the last is kept; observers see every one.
    performance.clearMarks('capsule-settle-wait');
    performance.mark('capsule-settle-wait');
    const deadline = performance.now() + SETTLE_WAIT_MS;
    let generation = -1;
    while (!this.closed) {
      const now = this.mailbox.generation;
      if (now !== generation) {
        generation = now;
        this.take();
      }
      if (this.settled >= this.sent || performance.now() >= deadline) return;
    }
  }

  // Applies, in order, the messages the mailbox holds beyond those applied.
  take() {
    for (const { seq, text } of this.mailbox.read(this.applied)) {
      if (this.closed) return;
      this.apply(seq, text);
    }
  }
}
