/**
 * The inbox page's script, written in TypeScript against the DOM and served as the source of {@link inboxClient}. It
 * must stay self-contained: no imports and no references outside the function, since only its text reaches the browser.
 *
 * Everything it inserts is HTML rendered and escaped by the server's JSX; the few texts it writes itself go through
 * `textContent`. It keeps the page live over Server-Sent Events, reconnects with backoff when the mock goes away, and
 * reloads its lists from the server after every (re)connection so nothing that happened meanwhile is missed.
 */
export function inboxClient(): void {
  type Handler = (data: Record<string, string>) => void;
  const body = document.body;
  const conversations = document.getElementById("conversations") as HTMLElement;
  const rejectionList = document.getElementById("rejection-list") as HTMLElement;
  const connection = document.querySelector("[data-connection]") as HTMLElement;
  const announcer = document.querySelector("[data-announcer]") as HTMLElement;
  const filters = document.querySelector("[data-filters]") as HTMLFormElement;
  const phoneToggle = document.querySelector("[data-toggle-phones]") as HTMLButtonElement;
  const PHONES_KEY = "jelou-mock:show-phones";

  const fragment = (html: string): DocumentFragment => {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  };
  const all = (selector: string, root: ParentNode = document): HTMLElement[] =>
    Array.from(root.querySelectorAll<HTMLElement>(selector));
  /** Finds by data attribute with a comparison, never by building a selector out of data. */
  const byData = (selector: string, key: string, value: string, root: ParentNode = document): HTMLElement | undefined =>
    all(selector, root).find((el) => el.dataset[key] === value);
  const announce = (text: string): void => {
    announcer.textContent = text;
  };

  function localizeTimes(root: ParentNode): void {
    for (const el of all("time[datetime]", root)) {
      const date = new Date(el.getAttribute("datetime") ?? "");
      if (Number.isNaN(date.getTime())) continue;
      el.textContent =
        el.dataset.format === "short"
          ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
          : date.toLocaleString([], { dateStyle: "medium", timeStyle: "medium" });
    }
  }

  function setPhones(show: boolean): void {
    body.classList.toggle("show-phones", show);
    phoneToggle.setAttribute("aria-pressed", String(show));
    phoneToggle.textContent = show ? "Hide phone numbers" : "Show phone numbers";
    try {
      localStorage.setItem(PHONES_KEY, show ? "1" : "0");
    } catch {
      // Storage may be off; the toggle still works for this page.
    }
  }

  function filterValues(): { bot: string; user: string; flow: string } {
    const data = new FormData(filters);
    const value = (name: string) => String(data.get(name) ?? "").trim().toLowerCase();
    return { bot: value("bot"), user: value("user").replace(/[^0-9]/g, ""), flow: value("flow") };
  }

  /** Hides what does not match the filters, refreshes counts, suggestions and empty states, and mirrors the URL. */
  function refreshView(): void {
    const f = filterValues();
    const has = (el: HTMLElement, key: string, wanted: string) => (el.dataset[key] ?? "").toLowerCase().includes(wanted);
    const messages = all(".message", conversations);
    for (const el of messages) el.hidden = !(has(el, "bot", f.bot) && has(el, "user", f.user) && has(el, "flow", f.flow));
    for (const el of all(".conversation", conversations)) el.hidden = all(".message:not([hidden])", el).length === 0;
    const rejections = all(".rejection", rejectionList);
    for (const el of rejections) el.hidden = !(has(el, "bot", f.bot) && has(el, "user", f.user));

    const visible = messages.filter((el) => !el.hidden).length;
    (document.querySelector("[data-empty]") as HTMLElement).hidden = messages.length > 0;
    (document.querySelector("[data-filtered-out]") as HTMLElement).hidden = messages.length === 0 || visible > 0;
    (document.querySelector("[data-rejections-empty]") as HTMLElement).hidden = rejections.length > 0;
    (document.querySelector('[data-count="messages"]') as HTMLElement).textContent =
      visible === messages.length ? String(messages.length) : `${visible} of ${messages.length}`;
    (document.querySelector('[data-count="rejections"]') as HTMLElement).textContent = String(rejections.length);

    for (const [list, key] of [["bots", "bot"], ["users", "user"], ["flows", "flow"]] as const) {
      const values = [...new Set(messages.map((el) => el.dataset[key] ?? ""))].sort();
      const datalist = document.getElementById(list) as HTMLDataListElement;
      datalist.replaceChildren(...values.map((value) => Object.assign(document.createElement("option"), { value })));
    }
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(filters)) if (String(value).trim()) query.set(name, String(value).trim());
    const search = query.toString();
    history.replaceState(null, "", search ? `?${search}` : location.pathname);
  }

  /** What the lists hold, to tell whether a reload changed anything. */
  function signature(root: ParentNode): string {
    return all("[data-message-id], [data-rejection-id], [data-event-id], [data-delivery-id]", root)
      .map((el) => `${el.dataset.messageId ?? el.dataset.rejectionId ?? el.dataset.eventId}|${el.className}`)
      .join(",");
  }

  const handlers: Record<string, Handler> = {
    message(data) {
      if (byData("[data-message-id]", "messageId", data.messageId ?? "", conversations)) return;
      let conversation = byData(".conversation", "conversation", data.conversation ?? "", conversations);
      if (!conversation) {
        conversations.prepend(fragment(data.conversationHtml ?? ""));
        conversation = conversations.firstElementChild as HTMLElement;
      }
      const card = fragment(data.messageHtml ?? "");
      localizeTimes(card);
      (conversation.querySelector(".messages") as HTMLElement).append(card);
      conversations.prepend(conversation);
      announce(`New message in flow ${data.flow ?? ""} from bot ${data.botId ?? ""}`);
    },
    rejection(data) {
      if (byData("[data-rejection-id]", "rejectionId", data.rejectionId ?? "", rejectionList)) return;
      const item = fragment(data.html ?? "");
      localizeTimes(item);
      rejectionList.prepend(item);
      announce("A request was rejected; see Rejected requests");
    },
    reply(data) {
      const list = byData("[data-replies-for]", "repliesFor", data.messageId ?? "", conversations);
      if (!list || byData("[data-event-id]", "eventId", data.eventId ?? "", list)) return;
      const item = fragment(data.html ?? "");
      localizeTimes(item);
      list.prepend(item);
    },
    delivery(data) {
      for (const el of all("[data-delivery-id]", conversations)) {
        if (el.dataset.deliveryId === data.deliveryId) el.replaceWith(fragment(data.html ?? ""));
      }
      if (data.status === "failed") announce("A webhook delivery failed");
    },
    cleared() {
      void reload();
    },
  };

  let reloading: Array<[string, Record<string, string>]> | undefined;

  function apply(name: string, data: Record<string, string>): void {
    if (reloading) {
      reloading.push([name, data]);
      return;
    }
    handlers[name]?.(data);
    refreshView();
  }

  /** Reloads the lists from the server, then replays what arrived meanwhile (every handler is idempotent). */
  async function reload(): Promise<void> {
    if (reloading) return;
    reloading = [];
    try {
      const response = await fetch(location.pathname, { headers: { accept: "text/html" }, cache: "no-store" });
      if (response.ok) {
        const doc = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = doc.getElementById("conversations");
        const freshRejections = doc.getElementById("rejection-list");
        if (fresh && freshRejections && signature(fresh) + signature(freshRejections) !== signature(conversations) + signature(rejectionList)) {
          localizeTimes(fresh);
          localizeTimes(freshRejections);
          conversations.replaceChildren(...Array.from(document.adoptNode(fresh).childNodes));
          rejectionList.replaceChildren(...Array.from(document.adoptNode(freshRejections).childNodes));
        }
      }
    } catch {
      // The next connection reloads again.
    } finally {
      const queued = reloading;
      reloading = undefined;
      for (const [name, data] of queued) handlers[name]?.(data);
      refreshView();
    }
  }

  function setConnection(state: "connecting" | "live" | "reconnecting"): void {
    connection.dataset.connection = state;
    connection.textContent = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Mock unreachable, reconnecting…";
  }

  let failures = 0;
  function connect(): void {
    const source = new EventSource("/__mock/ui/events");
    source.addEventListener("hello", (event) => {
      failures = 0;
      const { bootId } = JSON.parse((event as MessageEvent<string>).data) as { bootId: string };
      body.dataset.bootId = bootId;
      setConnection("live");
      void reload();
    });
    for (const name of Object.keys(handlers)) {
      source.addEventListener(name, (event) => apply(name, JSON.parse((event as MessageEvent<string>).data)));
    }
    source.onerror = () => {
      setConnection("reconnecting");
      if (source.readyState !== EventSource.CLOSED) return;
      // The browser gave up (an error answer, not a dropped connection): retry ourselves, backing off to 10 s.
      source.close();
      failures++;
      setTimeout(connect, Math.min(10_000, 500 * 2 ** failures));
    };
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target as HTMLFormElement;
    if (!form.matches(".reply-form")) return;
    event.preventDefault();
    const output = form.querySelector("output") as HTMLOutputElement;
    const field = form.elements.namedItem("answers") as HTMLTextAreaElement;
    let answers: unknown;
    try {
      answers = JSON.parse(field.value || "{}");
    } catch (error) {
      answers = error;
    }
    if (answers === null || typeof answers !== "object" || Array.isArray(answers) || answers instanceof Error) {
      field.setAttribute("aria-invalid", "true");
      output.textContent = 'The answers must be a JSON object, such as {"date": "2025-01-31"}.';
      field.focus();
      return;
    }
    field.removeAttribute("aria-invalid");
    output.textContent = "Sending…";
    try {
      const id = encodeURIComponent(form.dataset.messageId ?? "");
      const response = await fetch(`/__mock/messages/${id}/reply`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ answers }),
      });
      const result = (await response.json()) as { event?: { id: string }; description?: string };
      output.textContent = response.ok
        ? `Reply ${result.event?.id ?? ""} recorded.`
        : `Refused (${response.status}): ${result.description ?? "no reason given"}`;
    } catch {
      output.textContent = "The mock did not answer; is it running?";
    }
  });

  document.addEventListener("click", async (event) => {
    const target = event.target as HTMLElement;
    if (target.closest("[data-toggle-phones]")) setPhones(!body.classList.contains("show-phones"));
    if (target.closest("[data-clear]")) {
      const response = await fetch("/__mock/messages", { method: "DELETE" }).catch(() => undefined);
      announce(response?.ok ? "Inbox cleared" : "The inbox could not be cleared; is the mock running?");
    }
  });

  filters.addEventListener("input", refreshView);
  filters.addEventListener("reset", () => setTimeout(refreshView));
  filters.addEventListener("submit", (event) => event.preventDefault());

  const params = new URLSearchParams(location.search);
  for (const name of ["bot", "user", "flow"]) {
    const input = filters.elements.namedItem(name) as HTMLInputElement | null;
    if (input) input.value = params.get(name) ?? "";
  }
  let showPhones = false;
  try {
    showPhones = localStorage.getItem(PHONES_KEY) === "1";
  } catch {
    // Masked by default.
  }
  setPhones(showPhones);
  localizeTimes(document);
  refreshView();
  connect();
}

/**
 * The script as served. esbuild-based runners (tsx, vitest) may wrap named functions in a `__name` helper when they
 * transpile; the shim keeps the serialised function runnable wherever the source was compiled.
 */
export const INBOX_SCRIPT = `var __name = (target) => target;\n(${inboxClient.toString()})();\n`;
