/**
 * The inbox page's stylesheet, served from memory at `/__mock/ui/inbox.css` (no CDN, no file to copy at build time). The
 * chat colours follow WhatsApp's light theme so a bubble looks like what the recipient sees.
 */
export const INBOX_STYLES = /* css */ `
:root {
  --wa-teal: #008069; --wa-teal-dark: #005c4b; --wa-chat: #efeae2; --wa-bubble: #ffffff; --wa-muted: #667781;
  --wa-link: #027eb5; --ink: #111b21; --line: #d1d7db; --panel: #ffffff; --page: #f0f2f5; --danger: #b42318;
  --warn: #8a5a00; --ok: #067647; --focus: #1d4ed8;
  color-scheme: light;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--page); line-height: 1.45;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; min-width: 320px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
h1, h2, h3 { line-height: 1.2; }
a { color: var(--wa-link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button {
  font: inherit; font-size: 0.9rem; padding: 0.45rem 0.8rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--line); background: #fff; color: var(--ink);
}
button:hover { background: #f5f6f6; }
button.danger { color: var(--danger); border-color: #f2c7c3; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.skip { position: absolute; left: 0.5rem; top: -3rem; background: #fff; padding: 0.5rem; z-index: 10; }
.skip:focus { top: 0.5rem; }

.topbar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; padding: 0.75rem 1.25rem;
  background: var(--wa-teal); color: #fff;
}
.topbar h1 { font-size: 1.2rem; margin: 0; }
.subtitle { font-weight: 400; opacity: 0.85; }
.connection { margin: 0; font-size: 0.85rem; padding: 0.15rem 0.6rem; border-radius: 999px; background: rgba(255,255,255,.18); }
.connection::before { content: "●"; margin-right: 0.35rem; }
.connection[data-connection="live"]::before { color: #7cf3b5; }
.connection[data-connection="reconnecting"] { background: #fbe3a4; color: #4a3500; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin-left: auto; }
.count-link { color: #fff; font-size: 0.9rem; }
.topbar button { border-color: transparent; }
.topbar button.danger { color: var(--danger); }

.filters {
  display: flex; flex-wrap: wrap; align-items: end; gap: 0.5rem 0.75rem; padding: 0.75rem 1.25rem;
  background: var(--panel); border-bottom: 1px solid var(--line);
}
.field { display: flex; flex-direction: column; gap: 0.2rem; flex: 1 1 10rem; max-width: 16rem; }
.field label { font-size: 0.8rem; font-weight: 600; color: #3b4a54; }
.field input, .reply-form textarea { border: 1px solid #aab4ba; border-radius: 6px; width: 100%; }
.field input { font: inherit; font-size: 0.9rem; padding: 0.4rem 0.55rem; }

.layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.25rem; padding: 1.25rem; max-width: 90rem; margin: auto; }
@media (min-width: 900px) { .layout { grid-template-columns: minmax(0, 2fr) minmax(18rem, 1fr); align-items: start; } }
main:focus, section:focus { outline: none; }
h2 { font-size: 1.05rem; margin: 0 0 0.75rem; }
.count { font-weight: 400; color: var(--wa-muted); }
aside section, .conversation {
  background: var(--panel); border: 1px solid var(--line); border-radius: 10px; margin-bottom: 1.25rem;
}
aside section { padding: 1rem; }
.hint, .none { color: var(--wa-muted); font-size: 0.85rem; }
.nowrap { white-space: nowrap; }

.empty { background: var(--panel); border: 1px dashed #aab4ba; border-radius: 10px; padding: 1rem 1.25rem; }
.empty h3 { margin-top: 0; }
.snippet { background: #1f2c34; color: #e9edef; padding: 0.75rem; border-radius: 8px; font-size: 0.8rem; }

.conversation { overflow: hidden; }
.conversation-title {
  display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: baseline; margin: 0; padding: 0.7rem 1rem;
  font-size: 0.95rem; background: #f7f8fa; border-bottom: 1px solid var(--line);
}
.conversation-arrow { color: var(--wa-muted); }
.phone-full { display: none; }
.show-phones .phone-full { display: inline; }
.show-phones .phone-masked { display: none; }
.messages { list-style: none; margin: 0; padding: 1rem; background: var(--wa-chat); display: grid; gap: 1.25rem; }

.message { display: grid; gap: 0.75rem; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 1100px) { .message { grid-template-columns: minmax(15rem, 21rem) minmax(0, 1fr); align-items: start; } }
.bubble { max-width: 21rem; filter: drop-shadow(0 1px 0.5px rgba(11, 20, 26, 0.13)); }
.bubble-card { position: relative; background: var(--wa-bubble); border-radius: 0 8px 0 0; padding: 0.45rem 0.6rem 0.35rem; }
.bubble-card::before {
  content: ""; position: absolute; left: -8px; top: 0; border-style: solid; border-width: 0 8px 10px 0;
  border-color: transparent var(--wa-bubble) transparent transparent;
}
.bubble-header { font-weight: 700; font-size: 0.98rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
.bubble-body { font-size: 0.92rem; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.bubble-body code { background: #f0f2f5; padding: 0 0.2em; border-radius: 3px; }
.bubble-footer { font-size: 0.8rem; color: var(--wa-muted); margin: 0.3rem 0 0; overflow-wrap: anywhere; }
.bubble-time { font-size: 0.7rem; color: var(--wa-muted); text-align: right; margin: 0; }
.bubble-cta {
  display: flex; justify-content: center; align-items: center; gap: 0.4rem; margin: 1px 0 0; padding: 0.6rem;
  background: var(--wa-bubble); border-radius: 0 0 8px 8px; color: var(--wa-link); font-weight: 500; font-size: 0.92rem;
}
.bubble-cta-icon {
  width: 0.85rem; height: 0.75rem; flex: none;
  background: linear-gradient(currentColor 0 0) 0 0 / 100% 2px no-repeat,
    linear-gradient(currentColor 0 0) 0 50% / 100% 2px no-repeat, linear-gradient(currentColor 0 0) 0 100% / 70% 2px no-repeat;
}

.details, .upstream, .usage, .raw, .complete, .replies { grid-column: 1 / -1; }
@media (min-width: 1100px) {
  .details, .upstream, .usage, .raw, .complete, .replies { grid-column: 2; }
  .details { grid-row: 1 / span 1; }
}
.details, .upstream, .usage, .raw, .complete { background: rgba(255, 255, 255, 0.85); border-radius: 8px; margin: 0; }
.details { display: grid; grid-template-columns: repeat(auto-fill, minmax(8rem, 1fr)); gap: 0.5rem 1rem; padding: 0.75rem; }
.detail { min-width: 0; }
.detail:has(pre), .detail-wide { grid-column: 1 / -1; }
.detail dt { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.04em; color: #3b4a54; font-weight: 600; }
.detail dd { margin: 0; overflow-wrap: anywhere; font-size: 0.9rem; }
.json {
  background: #f7f8fa; border: 1px solid #e4e7ea; border-radius: 6px; padding: 0.5rem; font-size: 0.78rem; max-height: 20rem;
  overflow: auto;
}

.usage { list-style: none; padding: 0.6rem 0.75rem; display: grid; gap: 0.3rem; }
.usage-item {
  display: grid; grid-template-columns: 9.5rem minmax(3rem, 1fr) 5.5rem; align-items: center; gap: 0.5rem; font-size: 0.82rem;
}
.usage-item meter { width: 100%; }
.usage-count { text-align: right; font-variant-numeric: tabular-nums; }
.usage-near .usage-count, .delivery-retrying, .delivery-pending { color: var(--warn); font-weight: 600; }
.usage-over .usage-count, .delivery-failed, .rejection-status { color: var(--danger); font-weight: 700; }

details > summary { cursor: pointer; font-size: 0.88rem; color: var(--wa-teal-dark); font-weight: 600; padding: 0.2rem 0; }
.raw, .complete { padding: 0.35rem 0.75rem; }
.reply-form { display: grid; gap: 0.4rem; padding: 0.4rem 0 0.6rem; }
.reply-form label { font-size: 0.85rem; font-weight: 600; }
.reply-form textarea { font: 0.85rem ui-monospace, Menlo, Consolas, monospace; padding: 0.5rem; }
.reply-form textarea[aria-invalid="true"] { border-color: var(--danger); }
.reply-form button { justify-self: start; background: var(--wa-teal); color: #fff; border-color: var(--wa-teal); }
.reply-form button:hover { background: var(--wa-teal-dark); }
.reply-result { font-size: 0.85rem; }
.replies, .rejection-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
.replies:empty { display: none; }
.reply { background: #d9fdd3; border-radius: 8px; padding: 0.5rem 0.75rem; font-size: 0.85rem; }
.reply-summary { margin: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 0.6rem; align-items: baseline; }
.delivery { font-weight: 600; }
.delivery-delivered { color: var(--ok); }

.rejection {
  border-left: 4px solid var(--danger); background: #fef3f2; border-radius: 0 8px 8px 0; padding: 0.6rem 0.75rem;
  font-size: 0.88rem; overflow-wrap: anywhere;
}
.rejection p { margin: 0 0 0.3rem; }
.rejection-head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.25rem 0.75rem; }
.rejection-head time { color: var(--wa-muted); font-size: 0.8rem; }
.problems { margin: 0.25rem 0; padding-left: 1.1rem; }
.upstream { padding: 0.6rem 0.75rem; font-size: 0.88rem; overflow-wrap: anywhere; border-left: 4px solid var(--ok); }
.upstream-drift, .upstream-none { border-left-color: var(--danger); }
.upstream-head { display: flex; flex-wrap: wrap; gap: 0.25rem 0.6rem; align-items: baseline; margin: 0 0 0.3rem; }
.upstream-status { font-weight: 600; }
.badge-drift { background: var(--danger); color: #fff; border-radius: 999px; padding: 0.05rem 0.55rem; font-size: 0.78rem; }

@media (max-width: 600px) {
  .topbar { padding: 0.6rem 0.75rem; }
  .topbar button { font-size: 0.82rem; padding: 0.35rem 0.5rem; }
  .actions { gap: 0.4rem; }
  .filters { padding: 0.6rem 0.75rem; }
  .layout { padding: 0.75rem; gap: 0.75rem; }
  .messages { padding: 0.6rem 0.6rem 0.6rem 0.9rem; }
  .usage-item { grid-template-columns: 7.5rem minmax(2rem, 1fr) 4.75rem; }
}
`;
