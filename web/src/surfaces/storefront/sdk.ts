// The browser SDK Winkel serves at /sdk/winkel.js (docs: the customer data platform). The shop
// loads it with its publishable key and reports each page it shows by name; the SDK itself holds
// the events back until the shopper's consent for analytics is known, and drops them without it.
// If the script cannot load, the shop works the same without it.
interface WinkelSdk {
  page(name?: string, properties?: Record<string, unknown>): void;
  identify(userId: string, traits?: Record<string, unknown>): void;
  reset(): void;
}

declare global {
  interface Window {
    winkel?: WinkelSdk;
  }
}

let loading: Promise<WinkelSdk | null> | null = null;
/** Pages shown before the SDK was asked for (a page's effect runs before the layout's). */
const early: Array<[string, Record<string, unknown>]> = [];

export function loadBrowserSdk(publishableKey: string): Promise<WinkelSdk | null> {
  loading ??= new Promise((resolve) => {
    if (window.winkel) return resolve(window.winkel);
    const script = document.createElement('script');
    script.src = '/sdk/winkel.js';
    script.async = true;
    script.dataset.key = publishableKey;
    // Pages are reported by name below; automatic ones would count each page twice.
    script.dataset.autoPage = 'false';
    script.onload = () => resolve(window.winkel ?? null);
    script.onerror = () => resolve(null);
    document.head.appendChild(script);
  });
  void loading.then((sdk) => {
    for (const [name, properties] of early.splice(0)) sdk?.page(name, properties);
  });
  return loading;
}

/** Reports a page view once the SDK is there (pages shown before it loads are sent when it does). */
export function trackPage(name: string, properties: Record<string, unknown> = {}) {
  if (!loading) early.push([name, properties]);
  else void loading.then((sdk) => sdk?.page(name, properties));
}

/** Ties this browser's anonymous history to the signed-in customer. */
export function identifyShopper(customerId: string) {
  void loading?.then((sdk) => sdk?.identify(customerId));
}

/** After sign-out: the next visitor on this device is someone new to the SDK. */
export function forgetShopper() {
  void loading?.then((sdk) => sdk?.reset());
}
