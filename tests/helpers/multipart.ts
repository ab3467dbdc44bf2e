/**
 * Real multipart/form-data requests (t.api sends JSON or form bodies only): the body is built by
 * hand, as a browser's FormData would send it, and the response is held against the OpenAPI
 * document like every other API response.
 */
import { randomBytes } from 'node:crypto';
import { assertMatchesContract } from './contract.js';
import type { ApiResponse, TestApp } from './test-app.js';

export interface FilePart {
  filename: string;
  contentType: string;
  data: Buffer;
}

export type MultipartFields = Record<string, string | FilePart>;

export function multipartBody(fields: MultipartFields): { contentType: string; payload: Buffer } {
  const boundary = `----vitest${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\n` +
            `Content-Type: ${value.contentType}\r\n\r\n`,
        ),
        value.data,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, payload: Buffer.concat(chunks) };
}

export async function postMultipart(
  t: TestApp,
  url: string,
  fields: MultipartFields,
  options: { token?: string } = {},
): Promise<ApiResponse> {
  const { contentType, payload } = multipartBody(fields);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await t.app.inject({ method: 'POST', url, headers, payload });
  const responseType = String(response.headers['content-type'] ?? '');
  assertMatchesContract('POST', url, response.statusCode, responseType, response.body);
  const body = response.body && responseType.includes('json') ? JSON.parse(response.body) : undefined;
  return { status: response.statusCode, headers: response.headers, body, text: response.body, raw: response.rawPayload };
}
