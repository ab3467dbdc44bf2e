/**
 * Typed client for the Barong-compatible identity, 2FA and KYC API, built on openapi-fetch with the
 * types that openapi-typescript generates from the server's OpenAPI document (src/schema.ts).
 *
 *   const api = createBarongClient('http://localhost:3000');
 *   const { data: token } = await api.POST('/v1/sessions', { body: { email, password, application_id } });
 *   const me = await createBarongClient('http://localhost:3000', { token }).GET('/v1/accounts/me');
 *
 * Paths are the document's (`/v1/...`); the client puts each under its server url (`/api`, or `/` for
 * `/.well-known/jwks.json`). A body holding a Blob or File (document uploads) is sent as multipart.
 */
import createClient from 'openapi-fetch';
import { defaultServer, pathServers } from './servers.js';
/**
 * A client for the server at `baseUrl`: its origin, optionally with a path prefix under which the whole
 * server is mounted (e.g. `https://example.com` or `https://example.com/barong`), not the `/api` base.
 */
export function createBarongClient(baseUrl, options = {}) {
    const root = baseUrl.replace(/\/+$/, '');
    const headers = { ...options.headers };
    if (options.token)
        headers.Authorization = `Bearer ${options.token}`;
    if (options.operatorToken)
        headers['X-Operator-Token'] = options.operatorToken;
    const client = createClient({
        baseUrl: root + serverPath(defaultServer),
        headers,
        fetch: options.fetch,
        bodySerializer: serializeBody,
    });
    client.use(pathServerMiddleware(root));
    for (const middleware of options.middleware ?? [])
        client.use(middleware);
    return client;
}
/** The path part of a server url (`/api`, `https://host/api` → `/api`; `/` → ``). */
function serverPath(url) {
    return new URL(url, 'http://server.invalid').pathname.replace(/\/+$/, '');
}
/** Sends the paths that the document serves under another server (the JWKS at `/`) there. */
function pathServerMiddleware(root) {
    const defaultBase = root + serverPath(defaultServer);
    return {
        async onRequest({ request, schemaPath }) {
            const server = pathServers[schemaPath];
            if (server === undefined || !request.url.startsWith(defaultBase))
                return undefined;
            const url = root + serverPath(server) + request.url.slice(defaultBase.length);
            const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
            return new Request(url, {
                method: request.method,
                headers: request.headers,
                body: hasBody ? await request.arrayBuffer() : undefined,
                signal: request.signal,
            });
        },
    };
}
/**
 * JSON by default; form-urlencoded when the call sets that Content-Type; multipart/form-data when a
 * field is a Blob or File (openapi-fetch then lets fetch set the multipart boundary).
 */
function serializeBody(body, headers) {
    if (body instanceof FormData)
        return body;
    const fields = body && typeof body === 'object' ? Object.entries(body) : [];
    if (fields.some(([, value]) => value instanceof Blob)) {
        const form = new FormData();
        for (const [name, value] of fields) {
            if (value === undefined || value === null)
                continue;
            if (value instanceof Blob)
                form.append(name, value, value instanceof File ? value.name : name);
            else
                form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
        }
        return form;
    }
    if (headers?.get('content-type')?.startsWith('application/x-www-form-urlencoded')) {
        return new URLSearchParams(fields.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)])).toString();
    }
    return JSON.stringify(body);
}
