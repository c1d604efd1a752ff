// `npm run bench`: speed and memory of the real command, against standard
// tools on the same data in the same run (this machine is shared and noisy,
// so only ratios measured together mean anything). Never part of `npm test`.
//
// Sizes: BENCH_SMALL_MIB (default 200) and BENCH_LARGE_MIB (default 2048).
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../../shared/format.ts';
import { makeBenchTree, type BenchTreeShape } from './bench-tree.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;

interface Timed { ms: number; maxRssKiB?: number }

function time(cmd: string, args: string[], opts: { cwd?: string } = {}): Timed {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 * MiB });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /BENCH_MAXRSS_KIB=(\d+)/.exec(r.stderr ?? '');
  return m ? { ms, maxRssKiB: Number(m[1]) } : { ms };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const airlock = (...args: string[]): [string, string[]] => [process.execPath, [path.join(repo, 'test/bench/measure-child.ts'), ...args]];

function shapeFor(totalMiB: number): BenchTreeShape {
  // About 6 % small payload files (thousands of them), the rest large layers.
  const smallFiles = Math.max(500, Math.round(totalMiB * 2.5));
  const smallMaxBytes = 64 * 1024;
  const smallTotal = smallFiles * (smallMaxBytes / 2);
  const layers = totalMiB >= 1024 ? 8 : 2;
  const layerBytes = Math.max(MiB, Math.floor((totalMiB * MiB - smallTotal) / layers));
  return { smallFiles, smallMaxBytes, layers, layerBytes };
}

interface SizeResult {
  label: string;
  kitBytes: number;
  files: number;
  buildMs: number;
  verifyMs: number;
  opensslMs: number;
  sha256sumMs: number;
  tarExtractMs: number;
  verifyMaxRssKiB: number;
}

function benchSize(work: string, label: string, totalMiB: number, keys: { priv: string; pub: string }): SizeResult {
  const dir = path.join(work, label);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tree = path.join(dir, 'tree');
  const shape = shapeFor(totalMiB);
  process.stderr.write(`[${label}] generating ${totalMiB} MiB tree (${shape.smallFiles} small files, ${shape.layers} layers)\n`);
  makeBenchTree(tree, shape);
  const kit = path.join(dir, 'bench.kit.tar');
  process.stderr.write(`[${label}] airlock kit build\n`);
  const build = time(...airlock('kit', 'build', tree, '--out', kit, '--key', keys.priv, '--compress', 'none', '--source-date-epoch', '1767225600'));
  fs.rmSync(tree, { recursive: true, force: true });
  const unpacked = path.join(dir, 'unpacked');
  fs.mkdirSync(unpacked);
  const tarX = time('tar', ['-xf', kit, '-C', unpacked]);
  const files = fs.readFileSync(path.join(unpacked, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean).length + 2;
  time('openssl', ['dgst', '-sha256', kit]); // warm the page cache for everyone alike
  const v: Timed[] = [];
  const o: Timed[] = [];
  const s: Timed[] = [];
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`[${label}] run ${i + 1}/${RUNS}\n`);
    o.push(time('openssl', ['dgst', '-sha256', kit]));
    v.push(time(...airlock('kit', 'verify', kit, '--key', keys.pub)));
    s.push(time('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: unpacked }));
  }
  const result: SizeResult = {
    label,
    kitBytes: fs.statSync(kit).size,
    files,
    buildMs: build.ms,
    verifyMs: median(v.map((x) => x.ms)),
    opensslMs: median(o.map((x) => x.ms)),
    sha256sumMs: median(s.map((x) => x.ms)),
    tarExtractMs: tarX.ms,
    verifyMaxRssKiB: Math.max(...v.map((x) => x.maxRssKiB ?? 0)),
  };
  benchImport(work, label, kit, keys);
  if (label === 'large') keepPushLayout(unpacked, work);
  fs.rmSync(unpacked, { recursive: true, force: true });
  if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

function main(): void {
  const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'airlock-bench');
  fs.mkdirSync(work, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = { priv: path.join(work, 'bench.key.pem'), pub: path.join(work, 'bench.pub.pem') };
  fs.writeFileSync(keys.priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(keys.pub, publicKey.export({ type: 'spki', format: 'pem' }));

  const sizes = [
    benchSize(work, 'small', Number(process.env.BENCH_SMALL_MIB ?? 200), keys),
    benchSize(work, 'large', Number(process.env.BENCH_LARGE_MIB ?? 2048), keys),
  ];
  const rate = (bytes: number, ms: number): string => `${formatBytes((bytes / ms) * 1000)}/s`;
  const lines: string[] = [];
  lines.push(`Airlock benchmark — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.versions.node}, ${RUNS} runs (median)`);
  lines.push(`openssl: ${execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim()}`);
  lines.push('');
  lines.push('| kit | size | files | verify | openssl dgst | sha256sum -c | verify ÷ openssl (throughput) | verify ÷ sha256sum -c | verify peak RSS | build | tar -xf |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of sizes) {
    lines.push(`| ${r.label} | ${formatBytes(r.kitBytes)} | ${r.files} | ${(r.verifyMs / 1000).toFixed(2)} s (${rate(r.kitBytes, r.verifyMs)}) | ${(r.opensslMs / 1000).toFixed(2)} s (${rate(r.kitBytes, r.opensslMs)}) | ${(r.sha256sumMs / 1000).toFixed(2)} s | ${(r.opensslMs / r.verifyMs).toFixed(2)} | ${(r.sha256sumMs / r.verifyMs).toFixed(2)} | ${(r.verifyMaxRssKiB / 1024).toFixed(0)} MiB | ${(r.buildMs / 1000).toFixed(2)} s | ${(r.tarExtractMs / 1000).toFixed(2)} s |`);
  }
  const [small, large] = sizes as [SizeResult, SizeResult];
  const rssDelta = (large.verifyMaxRssKiB - small.verifyMaxRssKiB) / small.verifyMaxRssKiB;
  lines.push('');
  lines.push(`Targets: verify throughput ≥ 0.85 × openssl → large ${(large.opensslMs / large.verifyMs).toFixed(2)} ${large.opensslMs / large.verifyMs >= 0.85 ? 'MET' : 'NOT MET'}; ` +
    `peak RSS < 150 MiB → ${(large.verifyMaxRssKiB / 1024).toFixed(0)} MiB ${large.verifyMaxRssKiB < 150 * 1024 ? 'MET' : 'NOT MET'}; ` +
    `RSS large vs small ${(rssDelta * 100).toFixed(1)} % ${Math.abs(rssDelta) <= 0.2 ? 'MET' : 'NOT MET'} (±20 %)`);
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  const out = path.join(repo, 'artifacts', 'bench');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'results.md'), text + '\n');
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify({ runs: RUNS, sizes }, null, 2) + '\n');
}

main();
await benchPush();
reportImport();

// ---- Push (issue 3): `airlock registry push` against `skopeo copy oci:… docker://…`,
// each into a fresh docker-registry on 127.0.0.1, from the large kit's images/
// layout (kept aside by benchSize before the unpacked kit is removed).

// A function, not a const: main() runs above this line, before a const here would exist.
function pushLayoutDir(work: string): string {
  return path.join(work, 'push-layout');
}

function keepPushLayout(unpacked: string, work: string): void {
  const from = path.join(unpacked, 'images');
  const to = pushLayoutDir(work);
  fs.rmSync(to, { recursive: true, force: true });
  if (fs.existsSync(path.join(from, 'index.json'))) fs.renameSync(from, to);
}

interface PushBenchResult {
  layoutBytes: number;
  images: number;
  airlockMs: number;
  skopeoMs: number;
  airlockMaxRssKiB: number;
}

async function benchPush(): Promise<void> {
  const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'airlock-bench');
  const layout = pushLayoutDir(work);
  if (process.env.BENCH_SKIP_PUSH || !fs.existsSync(layout)) {
    process.stderr.write('[push] skipped (BENCH_SKIP_PUSH set or no layout kept from the large kit)\n');
    return;
  }
  const { startDockerRegistry } = await import('../helpers/docker-registry.ts');
  const { rewriteReference } = await import('../../electron/core/registry/oci-distribution-reference.ts');
  try {
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ annotations?: Record<string, string> }> };
    const refs = index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).filter((r): r is string => Boolean(r));
    const blobs = fs.readdirSync(path.join(layout, 'blobs', 'sha256')).map((f) => path.join(layout, 'blobs', 'sha256', f));
    const layoutBytes = blobs.reduce((n, f) => n + fs.statSync(f).size, 0);
    time('openssl', ['dgst', '-sha256', ...blobs]); // warm the page cache for both tools alike
    const a: Timed[] = [];
    const k: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      process.stderr.write(`[push] run ${i + 1}/${RUNS}\n`);
      for (const tool of i % 2 === 0 ? ['airlock', 'skopeo'] : ['skopeo', 'airlock']) {
        const registry = await startDockerRegistry();
        try {
          if (tool === 'airlock') {
            a.push(time(...airlock('registry', 'push', '--layout', layout, '--to', registry.host, '--insecure-http')));
          } else {
            let ms = 0;
            for (const ref of refs) {
              const target = rewriteReference(ref, registry.host).target;
              ms += time('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${ref}`, `docker://${target}`]).ms;
            }
            k.push(ms);
          }
        } finally {
          await registry.stop();
        }
      }
    }
    const r: PushBenchResult = {
      layoutBytes,
      images: refs.length,
      airlockMs: median(a.map((x) => x.ms)),
      skopeoMs: median(k),
      airlockMaxRssKiB: Math.max(...a.map((x) => x.maxRssKiB ?? 0)),
    };
    const ratio = r.airlockMs / r.skopeoMs;
    const rate = (ms: number): string => `${formatBytes((r.layoutBytes / ms) * 1000)}/s`;
    const lines = [
      '',
      '| push (large kit images) | bytes | images | airlock registry push | skopeo copy | airlock ÷ skopeo (time) | push peak RSS |',
      '|---|---|---|---|---|---|---|',
      `| fresh docker-registry on 127.0.0.1 each run | ${formatBytes(r.layoutBytes)} | ${r.images} | ${(r.airlockMs / 1000).toFixed(2)} s (${rate(r.airlockMs)}) | ${(r.skopeoMs / 1000).toFixed(2)} s (${rate(r.skopeoMs)}) | ${ratio.toFixed(2)} | ${(r.airlockMaxRssKiB / 1024).toFixed(0)} MiB |`,
      '',
      `Target: push time ≤ 1.0 × skopeo copy → ${ratio.toFixed(2)} ${ratio <= 1.0 ? 'MET' : 'NOT MET'}`,
    ];
    const text = lines.join('\n');
    process.stdout.write(text + '\n');
    const out = path.join(repo, 'artifacts', 'bench');
    fs.mkdirSync(out, { recursive: true });
    fs.appendFileSync(path.join(out, 'results.md'), text + '\n');
    const jsonFile = path.join(out, 'results.json');
    const json = fs.existsSync(jsonFile) ? (JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Record<string, unknown>) : {};
    fs.writeFileSync(jsonFile, JSON.stringify({ ...json, push: r }, null, 2) + '\n');
  } finally {
    if (!process.env.BENCH_KEEP) fs.rmSync(layout, { recursive: true, force: true });
  }
}

// ---- Import (issue 3): `airlock kit import` of the same kit, first into a
// fresh --data-dir and then again into the same one, against `tar -xf` of
// the same archive into a fresh folder; each run measured in the same loop so
// the page cache treats them alike. Import fsyncs every blob before its catalog
// commit (tar does not), so "tar -xf + sync" is shown as well.

interface ImportBenchResult {
  label: string;
  kitBytes: number;
  tarMs: number;
  tarSyncMs: number;
  importMs: number;
  reimportMs: number;
  importMaxRssKiB: number;
  reimportMaxRssKiB: number;
}

function importResultFile(work: string, label: string): string {
  return path.join(work, `import-${label}.json`);
}

function benchImport(work: string, label: string, kit: string, keys: { priv: string; pub: string }): void {
  const dir = path.join(work, label, 'import');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tar: number[] = [];
  const tarSync: number[] = [];
  const first: Timed[] = [];
  const again: Timed[] = [];
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`[${label}] import run ${i + 1}/${RUNS}\n`);
    const x = path.join(dir, `tar-${i}`);
    fs.mkdirSync(x);
    tar.push(time('tar', ['-xf', kit, '-C', x]).ms);
    fs.rmSync(x, { recursive: true, force: true });
    fs.mkdirSync(x);
    tarSync.push(time('sh', ['-c', 'tar -xf "$0" -C "$1" && sync -f "$1"', kit, x]).ms);
    fs.rmSync(x, { recursive: true, force: true });
    const data = path.join(dir, `data-${i}`);
    first.push(time(...airlock('kit', 'import', kit, '--key', keys.pub, '--data-dir', data)));
    again.push(time(...airlock('kit', 'import', kit, '--key', keys.pub, '--data-dir', data)));
    fs.rmSync(data, { recursive: true, force: true });
  }
  const r: ImportBenchResult = {
    label,
    kitBytes: fs.statSync(kit).size,
    tarMs: median(tar),
    tarSyncMs: median(tarSync),
    importMs: median(first.map((t) => t.ms)),
    reimportMs: median(again.map((t) => t.ms)),
    importMaxRssKiB: Math.max(...first.map((t) => t.maxRssKiB ?? 0)),
    reimportMaxRssKiB: Math.max(...again.map((t) => t.maxRssKiB ?? 0)),
  };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.writeFileSync(importResultFile(work, label), JSON.stringify(r));
}

function reportImport(): void {
  const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'airlock-bench');
  const results = ['small', 'large']
    .map((label) => importResultFile(work, label))
    .filter((f) => fs.existsSync(f))
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as ImportBenchResult);
  if (results.length === 0) return;
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    '',
    '| import | kit | tar -xf | tar -xf + sync | first import | import ÷ tar -xf | import ÷ (tar -xf + sync) | re-import | re-import ÷ first import | import peak RSS | re-import peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.label} | ${formatBytes(r.kitBytes)} | ${s(r.tarMs)} | ${s(r.tarSyncMs)} | ${s(r.importMs)} (${formatBytes((r.kitBytes / r.importMs) * 1000)}/s) | ${(r.importMs / r.tarMs).toFixed(2)} | ${(r.importMs / r.tarSyncMs).toFixed(2)} | ${s(r.reimportMs)} | ${(r.reimportMs / r.importMs).toFixed(2)} | ${(r.importMaxRssKiB / 1024).toFixed(0)} MiB | ${(r.reimportMaxRssKiB / 1024).toFixed(0)} MiB |`),
  ];
  const large = results.find((r) => r.label === 'large') ?? results[results.length - 1]!;
  const small = results.find((r) => r.label === 'small') ?? results[0]!;
  const importRatio = large.importMs / large.tarMs;
  const reimportRatio = large.reimportMs / large.importMs;
  const rssDelta = (large.importMaxRssKiB - small.importMaxRssKiB) / small.importMaxRssKiB;
  lines.push('');
  lines.push(`Targets (${large.label} kit): first import ≤ 1.3 × tar -xf → ${importRatio.toFixed(2)} ${importRatio <= 1.3 ? 'MET' : 'NOT MET'}; ` +
    `re-import ≤ 0.5 × first import → ${reimportRatio.toFixed(2)} ${reimportRatio <= 0.5 ? 'MET' : 'NOT MET'}; ` +
    `import peak RSS flat across sizes → ${(small.importMaxRssKiB / 1024).toFixed(0)} → ${(large.importMaxRssKiB / 1024).toFixed(0)} MiB (${(rssDelta * 100).toFixed(1)} %) ${Math.abs(rssDelta) <= 0.2 ? 'MET' : 'NOT MET'} (±20 %)`);
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  const out = path.join(repo, 'artifacts', 'bench');
  fs.mkdirSync(out, { recursive: true });
  fs.appendFileSync(path.join(out, 'results.md'), text + '\n');
  const jsonFile = path.join(out, 'results.json');
  const json = fs.existsSync(jsonFile) ? (JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(jsonFile, JSON.stringify({ ...json, import: results }, null, 2) + '\n');
  for (const r of results) fs.rmSync(importResultFile(work, r.label), { force: true });
}
