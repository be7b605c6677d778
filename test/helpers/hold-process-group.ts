/**
 * A stand-in for a test worker, for the harness test: starts a server-like process group (`sleep`), prints its pid,
 * and waits to be ended by a signal, as Vitest ends its workers.
 */
import { startProcessGroup } from "./process-group.js";

const group = startProcessGroup("sleeper", "sleep", ["600"]);
process.stdout.write(`group ${group.pid}\n`);
setInterval(() => undefined, 60_000);
