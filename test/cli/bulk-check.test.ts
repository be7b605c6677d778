import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CREDENTIALS, csvOf, inboxCounts, jsonLines, phone, runInProcess, TEMPLATE, useMockAndWorkspace } from "./helpers.js";

const t = useMockAndWorkspace();
const env = () => ({ ...CREDENTIALS, JELOU_BASE_URL: t.server.url });

/** 50 rows; rows 4, 21 and 51 of the file (recipients 2, 19 and 49) are wrong in three ways. */
const withBadRows = () =>
  csvOf(50, (i, cells) => (i === 2 ? ["0123", ...cells.slice(1)] : i === 19 ? [cells[0]!, "x".repeat(70), cells[2]!] : i === 49 ? ["", ...cells.slice(1)] : cells));

describe("bulk checks the whole list before the first send", () => {
  it("reports every invalid row with its row number and sends nothing", async () => {
    t.server.mock.inbox.clear();
    const csv = await t.ws.file("bad.csv", withBadRows());
    const journal = `${t.ws.dir}/bad.jsonl`;
    const run = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal], env());
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/row 4 \(0123\): userId must be the phone number/);
    expect(run.stderr).toMatch(/row 21 \(593900000019\): title has 73 characters; the limit is 60/);
    expect(run.stderr).toMatch(/row 51: The userId column is empty/);
    expect(run.stderr).toContain("3 rows are invalid; nothing was sent.");
    expect(t.server.mock.inbox.list()).toHaveLength(0);
    expect(existsSync(journal)).toBe(false);
  });

  it("names rows by their spreadsheet row even after blank lines", async () => {
    t.server.mock.inbox.clear();
    const lines = withBadRows().split("\n");
    lines.splice(3, 0, "", ""); // two blank lines before recipient 2: its row is 6, not 4
    const csv = await t.ws.file("blank-lines.csv", `${lines.join("\n")}${phone(5)},Again,A-5\n`);
    const run = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--dry-run"], env());
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/row 6 \(0123\): userId must be the phone number/);
    expect(run.stderr).toMatch(/row 23 \(593900000019\): title has 73 characters/);
    expect(run.stderr).toMatch(/row 53: The userId column is empty/);
    expect(run.stderr).toContain("row 54 (593900000005): duplicate of row 9;");

    // The sending pass numbers rows as the check did: the duplicate is still sent once, and results name the same rows.
    const sent = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--skip-invalid", "--json", "--progress", "none"], env());
    const results = jsonLines(sent.stdout).filter((l) => l.type === "result");
    const rowOf = (i: number) => results.find((r) => r.userId === phone(i) && r.status === "sent")?.row;
    expect([rowOf(0), rowOf(1), rowOf(3), rowOf(5)]).toEqual([2, 3, 7, 9]);
    expect(results.filter((r) => r.status === "sent")).toHaveLength(47);
    expect(Math.max(...inboxCounts(t.server.mock).values())).toBe(1);
  });

  it("with --skip-invalid sends the valid rows, sends a duplicate recipient once, and exits 15: not everyone was sent", async () => {
    t.server.mock.inbox.clear();
    const csv = await t.ws.file("skip.csv", `${withBadRows()}${phone(5)},Again,A-5\n`);
    const args = ["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--skip-invalid", "--json", "--progress", "none"];
    const dry = await runInProcess([...args, "--dry-run"], env());
    expect(dry.code).toBe(15);
    expect(dry.stderr).toContain("Dry run: nothing was sent. 47 would be sent; 3 invalid rows would not.");
    const run = await runInProcess(args, env());
    expect(run.code).toBe(15);
    expect(run.stderr).toContain("row 52 (593900000005): duplicate of row 7; sent once only.");
    expect(run.stderr).toContain("3 invalid rows (listed above) were not sent: fix them in the list, then run the same command with --resume to send them.");
    const summary = jsonLines(run.stdout).at(-1);
    expect(summary).toMatchObject({ type: "summary", sent: 47, invalid: 3, duplicate: 1, exitCode: 15 });
    const counts = inboxCounts(t.server.mock);
    expect(counts.size).toBe(47);
    expect(counts.get(phone(5))).toBe(1);

    // As the summary says: the rows fixed, --resume sends them, and only them.
    await writeFile(csv, `${csvOf(50)}${phone(5)},Again,A-5\n`);
    const fixed = await runInProcess(args.filter((a) => a !== "--skip-invalid").concat("--resume"), env());
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(jsonLines(fixed.stdout).at(-1)).toMatchObject({ sent: 3, skipped: 47, exitCode: 0 });
    expect([...inboxCounts(t.server.mock).values()].filter((n) => n === 1)).toHaveLength(50);
  });

  it("--dry-run checks and plans, shows the first message that would be sent (phone masked), and sends nothing", async () => {
    t.server.mock.inbox.clear();
    const csv = await t.ws.file("dry.csv", csvOf(20));
    const run = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--dry-run"], env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Checked 20 rows: 0 invalid, 0 duplicate, 0 already sent, 0 unknown from an earlier run; 20 to send.");
    expect(run.stderr).toContain("The message for row 2 (bot bot-1, to 5939****0000), as it would be sent:\n{\n");
    const body = run.stderr.slice(run.stderr.indexOf("{"), run.stderr.lastIndexOf("}") + 1);
    expect(JSON.parse(body)).toEqual({ ...TEMPLATE, title: "Hi Name 0", text: TEMPLATE.text.replace("{{order}}", "A-0"),
      parameters: { ...TEMPLATE.parameters, flow_action_payload: { screen: "START", data: { order: "A-0" } } }, payload: { order: "A-0" } });
    expect(run.stderr).toContain("Dry run: nothing was sent.");
    expect(run.stderr).not.toContain(phone(0));
    expect(`${run.stdout}${run.stderr}`).not.toContain(CREDENTIALS.JELOU_CLIENT_SECRET);
    const json = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--dry-run", "--json"], {});
    expect(jsonLines(json.stdout).find((l) => l.type === "sample")).toMatchObject({ row: 2, botId: "bot-1", userId: "5939****0000", message: { title: "Hi Name 0" } });
    expect(json.stdout).not.toContain(phone(0));
    expect(t.server.mock.inbox.list()).toHaveLength(0);
  });

  it("refuses, before reading any row, a list without a column the template uses, and a misplaced placeholder", async () => {
    const csv = await t.ws.file("cols.csv", "userId,name\n593900000001,Ana\n");
    const missing = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1"], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no column "order" (its columns: userId, name)');
    const bad = await t.ws.file("bad-template.json", JSON.stringify({ ...TEMPLATE, parameters: { flow_name: "{{name}}", flow_cta: "Go" } }));
    const misplaced = await runInProcess(["bulk", csv, "--template", bad, "--bot", "bot-1"], env());
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("parameters.flow_name");
    const noBot = await runInProcess(["bulk", csv, "--template", t.ws.template], env());
    expect(noBot.code).toBe(2);
  });

  it("refuses to run over an earlier journal without --resume, and needs credentials to send", async () => {
    const csv = await t.ws.file("again.csv", csvOf(3));
    const journal = `${t.ws.dir}/again.jsonl`;
    await writeFile(journal, `${JSON.stringify({ type: "run", at: new Date().toISOString(), version: 1 })}\n`);
    const again = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("--resume");
    const noCredentials = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", `${t.ws.dir}/new.jsonl`], { JELOU_BASE_URL: t.server.url });
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain("JELOU_CLIENT_ID and JELOU_CLIENT_SECRET are not set");
  });

  it("refuses --resume with another template (exit 2, nothing sent) until --allow-template-change", async () => {
    t.server.mock.inbox.clear();
    const csv = await t.ws.file("changed.csv", csvOf(4));
    const journal = `${t.ws.dir}/changed.jsonl`;
    const args = (template: string, ...more: string[]) => ["bulk", csv, "--template", template, "--bot", "bot-1", "--journal", journal, "--progress", "none", ...more];
    // The first run is cut short after two rows: the journal holds them and nothing else.
    const first = await runInProcess(args(t.ws.template), env());
    expect(first.code).toBe(0);
    const lines = jsonLines(await readFile(journal, "utf8")) as { type: string; key?: string }[];
    const kept = lines.filter((l) => l.key === undefined || l.key.endsWith(phone(0)) || l.key.endsWith(phone(1)));
    await writeFile(journal, kept.map((l) => `${JSON.stringify(l)}\n`).join(""));
    t.server.mock.inbox.clear();

    const edited = await t.ws.file("edited.json", JSON.stringify({ ...TEMPLATE, title: "Hello {{name}}" }));
    const refused = await runInProcess(args(edited, "--resume"), env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("different message");
    expect(refused.stderr).toContain("--allow-template-change");
    expect(t.server.mock.inbox.list()).toHaveLength(0);

    const allowed = await runInProcess(args(edited, "--resume", "--allow-template-change"), env());
    expect(allowed.code).toBe(0);
    expect(t.server.mock.inbox.list().map((m) => [m.userId, m.body.title]).sort()).toEqual([
      [phone(2), "Hello Name 2"],
      [phone(3), "Hello Name 3"],
    ]);
  });

  it("stops taking rows on Ctrl-C, lets sends in flight finish, and exits 130 with a consistent journal", async () => {
    t.server.mock.inbox.clear();
    const csv = await t.ws.file("stop.csv", csvOf(200));
    const journal = `${t.ws.dir}/stop.jsonl`;
    let interrupt: () => void = () => {};
    setTimeout(() => interrupt(), 300);
    const run = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal, "--rate", "50/s", "--json", "--progress", "none"], env(), {
      interrupt: (trigger) => (interrupt = trigger),
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("Stopping: no new sends");
    expect(run.stderr).toContain("Run the same command with --resume to continue");
    const sent = jsonLines(run.stdout).filter((l) => l.type === "result" && l.status === "sent").length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(200);
    expect(t.server.mock.inbox.list({ limit: 1000 })).toHaveLength(sent);
    const { readJournal } = await import("../../src/bulk/file-journal.js");
    const states = [...(await readJournal(journal)).states.values()];
    expect(states.filter((s) => s === "sent")).toHaveLength(sent);
    expect(states.filter((s) => s !== "sent")).toHaveLength(0);
  });
});
