// The team work API (functions/SocialHandoff.Core/Api/API.md). Errors arrive as problem+json and
// become ApiError, whose message is the problem's detail.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
  }

  /** Field errors as "field: message" lines (validation problems). */
  get fieldErrors() {
    const errors = this.problem.errors;
    if (!errors || typeof errors !== 'object' || Array.isArray(errors)) return [];
    return Object.entries(errors).flatMap(([field, messages]) =>
      (Array.isArray(messages) ? messages : [messages]).map((m) => `${field}: ${m}`));
  }
}

/**
 * Calls the API. Returns { data, etag, status }. Throws ApiError for any non-2xx answer and for a
 * network failure (status 0).
 */
export async function api(path, { method = 'GET', body, ifMatch, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, { title: 'The server could not be reached.', detail: 'The server could not be reached: check your connection and try again.' });
  }

  const type = response.headers.get('Content-Type') ?? '';
  let data = null;
  if (type.includes('json')) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }

  if (!response.ok) {
    throw new ApiError(response.status, data && typeof data === 'object' ? data : { title: `${response.status} ${response.statusText}` });
  }

  return { data, etag: response.headers.get('ETag'), status: response.status };
}

export const get = (path, options) => api(path, options);
export const post = (path, body = {}, options = {}) => api(path, { ...options, method: 'POST', body });
export const put = (path, body, options = {}) => api(path, { ...options, method: 'PUT', body });

/** A query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

export const seg = (value) => encodeURIComponent(String(value));
