// The sessions' WebSockets, held in a worker rather than on the page's main thread.
//
// Chromium holds a page's network and message tasks back until the frame after a click or a
// key press has been drawn, so a session's answer to a tap, however fast, would always paint a
// frame late. A worker's tasks are not held back: it has the answer at once and, where the
// page is cross-origin isolated, leaves it in a shared mailbox that the page reads during that
// first frame (in requestAnimationFrame). Every message also goes to the page by postMessage,
// in order, numbered, so the page applies each once whichever way reaches it first.
//
// Page → worker: { id, open: url, mailbox: SharedArrayBuffer | null }, { id, send: text },
// { id, close: true }. Worker → page: { id, seq, text }, { id, closed: true }.
//
// Mailbox layout (see session-socket.js, which reads it): four Int32 slots, then messages as
// [u32 byte length][UTF-8 text], oldest first.
//   0: generation, odd while the worker writes (a reader that sees it change retries later)
//   1: the last sequence number the page has applied (written by the page)
//   2: the sequence number of the first message held
//   3: how many messages are held

const GENERATION = 0;
const APPLIED = 1;
const FIRST = 2;
const COUNT = 3;
const HEADER_BYTES = 16;

const encoder = new TextEncoder();
const channels = new Map();

function openChannel(id, url, mailbox) {
  const channel = { socket: new WebSocket(url), queue: [], seq: 0, pending: [], mailbox: null };
  if (mailbox) {
    channel.mailbox = { header: new Int32Array(mailbox, 0, 4), bytes: new Uint8Array(mailbox), view: new DataView(mailbox) };
  }
  channel.socket.addEventListener('open', () => {
    for (const text of channel.queue) channel.socket.send(text);
    channel.queue = [];
  });
  channel.socket.addEventListener('message', (event) => deliver(id, channel, event.data));
  channel.socket.addEventListener('close', () => {
    channels.delete(id);
    postMessage({ id, closed: true });
  });
  channels.set(id, channel);
}

function deliver(id, channel, text) {
  channel.seq += 1;
  postMessage({ id, seq: channel.seq, text });
  if (channel.mailbox) hold(channel, channel.seq, text);
}

// Writes the messages the page has not applied yet, oldest first, as many as fit: the page
// can only use them in order, so one too large ends what the mailbox holds.
function hold(channel, seq, text) {
  const { header, bytes, view } = channel.mailbox;
  const applied = Atomics.load(header, APPLIED);
  channel.pending = channel.pending.filter((message) => message.seq > applied);
  channel.pending.push({ seq, bytes: encoder.encode(text) });
  Atomics.add(header, GENERATION, 1);
  let offset = HEADER_BYTES;
  let count = 0;
  for (const message of channel.pending) {
    if (offset + 4 + message.bytes.length > bytes.length) break;
    view.setUint32(offset, message.bytes.length);
    bytes.set(message.bytes, offset + 4);
    offset += 4 + message.bytes.length;
    count += 1;
  }
  Atomics.store(header, FIRST, channel.pending[0].seq);
  Atomics.store(header, COUNT, count);
  Atomics.add(header, GENERATION, 1);
}

onmessage = ({ data }) => {
  if (data.open) {
    openChannel(data.id, data.open, data.mailbox);
    return;
  }
  const channel = channels.get(data.id);
  if (!channel) return;
  if (data.send !== undefined) {
    if (channel.socket.readyState === WebSocket.OPEN) channel.socket.send(data.send);
    else if (channel.socket.readyState === WebSocket.CONNECTING) channel.queue.push(data.send);
  } else if (data.close) {
    channel.socket.close();
  }
};
