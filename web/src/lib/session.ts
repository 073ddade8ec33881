// The staff session token, kept in sessionStorage: it survives a reload but not closing the tab.
// Components subscribe to it, so clearing it anywhere (sign-out, a 401) returns the user to sign-in.
const KEY = 'winkel.staffToken';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let current = read();

function set(token: string | null) {
  if (token === current) return;
  current = token;
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage can be unavailable (private mode); the token then lives for this page only.
  }
  for (const l of listeners) l();
}

export const session = {
  token: () => current,
  start: (token: string) => set(token),
  clear: () => set(null),
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
