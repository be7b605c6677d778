/**
 * `npm run soak`: the long form of test/soak, bounded in time (about two minutes), on loopback only, against the mock's
 * command line in a process of its own. Prints what each part found and exits 1 when any rule was broken.
 *
 * `npm run soak -- --seconds 10` shortens the load part.
 */
import { startMockCli, startQuietPrism } from "./lib/processes.js";
import { runChaosSoak } from "./soak/chaos.js";
import { runFuzzSoak } from "./soak/fuzz.js";
import { runLoadSoak } from "./soak/load.js";

const secondsFlag = process.argv.indexOf("--seconds");
const loadSeconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 30;
const problems: string[] = [];

function check(ok: boolean, what: string): void {
  process.stdout.write(`  ${ok ? "ok  " : "FAIL"} ${what}\n`);
  if (!ok) problems.push(what);
}

const mock = await startMockCli(["--max-messages", "10000"], false);
try {
  process.stdout.write(`Load: 50 connections for ${loadSeconds} s on ${mock.url}\n`);
  const load = await runLoadSoak({ url: mock.url, connections: 50, durationMs: loadSeconds * 1000, maxRequests: 5_000_000 });
  const ok = load.statuses[200] ?? 0;
  process.stdout.write(`  ${load.requests} requests in ${load.seconds.toFixed(1)} s (${Math.round(load.requests / load.seconds)}/s), statuses ${JSON.stringify(load.statuses)}\n`);
  check(load.errors === 0, `no connection errors (${load.errors}${load.errorSamples.length ? `: ${load.errorSamples.join("; ")}` : ""})`);
  check(ok === load.requests, `every request answered 200 (${ok} of ${load.requests})`);
  check(load.held + load.evicted === ok, `200s = recorded + evicted (${ok} = ${load.held} + ${load.evicted})`);

  process.stdout.write("Fuzz: 2,000 seeded odd requests, directly and through a Prism proxy (--errors --validate-request=false)\n");
  const proxy = await startQuietPrism({ mode: "proxy", upstream: mock.url, validateRequest: false });
  try {
    const fuzz = await runFuzzSoak({ mockUrl: mock.url, proxyUrl: proxy.url, cases: 2_000, seed: 7_2026, durationMs: 120_000 });
    process.stdout.write(`  ${fuzz.sent} cases ${JSON.stringify(fuzz.byKind)}; statuses ${JSON.stringify(fuzz.statuses)}; Prism's own failures ${fuzz.prismOwnErrors}\n`);
    for (const failure of fuzz.failures.slice(0, 20)) process.stdout.write(`    ${failure}\n`);
    check(fuzz.failures.length === 0, `no 5xx and every answer within the contract (${fuzz.failures.length} failures)`);
    check(!fuzz.timedOut, "all cases sent within the time bound");
    check(proxy.process.exitStatus() === undefined, "the Prism proxy survived");
  } finally {
    await proxy.stop();
  }
  check(mock.group.exitStatus() === undefined, "the mock survived");

  process.stdout.write("Chaos: 5,000 sends through the client, 20% seeded faults (429, 500, 503, dropped connections)\n");
  const chaos = await runChaosSoak({ url: mock.url, sends: 5_000, probability: 0.2, seed: 42, concurrency: 8, durationMs: 120_000 });
  process.stdout.write(`  ${chaos.succeeded} succeeded, failed ${JSON.stringify(chaos.failedByKind)}; chaos failed ${chaos.injected} of ${chaos.decisions} requests\n`);
  check(chaos.untyped.length === 0, `every send ended in success or a typed JelouError (${chaos.untyped.slice(0, 3).join("; ")})`);
  check(chaos.duplicates.length === 0, `no recipient recorded twice (${chaos.duplicates.length})`);
  check(chaos.missing.length === 0, `every success recorded (${chaos.missing.length} missing)`);
  check(chaos.recordedThoughSafe.length === 0, `no send called safe to resend was recorded (${chaos.recordedThoughSafe.length})`);
  check(chaos.evicted === 0, "nothing evicted during the chaos run");
  check(!chaos.timedOut, "every send made within the time bound");
} finally {
  await mock.stop();
}

process.stdout.write(problems.length === 0 ? "\nSoak passed.\n" : `\nSoak FAILED: ${problems.length} rule(s) broken.\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
