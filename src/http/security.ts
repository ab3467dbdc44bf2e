/**
 * securityHandlers for the glue, named after the spec's security schemes. They run after request
 * validation (as Barong's lazy auth did) and put the caller on the request.
 */
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../crypto/tokens.js';
import type { SessionClaims } from '../crypto/jwt.js';
import type { AccountRow } from '../db/schema.js';
import type { Deps } from '../domain/deps.js';
import { authenticateBearer } from '../domain/sessions/authenticate.js';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    account?: AccountRow;
    /** The claims of the bearer session JWT (with `account`). */
    session?: SessionClaims;
    operator?: boolean;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

export function createSecurityHandlers(deps: Deps, operatorToken: string) {
  return {
    async BearerToken(request: FastifyRequest) {
      const token = bearerToken(request);
      if (!token) throw new AppError('TOKEN_INVALID');
      const session = await authenticateBearer(deps, token);
      request.account = session.account;
      request.session = session.claims;
    },
    async OperatorToken(request: FastifyRequest) {
      const given = request.headers['x-operator-token'];
      if (typeof given !== 'string' || !constantTimeEqual(given, operatorToken)) {
        throw new AppError('OPERATOR_AUTH_REQUIRED');
      }
      request.operator = true;
    },
  };
}

/** The account a BearerToken operation runs for; the glue guarantees it is set. */
export function currentAccount(request: FastifyRequest): AccountRow {
  if (!request.account) throw new AppError('TOKEN_INVALID');
  return request.account;
}

/** The claims of the bearer session a BearerToken operation runs for. */
export function currentSession(request: FastifyRequest): SessionClaims {
  if (!request.session) throw new AppError('TOKEN_INVALID');
  return request.session;
}

/**
 * Admin operations: the operator token, or the session of an account whose role the operation
 * allows (its `x-roles`). Operator accounts also need 2FA on, for their API sessions as for the
 * console (the console is only a client of this API, so a check there alone would be no check):
 * a stolen password alone must not open the KYC data of every user.
 */
export function assertOperator(request: FastifyRequest, roles: readonly string[]): void {
  if (request.operator) return;
  const account = request.account;
  if (!account || !roles.includes(account.role)) throw new AppError('ACCESS_DENIED');
  if (!account.otp_enabled) throw new AppError('OPERATOR_OTP_REQUIRED');
}

// Kept in its own module so a cluster's primary can write it without loading the server.
export { OPERATOR_TOKEN_FILE, writeOperatorToken } from './operator-token.js';
