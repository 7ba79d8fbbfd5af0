/*
 * Suivi chat widget. Vanilla JavaScript, no build. Embed it with:
 *   <script src="https://SUIVI/static/suivi/widget.js" data-suivi="WIDGET_KEY" defer></script>
 * Optional: data-identity="v1.…" (a signed identity token made by your server).
 * Protocol and guarantees: docs/channels/chat.md. Messages not yet acknowledged are kept
 * (localStorage) and sent again after a reconnect; a server id is shown only once.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[data-suivi]");
  if (!script || window.Suivi) { return; }
  var KEY = script.getAttribute("data-suivi");
  if (!KEY) { return; }
  var ORIGIN = new URL(script.src, location.href).origin;
  var SOCKET_URL = ORIGIN.replace(/^http/, "ws") + "/ws/chat/" + encodeURIComponent(KEY) + "/";
  var LANG = (document.documentElement.lang || "fr").toLowerCase().indexOf("en") === 0 ? "en" : "fr";
  var STORE = "suivi-chat:" + KEY;

  var TEXT = {
    fr: {
      launcher: "Discuter avec nous",
      title: "Discussion avec le service client",
      close: "Fermer la discussion",
      messages: "Messages",
      label: "Votre message",
      placeholder: "Écrivez votre message…",
      send: "Envoyer",
      person: "Parler à un conseiller",
      source: "Réponse tirée de :",
      newTab: "(s’ouvre dans un nouvel onglet)",
      assistant: "Assistant",
      byEmail: "Être répondu par e-mail",
      emailLabel: "Votre adresse e-mail",
      emailSend: "Recevoir la réponse par e-mail",
      you: "Vous",
      us: "Service client",
      connecting: "Connexion…",
      connected: "Connecté",
      offline: "Connexion perdue, nouvelle tentative…",
      sending: "envoi…",
      typing: "{name} écrit…",
      advisor: "Le conseiller",
      callback: "Être rappelé",
      ended: "La discussion est terminée.",
      restart: "Nouvelle discussion",
      refused: "Ce chat n’est pas disponible sur ce site.",
      failed: "non envoyé",
      welcome: "Bonjour ! Posez votre question, un conseiller peut vous répondre à tout moment."
    },
    en: {
      launcher: "Chat with us",
      title: "Chat with customer service",
      close: "Close the chat",
      messages: "Messages",
      label: "Your message",
      placeholder: "Write your message…",
      send: "Send",
      person: "Talk to a person",
      source: "Answer taken from:",
      newTab: "(opens in a new tab)",
      assistant: "Assistant",
      byEmail: "Answer me by e-mail",
      emailLabel: "Your e-mail address",
      emailSend: "Get the answer by e-mail",
      you: "You",
      us: "Customer service",
      connecting: "Connecting…",
      connected: "Connected",
      offline: "Connection lost, trying again…",
      sending: "sending…",
      typing: "{name} is typing…",
      advisor: "The advisor",
      callback: "Be called back",
      ended: "The chat has ended.",
      restart: "New chat",
      refused: "This chat is not available on this site.",
      failed: "not sent",
      welcome: "Hello! Ask your question; a person can answer you at any time."
    }
  }[LANG];

  // --- state kept across reloads and reconnects -------------------------------------
  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (e) { return {}; }
  }
  var state = load();
  state.pending = state.pending || [];   // [{client_id, text}] not acknowledged yet
  // Highest server id shown by this page: a reloaded page asks for the whole transcript.
  var lastId = 0;
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  var shown = {};        // server id -> true: never show a line twice
  var byClientId = {};   // client id -> list item of our own messages
  var socket = null;
  var attempts = 0;
  var reconnectTimer = null;
  var stopped = false;
  var ready = false;
  var identityToken = script.getAttribute("data-identity") || "";

  function newClientId() {
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  // --- the interface (in a shadow root, so the host site's styles do not leak) -------
  var host = document.createElement("div");
  host.setAttribute("data-suivi-chat", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.innerHTML =
    "<style>" +
    ":host{all:initial}" +
    "*{box-sizing:border-box;font-family:system-ui,sans-serif;font-size:15px}" +
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:12px 18px;border:0;border-radius:24px;background:#1d4ed8;color:#fff;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}" +
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}" +
    ".dialog{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:min(380px,calc(100vw - 40px));height:min(560px,calc(100vh - 100px));display:flex;flex-direction:column;background:#fff;color:#111;border:1px solid #ccc;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.25)}" +
    ".dialog[hidden]{display:none}" +
    "header{display:flex;justify-content:space-between;align-items:center;padding:10px 12px;background:#1d4ed8;color:#fff;border-radius:12px 12px 0 0}" +
    "h2{margin:0;font-size:16px}" +
    "header button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer;padding:2px 8px}" +
    "ol{list-style:none;margin:0;padding:10px;overflow-y:auto;flex:1}" +
    "li{margin:6px 0;max-width:85%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    "li.customer{margin-left:auto;background:#dbeafe}" +
    "li.advisor,li.assistant{background:#f3f4f6}" +
    "li.system{max-width:100%;background:#fef3c7;font-size:14px}" +
    "li .who{display:block;font-size:12px;color:#374151;font-weight:600}" +
    "li .state{display:block;font-size:12px;color:#4b5563}" +
    "li .source{display:block;margin-top:6px;font-size:13px;color:#374151}" +
    "li .source a{color:#1d4ed8}" +
    "li .person-inline{display:block;margin-top:6px;padding:4px 10px;border:1px solid #1d4ed8;border-radius:16px;background:#fff;color:#1d4ed8;cursor:pointer;font-size:13px}" +
    "li .person-inline[hidden]{display:none}" +
    ".status{margin:0;padding:2px 12px;min-height:20px;font-size:13px;color:#374151}" +
    ".actions{display:flex;gap:6px;flex-wrap:wrap;padding:4px 10px}" +
    ".actions button,.actions a{padding:6px 10px;border:1px solid #1d4ed8;border-radius:16px;background:#fff;color:#1d4ed8;cursor:pointer;text-decoration:none;font-size:14px}" +
    "form{display:flex;gap:6px;padding:8px 10px;border-top:1px solid #e5e7eb;align-items:flex-end}" +
    "form label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}" +
    "textarea,input{flex:1;min-height:38px;max-height:120px;padding:8px;border:1px solid #6b7280;border-radius:8px;resize:none}" +
    "form button{padding:8px 12px;border:0;border-radius:8px;background:#1d4ed8;color:#fff;cursor:pointer}" +
    ".email[hidden]{display:none}" +
    "</style>" +
    '<button type="button" class="launcher" aria-haspopup="dialog" aria-expanded="false" aria-controls="suivi-dialog"></button>' +
    '<section class="dialog" id="suivi-dialog" role="dialog" aria-modal="false" aria-labelledby="suivi-title" hidden>' +
    '<header><h2 id="suivi-title"></h2><button type="button" class="close"></button></header>' +
    '<ol class="log" role="log" aria-live="polite" aria-relevant="additions"></ol>' +
    '<p class="status" role="status"></p>' +
    '<div class="actions"><button type="button" class="person"></button><button type="button" class="by-email" aria-expanded="false" aria-controls="suivi-email"></button></div>' +
    '<form class="email" id="suivi-email" hidden><label for="suivi-email-input"></label><input id="suivi-email-input" type="email" autocomplete="email" required><button type="submit" class="email-send"></button></form>' +
    '<form class="compose"><label for="suivi-input"></label><textarea id="suivi-input" rows="1"></textarea><button type="submit" class="send"></button></form>' +
    "</section>";

  function $(selector) { return root.querySelector(selector); }
  var launcher = $(".launcher"), dialog = $(".dialog"), log = $(".log"), status = $(".status");
  var input = $("#suivi-input"), compose = $(".compose"), emailForm = $(".email");
  var emailInput = $("#suivi-email-input"), actions = $(".actions");
  launcher.textContent = TEXT.launcher;
  $("#suivi-title").textContent = TEXT.title;
  $(".close").setAttribute("aria-label", TEXT.close);
  $(".close").textContent = "×";
  log.setAttribute("aria-label", TEXT.messages);
  $("label[for=suivi-input]").textContent = TEXT.label;
  input.placeholder = TEXT.placeholder;
  $(".send").textContent = TEXT.send;
  $(".person").textContent = TEXT.person;
  $(".by-email").textContent = TEXT.byEmail;
  $("label[for=suivi-email-input]").textContent = TEXT.emailLabel;
  $(".email-send").textContent = TEXT.emailSend;

  function setStatus(text) { status.textContent = text; }

  function open() {
    dialog.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true; save();
    connect();
    input.focus();
    log.scrollTop = log.scrollHeight;
  }
  function close() {
    dialog.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false; save();
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (dialog.hidden) { open(); } else { close(); } });
  $(".close").addEventListener("click", close);
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  // --- the transcript ----------------------------------------------------------------
  function line(author, name, text) {
    var item = document.createElement("li");
    item.className = author;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = author === "customer" ? TEXT.you : (name || (author === "assistant" ? TEXT.assistant : TEXT.us));
    var body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    item.appendChild(who);
    item.appendChild(body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }
  function markState(item, text) {
    var mark = item.querySelector(".state");
    if (!text) { if (mark) { mark.remove(); } return; }
    if (!mark) { mark = document.createElement("span"); mark.className = "state"; item.appendChild(mark); }
    mark.textContent = text;
  }

  // The published answer a line quotes: its title, linked to the help page (new tab).
  function source(item, article) {
    var url;
    try { url = new URL(String(article.url || ""), ORIGIN); } catch (e) { return; }
    if (url.protocol !== "https:" && url.protocol !== "http:") { return; }
    var note = document.createElement("span");
    note.className = "source";
    note.appendChild(document.createTextNode(TEXT.source + " "));
    var link = document.createElement("a");
    link.href = url.href;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = String(article.title || url.href);
    var hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)";
    hint.textContent = " " + TEXT.newTab;
    link.appendChild(hint);
    note.appendChild(link);
    item.appendChild(note);
  }

  // "Talk to a person" under every answer of the assistant, while nobody has joined.
  var withPerson = false;
  function personButton(item) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "person-inline";
    button.textContent = TEXT.person;
    button.hidden = withPerson;
    button.addEventListener("click", askPerson);
    item.appendChild(button);
  }
  function personJoined() {
    withPerson = true;
    Array.prototype.forEach.call(root.querySelectorAll(".person-inline"), function (b) { b.hidden = true; });
  }

  function show(frame) {
    if (shown[frame.id]) { return; }
    shown[frame.id] = true;
    var item = frame.client_id && frame.author === "customer" ? byClientId[frame.client_id] : null;
    if (item) {
      markState(item, "");
    } else {
      item = line(frame.author, frame.name, frame.text);
      if (frame.author === "customer" && frame.client_id) { byClientId[frame.client_id] = item; }
      if (frame.article && typeof frame.article === "object") { source(item, frame.article); }
      if (frame.author === "assistant") { personButton(item); }
      if (frame.author === "advisor") { personJoined(); }
    }
    item.setAttribute("data-id", String(frame.id));
    if (frame.id > lastId) { lastId = frame.id; }
  }

  // --- the socket --------------------------------------------------------------------
  function send(frame) {
    if (socket && socket.readyState === 1 && ready) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function connect() {
    if (stopped || (socket && socket.readyState <= 1)) { return; }
    clearTimeout(reconnectTimer);
    setStatus(TEXT.connecting);
    ready = false;
    try { socket = new WebSocket(SOCKET_URL); } catch (e) { scheduleReconnect(); return; }
    socket.onopen = function () {
      var hello = { type: "hello", lang: LANG, conversation: state.conversation || null, last_id: lastId };
      if (identityToken) { hello.identity = { token: identityToken }; }
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      ready = false;
      if (event.code === 4003 || event.code === 4004) { stopped = true; setStatus(TEXT.refused); return; }
      setStatus(TEXT.offline);
      scheduleReconnect(event.code === 4029 ? 30000 : 0);
    };
  }

  function scheduleReconnect(atLeast) {
    if (stopped) { return; }
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s, … 30 s.
    var delay = Math.min(30000, 500 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
    attempts += 1;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, Math.max(delay, atLeast || 0));
  }

  function resendPending() {
    state.pending.forEach(function (message) {
      send({ type: "message", client_id: message.client_id, text: message.text });
    });
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        ready = true;
        attempts = 0;
        if (state.conversation !== frame.conversation) {
          state.conversation = frame.conversation;
          save();
        }
        setStatus(TEXT.connected);
        if (frame.status && frame.status !== "assistant") { personJoined(); }
        (frame.messages || []).forEach(show);
        if (frame.status === "ended") { ended(); }
        resendPending();
        break;
      case "message":
        show(frame);
        break;
      case "ack":
        state.pending = state.pending.filter(function (m) { return m.client_id !== frame.client_id; });
        save();
        if (frame.id) {
          var item = byClientId[frame.client_id];
          if (item) { markState(item, ""); item.setAttribute("data-id", String(frame.id)); }
          shown[frame.id] = true;
          if (frame.id > lastId) { lastId = frame.id; }
        }
        break;
      case "typing":
        if (frame.author !== "customer") {
          setStatus(frame.active ? TEXT.typing.replace("{name}", frame.name || TEXT.advisor) : TEXT.connected);
        }
        break;
      case "handoff":
        personJoined();
        if (frame.offer_callback) { offerCallback(frame.callback_url); }
        if (frame.offer_email) { showEmail(true); }
        break;
      case "email_followup":
        showEmail(false);
        break;
      case "ended":
        ended();
        break;
      case "error":
        onError(frame);
        break;
    }
  }

  function onError(frame) {
    if (frame.client_id && frame.code !== "rate_limited" && frame.code !== "server_error" && frame.code !== "hello_first") {
      // Refused for good (too long, empty…): stop resending it.
      state.pending = state.pending.filter(function (m) { return m.client_id !== frame.client_id; });
      save();
      var item = byClientId[frame.client_id];
      if (item) { markState(item, TEXT.failed + " — " + frame.message); }
    } else if (frame.code === "rate_limited" && frame.client_id) {
      setTimeout(resendPending, Math.ceil((frame.retry_after || 2) * 1000));
    }
    setStatus(frame.message || frame.code);
  }

  function offerCallback(url) {
    if (!url || root.querySelector(".callback")) { return; }
    var link = document.createElement("a");
    link.className = "callback";
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = TEXT.callback;
    actions.appendChild(link);
  }

  function showEmail(visible) {
    emailForm.hidden = !visible;
    $(".by-email").setAttribute("aria-expanded", visible ? "true" : "false");
    if (visible) { emailInput.focus(); }
  }

  function ended() {
    compose.hidden = true;
    $(".person").hidden = true;
    personJoined();
    setStatus(TEXT.ended);
    if (root.querySelector(".restart")) { return; }
    var restart = document.createElement("button");
    restart.type = "button";
    restart.className = "restart";
    restart.textContent = TEXT.restart;
    restart.addEventListener("click", function () {
      state = { pending: [], open: true };
      lastId = 0;
      save();
      log.textContent = "";
      shown = {}; byClientId = {}; withPerson = false;
      compose.hidden = false;
      $(".person").hidden = false;
      restart.remove();
      if (socket) { socket.close(); }
      input.focus();
    });
    actions.appendChild(restart);
  }

  // --- what the visitor does -----------------------------------------------------------
  var typingSince = 0, typingTimer = null;
  function typing(active) {
    var now = Date.now();
    if (active && now - typingSince < 3000) { return; }
    typingSince = active ? now : 0;
    send({ type: "typing", active: active });
  }

  function submit() {
    var text = input.value.trim();
    if (!text) { return; }
    var message = { client_id: newClientId(), text: text };
    state.pending.push(message);
    save();
    var item = line("customer", "", text);
    markState(item, TEXT.sending);
    byClientId[message.client_id] = item;
    input.value = "";
    clearTimeout(typingTimer);
    typing(false);
    if (!send({ type: "message", client_id: message.client_id, text: text })) { connect(); }
  }
  compose.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(); }
  });
  input.addEventListener("input", function () {
    typing(true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing(false); }, 4000);
  });
  function askPerson() {
    if (!send({ type: "handoff" })) { connect(); }
  }
  $(".person").addEventListener("click", askPerson);
  $(".by-email").addEventListener("click", function () { showEmail(emailForm.hidden); });
  emailForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (emailInput.value.trim()) { send({ type: "email", email: emailInput.value.trim() }); }
  });

  window.Suivi = {
    open: open,
    close: close,
    identify: function (token) {
      identityToken = token;
      send({ type: "identify", token: token });
    }
  };

  function mount() {
    document.body.appendChild(host);
    line("system", "", TEXT.welcome);
    state.pending.forEach(function (message) {
      var item = line("customer", "", message.text);
      markState(item, TEXT.sending);
      byClientId[message.client_id] = item;
    });
    if (state.open || state.pending.length) { open(); }
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
