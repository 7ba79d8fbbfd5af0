/* The live inbox (docs/live.md): one WebSocket per advisor page.
 *
 * The server sends HTML fragments rendered by the pages' own templates (escaped, and
 * sanitised when they came from outside); this script only puts them in place:
 * the screen-pop of a ringing call (every page), the desk's inbox and notices, and the
 * open customer file's timeline. After a drop it reconnects with a growing delay. */
(function () {
  "use strict";

  var FIRST_DELAY = 1000;
  var MAX_DELAY = 30000;
  // The server closed with one of these: a new login is needed, retrying would not help.
  var FINAL_CODES = [4401, 4403];

  var delay = FIRST_DELAY;
  var socket = null;

  function url() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var lang = encodeURIComponent(document.documentElement.lang || "");
    return scheme + "//" + location.host + "/ws/desk/?lang=" + lang;
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function firstElement(html) {
    return fragment(html).firstElementChild;
  }

  function setState(state) {
    document.body.dataset.live = state;
  }

  // What this page wants to follow, asked again after each reconnection.
  function requests() {
    var asked = [];
    if (document.getElementById("inbox")) {
      asked.push({ type: "watch_inbox" });
    }
    var timeline = document.querySelector("[data-live-customer]");
    if (timeline) {
      asked.push({ type: "watch", customer_id: Number(timeline.dataset.liveCustomer) });
    }
    return asked;
  }

  // Screen-pop -------------------------------------------------------------------------

  function showCall(message) {
    var region = document.getElementById("live-pop");
    if (!region) return;
    var pop = firstElement(message.html);
    if (!pop) return;
    Array.prototype.forEach.call(region.querySelectorAll(".screen-pop"), function (old) {
      if (old.dataset.callId === pop.dataset.callId) old.remove();
    });
    region.appendChild(pop);
  }

  // How long the short "answered by … / missed" notice stays after a screen-pop.
  var NOTICE_MS = 20000;

  // The call no longer rings for this advisor: the pop goes, or gives way to a notice.
  function settleCall(message) {
    var region = document.getElementById("live-pop");
    if (!region) return;
    var notice = message.html ? firstElement(message.html) : null;
    Array.prototype.forEach.call(region.querySelectorAll(".screen-pop"), function (old) {
      if (old.dataset.callId === String(message.call_id)) old.remove();
    });
    if (!notice) return;
    region.appendChild(notice);
    setTimeout(function () { notice.remove(); }, NOTICE_MS);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#live-pop [data-dismiss]");
    if (button) button.closest(".screen-pop").remove();
  });

  // Desk: inbox rows kept in waiting order, oldest first --------------------------------

  function removeRow(caseId) {
    var row = document.getElementById("inbox-case-" + caseId);
    if (row) row.remove();
  }

  function placeRow(message) {
    var inbox = document.getElementById("inbox");
    if (!inbox) return;
    var row = firstElement(message.html);
    if (!row) return;
    removeRow(message.case_id);
    var since = Number(row.dataset.waitingSince);
    var rows = inbox.querySelectorAll("li.inbox-item");
    for (var i = 0; i < rows.length; i++) {
      if (Number(rows[i].dataset.waitingSince) > since) {
        inbox.insertBefore(row, rows[i]);
        dropEmpty(inbox);
        return;
      }
    }
    // Waiting less than every row shown: it belongs after them, unless more pages follow.
    if (inbox.querySelector("li.more")) return;
    inbox.appendChild(row);
    dropEmpty(inbox);
  }

  function dropEmpty(list) {
    var empty = list.querySelector("li.empty");
    if (empty) empty.remove();
  }

  function showNotice(message) {
    var notices = document.getElementById("live-notices");
    if (!notices) return;
    var notice = firstElement(message.html);
    if (!notice) return;
    var chat = notice.dataset.conversationId;
    if (chat) {
      // The same chat announced again (a reconnect): one notice only.
      var old = notices.querySelector("[data-conversation-id='" + chat + "']");
      if (old) old.remove();
    }
    notices.insertBefore(notice, notices.firstChild);
    notices.hidden = false;
  }

  function settleChat(message) {
    var notices = document.getElementById("live-notices");
    if (!notices) return;
    var chat = String(message.conversation_id);
    Array.prototype.forEach.call(notices.querySelectorAll("[data-conversation-id]"), function (old) {
      if (old.dataset.conversationId === chat) old.remove();
    });
    if (!notices.children.length) notices.hidden = true;
  }

  function replaceAlerts(message) {
    var current = document.getElementById("promise-alerts");
    var fresh = firstElement(message.html);
    if (!current || !fresh) return;
    current.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  // Customer file: the new entry on top of the timeline --------------------------------

  function addToTimeline(message) {
    var timeline = document.querySelector("[data-live-customer]");
    if (!timeline || Number(timeline.dataset.liveCustomer) !== message.customer_id) return;
    if (document.getElementById("interaction-" + message.interaction_id)) return;
    var item = firstElement(message.html);
    if (!item) return;
    dropEmpty(timeline);
    timeline.insertBefore(item, timeline.firstChild);
  }

  var handlers = {
    call: showCall,
    call_settled: settleCall,
    inbox: placeRow,
    inbox_remove: function (message) { removeRow(message.case_id); },
    assignment: showNotice,
    chat_waiting: showNotice,
    chat_settled: settleChat,
    promise_alerts: replaceAlerts,
    timeline: addToTimeline,
  };

  // Connection -------------------------------------------------------------------------

  function connect() {
    setState("connecting");
    socket = new WebSocket(url());
    var pending = 0;
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type === "hello") {
        delay = FIRST_DELAY;
        var asked = requests();
        pending = asked.length;
        asked.forEach(function (request) { socket.send(JSON.stringify(request)); });
        if (!pending) setState("open");
      } else if (message.type === "watching" || message.type === "watching_inbox") {
        pending -= 1;
        if (pending <= 0) setState("open");
      } else if (handlers[message.type]) {
        handlers[message.type](message);
      }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (FINAL_CODES.indexOf(event.code) !== -1) {
        setState("closed");
        return;
      }
      setState("reconnecting");
      // Jitter spreads the reconnections of many pages after a server restart.
      var wait = delay / 2 + Math.random() * delay / 2;
      delay = Math.min(delay * 2, MAX_DELAY);
      window.setTimeout(connect, wait);
    });
  }

  if ("WebSocket" in window && "content" in document.createElement("template")) {
    connect();
  }
})();
