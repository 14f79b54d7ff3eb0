// Every request the console makes goes through here: to this worker only, with the REST
// API's basic credentials once the person gave them (kept for the browser tab's session).
"use strict";

class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

const Api = {
  auth: sessionStorage.getItem("dkc-auth"),
  // Called once credentials were given: everything reloads with them.
  onSignedIn: [],

  headers(extra) {
    // The header tells the worker not to challenge: the browser would put up its own dialog.
    const h = Object.assign({ "X-DKC-Console": "1" }, extra || {});
    if (this.auth) h.Authorization = this.auth;
    return h;
  },

  async fetch(path, options = {}) {
    const sent = this.auth;
    const resp = await fetch(path, Object.assign({}, options, { headers: this.headers(options.headers) }));
    if (resp.status === 401) {
      // Refused for credentials given after it left (a request made before signing in,
      // answered after): asked again with them, not by reopening the sign-in dialog over
      // a console that is signed in.
      if (this.auth && this.auth !== sent) return this.fetch(path, options);
      this.askForCredentials();
      throw new ApiError(401, "Authentication required");
    }
    return resp;
  },

  // The JSON answer, or an ApiError with the REST API's message.
  async json(path, options) {
    const resp = await this.fetch(path, options);
    const text = await resp.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (!resp.ok) throw new ApiError(resp.status, (body && body.message) || `${resp.status} ${resp.statusText}`, body);
    return body;
  },

  send(method, path, body) {
    const options = { method };
    if (body !== undefined) {
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(body);
    }
    return this.json(path, options);
  },

  askForCredentials() {
    const dialog = document.getElementById("login");
    document.getElementById("sign-in").hidden = false;
    if (!dialog.open) dialog.showModal();
  },

  // A Server-Sent Events stream read with fetch (EventSource cannot send credentials),
  // reconnecting after a pause when it ends.
  async stream(path, onEvent, onState) {
    for (;;) {
      try {
        const resp = await this.fetch(path);
        if (!resp.ok || !resp.body) throw new Error(`${resp.status}`);
        onState("open");
        const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        let data = [];
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let nl;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl).replace(/\r$/, "");
            buffer = buffer.slice(nl + 1);
            if (line === "") {
              if (data.length) onEvent(data.join("\n"));
              data = [];
            } else if (line.startsWith("data:")) {
              data.push(line.slice(5).replace(/^ /, ""));
            }
          }
        }
      } catch (e) {
        // Reported below, then retried.
      }
      onState("closed");
      await new Promise((r) => setTimeout(r, 2000));
    }
  },
};

document.getElementById("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const user = document.getElementById("login-user").value;
  const password = document.getElementById("login-password").value;
  Api.auth = "Basic " + btoa(unescape(encodeURIComponent(`${user}:${password}`)));
  sessionStorage.setItem("dkc-auth", Api.auth);
  document.getElementById("login").close();
  document.getElementById("sign-in").hidden = true;
  for (const f of Api.onSignedIn) f();
});
document.getElementById("sign-in").addEventListener("click", () => Api.askForCredentials());
