/**
 * Redis for the rate-limit tests: TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) when set, else
 * those tests are skipped; and stand-ins for an outage (a closed port, a server that never answers,
 * a proxy that goes silent mid-connection). Only loopback addresses.
 */
import net from 'node:net';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || undefined;

/** Deletes every key matching `pattern` (SCAN, not KEYS) in TEST_REDIS_URL's database. */
export async function deleteRedisKeys(pattern: string): Promise<number> {
  if (!TEST_REDIS_URL) return 0;
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) deleted += await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  } finally {
    client.disconnect();
  }
}

/** A raw client on TEST_REDIS_URL, to look at what the limiter stored. */
export function rawRedis(): Redis {
  if (!TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TcpStandIn {
  url: string;
  close(): Promise<void>;
}

/** A server that accepts connections and never answers: a hung Redis. */
export async function silentServer(): Promise<TcpStandIn> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}/0`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP proxy to TEST_REDIS_URL that, once frozen, passes nothing more either way (Redis hangs mid-connection). */
export async function freezableRedisProxy(): Promise<TcpStandIn & { freeze(): void }> {
  if (!TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
  const target = new URL(TEST_REDIS_URL);
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    track(client);
    track(upstream);
    client.on('data', (chunk) => frozen || upstream.write(chunk));
    upstream.on('data', (chunk) => frozen || client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const proxied = new URL(TEST_REDIS_URL);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    freeze() {
      frozen = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
