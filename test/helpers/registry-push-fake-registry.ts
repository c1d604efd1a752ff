// An in-memory OCI distribution registry behind a fetch function, for unit
// tests of the push: it keeps blobs per repository, answers HEAD, mount,
// monolithic upload and manifest PUT like distribution does (including the
// digest check of uploads and the "children must exist" check of
// manifests), records every request, and lets a test inject failures.
import { createHash } from 'node:crypto';
import type { FetchFunction } from '../../electron/core/registry/oci-distribution-client.ts';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface FakeRegistry {
  fetch: FetchFunction;
  requests: FakeRequest[];
  /** repository → digests it holds. */
  blobs: Map<string, Set<string>>;
  /** repository → reference (tag or digest) → manifest bytes. */
  manifests: Map<string, Map<string, Buffer>>;
  /** Bytes stored per digest. */
  content: Map<string, Buffer>;
  /** Return a Response to override the normal answer to a request (once per call). */
  intercept: ((req: FakeRequest) => Response | undefined) | null;
  /** Answer mounts with 202 (declined) instead of linking the blob. */
  declineMounts: boolean;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function error(status: number, code: string, message: string): Response {
  return json(status, { errors: [{ code, message }] });
}

async function readBody(body: RequestInit['body']): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ReadableStream) {
    const chunks: Uint8Array[] = [];
    for await (const c of body as ReadableStream<Uint8Array>) chunks.push(c);
    return Buffer.concat(chunks);
  }
  throw new Error('fake registry: unsupported body type');
}

export function createFakeRegistry(): FakeRegistry {
  const reg: FakeRegistry = {
    fetch: async () => new Response(null),
    requests: [],
    blobs: new Map(),
    manifests: new Map(),
    content: new Map(),
    intercept: null,
    declineMounts: false,
  };
  const uploads = new Map<string, string>();
  let nextUpload = 0;
  const holds = (repo: string, digest: string): boolean => reg.blobs.get(repo)?.has(digest) ?? false;
  const add = (repo: string, digest: string): void => {
    if (!reg.blobs.has(repo)) reg.blobs.set(repo, new Set());
    reg.blobs.get(repo)!.add(digest);
  };

  reg.fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const req: FakeRequest = { method, path: url.pathname, query: url.searchParams };
    reg.requests.push(req);
    const override = reg.intercept?.(req);
    if (override) {
      await readBody(init.body);
      return override;
    }
    if (init.signal?.aborted) throw init.signal.reason;
    if (method === 'GET' && url.pathname === '/v2/') return json(200, {});

    let m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (m && method === 'HEAD') {
      return holds(m[1]!, m[2]!)
        ? new Response(null, { status: 200, headers: { 'docker-content-digest': m[2]!, 'content-length': String(reg.content.get(m[2]!)!.length) } })
        : new Response(null, { status: 404 });
    }
    m = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(url.pathname);
    if (m && method === 'POST') {
      const repo = m[1]!;
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && !reg.declineMounts && holds(from, mount)) {
        add(repo, mount);
        return new Response(null, { status: 201, headers: { 'docker-content-digest': mount, location: `/v2/${repo}/blobs/${mount}` } });
      }
      const id = `u${nextUpload++}`;
      uploads.set(id, repo);
      return new Response(null, { status: 202, headers: { location: `/v2/${repo}/blobs/uploads/${id}?_state=opaque%2Bstate%3D%3D` } });
    }
    m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(url.pathname);
    if (m && method === 'PUT') {
      const repo = uploads.get(m[2]!);
      if (repo === undefined || repo !== m[1] || url.searchParams.get('_state') !== 'opaque+state==') return error(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
      uploads.delete(m[2]!);
      const body = await readBody(init.body);
      const length = (init.headers as Record<string, string>)['content-length'];
      if (length !== String(body.length)) return error(400, 'SIZE_INVALID', `content-length ${length} but got ${body.length}`);
      const digest = url.searchParams.get('digest');
      if (digest !== sha256(body)) return error(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
      reg.content.set(digest, body);
      add(repo, digest);
      return new Response(null, { status: 201, headers: { 'docker-content-digest': digest, location: `/v2/${repo}/blobs/${digest}` } });
    }
    m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (m && method === 'PUT') {
      const repo = m[1]!;
      const body = await readBody(init.body);
      const doc = JSON.parse(body.toString('utf8')) as { config?: { digest: string }; layers?: Array<{ digest: string }>; manifests?: Array<{ digest: string }> };
      const named = [...(doc.config ? [doc.config.digest] : []), ...(doc.layers ?? []).map((l) => l.digest)];
      for (const d of named) if (!holds(repo, d)) return error(400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${d}`);
      for (const c of doc.manifests ?? []) if (!reg.manifests.get(repo)?.has(c.digest)) return error(400, 'MANIFEST_UNKNOWN', `manifest unknown: ${c.digest}`);
      const digest = sha256(body);
      if (!reg.manifests.has(repo)) reg.manifests.set(repo, new Map());
      reg.manifests.get(repo)!.set(m[2]!, body);
      reg.manifests.get(repo)!.set(digest, body);
      return new Response(null, { status: 201, headers: { 'docker-content-digest': digest } });
    }
    return error(404, 'NOT_FOUND', `${method} ${url.pathname}`);
  };
  return reg;
}
