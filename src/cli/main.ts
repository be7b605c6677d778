#!/usr/bin/env node
/** The `jelou-flow` executable: runs the command line on this process and exits with its code. */
import { processIo } from "./io.js";
import { runCli } from "./program.js";

const code = await runCli(process.argv.slice(2), processIo());
// Explicit exit: an idle keep-alive socket must not hold a finished cron job open. stdout and stderr are synchronous
// for files and pipes on POSIX, so nothing written is lost.
process.exit(code);
