// One client-API request sent with fetch (to check a call answers before it is loaded); the load
// itself goes through bench/reader/load.ts, whose requests may be POSTs with bodies.
import type { LoadRequest } from '../reader/load.js';

export type ApiRequest = LoadRequest;

/** One request, with fetch: its status and body. */
export async function send(
  origin: string,
  request: ApiRequest,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const res = await fetch(origin + request.path, {
    method: request.method,
    headers: { ...headers, ...request.headers },
    redirect: 'manual',
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  return { status: res.status, body: await res.text() };
}
