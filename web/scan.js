// Scanning QR codes in the host: a picture the person picks, or the camera where the browser
// allows it. The browser only reads pixels (as luminance); the server finds and decodes the
// code, and says which mini-program page it opens, if any.

import { modalDialog } from './sheet.js';

const MAX_SIDE = 1024;

/** Decodes the code in an image source (an ImageBitmap or a playing <video>). */
async function decodeFrame(source, width, height) {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(source, 0, 0, w, h);
  const { data } = context.getImageData(0, 0, w, h);
  const luma = new Uint8Array(w * h);
  for (let i = 0; i < luma.length; i++) {
    // Transparent pixels read as white, as a code printed on paper.
    const a = data[i * 4 + 3] / 255;
    const grey = (data[i * 4] * 299 + data[i * 4 + 1] * 587 + data[i * 4 + 2] * 114) / 1000;
    luma[i] = Math.round(grey * a + 255 * (1 - a));
  }
  const response = await fetch(`/api/scan?width=${w}&height=${h}`, {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: luma,
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `scan: ${response.status}`);
  return answer;
}

/** Decodes the code in an image file. */
export async function scanFile(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error('That file is not a picture this browser can read.');
  }
  return decodeFrame(bitmap, bitmap.width, bitmap.height);
}

/**
 * The scan sheet inside `parent`: pick a picture (unless `allowPictures` is false, as
 * `onlyFromCamera` asks) or use the camera where the browser has one. Resolves to the decoded
 * answer, or null if cancelled.
 */
export function scanSheet(parent, { title = 'Scan a QR code', allowPictures = true } = {}) {
  return new Promise((resolve) => {
    const { mask, box } = modalDialog(parent, { className: 'scan', label: title });
    box.innerHTML = `<h2></h2>
      <video class="camera" muted playsinline hidden aria-label="Camera"></video>
      <label class="pick" hidden>Choose a picture with a QR code <input type="file" accept="image/*"></label>
      <p class="error" role="alert"></p>
      <div class="actions"><button type="button" class="cancel">Cancel</button>
        <button type="button" class="use-camera" hidden>Use the camera</button></div>`;
    box.querySelector('h2').textContent = title;
    const error = box.querySelector('.error');
    const video = box.querySelector('video');
    let stream = null;
    let timer = null;
    const finish = (answer) => {
      clearInterval(timer);
      if (stream) for (const track of stream.getTracks()) track.stop();
      mask.remove();
      resolve(answer);
    };
    box.querySelector('.cancel').addEventListener('click', () => finish(null));
    if (allowPictures) {
      box.querySelector('.pick').hidden = false;
      box.querySelector('input').addEventListener('change', async (e) => {
        const file = e.target.files[0];
        if (!file) return;
        error.textContent = 'Reading…';
        try { finish(await scanFile(file)); } catch (err) { error.textContent = err.message; }
      });
    }
    const camera = box.querySelector('.use-camera');
    if (navigator.mediaDevices?.getUserMedia) {
      camera.hidden = false;
      camera.addEventListener('click', async () => {
        try {
          stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        } catch (err) {
          error.textContent = `The camera is not available: ${err.message}`;
          return;
        }
        video.srcObject = stream;
        video.hidden = false;
        camera.hidden = true;
        await video.play().catch(() => {});
        let busy = false;
        // A few frames a second: each is decoded on the server, the first code wins.
        timer = setInterval(async () => {
          if (busy || !video.videoWidth) return;
          busy = true;
          try { finish(await decodeFrame(video, video.videoWidth, video.videoHeight)); } catch { /* no code yet */ }
          busy = false;
        }, 400);
      });
    }
  });
}
