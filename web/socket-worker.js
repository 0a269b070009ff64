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
// { id, close: true }. Worker → page: { id, seq, text }, { id, closed: true }. The mailbox's
// layout is mailbox.js's.

import { Mailbox } from './mailbox.js';

const encoder = new TextEncoder();
const channels = new Map();

function openChannel(id, url, mailbox) {
  const channel = { socket: new WebSocket(url), queue: [], seq: 0, pending: [], mailbox: mailbox && new Mailbox(mailbox) };
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
  if (!channel.mailbox) return;
  // The mailbox holds what the page has not applied yet, oldest first.
  const applied = channel.mailbox.applied;
  channel.pending = channel.pending.filter((message) => message.seq > applied);
  channel.pending.push({ seq: channel.seq, bytes: encoder.encode(text) });
  channel.mailbox.write(channel.pending);
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
