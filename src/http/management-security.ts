/**
 * The Management API's request checks, in Barong's order: the verb (405), no query string (400),
 * a JSON body (400), a parseable body (400), the multi-signature JWT verified against the scope's
 * permitted signers with its claims and a first-seen jti (401), every mandatory signer present
 * (401). The verified signer ids are put on the request for the domain call (the audit trail).
 */
import { createPublicKey } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { checkMultisigClaims, MultisigJwtError, verifyMultisigJwt, type MultisigKeychain } from '../crypto/multisig-jwt.js';
import type { Operator } from '../domain/admin/accounts.js';
import type { Deps } from '../domain/deps.js';
import { acceptManagementJti } from '../domain/management/replays.js';
import { AppError } from '../errors.js';
import type { ManagementApiConfig, ManagementScope } from '../management-api-config.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** A verified Management API request: who signed it. */
    management?: { signers: readonly string[]; jti: string };
  }
}

/** The checks that come before the body is read. */
export function checkManagementRequest(request: FastifyRequest): void {
  if (request.method !== 'POST' && request.method !== 'PUT') throw new AppError('MANAGEMENT_METHOD_NOT_ALLOWED');
  const query = request.url.indexOf('?');
  if (query >= 0 && [...new URLSearchParams(request.url.slice(query + 1)).keys()].length > 0) {
    throw new AppError('MANAGEMENT_QUERY_NOT_ALLOWED');
  }
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new AppError('MANAGEMENT_JSON_ONLY');
}

/** Parses a Management API body; anything but JSON is "Couldn't parse JWT.". */
export function parseManagementBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new AppError('MANAGEMENT_JWT_UNPARSABLE');
  }
}

export type ManagementVerifier = (request: FastifyRequest, scope: ManagementScope) => Promise<unknown>;

/** Verifies the parsed body for an action of `scope`; answers the JWT's `data` (the action's parameters). */
export function createManagementVerifier(deps: Deps, config: ManagementApiConfig): ManagementVerifier {
  // Keys are imported once; each request only verifies.
  const keys = new Map(
    Object.entries(config.keychain).map(([kid, entry]) => [kid, { key: createPublicKey(entry.publicKeyPem), algorithm: entry.algorithm }]),
  );
  const refuse = (request: FastifyRequest, reason: string): never => {
    request.log.info({ reason }, 'management API JWT refused');
    throw new AppError('MANAGEMENT_JWT_INVALID');
  };

  return async (request, scope) => {
    if (request.body === undefined) throw new AppError('MANAGEMENT_JWT_UNPARSABLE');
    const rules = config.scopes[scope];
    if (!rules) return refuse(request, `scope ${scope} is not configured`);
    const keychain: MultisigKeychain = new Map(rules.permittedSigners.flatMap((kid) => (keys.has(kid) ? [[kid, keys.get(kid)!]] : [])));

    let verified: string[];
    let claims: ReturnType<typeof checkMultisigClaims> | undefined;
    try {
      const result = await verifyMultisigJwt(request.body, keychain);
      verified = result.verified;
      // As jwt-multisig: the claims are checked when a permitted signature is (a JWT nobody
      // permitted signed is "not enough signatures").
      if (verified.length > 0) claims = checkMultisigClaims(result.payload, config.jwt);
    } catch (error) {
      if (error instanceof MultisigJwtError) return refuse(request, error.message);
      throw error;
    }
    if (!claims || rules.mandatorySigners.some((kid) => !verified.includes(kid))) {
      throw new AppError('MANAGEMENT_NOT_ENOUGH_SIGNATURES');
    }
    if (!(await acceptManagementJti(deps, claims.jti, claims.exp))) return refuse(request, `"jti" ${claims.jti} was already used`);
    request.management = { signers: verified, jti: claims.jti };
    request.log.info({ signers: verified, jti: claims.jti, scope }, 'management API request verified');
    return claims.data;
  };
}

/** The caller of a verified Management API request, as the domain's operator (audit trail). */
export function managementOperator(request: FastifyRequest): Operator {
  if (!request.management) throw new AppError('MANAGEMENT_JWT_INVALID');
  const { signers } = request.management;
  return {
    kind: 'management',
    signers,
    actor: { name: `management API: ${signers.join(', ')}`, requestId: request.id, sourceIp: request.ip },
  };
}
