#!/usr/bin/env node
/** The `jelou-flow` executable: runs the command line on this process and exits with its code. */
import { processIo } from "./io.js";
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2), processIo());
// Exit on our own shortly after, in case an idle keep-alive socket would hold a finished cron job open; the delay lets
// output still queued for a slow pipe drain first, and the unref'd timer never keeps the process alive by itself.
setTimeout(() => process.exit(), 200).unref();
