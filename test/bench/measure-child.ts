// Runs one airlock CLI command in this process and reports its peak RSS, so
// the benchmark measures the command's memory and not the harness's.
import module from 'node:module';

// As bin/airlock.js does, so start-up is measured as users get it.
module.enableCompileCache();
const { main } = await import('../../electron/cli/main.ts');

const sink = { write: () => true };
const code = await main(process.argv.slice(2), { stdout: sink, stderr: process.stderr, stderrIsTTY: false, env: process.env, cwd: process.cwd() });
process.stderr.write(`BENCH_MAXRSS_KIB=${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
