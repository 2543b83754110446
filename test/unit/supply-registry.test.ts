/**
 * The registry client of the supply-chain commands against fake registries on 127.0.0.1 (a
 * `node:http` server per test): what a hostile or odd registry can make it do. The real registry
 * (CNCF distribution) is the e2e tier's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseDigestReference } from '../../src/supply/reference.js';
import { RegistryReader } from '../../src/supply/registry.js';

const DIGEST = `sha256:${'3'.repeat(64)}`;
const MiB = 1024 * 1024;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A fake registry on 127.0.0.1; its host:port. */
async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Writes `total` bytes of spaces in 64 KiB chunks as fast as the client reads them; what was written, in `sent`. */
function stream(response: ServerResponse, total: number, sent: { bytes: number }): void {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  const more = (): void => {
    while (sent.bytes < total && !response.destroyed) {
      sent.bytes += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', more);
        return;
      }
    }
    response.end();
  };
  response.on('close', () => response.removeAllListeners('drain'));
  more();
}

const readerFor = (host: string) => new RegistryReader(parseDigestReference(`${host}/group/app@${DIGEST}`), undefined);

describe('a registry that answers with more than any manifest or bundle', () => {
  it('an endless body: reading stops past the limit, not after the whole body is held in memory', async () => {
    const sent = { bytes: 0 };
    const host = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      stream(response, 200 * MiB, sent);
    });
    const error = await readerFor(host)
      .manifest(DIGEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`manifest ${DIGEST} is larger than ${16 * MiB} bytes`);
    // The limit (16 MiB) and what the sockets buffer; not the 200 MiB offered.
    expect(sent.bytes).toBeLessThan(32 * MiB);
  });

  it('a Content-Length past the limit is refused before the body is read', async () => {
    const sent = { bytes: 0 };
    const host = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(200 * MiB) });
      stream(response, 200 * MiB, sent);
    });
    const error = await readerFor(host)
      .blob(DIGEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`blob ${DIGEST} is larger than ${16 * MiB} bytes (Content-Length ${200 * MiB})`);
    expect(sent.bytes).toBeLessThan(32 * MiB);
  });
});
