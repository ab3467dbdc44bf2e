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
import { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';
export type { components, operations, paths };
export type { Middleware };
/** The named schemas of the document, e.g. `Schemas['Account']`. */
export type Schemas = components['schemas'];
export type BarongClient = Client<paths>;
export interface BarongClientOptions {
    /** Session JWT (from `POST /v1/sessions`), sent as `Authorization: Bearer <token>`. */
    token?: string;
    /** Local operator token (the server's DATA_DIR/operator-token), sent as `X-Operator-Token` for admin operations. */
    operatorToken?: string;
    /** Extra headers sent with every request. */
    headers?: Record<string, string>;
    /** A fetch implementation (default: the global fetch). */
    fetch?: (input: Request) => Promise<Response>;
    /** openapi-fetch middleware (logging, retries, validation), applied in order. */
    middleware?: Middleware[];
}
/**
 * A client for the server at `baseUrl`: its origin, optionally with a path prefix under which the whole
 * server is mounted (e.g. `https://example.com` or `https://example.com/barong`), not the `/api` base.
 */
export declare function createBarongClient(baseUrl: string, options?: BarongClientOptions): BarongClient;
