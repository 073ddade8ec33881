// Serves the browser SDK (sdk/src, built in memory with esbuild on first use) and takes the events
// it hands to navigator.sendBeacon when a page is hidden. A beacon cannot carry an Authorization
// header, so the publishable key comes in the query and the body is sent as text/plain (which
// needs no CORS pre-flight).
import { createHash } from 'node:crypto';
import path from 'node:path';
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest, unauthorized } from '../../platform/errors.js';
import { ref, documentedBody } from '../../platform/http/schemas.js';
import { findBadText } from '../../platform/http/request-limits.js';
import { rootPath } from '../../platform/paths.js';
import { collect, refuseWhollyBadBatch, type IncomingEvent, CollectBatch } from '../customers/index.js';
import { hasConsent } from '../consent/index.js';

export const SDK_DIR = rootPath('sdk/src');

export interface Bundle {
  code: string;
  etag: string;
}

/** Builds the script-tag (IIFE) and module (ESM) bundles of the SDK, minified. */
export async function buildSdk(): Promise<{ iife: Bundle; esm: Bundle }> {
  // esbuild comes with tsx, which runs Winkel.
  const esbuild = await import('esbuild');
  const build = async (entry: string, format: 'iife' | 'esm'): Promise<Bundle> => {
    const r = await esbuild.build({
      entryPoints: [path.join(SDK_DIR, entry)],
      bundle: true,
      minify: true,
      format,
      target: 'es2019',
      platform: 'browser',
      write: false,
      legalComments: 'none',
    });
    const code = r.outputFiles[0].text;
    return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"` };
  };
  const [iife, esm] = await Promise.all([build('browser.ts', 'iife'), build('index.ts', 'esm')]);
  return { iife, esm };
}

let built: ReturnType<typeof buildSdk> | undefined;
/** One build per process; a failed build is tried again on the next request. */
export function sdkBundles() {
  built ??= buildSdk().catch((err) => {
    built = undefined;
    throw err;
  });
  return built;
}

export async function sdkRoutes(app: App, ctx: AppContext) {
  // Start building now so the first visitor does not wait; errors surface on request.
  sdkBundles().catch((err) => ctx.log.error({ err }, 'building the browser SDK failed'));

  for (const [file, kind] of [
    ['/sdk/winkel.js', 'iife'],
    ['/sdk/winkel.mjs', 'esm'],
  ] as const) {
    app.get(file, { schema: { hide: true } }, async (req, reply) => {
      const bundle = (await sdkBundles())[kind];
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        // Shops load it from their own pages on other origins.
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('access-control-allow-origin', '*')
        // Not versioned in the URL: cache for a while, revalidate cheaply by ETag.
        .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
        .header('etag', bundle.etag);
      if (req.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
      return reply.send(bundle.code);
    });
  }

  const BeaconResult = Type.Object(
    {
      accepted: Type.Integer(),
      duplicates: Type.Integer(),
      withoutConsent: Type.Integer({ description: 'events dropped because their sender has not granted `analytics`' }),
      rejected: Type.Array(Type.Object({ index: Type.Integer(), messageId: Type.Union([Type.String(), Type.Null()]), errors: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })) })),
    },
    { $id: 'BeaconResult' },
  );
  app.addSchema(BeaconResult);

  app.post(
    '/v1/sdk/beacon',
    {
      // The key in the query spends that key's budget for this address, as a header would. Each
      // event's text is checked by collect, so a bad one is listed, not fatal.
      config: {
        access: 'public',
        keyInQuery: 'key',
        itemChecks: true,
        ...documentedBody(
          {
            'text/plain': { schema: Type.String({ contentMediaType: 'application/json', description: 'The batch as JSON text, `{"batch": [CollectEvent, …]}`: what navigator.sendBeacon sends without a CORS pre-flight.' }) },
            'application/json': { schema: CollectBatch },
          },
          'Up to 500 events, as for POST /v1/collect/batch.',
        ),
      },
      schema: {
        tags: ['customer data'],
        summary: 'Collect a batch sent by navigator.sendBeacon (publishable key in the query, JSON body as text/plain)',
        description:
          'The same checks as POST /v1/collect/batch. Because a beacon cannot be pre-checked for consent by the browser in every case, events whose anonymous id or user id has not granted `analytics` are dropped here too.',
        querystring: Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: ref(BeaconResult) },
      },
    },
    async (req) => {
      const principal = await ctx.staffPrincipals.resolve(req.query.key);
      if (!principal || principal.kind !== 'publishable_key') throw unauthorized('Give a valid publishable key (pk_…) in `key`.');
      let parsed: unknown = req.body;
      if (typeof parsed === 'string') {
        try {
          parsed = JSON.parse(parsed);
        } catch {
          throw badRequest('The body is not JSON.', [{ field: '', message: 'send {"batch":[…]} as JSON text' }]);
        }
      }
      const batch = (parsed as { batch?: unknown })?.batch;
      if (!Array.isArray(batch) || batch.length === 0 || batch.length > 500) throw badRequest('Send {"batch":[…]} with 1 to 500 events.', [{ field: '/batch', message: 'an array of 1–500 events' }]);
      const consented = new Map<string, Promise<boolean>>();
      const keep: IncomingEvent[] = [];
      const indexes: number[] = [];
      for (const [i, e] of (batch as IncomingEvent[]).entries()) {
        // Ids that are not text (a NUL, a lone surrogate) are not looked up; collect rejects that event.
        const anonymousId = typeof e?.anonymousId === 'string' && !findBadText(e.anonymousId, 'body') ? e.anonymousId : undefined;
        const userId = typeof e?.userId === 'string' && !findBadText(e.userId, 'body') ? e.userId : undefined;
        const k = `${anonymousId ?? ''}\u0000${userId ?? ''}`;
        if (!consented.has(k)) consented.set(k, anonymousId || userId ? hasConsent(ctx.db, { anonymousId, customerId: userId }, 'analytics') : Promise.resolve(true));
        if (await consented.get(k)!) {
          keep.push(e);
          indexes.push(i);
        }
      }
      const r = keep.length ? await collect(ctx.db, keep, principal.id) : { accepted: 0, duplicates: 0, rejected: [] };
      const answer = { ...r, rejected: r.rejected.map((x) => ({ ...x, index: indexes[x.index] })), withoutConsent: batch.length - keep.length };
      refuseWhollyBadBatch(batch.length, answer);
      return answer;
    },
  );
}
