import type { FC } from "hono/jsx";

/**
 * A point in time, written in UTC on the server; the page's script rewrites it in the reader's time zone. `short` is the
 * hour and minute of a chat bubble, `long` the date and time to the second.
 *
 * @param props.iso an ISO 8601 time, such as `2025-01-31T10:30:00.000Z`
 * @param props.format `short` or `long`
 */
export const TimeStamp: FC<{ iso: string; format: "short" | "long" }> = ({ iso, format }) => {
  const date = new Date(iso);
  const valid = !Number.isNaN(date.getTime());
  const utc = valid ? date.toISOString() : iso;
  const text = !valid ? iso : format === "short" ? `${utc.slice(11, 16)} UTC` : `${utc.slice(0, 10)} ${utc.slice(11, 19)} UTC`;
  return (
    <time datetime={utc} data-format={format} title={utc}>
      {text}
    </time>
  );
};
