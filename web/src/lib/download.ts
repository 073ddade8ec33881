// Files in and out of the API outside openapi-fetch: uploads stream a File as the request body,
// downloads arrive as a Blob and are handed to the browser as a file.
import { ApiProblem } from '../api/client';
import { session } from './session';

async function failure(response: Response): Promise<ApiProblem> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not a problem document; the status line will do.
  }
  return new ApiProblem({
    status: response.status,
    code: typeof body.code === 'string' ? body.code : `http_${response.status}`,
    title: typeof body.title === 'string' ? body.title : response.statusText || `HTTP ${response.status}`,
    detail: typeof body.detail === 'string' ? body.detail : undefined,
    requestId: typeof body.requestId === 'string' ? body.requestId : (response.headers.get('x-request-id') ?? undefined),
  });
}

async function send(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = session.token();
  if (token) headers.set('authorization', `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch {
    throw new ApiProblem({ status: 0, code: 'network', title: 'Network error', detail: 'Winkel cannot be reached. Check your connection and try again.' });
  }
  if (response.status === 401) session.clear();
  if (!response.ok) throw await failure(response);
  return response;
}

/** The content type the import route expects for a file, judged by its name. */
export function uploadContentType(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.gz')) return 'application/gzip';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'application/x-ndjson';
  if (name.endsWith('.csv')) return 'text/csv';
  return file.type || 'application/octet-stream';
}

export async function uploadFile<T>(url: string, file: File, headers: Record<string, string> = {}): Promise<T> {
  const response = await send(url, { method: 'POST', body: file, headers: { 'content-type': uploadContentType(file), ...headers } });
  return (await response.json()) as T;
}

export async function downloadFile(url: string, filename: string): Promise<void> {
  const response = await send(url);
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
