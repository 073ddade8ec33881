// The one way the web app talks to Winkel: openapi-fetch typed by the generated schema. Every
// request carries the staff session token; every problem+json answer becomes a thrown ApiProblem,
// so screens only handle the happy path and show `detail` for the rest.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { session } from '../lib/session';

export type Schemas = components['schemas'];

export interface FieldError {
  /** A JSON Pointer into the part of the request named by `in`: "/email", "/lines/0/sku". */
  field: string;
  in?: 'body' | 'query' | 'path' | 'header';
  message: string;
}

/** An RFC 9457 problem answered by the API (or a network failure dressed as one). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly requestId?: string;
  /** The whole problem document, for extension members (e.g. `amountDue` of 402 payment_required). */
  readonly body: Record<string, unknown>;

  constructor(init: { status: number; code: string; title: string; detail?: string; errors?: FieldError[]; requestId?: string; body?: Record<string, unknown> }) {
    super(init.detail || init.title);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail || init.title;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.body = init.body ?? {};
  }

  /** Field errors keyed by the top-level form field they belong to ("/email" → "email"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const name = e.field.replace(/^\//, '').replace(/\/.*$/, '').replace(/~1/g, '/').replace(/~0/g, '~');
      if (name && !out[name]) out[name] = e.message;
    }
    return out;
  }
}

function problemFrom(response: Response, body: unknown): ApiProblem {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return new ApiProblem({
    status: response.status,
    code: typeof b.code === 'string' ? b.code : `http_${response.status}`,
    title: typeof b.title === 'string' ? b.title : response.statusText || `HTTP ${response.status}`,
    detail: typeof b.detail === 'string' ? b.detail : undefined,
    errors: Array.isArray(b.errors) ? (b.errors as FieldError[]) : undefined,
    requestId: typeof b.requestId === 'string' ? b.requestId : (response.headers.get('x-request-id') ?? undefined),
    body: b,
  });
}

async function toProblem(response: Response): Promise<ApiProblem> {
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    // Not JSON (a proxy error page, say): fall back to the status line.
  }
  return problemFrom(response, body);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response, schemaPath }) {
    if (response.ok) return response;
    const problem = await toProblem(response);
    // A session that expired or was revoked: forget it, which sends the user to the sign-in page.
    if (response.status === 401 && schemaPath !== '/v1/auth/sign-in' && request.headers.has('authorization')) session.clear();
    throw problem;
  },
  onError({ error }) {
    if (error instanceof ApiProblem) return error;
    return new ApiProblem({ status: 0, code: 'network', title: 'Network error', detail: 'Winkel cannot be reached. Check your connection and try again.' });
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** Headers for a creating POST: a fresh Idempotency-Key, so a retried click never creates twice. */
export function createHeaders(): Record<string, string> {
  return { 'idempotency-key': crypto.randomUUID() };
}

/** Headers for an update of a resource read at `version`: the server answers 412 if it moved on. */
export function ifMatch(version: number): Record<string, string> {
  return { 'if-match': `"${version}"` };
}

/** The data of a successful call. Failures were already thrown as ApiProblem by the middleware. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined) throw problemFrom(response, error);
  return data as T;
}

export type StaffRole = paths['/v1/staff-users']['post']['requestBody']['content']['application/json']['role'];
