// The play page's script: plain browser JavaScript, no build step. It talks to the web chat
// routes with an API key it keeps in localStorage (a guest key from POST /api/auth/guest when the
// visitor has none), mirrored into the arcade_key cookie so that the server recognises the owner of
// an unpublished persona on navigation. Every text from the server is set with textContent.
"use strict";
(function () {
  const KEY = "arcade.key", NAME = "arcade.player", USID = "web";
  const $ = (id) => document.getElementById(id);

  function storeKey(k) {
    localStorage.setItem(KEY, k);
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "arcade_key=" + k + "; Path=/play; Max-Age=31536000; SameSite=Strict" + secure;
  }
  function forgetKey() {
    localStorage.removeItem(KEY);
    document.cookie = "arcade_key=; Path=/play; Max-Age=0; SameSite=Strict";
  }
  function wireKeyForm() {
    const f = $("key-form");
    if (!f) return;
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      const k = $("key-input").value.trim();
      if (!/^[A-Za-z0-9_-]{8,200}$/.test(k)) { alert("That does not look like an API key."); return; }
      storeKey(k);
      location.reload();
    });
  }

  const dataEl = $("persona-data");
  wireKeyForm();
  if (!dataEl) return; // the not-found page
  const P = JSON.parse(dataEl.textContent);
  const machines = {};
  for (const m of P.machines) machines[m.key] = m;
  const base = "/api/v1/chat/" + encodeURIComponent(P.persona_id);
  let current = null; // machine key of the session on screen
  // body[data-busy] is "1" while a request of the page is under way (tests wait for "0").
  let busy = 0;
  function track(p) {
    busy++;
    document.body.dataset.busy = "1";
    return p.catch(showError).finally(() => { if (--busy === 0) document.body.dataset.busy = "0"; });
  }

  class APIError extends Error {
    constructor(status, msg) { super(msg); this.status = status; }
  }

  async function guestKey() {
    const res = await fetch("/api/auth/guest", { method: "POST" });
    const j = await res.json().catch(() => ({}));
    if (!res.ok || !j.data || !j.data.apiKey) throw new APIError(res.status, (j.error && j.error.message) || j.message || "could not get a guest key");
    storeKey(j.data.apiKey);
    return j.data.apiKey;
  }

  async function api(method, path, body, retried) {
    let key = localStorage.getItem(KEY) || (await guestKey());
    if (!document.cookie.includes("arcade_key=")) storeKey(key);
    const opts = { method, headers: { "Authorization": "Bearer " + key } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    const j = await res.json().catch(() => ({}));
    if (res.status === 401 && !retried) { // a revoked or unknown key: start afresh as a guest
      forgetKey();
      return api(method, path, body, true);
    }
    if (!res.ok) {
      const msg = (j.error && j.error.message) || j.detail || res.statusText;
      throw new APIError(res.status, msg);
    }
    return j;
  }
  const q = (machine) => "?user_session_id=" + USID + (machine ? "&machine_id=" + encodeURIComponent(machine) : "");

  function showError(err) {
    const el = $("error");
    el.textContent = err ? String(err.message || err) : "";
    el.hidden = !err;
  }
  function say(role, text, note) {
    const li = document.createElement("li");
    li.className = role;
    if (note) {
      const n = document.createElement("span");
      n.className = "meta";
      n.textContent = note;
      li.append(n);
    }
    const t = document.createElement("span");
    t.className = "text";
    t.textContent = text;
    li.append(t);
    $("log").append(li);
    li.scrollIntoView({ block: "end" });
  }
  function stateLabel(machine, key) {
    const m = machines[machine];
    return (m && m.states[key]) || key;
  }
  function setText(id, v) { $(id).textContent = v === null || v === undefined ? "–" : String(v); }

  // status shows a session: {machine_id, current_state, score, outcome, redirect_count, decision?}.
  function status(s) {
    current = s.machine_id;
    const m = machines[current];
    setText("machine", m ? m.name : current);
    setText("state", stateLabel(current, s.current_state));
    $("state").dataset.key = s.current_state;
    setText("score", s.score);
    $("score").title = m && m.scoring_mode === "scoring" ? "pass at " + m.pass_threshold + ", out at " + m.early_fail_bound : "pass/fail";
    setText("outcome", s.outcome);
    setText("redirects", s.redirect_count);
    if ("decision" in s) setText("decision", s.follow_up ? "follow-up question" : s.decision);
    const ended = s.outcome !== null && s.outcome !== undefined;
    $("message-form").hidden = ended;
    $("start-form").hidden = !ended;
    $("start").textContent = ended ? "Play this machine again" : "Start the conversation";
    $("reset").hidden = false;
    if (!ended) $("msg").focus();
  }
  function noSession() {
    current = null;
    for (const id of ["machine", "state", "score", "outcome", "decision", "redirects"]) setText(id, null);
    $("message-form").hidden = true;
    $("start-form").hidden = false;
    $("reset").hidden = true;
    $("start").textContent = "Start the conversation";
  }

  async function progress() {
    const p = await api("GET", "/api/v1/personas/" + encodeURIComponent(P.persona_id) + "/progress" + q());
    setText("relationship", p.relationship_level);
    setText("total-score", p.total_score);
    const done = {}, avail = {};
    for (const c of p.completed_machines) done[c.machine_key] = c;
    for (const a of p.available_machines) avail[a.machine_key] = a;
    for (const li of $("machines").children) {
      const k = li.dataset.key;
      let st = "locked", badge = "locked";
      if (avail[k]) { st = "available"; badge = "available"; }
      if (done[k]) { st = "completed"; badge = done[k].outcome + " · " + done[k].score; }
      if (k === current && $("message-form").hidden === false) { st = "playing"; badge = "playing"; }
      li.dataset.status = st;
      li.querySelector(".badge").textContent = badge;
      li.querySelector(".play").hidden = !avail[k] || st === "playing";
    }
    return p;
  }

  async function load() {
    try {
      let h = null;
      try {
        h = await api("GET", base + "/history" + q());
      } catch (e) {
        if (e.status !== 404) throw e;
      }
      $("log").replaceChildren();
      if (h) {
        for (const m of h.messages) say(m.role, m.content);
        status(h);
      } else {
        noSession();
      }
      await progress();
      $("who").textContent = "a guest of this browser";
    } catch (e) {
      showError(e);
    }
  }

  async function start(machine) {
    showError(null);
    const name = $("player-name").value.trim() || localStorage.getItem(NAME) || "";
    if (name) localStorage.setItem(NAME, name);
    const init = await api("POST", base + "/init-session" + q(machine || current), {
      user_session_id: USID, player_name: name, player_gender: $("player-gender").value,
    });
    $("log").replaceChildren();
    $("unlocked").replaceChildren();
    say("assistant", init.message, machines[init.machine_id] ? machines[init.machine_id].name : init.machine_id);
    const s = await api("GET", base + "/session" + q(init.machine_id));
    status(s);
    await progress();
  }

  async function send(text) {
    showError(null);
    say("user", text);
    const r = await api("POST", base + "/message" + q(current), { user_session_id: USID, message: text });
    say("assistant", r.message);
    status(r);
    for (const u of r.unlocked_machines) {
      const li = document.createElement("li");
      li.dataset.key = u.machine_key;
      li.textContent = u.name + (u.is_auto_advance ? " (entered at once)" : "");
      $("unlocked").append(li);
    }
    if (r.machine_completed) say("system", (machines[r.machine_id] ? machines[r.machine_id].name : r.machine_id) + " ended: " + r.outcome + ", score " + r.score);
    if (r.next_machine) {
      const m = machines[r.next_machine.machine_id];
      say("assistant", r.next_machine.message, m ? m.name : r.next_machine.machine_id);
      status(await api("GET", base + "/session" + q(r.next_machine.machine_id)));
    }
    await progress();
  }

  $("start-form").addEventListener("submit", (e) => {
    e.preventDefault();
    track(start(current));
  });
  $("message-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("msg").value.trim();
    if (!text) return;
    $("msg").value = "";
    $("send").disabled = true;
    track(send(text)).finally(() => { $("send").disabled = false; $("msg").focus(); });
  });
  $("reset").addEventListener("click", () => {
    if (!current) return;
    track(api("POST", base + "/reset" + q(current)).then(() => {
      $("log").replaceChildren();
      noSession();
      return progress();
    }));
  });
  $("machines").addEventListener("click", (e) => {
    const b = e.target.closest("button.play");
    if (b) track(start(b.dataset.key));
  });
  $("forget").addEventListener("click", () => {
    forgetKey();
    location.reload();
  });
  const saved = localStorage.getItem(NAME);
  if (saved) $("player-name").value = saved;
  track(load());
})();
