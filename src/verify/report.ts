import type { ResponseDifference } from "../contract/index.js";
import type { ProbeResult } from "./probes.js";

/** What `jelou-flow verify` found, as `--json` prints it. Scrubbed of the secret before it is shown or written. */
export interface VerifyReport {
  /** Where the probes went. */
  baseUrl: string;
  /** When the run started, ISO 8601. */
  startedAt: string;
  /** True when every probe's answer conforms to openapi.yaml. */
  conforms: boolean;
  exitCode: number;
  probes: ProbeResult[];
  /** Probes not run, and why (no --send-to). */
  skipped: string[];
}

/** Control characters (a newline in a body's key, say) escaped, so that no text from an answer can forge a report line. */
function plain(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function outcome(probe: ProbeResult): string {
  if (probe.error !== undefined) return `no answer (${probe.error.kind}): ${probe.error.message}`;
  if (probe.conforms) return `${probe.status}, as the contract says`;
  return `${probe.status}, ${probe.differences.length === 1 ? "1 difference" : `${probe.differences.length} differences`}`;
}

function summary(report: VerifyReport): string {
  const differing = report.probes.filter((p) => !p.conforms && p.error === undefined).length;
  const failed = report.probes.filter((p) => p.error !== undefined).length;
  if (report.conforms) return `Every probe conforms to openapi.yaml (${report.probes.length} run).`;
  const parts = [
    differing > 0 && `${differing} of ${report.probes.length} probes differ from openapi.yaml`,
    failed > 0 && `${failed} got no answer`,
  ];
  return `${parts.filter(Boolean).join("; ")} (exit ${report.exitCode}).`;
}

function differenceLines(d: ResponseDifference, indent: string): string[] {
  return [
    `${indent}- ${d.part}${d.at === "" ? "" : ` ${plain(d.at)}`}: expected ${plain(d.expected)}, got ${plain(d.actual)}`,
    `${indent}  schema path: ${plain(d.schemaPath)}`,
    `${indent}  change: ${plain(d.suggestion)}`,
  ];
}

/** The report for a person at a terminal: one line per probe, its differences under it. */
export function textReport(report: VerifyReport): string {
  const lines = [`jelou-flow verify: ${report.baseUrl} against openapi.yaml`];
  for (const probe of report.probes) {
    lines.push(`${probe.conforms ? "ok     " : "DIFFERS"} ${probe.title}: ${plain(outcome(probe))}`);
    for (const d of probe.differences) lines.push(...differenceLines(d, "    "));
  }
  for (const skipped of report.skipped) lines.push(`skipped ${skipped}`);
  lines.push(summary(report));
  return `${lines.join("\n")}\n`;
}

/** A fenced block that no backtick run in `text` can close early. */
function fenced(text: string, info = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}`;
}

/** Text from an answer in a Markdown line or table cell: controls escaped, `|` and HTML's `<` too. */
function cell(text: string): string {
  return plain(text).replaceAll("|", "\\|").replaceAll("<", "&lt;");
}

/** A code span that no backtick run in `text` can close early. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks} ${plain(text)} ${ticks}`;
}

/** The report as Markdown, for `--report FILE` and a CI job's summary. */
export function markdownReport(report: VerifyReport): string {
  const out = [
    "# jelou-flow verify",
    "",
    `- Target: ${report.baseUrl}`,
    `- Started: ${report.startedAt}`,
    "- Contract: openapi.yaml",
    `- Result: **${summary(report)}**`,
  ];
  for (const probe of report.probes) {
    out.push("", `## ${probe.title}: ${probe.conforms ? "conforms" : "differs"}`, "");
    out.push(`- Request: \`${probe.request}\``, `- Expected: ${probe.expected}`, `- Got: ${cell(outcome(probe))}`);
    if (probe.contentType !== undefined) out.push(`- Content-Type: ${code(probe.contentType)}`);
    for (const [name, value] of Object.entries(probe.headers ?? {})) {
      if (name !== "content-type") out.push(`- ${name}: ${code(value)}`);
    }
    if (probe.body !== undefined) out.push("", "Body:", "", fenced(probe.body === "" ? "(empty)" : probe.body));
    if (probe.differences.length > 0) {
      out.push("", "| Part | At | Schema path | Expected | Got | Smallest change to openapi.yaml |", "|---|---|---|---|---|---|");
      for (const d of probe.differences) {
        const cells = [d.part, d.at, `\`${d.schemaPath}\``, d.expected, d.actual, d.suggestion];
        out.push(`| ${cells.map(cell).join(" | ")} |`);
      }
    }
  }
  if (report.skipped.length > 0) out.push("", "## Not run", "", ...report.skipped.map((s) => `- ${s}`));
  return `${out.join("\n")}\n`;
}
