// The admin API over the session cookie. State-changing requests carry the session's CSRF token; a 401 sends the
// operator back to sign-in.
let csrf = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function onSignedOut(fn) {
  listeners.add(fn);
}

export async function request(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(`/api/v1/admin${path}`, { method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (r.status === 401 && path !== '/session') {
    csrf = null;
    listeners.forEach((fn) => fn());
  }
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const del = (path) => request('DELETE', path);

/** Restores a session after a reload; false when there is none. */
export async function resume() {
  try {
    csrf = (await get('/session')).csrfToken;
    return true;
  } catch (e) {
    if (e.status === 401) return false;
    throw e;
  }
}

export async function signIn(apiKey) {
  csrf = (await post('/session', { apiKey })).csrfToken;
}

export async function signOut() {
  try {
    await del('/session');
  } finally {
    csrf = null;
  }
}
