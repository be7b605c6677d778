/**
 * The inbox page's script, served as its source text: so no imports, nothing outside the function. It inserts only HTML
 * the server's JSX rendered and escaped, and reloads its lists after every (re)connection so it misses nothing.
 */
export function inboxClient(): void {
  const conversations = document.getElementById("conversations") as HTMLElement;
  const rejectionList = document.getElementById("rejection-list") as HTMLElement;
  const filters = document.querySelector("[data-filters]") as HTMLFormElement;
  const phoneToggle = document.querySelector("[data-toggle-phones]") as HTMLButtonElement;
  const PHONES_KEY = "jelou-mock:show-phones";
  const one = (selector: string) => document.querySelector(selector) as HTMLElement;
  const all = (selector: string, root: ParentNode = document) => Array.from(root.querySelectorAll<HTMLElement>(selector));
  // Compares data attributes, never builds a selector out of data.
  const byData = (selector: string, key: string, value = "", root: ParentNode = document) =>
    all(selector, root).find((el) => el.dataset[key] === value);
  const fragment = (html = ""): DocumentFragment => {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  };
  const announce = (text: string): void => {
    one("[data-announcer]").textContent = text;
  };

  function setPhones(show: boolean): void {
    document.body.classList.toggle("show-phones", show);
    phoneToggle.setAttribute("aria-pressed", String(show));
    phoneToggle.textContent = show ? "Hide phone numbers" : "Show phone numbers";
    try {
      localStorage.setItem(PHONES_KEY, show ? "1" : "0");
    } catch {
      // Storage may be off; the toggle still works for this page.
    }
  }

  /** Hides what does not match the filters, refreshes counts, suggestions and empty states, and mirrors the URL. */
  function refreshView(): void {
    const data = new FormData(filters);
    const value = (name: string) => String(data.get(name) ?? "").trim().toLowerCase();
    const wanted: Record<string, string> = { bot: value("bot"), user: value("user").replace(/[^0-9]/g, ""), flow: value("flow") };
    const matches = (el: HTMLElement, keys: string[]) =>
      keys.every((key) => (el.dataset[key] ?? "").toLowerCase().includes(wanted[key] ?? ""));
    const messages = all(".message", conversations);
    for (const el of messages) el.hidden = !matches(el, ["bot", "user", "flow"]);
    for (const el of all(".conversation", conversations)) el.hidden = all(".message:not([hidden])", el).length === 0;
    const rejections = all(".rejection", rejectionList);
    for (const el of rejections) el.hidden = !matches(el, ["bot", "user"]);

    const visible = messages.filter((el) => !el.hidden).length;
    one("[data-empty]").hidden = messages.length > 0;
    one("[data-filtered-out]").hidden = messages.length === 0 || visible > 0;
    one("[data-rejections-empty]").hidden = rejections.length > 0;
    const shown = visible === messages.length ? "" : `${visible} of `;
    one('[data-count="messages"]').textContent = `${shown}${messages.length}`;
    one('[data-count="rejections"]').textContent = String(rejections.length);
    for (const [list, key] of [["bots", "bot"], ["users", "user"], ["flows", "flow"]] as const) {
      const values = [...new Set(messages.map((el) => el.dataset[key] ?? ""))].sort();
      one(`#${list}`).replaceChildren(...values.map((v) => Object.assign(document.createElement("option"), { value: v })));
    }
    const query = new URLSearchParams();
    for (const [name, entry] of data) if (String(entry).trim()) query.set(name, String(entry).trim());
    history.replaceState(null, "", query.size > 0 ? `?${query}` : location.pathname);
  }

  const handlers: Record<string, (data: Record<string, string>) => void> = {
    message(data) {
      if (byData("[data-message-id]", "messageId", data.messageId, conversations)) return;
      let conversation = byData(".conversation", "conversation", data.conversation, conversations);
      if (!conversation) {
        conversations.prepend(fragment(data.conversationHtml));
        conversation = conversations.firstElementChild as HTMLElement;
      }
      (conversation.querySelector(".messages") as HTMLElement).append(fragment(data.messageHtml));
      conversations.prepend(conversation);
      announce(`New message in flow ${data.flow ?? ""} from bot ${data.botId ?? ""}`);
    },
    rejection(data) {
      if (byData("[data-rejection-id]", "rejectionId", data.rejectionId, rejectionList)) return;
      rejectionList.prepend(fragment(data.html));
      announce("A request was rejected; see Rejected requests");
    },
    reply(data) {
      const list = byData("[data-replies-for]", "repliesFor", data.messageId, conversations);
      if (list && !byData("[data-event-id]", "eventId", data.eventId, list)) list.prepend(fragment(data.html));
    },
    delivery(data) {
      byData("[data-delivery-id]", "deliveryId", data.deliveryId, conversations)?.replaceWith(fragment(data.html));
      if (data.status === "failed") announce("A webhook delivery failed");
    },
    cleared() {
      void reload();
    },
  };

  /** What a list holds, to tell whether a reload changed anything. */
  const signature = (root: ParentNode): string =>
    all("[data-message-id], [data-rejection-id], [data-event-id], [data-delivery-id]", root)
      .map((el) => `${el.dataset.messageId ?? el.dataset.rejectionId ?? el.dataset.eventId}|${el.className}`)
      .join(",");

  let queued: Array<[string, Record<string, string>]> | undefined;
  function apply(name: string, data: Record<string, string>): void {
    if (queued) queued.push([name, data]);
    else handlers[name]?.(data);
    refreshView();
  }

  /** Reloads the lists from the server, then replays what arrived meanwhile (every handler is idempotent). */
  async function reload(): Promise<void> {
    if (queued) return;
    queued = [];
    try {
      const response = await fetch(location.pathname, { headers: { accept: "text/html" }, cache: "no-store" });
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const list of response.ok ? [conversations, rejectionList] : []) {
        const replacement = fresh.getElementById(list.id);
        if (!replacement || signature(replacement) === signature(list)) continue;
        list.replaceChildren(...document.adoptNode(replacement).childNodes);
      }
    } catch {
      // The next connection reloads again.
    } finally {
      const replay = queued;
      queued = undefined;
      for (const [name, data] of replay) handlers[name]?.(data);
      refreshView();
    }
  }

  function setConnection(state: "live" | "reconnecting"): void {
    const connection = one("[data-connection]");
    connection.dataset.connection = state;
    connection.textContent = state === "live" ? "Live" : "Mock unreachable, reconnecting…";
  }

  let failures = 0;
  function connect(): void {
    const source = new EventSource("/__mock/ui/events");
    source.addEventListener("hello", () => {
      failures = 0;
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
    } catch {
      answers = undefined;
    }
    if (answers === null || typeof answers !== "object" || Array.isArray(answers)) {
      field.setAttribute("aria-invalid", "true");
      output.textContent = 'The answers must be a JSON object, such as {"date": "2025-01-31"}.';
      field.focus();
      return;
    }
    field.removeAttribute("aria-invalid");
    output.textContent = "Sending…";
    try {
      const response = await fetch(`/__mock/messages/${encodeURIComponent(form.dataset.messageId ?? "")}/reply`, {
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
    if (target.closest("[data-toggle-phones]")) setPhones(!document.body.classList.contains("show-phones"));
    if (target.closest("[data-clear]")) {
      const response = await fetch("/__mock/messages", { method: "DELETE" }).catch(() => undefined);
      announce(response?.ok ? "Inbox cleared" : "The inbox could not be cleared; is the mock running?");
    }
  });

  filters.addEventListener("input", refreshView);
  filters.addEventListener("reset", () => setTimeout(refreshView));
  filters.addEventListener("submit", (event) => event.preventDefault());
  const params = new URLSearchParams(location.search);
  for (const input of all("input", filters) as HTMLInputElement[]) input.value = params.get(input.name) ?? "";
  try {
    setPhones(localStorage.getItem(PHONES_KEY) === "1");
  } catch {
    setPhones(false);
  }
  refreshView();
  connect();
}

/** esbuild-based runners (tsx, vitest) may wrap named functions in a `__name` helper: the shim keeps the text runnable. */
export const INBOX_SCRIPT = `var __name = (target) => target;\n(${inboxClient.toString()})();\n`;
