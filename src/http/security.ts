/**
 * securityHandlers for the glue, named after the spec's security schemes. They run after request
 * validation (as Barong's lazy auth did) and put the caller on the request.
 */
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../crypto/tokens.js';
import type { AccountRow } from '../db/schema.js';
import type { Deps } from '../domain/deps.js';
import { authenticateBearer } from '../domain/sessions/authenticate.js';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    account?: AccountRow;
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
      request.account = await authenticateBearer(deps, token);
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

/** Admin operations: the operator token, or the session of an account with role admin. */
export function assertAdmin(request: FastifyRequest): void {
  if (request.operator) return;
  if (request.account?.role === 'admin') return;
  throw new AppError('ACCESS_DENIED');
}

// Kept in its own module so a cluster's primary can write it without loading the server.
export { OPERATOR_TOKEN_FILE, writeOperatorToken } from './operator-token.js';
