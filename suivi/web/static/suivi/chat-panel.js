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
  var suggestions = panel.querySelector(".chat-suggestions");
  var suggestionList = panel.querySelector(".chat-suggestion-list");
  var knowledgeUsed = panel.querySelector(".chat-knowledge-used");
  var knowledgeVersion = null;  // the published answer inserted into the reply, if any
  var lastQuestion = "";
  var shown = {}, byClientId = {}, pending = [], lastId = 0;
  var socket = null, ready = false, attempts = 0, over = false, typingSince = 0, idle = null;

  function say(text) { status.textContent = text; }

  function line(frame) {
    var item = document.createElement("li");
    item.className = "chat-line chat-line--" + frame.author;
    var who = document.createElement("strong");
    who.textContent = frame.author === "customer" ? panel.dataset.customer || ""
      : (frame.name || (frame.author === "assistant" ? words.assistant : ""));
    if (who.textContent) { item.appendChild(who); item.appendChild(document.createTextNode(" ")); }
    var text = document.createElement("span");
    text.textContent = frame.text;
    item.appendChild(text);
    var href = null;
    if (frame.article && frame.article.url) {
      try { href = new URL(String(frame.article.url), location.origin); } catch (e) { href = null; }
    }
    if (href && (href.protocol === "https:" || href.protocol === "http:")) {
      var source = document.createElement("small");
      source.className = "chat-source";
      source.appendChild(document.createTextNode(words.source + " "));
      var link = document.createElement("a");
      link.href = href.href;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = String(frame.article.title) + " (v" + String(frame.article.number) + ")";
      source.appendChild(link);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(source);
    }
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
    if (frame.author === "customer") { suggest(frame.text); }
  }

  // Published answers for the customer's last message (a server-rendered, escaped
  // fragment), each inserted into the reply in one click.
  var suggestTimer = null;
  function suggest(question) {
    if (!suggestions || over || question === lastQuestion) { return; }
    lastQuestion = question;
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(function () {
      var query = "?q=" + encodeURIComponent(question) + "&language=" + encodeURIComponent(suggestions.dataset.language);
      fetch(suggestions.dataset.url + query, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          // A message without a subject ("Thanks!") keeps the answers already suggested.
          var found = html.indexOf("data-chat-insert") >= 0;
          if (question === lastQuestion && (found || !suggestionList.children.length)) {
            suggestionList.innerHTML = html;
          }
        })
        .catch(function () { /* suggestions are a help, not a need */ });
    }, 150);
  }
  if (suggestions) {
    suggestions.addEventListener("click", function (event) {
      var button = event.target.closest("[data-chat-insert]");
      if (!button) { return; }
      var text = button.getAttribute("data-text");
      replyText.value = replyText.value.trim() ? replyText.value.replace(/\s*$/, "") + "\n\n" + text : text;
      knowledgeVersion = parseInt(button.getAttribute("data-version"), 10) || null;
      knowledgeUsed.hidden = !knowledgeVersion;
      replyText.focus();
    });
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
        pending.forEach(function (m) { send(replyFrame(m)); });
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
    if (suggestions) { suggestions.hidden = true; }
    // The summary was added to the case summary: show the page as it is now.
    if (reload) { setTimeout(function () { location.reload(); }, 800); }
  }

  function replyFrame(m) {
    var frame = { type: "reply", client_id: m.client_id, text: m.text };
    if (m.knowledge_version_id) { frame.knowledge_version_id = m.knowledge_version_id; }
    return frame;
  }

  function submit() {
    var text = replyText.value.trim();
    if (!text) { return; }
    var message = { client_id: "a" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8), text: text };
    if (knowledgeVersion) { message.knowledge_version_id = knowledgeVersion; }
    knowledgeVersion = null;
    knowledgeUsed.hidden = true;
    pending.push(message);
    var item = line({ author: "advisor", name: "", text: text });
    item.classList.add("chat-line--pending");
    byClientId[message.client_id] = item;
    replyText.value = "";
    typingSince = 0;
    send({ type: "typing", active: false });
    send(replyFrame(message));
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
