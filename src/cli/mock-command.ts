/** What `jelou-flow/mock` offers the command line. */
interface MockModule {
  runMockCli(argv: string[]): Promise<number>;
}

/**
 * `jelou-flow mock ...`: every argument goes to the mock's own command line, which owns its flags and its `--help`.
 * The mock is reached through the package's public entry only, so the client never depends on it.
 */
export async function runMock(argv: string[]): Promise<number> {
  const mock = (await import("jelou-flow/mock")) as unknown as MockModule;
  return mock.runMockCli(argv);
}
