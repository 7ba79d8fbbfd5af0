/*
 * The advisor's live chat panel on the case page (web/chat/_panel.html).
 * Socket ws(s)://HOST/ws/advisor-chat/<conversation id>/ (docs/channels/chat.md).
 * Replies not acknowledged are sent again after a reconnect (same client id: the server
 * records them once); a server id is shown once.
 */
(function () {
  "use strict";
  var panel = document.getElementById("chat-panel");
  if (!panel) { return; }
  var url = location.origin.replace(/^http/, "ws") + "/ws/advisor-chat/" + panel.dataset.conversation + "/";
  var log = panel.querySelector(".chat-log");
  var status = panel.querySelector(".chat-status");
  var load = panel.querySelector(".chat-load");
  var replyForm = panel.querySelector(".chat-reply");
  var replyText = panel.querySelector("#chat-reply-text");
  var endForm = panel.querySelector(".chat-end");
  var endSummary = panel.querySelector("#chat-end-summary");
  var words = status.dataset;
  var shown = {}, byClientId = {}, pending = [], lastId = 0;
  var socket = null, ready = false, attempts = 0, over = false, typingSince = 0, idle = null;

  function say(text) { status.textContent = text; }

  function line(frame) {
    var item = document.createElement("li");
    item.className = "chat-line chat-line--" + frame.author;
    var who = document.createElement("strong");
    who.textContent = frame.author === "customer" ? panel.dataset.customer || "" : (frame.name || "");
    if (who.textContent) { item.appendChild(who); item.appendChild(document.createTextNode(" ")); }
    var text = document.createElement("span");
    text.textContent = frame.text;
    item.appendChild(text);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function show(frame) {
    if (shown[frame.id]) { return; }
    shown[frame.id] = true;
    var item = frame.author === "advisor" && frame.client_id ? byClientId[frame.client_id] : null;
    if (item) { item.classList.remove("chat-line--pending"); } else { item = line(frame); }
    item.dataset.id = frame.id;
    if (frame.id > lastId) { lastId = frame.id; }
  }

  function send(frame) {
    if (socket && socket.readyState === 1 && ready) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function connect() {
    if (over) { return; }
    say(words.connecting);
    ready = false;
    socket = new WebSocket(url);
    socket.onopen = function () {
      ready = true;
      send({ type: "hello", last_id: lastId });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      ready = false;
      if (over || event.code === 4001 || event.code === 4004) { return; }
      say(words.offline);
      var delay = Math.min(30000, 500 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
      attempts += 1;
      setTimeout(connect, delay);
    };
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        attempts = 0;
        say(words.connected);
        (frame.messages || []).forEach(show);
        load.textContent = words.load.replace("%(held)s", frame.live_chats).replace("%(capacity)s", frame.capacity);
        if (frame.status === "ended") { ended(false); }
        pending.forEach(function (m) { send({ type: "reply", client_id: m.client_id, text: m.text }); });
        break;
      case "message":
        show(frame);
        if (frame.author === "customer") { say(words.connected); }
        break;
      case "ack":
        pending = pending.filter(function (m) { return m.client_id !== frame.client_id; });
        break;
      case "typing":
        if (frame.author === "customer") { say(frame.active ? words.typing : words.connected); }
        break;
      case "ended":
        ended(true);
        break;
      case "error":
        say(frame.message || frame.code);
        if (frame.client_id) {
          pending = pending.filter(function (m) { return m.client_id !== frame.client_id; });
        }
        break;
    }
  }

  function ended(reload) {
    over = true;
    say(words.ended);
    replyForm.hidden = true;
    endForm.hidden = true;
    // The summary was added to the case summary: show the page as it is now.
    if (reload) { setTimeout(function () { location.reload(); }, 800); }
  }

  function submit() {
    var text = replyText.value.trim();
    if (!text) { return; }
    var message = { client_id: "a" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8), text: text };
    pending.push(message);
    var item = line({ author: "advisor", name: "", text: text });
    item.classList.add("chat-line--pending");
    byClientId[message.client_id] = item;
    replyText.value = "";
    typingSince = 0;
    send({ type: "typing", active: false });
    send({ type: "reply", client_id: message.client_id, text: text });
  }

  replyForm.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
  replyText.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(); }
  });
  replyText.addEventListener("input", function () {
    var now = Date.now();
    if (now - typingSince > 3000) { typingSince = now; send({ type: "typing", active: true }); }
    clearTimeout(idle);
    idle = setTimeout(function () { typingSince = 0; send({ type: "typing", active: false }); }, 4000);
  });
  endForm.addEventListener("submit", function (event) {
    event.preventDefault();
    send({ type: "end", summary: endSummary.value.trim() });
  });
  connect();
})();
