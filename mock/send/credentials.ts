/** A wrong pair carries its client id only when that id is the configured one, never what else the header held. */
export type AuthResult =
  | {
      /** The header passes. */
      ok: true;
      /** The client id it carries. */
      clientId: string;
    }
  | {
      /** The header does not pass. */
      ok: false;
      /** No header, a header that is not `Basic` and base64 `id:secret`, or a pair other than the configured one. */
      reason: "missing" | "malformed" | "wrong";
      /** The client id, only when it is the configured one (so the secret was wrong). */
      clientId?: string;
    };

/** The credentials the mock accepts, or none for "any well-formed pair". */
export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/** The credentials from options, else from `JELOU_CLIENT_ID` / `JELOU_CLIENT_SECRET` when `useEnv`; half a pair throws. */
export function resolveCredentials(options: Partial<Credentials>, useEnv: boolean): Credentials | undefined {
  const id = (options.clientId ?? (useEnv ? process.env.JELOU_CLIENT_ID : undefined)) || undefined;
  const secret = (options.clientSecret ?? (useEnv ? process.env.JELOU_CLIENT_SECRET : undefined)) || undefined;
  if (id === undefined && secret === undefined) return undefined;
  if (id === undefined || secret === undefined) {
    const given = id === undefined ? "secret" : "client id";
    throw new TypeError(
      "The mock needs both a client id and a client secret, or neither (then any well-formed credentials pass); " +
        `only the ${given} was given.`,
    );
  }
  if (id.includes(":")) throw new TypeError("The client id must not contain ':' (Basic credentials split on it).");
  return { clientId: id, clientSecret: secret };
}
