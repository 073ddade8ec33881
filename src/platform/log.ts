// Logs without credentials or personal data. Log lines go to places with weaker protection than the
// database (files, log shippers, support tickets) and are kept longer, so they must not repeat
// what the database protects: a failed query's parameters (e-mail addresses, names, traits, scrypt
// password hashes), PostgreSQL's error details (which quote the values of the offending row), a
// URL's query string (`?email=…`), or tokens. Every logger Winkel uses goes through `safeLogger`,
// whichever logger the caller handed in.
import pino, { type Logger } from 'pino';

const CENSOR = '[redacted]';

/** Field paths that never reach a log line, wherever they are logged from. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  ...['password', 'passwordHash', 'token', 'secret', 'email', 'phone', 'traits', 'params', 'body'].flatMap((k) => [k, `*.${k}`]),
];

/** A URL with the values of its query string left out (the parameter names stay, for debugging). */
export function withoutQueryValues(url: string) {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=${CENSOR}`);
  return `${url.slice(0, at)}?${names.join('&')}`;
}

/** An error's own text with any values it quotes taken out (also for error texts kept in the database). */
export function scrubText(text: string) {
  return (
    text
      // drizzle's "Failed query: <sql>\nparams: <every parameter>"
      .replace(/\nparams: [\s\S]*$/, `\nparams: ${CENSOR}`)
      // PostgreSQL quoting the value it could not take: invalid input syntax for type uuid: "…"
      .replace(/(: )"[\s\S]*"$/, `$1"${CENSOR}"`)
  );
}

/** Frames stay; message lines of causes lose quoted values, and a "params:" line loses itself and what follows up to the next frame. */
function scrubStackLines(text: string) {
  const out: string[] = [];
  let inParams = false;
  for (const line of text.split('\n')) {
    if (/^\s+at /.test(line)) {
      inParams = false;
      out.push(line);
    } else if (line.startsWith('params: ')) {
      inParams = true;
      out.push(`params: ${CENSOR}`);
    } else if (!inParams) {
      out.push(line.replace(/(: )"[\s\S]*"$/, `$1"${CENSOR}"`));
    }
  }
  return out.join('\n');
}

type Serialized = Record<string, unknown> & { message?: string; stack?: string; cause?: unknown; errors?: unknown[] };
// Fields of PostgreSQL's and drizzle's errors that quote row values or query parameters. The
// constraint, table, column and SQL state stay: they say what went wrong without whose data.
const VALUE_FIELDS = ['params', 'parameters', 'detail', 'where', 'internalQuery', 'body', 'values'];

function scrub(e: unknown, depth = 0): unknown {
  if (!e || typeof e !== 'object' || depth > 8) return e;
  const out = e as Serialized;
  const original = typeof out.message === 'string' ? out.message : undefined;
  if (original !== undefined) out.message = scrubText(original);
  if (typeof out.stack === 'string') {
    // The stack starts with the message (rebuilt from the scrubbed one); pino appends each cause's
    // stack as "caused by: <message>", scrubbed line by line here.
    const at = out.stack.indexOf('\n    at ');
    out.stack = `${String(out.type ?? 'Error')}: ${out.message ?? ''}${at >= 0 ? scrubStackLines(out.stack.slice(at)) : ''}`;
  }
  for (const f of VALUE_FIELDS) if (f in out) out[f] = CENSOR;
  if (out.cause) out.cause = scrub(out.cause, depth + 1);
  if (Array.isArray(out.errors)) out.errors = out.errors.map((x) => scrub(x, depth + 1));
  return out;
}

/** pino's error serializer (cause chains, aggregate errors), then without quoted values. */
export function serializeError(err: unknown) {
  if (!(err instanceof Error)) return err;
  return scrub(pino.stdSerializers.err(err));
}

/** A request as logged: what was asked, not what was sent along with it. */
export function serializeRequest(req: { method?: string; url?: string; ip?: string; id?: unknown; routeOptions?: { url?: string } }) {
  return { method: req.method, url: withoutQueryValues(req.url ?? ''), route: req.routeOptions?.url, remoteAddress: req.ip };
}

/** The same logger, with the serializers and redaction above on every line it and its children write. */
export function safeLogger(base: Logger): Logger {
  return base.child({}, { serializers: { err: serializeError, error: serializeError, req: serializeRequest }, redact: { paths: REDACT_PATHS, censor: CENSOR } });
}
