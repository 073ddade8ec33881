// RFC 9457 problem details. Every error that leaves the API is one of these; `type` points at the
// docs section that explains it, so a client can tell errors apart without parsing `detail`.
/** Where in the request a field is: the JSON body, the query string, the path or a header. */
export type RequestPart = 'body' | 'query' | 'path' | 'header';

/** A JSON Pointer (RFC 6901): `/lines/0/sku`, or `` for the whole. */
export type JsonPointer = `/${string}` | '';
/** A pointer below the root, to which more of the path can be added. */
export type FieldPath = `/${string}`;

export interface FieldError {
  /**
   * A JSON Pointer (RFC 6901) into the part of the request named by `in`: `/note`,
   * `/lines/0/sku`; `` (empty) for that part as a whole. Header names are lower case (`/if-match`).
   */
  field: JsonPointer;
  /** Where the field is; the body when left out. */
  in?: RequestPart;
  message: string;
}

export interface ProblemInit {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly extra?: Record<string, unknown>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers;
    this.extra = init.extra;
  }
}

/** RFC 6901: `~` and `/` inside one key of a pointer. */
export const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

export const problemType = (code: string) => `https://winkel.dev/problems/${code}`;

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail, errors });
export const unauthorized = (detail = 'Send a valid credential in the Authorization header: Bearer <token>.') =>
  new Problem({ status: 401, code: 'unauthenticated', title: 'Authentication required', detail, headers: { 'www-authenticate': 'Bearer realm="winkel"' } });
export const forbidden = (detail: string) => new Problem({ status: 403, code: 'forbidden', title: 'Not allowed', detail });
export const notFound = (what: string, id?: string) =>
  new Problem({ status: 404, code: 'not_found', title: 'Not found', detail: id ? `No ${what} with id ${id}.` : `No such ${what}.` });
export const conflict = (detail: string, code = 'conflict', extra?: Record<string, unknown>) =>
  new Problem({ status: 409, code, title: 'Conflict', detail, extra });
export const preconditionFailed = (detail: string, extra?: Record<string, unknown>) =>
  new Problem({ status: 412, code: 'version_mismatch', title: 'The resource has changed', detail, extra });
export const unprocessable = (detail: string, code = 'unprocessable', errors?: FieldError[]) =>
  new Problem({ status: 422, code, title: 'The request cannot be processed', detail, errors });
