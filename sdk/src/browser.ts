// The script-tag build (/sdk/winkel.js): `<script src="https://shop.example/sdk/winkel.js"
// data-key="pk_…" async></script>` starts the SDK as `window.winkel`; without data-key,
// `window.Winkel.create({ key })` does it by hand. Optional: data-host, data-auto-page="false",
// data-flush-at, data-flush-interval, data-max-queue, data-max-retries.
import { createWinkel, VERSION, type Winkel } from './index.js';

declare global {
  interface Window {
    Winkel: { create: typeof createWinkel; version: string };
    winkel?: Winkel;
  }
}

window.Winkel = { create: createWinkel, version: VERSION };
const script = document.currentScript as HTMLScriptElement | null;
const key = script?.dataset.key;
if (key && !window.winkel) {
  window.winkel = createWinkel({
    key,
    host: script.dataset.host ?? new URL(script.src, location.href).origin,
    autoPage: script.dataset.autoPage !== 'false',
    ...(script.dataset.flushAt ? { flushAt: Number(script.dataset.flushAt) } : {}),
    ...(script.dataset.flushInterval ? { flushInterval: Number(script.dataset.flushInterval) } : {}),
    ...(script.dataset.maxQueue ? { maxQueue: Number(script.dataset.maxQueue) } : {}),
    ...(script.dataset.maxRetries ? { maxRetries: Number(script.dataset.maxRetries) } : {}),
  });
}
