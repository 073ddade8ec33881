// How a webhook leaves Winkel: one POST, no redirects followed, to an address checked after DNS
// resolution (see address.ts). The check happens inside the connection's own `lookup`, so the socket
// connects to exactly the address that was checked: a name that answered with a public address at
// creation and a private one now (DNS rebinding) is refused now. Only the start of the receiver's
// answer is kept for the delivery log.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { describeRefusal, refusedClass, refusedName } from './address.js';

/** Bytes of a receiver's answer kept in the delivery log. */
export const ANSWER_BYTES = 1024;

/** A webhook target that the address rules refuse; nothing was sent. */
export class RefusedTarget extends Error {
  readonly code = 'WEBHOOK_TARGET_REFUSED';
}

type LookupAddress = { address: string; family: number };

/** Resolves a host name as a connection would, refusing it when any of its addresses is off limits. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    const byName = allowPrivate ? null : refusedName(hostname);
    if (byName) return callback(new RefusedTarget(describeRefusal(hostname, byName)), '');
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      if (!addresses.length) return callback(Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND' }), '');
      if (!allowPrivate) {
        for (const a of addresses) {
          const cls = refusedClass(a.address);
          if (cls) return callback(new RefusedTarget(describeRefusal(hostname, cls, a.address)), '');
        }
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;
}

/** Why `url` may not be a webhook target, judged without DNS (IP literals and well-known names). */
export function refusedWithoutDns(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const cls = refusedClass(host);
    return cls ? describeRefusal(url.hostname, cls) : null;
  }
  const byName = refusedName(host);
  return byName ? describeRefusal(url.hostname, byName) : null;
}

/**
 * Why `url` may not be a webhook target, resolving its host name too (for a prompt answer when an
 * endpoint is saved). A name that does not resolve (yet) is let through: every delivery checks again.
 */
export async function refusedTarget(url: URL, timeoutMs = 3000): Promise<string | null> {
  const direct = refusedWithoutDns(url);
  if (direct || isIP(url.hostname.replace(/^\[|\]$/g, ''))) return direct;
  const lookup = guardedLookup(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    lookup(url.hostname, { all: true }, (err) => {
      clearTimeout(timer);
      resolve(err instanceof RefusedTarget ? err.message : null);
    });
  });
}

export interface PostResult {
  statusCode: number;
  /** The first ANSWER_BYTES of the answer, as text. */
  answer: string;
}

/** Keeps the sockets of one policy (private allowed or not) apart from the other's. */
export class WebhookTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly opts: { allowPrivate: boolean; timeoutMs: number }) {
    const lookup = guardedLookup(opts.allowPrivate);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 50, lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 50, lookup } as https.AgentOptions);
  }

  /** POSTs `body`; throws RefusedTarget (nothing sent) or the connection's error. */
  post(url: string, headers: Record<string, string>, body: string): Promise<PostResult> {
    const target = new URL(url);
    if (!this.opts.allowPrivate) {
      // An IP literal never reaches `lookup`, so it is judged here.
      const refused = refusedWithoutDns(target);
      if (refused) return Promise.reject(new RefusedTarget(refused));
    }
    const client = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    const payload = Buffer.from(body);
    return new Promise<PostResult>((resolve, reject) => {
      const req = client.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': String(payload.length) },
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          const finish = () => {
            // NUL cannot be stored in a text column; a receiver may answer with anything.
            // eslint-disable-next-line no-control-regex -- the NUL character is what this replaces
            const answer = Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString('utf8').replace(/\u0000/g, '\ufffd');
            resolve({ statusCode: res.statusCode ?? 0, answer });
          };
          res.on('data', (c: Buffer) => {
            if (kept >= ANSWER_BYTES) return;
            chunks.push(c);
            kept += c.length;
            // Enough for the log: stop reading instead of taking in whatever the receiver sends.
            if (kept >= ANSWER_BYTES) {
              finish();
              res.destroy();
            }
          });
          res.on('end', finish);
          res.on('error', () => finish());
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close() {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
