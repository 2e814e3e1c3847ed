/* The console's live updates (docs/architecture/live-queue.md, "The socket protocol").

   Plain JavaScript, no dependencies, no build step. The pages work without it (server-rendered,
   forms post and redirect); with it:

   * the queue and "my cases" tables update themselves from the WebSocket at /ws/console/live/:
     a snapshot on connect and on every resync, then one event per case change; the queue page
     shows config.limit rows (50, the server's first page) and "More cases" (a link that works
     without this script) appends the next page in place, also as the agent scrolls to it; a
     later page opened by that link without this script (?after=) keeps its rows current and
     adds none;
   * Claim buttons post the page's one claim form (#claim-form) with their case's reference;
   * gaps are detected per queue by sequence number (an event more than one above the last seen,
     or a heartbeat above it) and repaired with {"type": "resync"};
   * the socket reconnects with exponential backoff and jitter, and starts with a snapshot;
     live updates count as on only once a snapshot has arrived: when they are not on within
     config.live_grace_seconds of the page opening or of the connection's loss — or at once when
     the server says they are unavailable (close code 4503: Redis unreachable) — a role="alert"
     banner (#live-unavailable) says the page will not update by itself, until a snapshot
     arrives again;
   * SLA cells show the state the server decided (cases/sla_state.py, in every event and
     snapshot); only their time detail ticks here, and a state due to change with time that no
     event changed is refreshed with a snapshot;
   * the case page watches its case ({"type": "watch"}) and warns when someone else views it
     or when the case changes under the agent's eyes; when the case is escalated it fetches the
     emergency banner again (GET …/banner/) and swaps it in;
   * the queue page keeps "Escalations for you" current (the snapshot's "escalations", then one
     "escalation" message per change, numbered in the recipient queue's sequence like case
     events), counts the acknowledgement targets down, and announces an emergent escalation in
     a role="alert" region until someone acknowledges it;
   * a "complaint" message (a grievance deadline acknowledged, responded or overdue) fetches the
     overdue-complaints list (GET /console/complaints/alerts/) and the case's row again: their
     states are decided by the server, never here;
   * changes are announced in an aria-live region, batched so a screen reader is not flooded.

   Events carry ids and workflow fields only (no patient data): a new row shows reference,
   category, status, priority, channel and due times. Assignees arrive as ids; names come from
   the page's configuration, and an unknown id is looked up by fetching the row from the server
   (or shown as "another agent"). Nothing here uses innerHTML with data: text goes in through
   textContent. */
(function () {
    "use strict";

    var configElement = document.getElementById("console-config");
    if (!configElement || !("WebSocket" in window)) {
        return;
    }
    var config = JSON.parse(configElement.textContent);
    var page = config.page;
    var me = config.me;
    var names = config.names || {};
    // A later page of the queue (?after=): it keeps its rows current and adds none.
    var pinned = config.after !== undefined && config.after !== null;
    var PLACEHOLDER = "REF-PLACEHOLDER";
    var MAX_BACKOFF_MS = 30000;
    var RESYNC_TIMEOUT_MS = 10000;
    var CLOSE_UNAVAILABLE = 4503;
    var GRACE_MS = 1000 * (config.live_grace_seconds || 10);
    var UNAVAILABLE = "Live updates are unavailable: this page will not update by itself. "
        + "Reload it to see changes. (Reconnecting in the background.)";

    var socket = null;
    var attempt = 0;
    var stopped = false;
    var reconnectTimer = null;
    var resyncTimer = null;
    var live = false; // a snapshot arrived on the current socket
    var graceTimer = null;
    var lastSeq = {}; // queue id -> the last sequence number applied
    var online = {}; // queue id -> [{id, name}]
    var lookedUp = {}; // user ids whose row was fetched for their name

    var table = document.getElementById("live-queue");
    var tbody = table ? table.tBodies[0] : null;
    var emptyNote = document.getElementById("queue-empty");
    var statusBox = document.getElementById("live-status");
    var unavailableBox = document.getElementById("live-unavailable");
    var announcer = document.getElementById("console-announcer");
    var escalationTable = document.getElementById("escalations-table");
    var escalationBody = escalationTable ? escalationTable.tBodies[0] : null;
    var escalationEmpty = document.getElementById("escalations-empty");
    var escalationAlert = document.getElementById("escalation-alert");
    var escalationLabels = config.escalation_labels || {};
    var URGENCY_RANK = {emergent: 0, urgent: 1, routine: 2};
    var bannerTimer = null;

    // --- small helpers ----------------------------------------------------------------------

    function urlFor(kind, reference) {
        var urls = config.urls || {};
        if (!urls[kind]) {
            // The case page's configuration names no URL patterns: the console's own layout.
            var base = "/console/cases/" + encodeURIComponent(reference) + "/";
            return kind === "case" ? base : base + kind + "/";
        }
        return urls[kind].replace(PLACEHOLDER, encodeURIComponent(reference));
    }

    function text(tag, value, className) {
        var element = document.createElement(tag);
        element.textContent = value;
        if (className) {
            element.className = className;
        }
        return element;
    }

    function setStatus(state, message) {
        if (!statusBox) {
            return;
        }
        statusBox.setAttribute("data-state", state);
        var span = statusBox.querySelector(".live-status-text");
        span.textContent = message;
    }

    /* The "live updates unavailable" banner: an always-present role="alert" region, empty (and
       not drawn) while live updates work, so that filling it is announced at once. */
    function showUnavailable() {
        if (graceTimer) {
            window.clearTimeout(graceTimer);
            graceTimer = null;
        }
        if (unavailableBox && unavailableBox.textContent !== UNAVAILABLE) {
            unavailableBox.textContent = UNAVAILABLE;
        }
    }

    function hideUnavailable() {
        if (graceTimer) {
            window.clearTimeout(graceTimer);
            graceTimer = null;
        }
        if (unavailableBox && unavailableBox.textContent) {
            unavailableBox.textContent = "";
            announce("Live updates are back: the page is current again.");
        }
    }

    // Live updates are not on (yet): the banner, unless they are on within the grace period.
    function startGrace() {
        if (graceTimer || (unavailableBox && unavailableBox.textContent)) {
            return;
        }
        graceTimer = window.setTimeout(showUnavailable, GRACE_MS);
    }

    var pending = [];
    var announceTimer = null;

    function announce(message) {
        if (!announcer) {
            return;
        }
        pending.push(message);
        if (announceTimer) {
            return;
        }
        announceTimer = window.setTimeout(function () {
            var messages = pending;
            pending = [];
            announceTimer = null;
            var summary = messages.length > 3
                ? messages.length + " changes in the queue. " + messages.slice(-2).join(" ")
                : messages.join(" ");
            announcer.textContent = "";
            window.setTimeout(function () { announcer.textContent = summary; }, 50);
        }, 1000);
    }

    function caseId(item) {
        return item.case_id !== undefined ? item.case_id : item.id;
    }

    function personName(id) {
        if (id === null || id === undefined || id === "") {
            return "";
        }
        if (String(id) === String(me)) {
            return "you";
        }
        return names[String(id)] || "";
    }

    function assigneeText(id) {
        if (id === null || id === undefined || id === "") {
            return "Unassigned";
        }
        if (String(id) === String(me)) {
            return "You";
        }
        return "Claimed by " + (personName(id) || "another agent");
    }

    // --- SLA cells (the state is the server's: cases/sla_state.py) --------------------------
    //
    // Every SLA state (on time, due soon, breached, clock stopped, met on time, met late, no
    // target), its words and its class come from the server: the page as drawn, and the "sla"
    // of each event and snapshot. Nothing here decides a state. The only thing that moves by
    // itself is the time detail of a state that counts ("due in 12 min", "overdue by 3 min",
    // data-countdown "until" or "since"). When a state would change with time (data-changes-at:
    // on time -> due soon, due soon -> breached), the timer sweep announces it with an event;
    // if none has come sla_refresh_after_seconds after that moment (the sweep down, a message
    // lost), the script asks for a fresh snapshot, once per cell and moment.

    var slaAsked = {}; // "<case id>:<target>:<changes at>" -> true: a snapshot was asked for it
    // Each page waits a little longer at random, so that the pages of a whole team do not ask
    // for their snapshots at the same instant.
    var slaJitterMs = Math.floor(Math.random() * 30000);

    function durationWords(seconds) {
        var minutes = Math.floor(Math.abs(seconds) / 60);
        if (minutes < 1) {
            return "under 1 min";
        }
        var days = Math.floor(minutes / 1440);
        minutes -= days * 1440;
        var hours = Math.floor(minutes / 60);
        minutes -= hours * 60;
        if (days) {
            return hours ? days + " d " + hours + " h" : days + " d";
        }
        if (hours) {
            return minutes ? hours + " h " + minutes + " min" : hours + " h";
        }
        return minutes + " min";
    }

    /* The time detail of a counting state at ``now`` (the words of cases/sla_state.py). Towards
       the due time it stops at "due now": only the server says when the state changes. */
    function countdownWords(mode, dueIso, now) {
        var left = (Date.parse(dueIso) - now) / 1000;
        if (mode === "until") {
            return left > 0 ? "due in " + durationWords(left) : "due now";
        }
        return "overdue by " + durationWords(Math.min(left, 0));
    }

    function refreshSla(cell, now) {
        var mode = cell.getAttribute("data-countdown");
        var due = cell.getAttribute("data-due");
        var detail = cell.querySelector(".sla-detail");
        if (mode && due && detail) {
            var words = countdownWords(mode, due, now);
            if (detail.textContent !== words) {
                detail.textContent = words;
            }
        }
        var changes = cell.getAttribute("data-changes-at");
        var wait = config.sla_refresh_after_seconds * 1000 + slaJitterMs;
        if (changes && now - Date.parse(changes) > wait) {
            var row = cell.closest("[data-case-id]");
            var id = row ? row.getAttribute("data-case-id") : String((config.case || {}).id);
            var key = id + ":" + cell.getAttribute("data-col") + ":" + Date.parse(changes);
            if (!slaAsked[key]) {
                slaAsked[key] = true;
                resync(); // the state the server computes now replaces this one
            }
        }
    }

    function tick() {
        var now = Date.now();
        var cells = document.querySelectorAll(".sla[data-col]");
        for (var i = 0; i < cells.length; i += 1) {
            refreshSla(cells[i], now);
        }
        var targets = document.querySelectorAll(".ack[data-col]");
        for (var j = 0; j < targets.length; j += 1) {
            refreshAck(targets[j], now);
        }
    }

    function formatDue(iso) {
        var date = new Date(iso);
        return date.toLocaleString(undefined, {
            weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
        });
    }

    /* One SLA cell as console/templates/console/_sla.html draws it, from the server's state of
       the target (an event's or snapshot's sla[target]). */
    function slaCell(target, sla, tag) {
        sla = sla || {state: "none", label: "No target", detail: "", css: "sla-none"};
        var cell = document.createElement(tag || "td");
        cell.className = "sla " + sla.css;
        cell.setAttribute("data-col", target);
        cell.setAttribute("data-state", sla.state);
        cell.setAttribute("data-due", sla.due_at || "");
        cell.setAttribute("data-countdown", sla.countdown || "");
        cell.setAttribute("data-changes-at", sla.changes_at || "");
        if (sla.due_at) {
            var time = text("time", formatDue(sla.due_at));
            time.setAttribute("datetime", sla.due_at);
            cell.appendChild(time);
            cell.appendChild(document.createElement("br"));
        }
        cell.appendChild(text("span", sla.label, "sla-label"));
        if (sla.detail) {
            cell.appendChild(document.createTextNode(", "));
            cell.appendChild(text("span", sla.detail, "sla-detail"));
        }
        return cell;
    }

    /* The case page's SLA cells (<dd>) of the watched case, from an event or a snapshot. */
    function applySlaToCase(item) {
        if (!config.case || !item.sla || Number(caseId(item)) !== Number(config.case.id)) {
            return;
        }
        ["first_response", "resolution"].forEach(function (target) {
            var old = document.querySelector('dd.sla[data-col="' + target + '"]');
            if (old) {
                old.parentNode.replaceChild(slaCell(target, item.sla[target], "dd"), old);
            }
        });
    }

    // --- the queue table ----------------------------------------------------------------------

    function isOpen(item) {
        return config.open_statuses.indexOf(item.status) !== -1;
    }

    function belongsHere(item) {
        if (!isOpen(item)) {
            return false;
        }
        var filters = config.filters || {};
        if (page === "mine") {
            return String(item.assigned_to_id) === String(me);
        }
        if (!(config.queues || {})[String(item.queue_id)]) {
            return false; // moved to a queue this user does not work
        }
        if (filters.queue && String(filters.queue) !== String(item.queue_id)) {
            return false;
        }
        if (filters.status && filters.status !== item.status) {
            return false;
        }
        if (filters.priority && String(filters.priority) !== String(item.priority)) {
            return false;
        }
        return true;
    }

    function rowOf(id) {
        return tbody ? tbody.querySelector('tr[data-case-id="' + String(Number(id)) + '"]') : null;
    }

    /* A row's Claim button: it posts the page's one claim form (#claim-form, whose action keeps
       the page's query and which holds the CSRF token) with the row's reference as "case". */
    function claimButton(reference) {
        var button = text("button", "Claim", "button");
        button.type = "submit";
        button.setAttribute("form", "claim-form");
        button.name = "case";
        button.value = reference;
        button.appendChild(text("span", " case " + reference, "visually-hidden"));
        return button;
    }

    /* The first cell of a case or escalation row: the reference, linked to the case page. */
    function referenceHeader(reference) {
        var head = document.createElement("th");
        head.scope = "row";
        head.setAttribute("data-col", "reference");
        var link = text("a", reference);
        link.href = urlFor("case", reference);
        head.appendChild(link);
        return head;
    }

    function appendCell(row, column, value) {
        var element = text("td", value);
        element.setAttribute("data-col", column);
        row.appendChild(element);
        return element;
    }

    /* The row as console/templates/console/_case_row.html draws it, SLA cells from the
       server's state in the event or snapshot (item.sla). ``previous``: the row it replaces, if
       any, whose server-drawn complaint flag it keeps. */
    function buildRow(item, previous) {
        var id = caseId(item);
        var row = document.createElement("tr");
        row.setAttribute("data-case-id", String(id));
        row.setAttribute("data-reference", item.reference);
        row.setAttribute("data-queue-id", String(item.queue_id));
        row.setAttribute("data-priority", String(item.priority));
        row.setAttribute("data-status", item.status);
        var assigned = item.assigned_to_id === null || item.assigned_to_id === undefined
            ? "" : String(item.assigned_to_id);
        row.setAttribute("data-assigned-to", assigned);

        row.appendChild(referenceHeader(item.reference));

        function cell(column, value) {
            return appendCell(row, column, value);
        }
        cell("queue", (config.queues || {})[String(item.queue_id)] || "Another queue");
        cell("category", (config.categories || {})[String(item.category_id)] || "");
        var statusCell = cell("status", config.statuses[item.status] || item.status);
        // A complaint's overdue flag is the server's (console.views.complaints.row_states):
        // kept from the row this one replaces; a "complaint" message fetches the row again.
        var flag = previous ? previous.querySelector(".complaint-flag") : null;
        if (flag) {
            statusCell.appendChild(document.createTextNode(" "));
            statusCell.appendChild(flag.cloneNode(true));
        }
        var priority = cell("priority", "");
        priority.appendChild(text(
            "span", config.priorities[String(item.priority)] || String(item.priority),
            "priority priority-" + String(item.priority)
        ));
        cell("channel", (config.channels || {})[item.channel] || item.channel || "");

        var sla = item.sla || {};
        row.appendChild(slaCell("first_response", sla.first_response));
        row.appendChild(slaCell("resolution", sla.resolution));
        cell("assignee", assigneeText(item.assigned_to_id));
        var actions = cell("actions", "");
        if (page === "queue" && !assigned) {
            actions.appendChild(claimButton(item.reference));
        }
        return row;
    }

    function rowComesBefore(row, priority, id) {
        var rowPriority = Number(row.getAttribute("data-priority"));
        if (rowPriority !== priority) {
            return rowPriority > priority;
        }
        return Number(row.getAttribute("data-case-id")) < id;
    }

    function place(row) {
        var priority = Number(row.getAttribute("data-priority"));
        var id = Number(row.getAttribute("data-case-id"));
        var rows = tbody.rows;
        for (var i = 0; i < rows.length; i += 1) {
            if (rows[i] !== row && !rowComesBefore(rows[i], priority, id)) {
                tbody.insertBefore(row, rows[i]);
                return;
            }
        }
        tbody.appendChild(row);
    }

    function trim() {
        while (tbody.rows.length > config.limit) {
            tbody.deleteRow(tbody.rows.length - 1);
        }
        if (emptyNote) {
            emptyNote.hidden = tbody.rows.length > 0;
        }
    }

    /* Replace ``old`` by ``row`` keeping keyboard focus where it was (the same control). */
    function swap(old, row) {
        var focused = old.contains(document.activeElement) ? document.activeElement : null;
        var column = focused ? focused.closest("[data-col]") : null;
        old.parentNode.replaceChild(row, old);
        if (column) {
            var target = row.querySelector('[data-col="' + column.getAttribute("data-col") + '"]');
            var control = target ? target.querySelector("a, button") : null;
            (control || row.querySelector("a")).focus();
        }
    }

    function lookUpName(item, row) {
        var id = item.assigned_to_id;
        if (id === null || id === undefined || personName(id) || lookedUp[id]) {
            return;
        }
        lookedUp[id] = true;
        var url = urlFor("row", item.reference) + (config.query ? "?" + config.query : "");
        window.fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
            .then(function (response) { return response.ok ? response.text() : null; })
            .then(function (html) {
                if (!html || !row.parentNode) {
                    return;
                }
                var template = document.createElement("template");
                template.innerHTML = html.trim(); // the server's own escaped markup
                var fresh = template.content.querySelector("tr");
                var cellText = fresh ? fresh.querySelector('[data-col="assignee"]') : null;
                var match = cellText ? /^Claimed by (.+)$/.exec(cellText.textContent.trim()) : null;
                if (match) {
                    names[String(id)] = match[1];
                    var current = row.querySelector('[data-col="assignee"]');
                    if (current) {
                        current.textContent = assigneeText(id);
                    }
                }
            })
            .catch(function () { /* the row keeps "another agent" */ });
    }

    function describe(item, previous) {
        var reference = "Case " + item.reference;
        if (!previous) {
            return "New case " + item.reference + " in "
                + ((config.queues || {})[String(item.queue_id)] || "your queue") + ".";
        }
        var before = previous.getAttribute("data-assigned-to");
        var now = item.assigned_to_id === null || item.assigned_to_id === undefined
            ? "" : String(item.assigned_to_id);
        if (before !== now) {
            return now ? reference + " " + assigneeText(now).toLowerCase() + "." : reference + " released.";
        }
        if (previous.getAttribute("data-status") !== item.status) {
            return reference + " is now " + (config.statuses[item.status] || item.status) + ".";
        }
        return "";
    }

    function applyToTable(item, quiet) {
        if (!tbody) {
            return;
        }
        var id = caseId(item);
        var previous = rowOf(id);
        if (!belongsHere(item)) {
            if (previous) {
                previous.parentNode.removeChild(previous);
                if (!quiet) {
                    announce("Case " + item.reference + (isOpen(item)
                        ? " left this list (" + assigneeText(item.assigned_to_id).toLowerCase() + ")."
                        : " is " + (config.statuses[item.status] || item.status).toLowerCase() + "."));
                }
            }
            trim();
            return;
        }
        if (!previous && pinned) {
            return; // a later page adds no row: new cases show on the first page
        }
        var row = buildRow(item, previous);
        if (previous) {
            swap(previous, row);
            if (Number(previous.getAttribute("data-priority")) !== Number(item.priority)) {
                place(row);
            }
        } else {
            place(row);
        }
        if (!quiet) {
            var message = describe(item, previous);
            if (message) {
                announce(message);
            }
        }
        lookUpName(item, row);
        trim();
    }

    function applySnapshot(message) {
        lastSeq = {};
        var queues = message.queues || {};
        Object.keys(queues).forEach(function (queueId) {
            var entry = queues[queueId];
            lastSeq[queueId] = typeof entry === "object" ? entry.seq : entry;
            if (entry && entry.name && config.queues) {
                config.queues[queueId] = entry.name;
            }
        });
        if (message.escalations !== undefined) {
            applyEscalationSnapshot(message.escalations || []);
        }
        (message.cases || []).forEach(applySlaToCase);
        if (!tbody) {
            return;
        }
        var focusedId = null;
        if (tbody.contains(document.activeElement)) {
            var focusedRow = document.activeElement.closest("tr");
            focusedId = focusedRow ? focusedRow.getAttribute("data-case-id") : null;
        }
        if (pinned) {
            refreshPinned(message);
            return;
        }
        var items = (message.cases || []).filter(belongsHere);
        items.sort(function (a, b) {
            return (b.priority - a.priority) || (caseId(a) - caseId(b));
        });
        var fresh = document.createElement("tbody");
        items.slice(0, config.limit).forEach(function (item) {
            var row = buildRow(item, rowOf(caseId(item)));
            fresh.appendChild(row);
            lookUpName(item, row);
        });
        // Rows of queues the socket does not cover (a case assigned to this user in a queue
        // they do not work, on "my cases") stay as the server drew them.
        var kept = Array.prototype.slice.call(tbody.rows).filter(function (row) {
            return queues[row.getAttribute("data-queue-id")] === undefined
                && !fresh.querySelector('tr[data-case-id="' + row.getAttribute("data-case-id") + '"]');
        });
        table.replaceChild(fresh, tbody);
        tbody = fresh;
        kept.forEach(place);
        if (focusedId) {
            var again = rowOf(focusedId);
            if (again) {
                again.querySelector("a").focus();
            }
        }
        trim();
    }

    /* A later page of the queue (config.after: the page after a case, "More cases" without
       JavaScript) keeps its own rows: the snapshot updates them, and drops those that no longer
       belong or are no longer open (not those beyond a truncated snapshot); it adds none. */
    function refreshPinned(message) {
        var byId = {};
        (message.cases || []).forEach(function (item) {
            byId[String(caseId(item))] = item;
        });
        Array.prototype.slice.call(tbody.rows).forEach(function (row) {
            var item = byId[row.getAttribute("data-case-id")];
            if (item && belongsHere(item)) {
                swap(row, buildRow(item, row));
                lookUpName(item, rowOf(caseId(item)));
            } else if (item || !message.truncated) {
                row.parentNode.removeChild(row);
            }
        });
        trim();
    }

    // --- more cases (the queue page) ----------------------------------------------------------
    //
    // The server draws the first config.limit rows and a "More cases" link (?after=<the last
    // row's case id>, the filters kept), which works without this script. Here the link — and
    // scrolling near it — fetches the page after the table's *current* last row and appends its
    // rows (the server's own escaped markup, parsed, never built from text), so that rows the
    // live feed added or removed meanwhile leave no gap; config.limit grows to what is shown, so
    // snapshots and events keep all of it current.

    var moreBox = document.getElementById("queue-more");
    var moreLoading = false;

    function moreUrl() {
        var last = tbody && tbody.rows.length ? tbody.rows[tbody.rows.length - 1] : null;
        var query = config.list_query ? config.list_query + "&" : "";
        if (!last) {
            return null;
        }
        return window.location.pathname + "?" + query + "after="
            + encodeURIComponent(last.getAttribute("data-case-id"));
    }

    function loadMore(moveFocus) {
        var url = moreUrl();
        if (moreLoading || !url || !moreBox) {
            return;
        }
        moreLoading = true;
        moreBox.setAttribute("aria-busy", "true");
        window.fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
            .then(function (response) { return response.ok ? response.text() : null; })
            .then(function (html) {
                moreLoading = false;
                moreBox.removeAttribute("aria-busy");
                if (!html) {
                    return;
                }
                var fetched = new DOMParser().parseFromString(html, "text/html");
                var body = fetched.querySelector("#live-queue tbody");
                var added = [];
                Array.prototype.slice.call(body ? body.rows : []).forEach(function (row) {
                    if (!rowOf(row.getAttribute("data-case-id"))) {
                        var adopted = document.importNode(row, true);
                        tbody.appendChild(adopted);
                        added.push(adopted);
                    }
                });
                config.limit = Math.max(config.limit, tbody.rows.length);
                if (emptyNote) {
                    emptyNote.hidden = tbody.rows.length > 0;
                }
                var next = fetched.querySelector("#queue-more a");
                if (next) {
                    moreBox.querySelector("a").href = next.getAttribute("href");
                } else {
                    moreBox.parentNode.removeChild(moreBox);
                    moreBox = null;
                }
                announce(added.length
                    ? added.length + " more cases shown." + (moreBox ? "" : " That is all of them.")
                    : "No more cases.");
                if (moveFocus && added.length) {
                    added[0].querySelector("a").focus();
                }
            })
            .catch(function () {
                moreLoading = false;
                if (moreBox) {
                    moreBox.removeAttribute("aria-busy");
                }
            });
    }

    if (moreBox && tbody) {
        moreBox.querySelector("a").addEventListener("click", function (event) {
            event.preventDefault();
            loadMore(true);
        });
        if ("IntersectionObserver" in window) {
            // Loads as the agent scrolls near the end of the table (not before they scroll).
            var observer = new IntersectionObserver(function (entries) {
                if (entries.some(function (entry) { return entry.isIntersecting; })) {
                    loadMore(false);
                }
            }, {rootMargin: "200px"});
            window.addEventListener("scroll", function () {
                if (moreBox) {
                    observer.observe(moreBox);
                }
            }, {once: true, passive: true});
        }
    }

    // --- escalations for you (the queue page) -------------------------------------------------

    /* The acknowledgement target in words (console/views/lists.py, acknowledgement_state):
       acknowledged, overdue (the target passed, or the timer sweep marked it), or due. */
    function ackState(status, dueIso, overdueIso, now) {
        if (status !== "open") {
            return {state: "met", label: "Acknowledged"};
        }
        if (!dueIso) {
            return {state: "none", label: "Waiting for acknowledgement"};
        }
        var left = (Date.parse(dueIso) - now) / 1000;
        if (overdueIso || left < 0) {
            return {state: "overdue",
                label: "Not acknowledged: overdue by " + durationWords(Math.min(left, 0))};
        }
        return {state: "soon", label: "Acknowledge within " + durationWords(left)};
    }

    function refreshAck(cell, now) {
        var result = ackState(
            cell.getAttribute("data-status"),
            cell.getAttribute("data-due"),
            cell.getAttribute("data-overdue-at"),
            now
        );
        var label = cell.querySelector(".sla-label");
        if (label && label.textContent !== result.label) {
            label.textContent = result.label;
        }
        var wanted = "ack sla-" + result.state;
        if (cell.className !== wanted) {
            cell.className = wanted;
        }
        var row = cell.closest("tr");
        if (row) {
            var overdue = result.state === "overdue" ? "1" : "";
            if ((row.getAttribute("data-overdue") || "") !== overdue) {
                row.setAttribute("data-overdue", overdue);
            }
        }
    }

    function urgencyLabel(urgency) {
        return (escalationLabels.urgencies || {})[urgency] || urgency;
    }

    function escalationStatusLabel(status) {
        return (escalationLabels.statuses || {})[status] || status;
    }

    function escalationRowOf(id) {
        return escalationBody
            ? escalationBody.querySelector('tr[data-escalation-id="' + String(Number(id)) + '"]')
            : null;
    }

    /* The row as console/templates/console/queue.html draws it: change both together. */
    function buildEscalationRow(item) {
        var row = document.createElement("tr");
        row.setAttribute("data-escalation-id", String(item.escalation_id));
        row.setAttribute("data-case-id", String(item.case_id));
        row.setAttribute("data-reference", item.reference);
        row.setAttribute("data-urgency", item.urgency);
        row.setAttribute("data-status", item.status);
        row.setAttribute("data-requested-at", item.requested_at || "");
        row.className = "escalation-row escalation-row-" + item.urgency;

        row.appendChild(referenceHeader(item.reference));

        function cell(column, value) {
            return appendCell(row, column, value);
        }
        cell("pathway", item.pathway || "");
        var urgency = cell("urgency", "");
        var badge = text("span", urgencyLabel(item.urgency), "urgency urgency-" + item.urgency);
        if (item.urgency === "emergent") {
            badge.className += " priority priority-40"; // red, with the word: never colour alone
        } else if (item.urgency === "urgent") {
            badge.className += " priority priority-30";
        }
        urgency.appendChild(badge);
        cell("status", escalationStatusLabel(item.status));

        var ack = document.createElement("td");
        ack.setAttribute("data-col", "acknowledgement");
        ack.setAttribute("data-status", item.status);
        ack.setAttribute("data-due", item.acknowledgement_due_at || "");
        ack.setAttribute("data-overdue-at", item.overdue_at || "");
        if (item.acknowledgement_due_at) {
            var time = text("time", formatDue(item.acknowledgement_due_at));
            time.setAttribute("datetime", item.acknowledgement_due_at);
            ack.appendChild(time);
            ack.appendChild(document.createElement("br"));
        }
        ack.appendChild(text("span", "", "sla-label"));
        row.appendChild(ack);
        refreshAck(ack, Date.now());
        return row;
    }

    function escalationComesBefore(row, rank, requested, id) {
        var rowRank = URGENCY_RANK[row.getAttribute("data-urgency")];
        rowRank = rowRank === undefined ? 3 : rowRank;
        if (rowRank !== rank) {
            return rowRank < rank;
        }
        var rowRequested = Date.parse(row.getAttribute("data-requested-at")) || 0;
        if (rowRequested !== requested) {
            return rowRequested < requested;
        }
        return Number(row.getAttribute("data-escalation-id")) < id;
    }

    /* Most urgent first (emergent, urgent, routine), then oldest. */
    function placeEscalation(row) {
        var rank = URGENCY_RANK[row.getAttribute("data-urgency")];
        rank = rank === undefined ? 3 : rank;
        var requested = Date.parse(row.getAttribute("data-requested-at")) || 0;
        var id = Number(row.getAttribute("data-escalation-id"));
        var rows = escalationBody.rows;
        for (var i = 0; i < rows.length; i += 1) {
            if (rows[i] !== row && !escalationComesBefore(rows[i], rank, requested, id)) {
                escalationBody.insertBefore(row, rows[i]);
                return;
            }
        }
        escalationBody.appendChild(row);
    }

    function escalationsShown() {
        if (escalationEmpty && escalationBody) {
            escalationEmpty.hidden = escalationBody.rows.length > 0;
        }
    }

    function describeEscalation(item) {
        return item.reference + " to " + (item.pathway || "a pathway");
    }

    /* An emergent escalation nobody has acknowledged yet gets a role="alert" note in
       #escalation-alert (announced as it is inserted), until it is acknowledged or resolved. */
    function alertFor(item, quiet) {
        if (!escalationAlert) {
            if (!quiet && item.urgency === "emergent" && item.status === "open") {
                announce("Emergent escalation: " + describeEscalation(item) + ".");
            }
            return;
        }
        var id = String(Number(item.escalation_id));
        var existing = escalationAlert.querySelector('[data-escalation-id="' + id + '"]');
        var wanted = item.urgency === "emergent" && item.status === "open";
        if (!wanted) {
            if (existing) {
                existing.parentNode.removeChild(existing);
            }
            return;
        }
        if (existing) {
            return;
        }
        var note = document.createElement("p");
        note.className = "errornote escalation-alert";
        note.setAttribute("role", "alert"); // inserted: announced at once
        note.setAttribute("data-escalation-id", id);
        note.appendChild(document.createTextNode(
            "Emergent escalation: " + describeEscalation(item) + ". "
        ));
        var link = text("a", "Open case " + item.reference);
        link.href = urlFor("case", item.reference);
        note.appendChild(link);
        escalationAlert.appendChild(note);
    }

    /* Resolved, or cancelled because its case was closed (escalations.closing): off the table. */
    function escalationEnded(item) {
        return item.status === "resolved" || item.status === "cancelled";
    }

    function applyEscalation(item, quiet) {
        alertFor(item, quiet);
        if (!escalationBody) {
            return;
        }
        var previous = escalationRowOf(item.escalation_id);
        if (escalationEnded(item)) {
            if (previous) {
                previous.parentNode.removeChild(previous);
                if (!quiet) {
                    announce("Escalation " + describeEscalation(item) + " " + item.status + ".");
                }
            }
            escalationsShown();
            return;
        }
        var row = buildEscalationRow(item);
        if (previous) {
            swap(previous, row);
            if (previous.getAttribute("data-urgency") !== item.urgency) {
                placeEscalation(row);
            }
        } else {
            placeEscalation(row);
        }
        escalationsShown();
        if (quiet) {
            return;
        }
        if (item.event === "escalation.acknowledged") {
            announce("Escalation " + describeEscalation(item) + " acknowledged.");
        } else if (item.event === "escalation.overdue") {
            announce("Escalation " + describeEscalation(item) + " not acknowledged in time.");
        } else if (!previous && item.urgency !== "emergent") {
            announce("New " + urgencyLabel(item.urgency).toLowerCase() + " escalation: "
                + describeEscalation(item) + ".");
        }
    }

    function applyEscalationSnapshot(items) {
        var open = {};
        items.forEach(function (item) {
            open[String(Number(item.escalation_id))] = true;
        });
        if (escalationAlert) { // alerts of escalations no longer waiting go
            Array.prototype.slice.call(escalationAlert.querySelectorAll("[data-escalation-id]"))
                .forEach(function (note) {
                    if (!open[note.getAttribute("data-escalation-id")]) {
                        note.parentNode.removeChild(note);
                    }
                });
        }
        items.forEach(function (item) {
            alertFor(item, true);
        });
        if (!escalationBody) {
            return;
        }
        var focusedId = null;
        if (escalationBody.contains(document.activeElement)) {
            var focusedRow = document.activeElement.closest("tr");
            focusedId = focusedRow ? focusedRow.getAttribute("data-escalation-id") : null;
        }
        var fresh = document.createElement("tbody");
        escalationTable.replaceChild(fresh, escalationBody);
        escalationBody = fresh;
        items.filter(function (item) { return !escalationEnded(item); })
            .forEach(function (item) {
                placeEscalation(buildEscalationRow(item));
            });
        if (focusedId) {
            var again = escalationRowOf(focusedId);
            if (again) {
                again.querySelector("a").focus();
            }
        }
        escalationsShown();
    }

    // --- the case page ------------------------------------------------------------------------

    /* The emergency banner (the case page's #emergency-banner, always present, empty when there
       is nothing to show) is fetched again when the watched case is escalated, and swapped in
       whole: the server's own escaped markup, never built from a message. Changes close
       together (case.escalated, then escalation.opened) cost one fetch. */
    function refreshBanner(item) {
        if (!config.case || Number(caseId(item)) !== Number(config.case.id)) {
            return;
        }
        if (!document.getElementById("emergency-banner") || bannerTimer) {
            return;
        }
        bannerTimer = window.setTimeout(function () {
            bannerTimer = null;
            var url = urlFor("banner", config.case.reference);
            window.fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
                .then(function (response) { return response.ok ? response.text() : null; })
                .then(function (html) {
                    var current = document.getElementById("emergency-banner");
                    if (!html || !current) {
                        return;
                    }
                    var template = document.createElement("template");
                    template.innerHTML = html.trim(); // the server's own escaped markup
                    var fresh = template.content.querySelector("#emergency-banner");
                    if (fresh) {
                        current.parentNode.replaceChild(fresh, current);
                    }
                })
                .catch(function () { /* the next change, or a reload, shows it */ });
        }, 100);
    }

    function applyToCase(item) {
        if (!config.case || Number(caseId(item)) !== Number(config.case.id)) {
            return;
        }
        applySlaToCase(item);
        var box = document.getElementById("case-changed");
        if (!box) {
            return;
        }
        var parts = [];
        var assignee = document.getElementById("case-assignee");
        var nowAssigned = assigneeText(item.assigned_to_id);
        if (assignee && assignee.textContent.trim() !== nowAssigned) {
            parts.push(nowAssigned === "Unassigned" ? "It was released." : nowAssigned + ".");
        }
        if (item.event === "case.message_added") {
            parts.push("A message or note was added.");
        }
        if (item.event === "case.escalated") {
            parts.push("An escalation was opened or changed.");
        }
        if (item.event === "case.status_changed") {
            parts.push("Status: " + (config.statuses[item.status] || item.status) + ".");
        }
        if (item.event === "case.sla_warning" || item.event === "case.sla_breached") {
            parts.push(item.event === "case.sla_breached"
                ? "An SLA target was breached." : "An SLA target is due soon.");
        }
        box.textContent = "";
        box.appendChild(document.createTextNode(
            "This case changed while you were viewing it. " + parts.join(" ") + " "
        ));
        var reload = text("a", "Reload to see the latest");
        reload.href = window.location.pathname;
        box.appendChild(reload);
        box.hidden = false;
    }

    /* A case this user may no longer see (it, or its patient, was marked sensitive): its row
       goes, and its page says so (a reload would be a 404). Issue 15. */
    function hideCase(id) {
        var row = rowOf(id);
        if (row) {
            row.parentNode.removeChild(row);
            announce("A case left this list: it is now restricted to people cleared for sensitive records.");
            trim();
        }
        if (config.case && Number(id) === Number(config.case.id)) {
            var box = document.getElementById("case-changed");
            if (box) {
                box.textContent = "This case is now restricted to people cleared for sensitive records: you can no longer work on it.";
                box.hidden = false;
            }
        }
    }

    function applyPresence(message) {
        if (message.case_id !== undefined && config.case
                && Number(message.case_id) === Number(config.case.id)) {
            var others = (message.viewers || []).filter(function (viewer) {
                return String(viewer.id) !== String(me);
            });
            var box = document.getElementById("collision");
            if (box) {
                box.hidden = others.length === 0;
                box.textContent = others.length
                    ? "Also viewing this case: " + others.map(function (v) { return v.name; }).join(", ")
                        + ". Check before you reply or change it."
                    : "";
            }
            return;
        }
        if (message.queue_id !== undefined) {
            online[String(message.queue_id)] = message.online || [];
            renderOnline();
        }
    }

    function renderOnline() {
        var slots = document.querySelectorAll("[data-presence-queue]");
        for (var i = 0; i < slots.length; i += 1) {
            var people = online[slots[i].getAttribute("data-presence-queue")] || [];
            slots[i].textContent = people.length
                ? "Online now: " + people.map(function (p) { return p.name; }).join(", ") + "."
                : "";
        }
        var box = document.getElementById("presence");
        if (!box) {
            return;
        }
        var parts = Object.keys(online).filter(function (queueId) {
            return online[queueId].length && (config.queues || {})[queueId];
        }).map(function (queueId) {
            return "Online in " + config.queues[queueId] + ": "
                + online[queueId].map(function (p) { return p.name; }).join(", ") + ".";
        });
        box.textContent = parts.join(" ");
        box.hidden = parts.length === 0;
    }

    // --- the protocol -------------------------------------------------------------------------

    function send(message) {
        if (socket && socket.readyState === WebSocket.OPEN) {
            socket.send(JSON.stringify(message));
        }
    }

    function resync() {
        if (resyncTimer) {
            return; // one is on its way
        }
        send({type: "resync"});
        resyncTimer = window.setTimeout(function () {
            resyncTimer = null;
            if (socket) {
                socket.close(); // no snapshot came back: a fresh connection starts with one
            }
        }, RESYNC_TIMEOUT_MS);
    }

    /* Whether a numbered message is the next one of its queue (and take its number); an old
       number is dropped, a number beyond the next means something was lost: resync. */
    function inSequence(queueId, seq) {
        var last = lastSeq[queueId];
        if (last !== undefined) {
            if (seq <= last) {
                return false; // already applied (or superseded by a snapshot)
            }
            if (seq > last + 1) {
                resync(); // something was missed: the snapshot replaces the table
                return false;
            }
        }
        lastSeq[queueId] = seq;
        return true;
    }

    function onEvent(message) {
        // The number belongs to the queue whose group sent it (the old queue's, for a case moved
        // out of it), which the server names in seq_queue_id.
        var queueId = String(message.seq_queue_id !== undefined ? message.seq_queue_id : message.queue_id);
        if (inSequence(queueId, Number(message.seq))) {
            applyToTable(message, false);
            applyToCase(message);
            if (message.event === "case.escalated") {
                refreshBanner(message);
            }
        }
    }

    /* An escalation to one of the user's queues: numbered in that queue's sequence, exactly
       like a case event of the same group. */
    function onEscalation(message) {
        var queueId = String(message.seq_queue_id !== undefined ? message.seq_queue_id : message.queue_id);
        if (inSequence(queueId, Number(message.seq))) {
            applyEscalation(message, false);
            refreshBanner(message);
        }
    }

    /* Fetch ``url`` (the server's own escaped markup) and hand its first ``selector`` element
       to ``apply``. */
    function fetchFragment(url, selector, apply) {
        window.fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
            .then(function (response) { return response.ok ? response.text() : null; })
            .then(function (html) {
                if (!html) {
                    return;
                }
                var template = document.createElement("template");
                template.innerHTML = html.trim();
                var fresh = template.content.querySelector(selector);
                if (fresh) {
                    apply(fresh);
                }
            })
            .catch(function () { /* the next change, or a reload, shows it */ });
    }

    /* A grievance deadline message (complaints.events): the state is decided by the server, so
       the overdue alerts and the case's row are fetched again rather than redrawn here. */
    function onComplaint(message) {
        var queueId = String(message.seq_queue_id !== undefined ? message.seq_queue_id : message.queue_id);
        if (!inSequence(queueId, Number(message.seq))) {
            return;
        }
        var alerts = document.getElementById("complaint-alerts");
        if (alerts && (config.urls || {}).complaint_alerts) {
            fetchFragment(config.urls.complaint_alerts, "#complaint-alerts", function (fresh) {
                var current = document.getElementById("complaint-alerts");
                if (current) {
                    current.parentNode.replaceChild(fresh, current);
                }
            });
        }
        var row = rowOf(message.case_id);
        if (row) {
            fetchFragment(urlFor("row", message.reference), "tr", function (fresh) {
                var current = rowOf(message.case_id);
                if (current) {
                    swap(current, fresh);
                }
            });
        }
        if (message.overdue && message.event === "complaint.overdue") {
            announce("Complaint " + message.reference + ": " + message.state_label + ".");
        }
    }

    /* An emergency access (break-the-glass, oversight/alerts.py) announced to the privacy
       office's queue: a role="alert" note on the page (inserted, so it is announced) until the
       page is reloaded; the compliance officers review it on /compliance/break-glass/. */
    function onBreakGlass(message) {
        var queueId = String(message.seq_queue_id !== undefined ? message.seq_queue_id : message.queue_id);
        if (!inSequence(queueId, Number(message.seq))) {
            return;
        }
        var until = new Date(message.expires_at);
        var line = "Emergency access (break-the-glass) to case " + message.reference + " by "
            + message.user_name + " until " + until.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"})
            + ". It awaits compliance review.";
        var holder = escalationAlert || document.getElementById("complaint-alerts");
        if (!holder) {
            announce(line);
            return;
        }
        var id = String(Number(message.access_id));
        if (holder.querySelector('[data-break-glass-id="' + id + '"]')) {
            return;
        }
        var note = document.createElement("p");
        note.className = "errornote break-glass-alert";
        note.setAttribute("role", "alert");
        note.setAttribute("data-break-glass-id", id);
        note.appendChild(document.createTextNode(line));
        holder.appendChild(note);
    }

    function onHeartbeat(message) {
        var queues = message.queues || {};
        var behind = Object.keys(queues).some(function (queueId) {
            return lastSeq[queueId] === undefined || Number(queues[queueId]) > lastSeq[queueId];
        });
        if (behind) {
            resync(); // the last event of a queue was lost, or a queue was added
        }
    }

    function onMessage(raw) {
        var message;
        try {
            message = JSON.parse(raw.data);
        } catch (error) {
            return;
        }
        switch (message.type) {
        case "snapshot":
            if (resyncTimer) {
                window.clearTimeout(resyncTimer);
                resyncTimer = null;
            }
            applySnapshot(message);
            if (!live) {
                live = true;
                attempt = 0; // the backoff starts again only once the server has answered
                setStatus("connected", "Live updates on.");
                hideUnavailable();
            }
            break;
        case "event":
        case "case.event":
            onEvent(message);
            break;
        case "escalation":
            onEscalation(message);
            break;
        case "complaint":
            onComplaint(message);
            break;
        case "break_glass":
            onBreakGlass(message);
            break;
        case "skip":
            // A number used by an event this user may not see: nothing to show, unless the
            // case has just been marked sensitive (hide_case_id): it leaves the page at once.
            if (inSequence(String(message.queue_id), Number(message.seq))
                    && message.hide_case_id !== undefined) {
                hideCase(message.hide_case_id);
            }
            break;
        case "heartbeat":
            onHeartbeat(message);
            break;
        case "presence":
            applyPresence(message);
            break;
        case "revoked":
            stop("Your access to these queues was removed: live updates stopped.");
            if (tbody) {
                while (tbody.rows.length) {
                    tbody.deleteRow(0);
                }
                trim();
            }
            applyEscalationSnapshot([]);
            announce("Your access to these queues was removed.");
            break;
        default:
            break;
        }
    }

    function stop(message) {
        stopped = true;
        // The status says why (log in again, no queue): not a Redis outage, no banner.
        if (graceTimer) {
            window.clearTimeout(graceTimer);
            graceTimer = null;
        }
        if (unavailableBox) {
            unavailableBox.textContent = "";
        }
        setStatus("stopped", message);
        if (socket) {
            socket.close();
        }
    }

    function scheduleReconnect() {
        if (stopped || reconnectTimer) {
            return;
        }
        var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt));
        delay = Math.round(delay / 2 + Math.random() * delay / 2); // jitter: spread reconnects
        attempt += 1;
        setStatus("reconnecting", "Live updates interrupted: reconnecting in "
            + Math.ceil(delay / 1000) + " s…");
        reconnectTimer = window.setTimeout(function () {
            reconnectTimer = null;
            connect();
        }, delay);
    }

    function connect() {
        if (stopped) {
            return;
        }
        var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
        live = false;
        startGrace();
        setStatus("connecting", "Live updates: connecting…");
        try {
            socket = new WebSocket(scheme + window.location.host + config.socket_path);
        } catch (error) {
            scheduleReconnect();
            return;
        }
        socket.addEventListener("open", function () {
            // On only once the snapshot arrives: a server without its channel layer accepts
            // the socket and then closes it.
            if (config.case) {
                send({type: "watch", case_id: config.case.id});
            }
        });
        socket.addEventListener("message", onMessage);
        socket.addEventListener("close", function (event) {
            socket = null;
            if (resyncTimer) {
                window.clearTimeout(resyncTimer);
                resyncTimer = null;
            }
            if (event.code === 4401) {
                stop("Live updates stopped: your session has ended. Log in again.");
                return;
            }
            if (event.code === 4403) {
                stop("Live updates stopped: you are not a member of any queue.");
                return;
            }
            live = false;
            if (event.code === CLOSE_UNAVAILABLE) {
                showUnavailable(); // the server says so: no grace period
            } else {
                startGrace();
            }
            scheduleReconnect();
        });
    }

    // When the tab comes back online after a network loss, try at once.
    window.addEventListener("online", function () {
        if (!socket && !stopped) {
            if (reconnectTimer) {
                window.clearTimeout(reconnectTimer);
                reconnectTimer = null;
            }
            attempt = 0;
            connect();
        }
    });

    // Test hooks (the browser tests drive the protocol with a fake socket).
    window.consoleLive = {
        state: function () {
            return {lastSeq: lastSeq, stopped: stopped, names: names};
        }
    };

    window.setInterval(tick, 1000);
    tick();
    connect();
}());
