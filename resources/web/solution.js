// The step-by-step solution view and its expert views. Like page.js it only
// talks to the app through the bridge: bridge.solutionUpdate(json) carries
// one update, and the page answers bridge.solutionRendered(generation) and,
// when asked, bridge.reportHeatmap(step, json) with the numbers it drew.
//
// Update kinds:
//   {kind:"reset", title, meta, layers, experts, hasRouting, routingNote}
//   {kind:"thinking", text, done}
//   {kind:"step", index, html, complete, tokens:[{t, e:[L], p:[L]}], counts:[L][E+1]}
//   {kind:"final", html, verdict: "correct"|"incorrect"|"unchecked", reason}
//   {kind:"status", text}
//   {kind:"compare", a, b}            show two steps' heatmaps side by side
//   {kind:"queryHeatmap", index}      report a step's drawn cell values
// Each step carries an "Ask about this step" button that calls
// bridge.askAboutStep(step number, 1-based); the app opens the follow-up.
"use strict";

(function () {
  // Okabe–Ito, the colour-blind-safe qualitative palette, extended with
  // darker and lighter variants for 16 experts; the skip route is grey.
  const EXPERT_COLOURS = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
    "#8C5A00", "#1F78A8", "#00664A", "#A89A00", "#003F66", "#8A3C00", "#8A4A73", "#5E5E5E"];
  const SKIP_COLOUR = "#B0B0B0";
  let state = { layers: 0, experts: 0, hasRouting: false, layer: 0, steps: new Map() };

  function colourOf(expert) {
    if (expert >= state.experts) return SKIP_COLOUR;
    const c = EXPERT_COLOURS[expert % EXPERT_COLOURS.length];
    // Okabe–Ito's black disappears on the dark theme: use near-white there.
    return c === "#000000" && document.documentElement.classList.contains("dark") ? "#EDEDED" : c;
  }
  function textOn(expert) {
    const c = colourOf(expert);
    return (c === "#F0E442" || c === "#EDEDED" || c === SKIP_COLOUR || c === "#E69F00" || c === "#56B4E9") ? "#000" : "#fff";
  }
  function expertName(expert) { return expert >= state.experts ? "skip" : "E" + expert; }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function root() { return document.getElementById("document"); }

  function reset(u) {
    state = { layers: u.layers | 0, experts: u.experts | 0, hasRouting: !!u.hasRouting, layer: 0, steps: new Map() };
    const r = root();
    r.replaceChildren();
    r.appendChild(el("h1", "", u.title || "Solution"));
    if (u.meta) r.appendChild(el("div", "meta", u.meta));
    if (!state.hasRouting) { if (u.routingNote) r.appendChild(el("div", "note", u.routingNote)); }
    else {
      const bar = el("div", "toolbar");
      bar.appendChild(el("label", "", "Colour tokens by their expert at layer "));
      const sel = el("select");
      sel.id = "layer-select";
      sel.setAttribute("aria-label", "Layer for token colours");
      for (let l = 0; l < state.layers; ++l) {
        const o = el("option", "", String(l));
        o.value = String(l);
        sel.appendChild(o);
      }
      sel.addEventListener("change", () => { state.layer = sel.value | 0; for (const s of state.steps.values()) drawTokens(s); });
      bar.appendChild(sel);
      bar.appendChild(legend());
      r.appendChild(bar);
      // Any two steps side by side.
      const cmp = el("div", "toolbar");
      cmp.appendChild(el("label", "", "Compare step "));
      const a = el("select"), b = el("select");
      a.id = "compare-a";
      b.id = "compare-b";
      a.setAttribute("aria-label", "First step to compare");
      b.setAttribute("aria-label", "Second step to compare");
      const go = el("button", "", "Compare");
      go.addEventListener("click", () => compare({ a: a.value | 0, b: b.value | 0 }));
      cmp.appendChild(a);
      cmp.appendChild(el("label", "", " with "));
      cmp.appendChild(b);
      cmp.appendChild(go);
      cmp.id = "compare-bar";
      cmp.hidden = true;
      r.appendChild(cmp);
    }
    const thinking = el("details", "thinking");
    thinking.id = "thinking";
    thinking.hidden = true;
    thinking.appendChild(el("summary", "", "Thinking"));
    thinking.appendChild(el("div", "thinking-text"));
    r.appendChild(thinking);
    const steps = el("div");
    steps.id = "steps";
    r.appendChild(steps);
    const fin = el("section", "card final");
    fin.id = "final";
    fin.hidden = true;
    r.appendChild(fin);
    const status = el("div", "status");
    status.id = "status";
    r.appendChild(status);
  }

  function legend() {
    const box = el("span", "legend");
    for (let e = 0; e <= state.experts; ++e) {
      const chip = el("span", "chip", expertName(e));
      chip.style.background = colourOf(e);
      chip.style.color = textOn(e);
      box.appendChild(chip);
    }
    return box;
  }

  function setThinking(u) {
    const t = document.getElementById("thinking");
    if (!t) return;
    t.hidden = !u.text;
    t.querySelector(".thinking-text").textContent = u.text || "";
    t.querySelector("summary").textContent = u.done ? "Thinking (" + (u.tokens | 0) + " tokens)" : "Thinking…";
  }

  // Heatmap: rows = layers, columns = experts + skip; a cell's colour is the
  // share of the step's tokens routed there, its tooltip the exact numbers.
  function heatmap(step) {
    const L = state.layers, C = state.experts + 1, cell = 11, left = 26, top = 16;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", left + C * cell + 4);
    svg.setAttribute("height", top + L * cell + 4);
    svg.setAttribute("class", "heatmap");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Experts chosen per layer in step " + (step.index + 1));
    const n = Math.max(1, step.tokens.length);
    for (let c = 0; c < C; ++c) {
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", left + c * cell + cell / 2);
      t.setAttribute("y", 11);
      t.setAttribute("class", "axis");
      t.textContent = c === C - 1 ? "s" : String(c);
      svg.appendChild(t);
    }
    for (let l = 0; l < L; ++l) {
      if (l % 5 === 0) {
        const t = document.createElementNS(ns, "text");
        t.setAttribute("x", left - 4);
        t.setAttribute("y", top + l * cell + cell - 2);
        t.setAttribute("class", "axis row");
        t.textContent = String(l);
        svg.appendChild(t);
      }
      for (let c = 0; c < C; ++c) {
        const count = step.counts[l][c];
        const r = document.createElementNS(ns, "rect");
        r.setAttribute("x", left + c * cell);
        r.setAttribute("y", top + l * cell);
        r.setAttribute("width", cell - 1);
        r.setAttribute("height", cell - 1);
        const share = count / n;
        if (count) {
          r.setAttribute("fill", colourOf(c));
          r.setAttribute("fill-opacity", (0.15 + 0.85 * share).toFixed(3));
        }
        r.setAttribute("class", count ? "cell" : "cell empty");
        r.dataset.layer = String(l);
        r.dataset.expert = String(c);
        r.dataset.count = String(count);
        const title = document.createElementNS(ns, "title");
        title.textContent = "Layer " + l + ", " + expertName(c) + ": " + count + " of " + step.tokens.length +
          " tokens (" + (100 * share).toFixed(1) + "%)";
        r.appendChild(title);
        svg.appendChild(r);
      }
    }
    return svg;
  }

  // Utilisation: share of the step's routed (token, layer) pairs per expert,
  // against the whole solution; confidence: mean router probability.
  function utilisation(step) {
    const C = state.experts + 1;
    const mine = new Array(C).fill(0), all = new Array(C).fill(0);
    let pairs = 0, allPairs = 0;
    for (const s of state.steps.values())
      for (let l = 0; l < state.layers; ++l)
        for (let c = 0; c < C; ++c) { all[c] += s.counts[l][c]; allPairs += s.counts[l][c]; }
    for (let l = 0; l < state.layers; ++l)
      for (let c = 0; c < C; ++c) { mine[c] += step.counts[l][c]; pairs += step.counts[l][c]; }
    const box = el("div", "util");
    for (let c = 0; c < C; ++c) {
      const row = el("div", "util-row");
      row.appendChild(el("span", "util-label", expertName(c)));
      const bar = el("span", "util-bar");
      const a = el("span", "util-step");
      a.style.width = (pairs ? 100 * mine[c] / pairs : 0).toFixed(1) + "%";
      a.style.background = colourOf(c);
      const b = el("span", "util-all");
      b.style.left = (allPairs ? 100 * all[c] / allPairs : 0).toFixed(1) + "%";
      bar.appendChild(a);
      bar.appendChild(b);
      row.title = expertName(c) + ": " + (pairs ? (100 * mine[c] / pairs).toFixed(1) : "0") + "% of this step, " +
        (allPairs ? (100 * all[c] / allPairs).toFixed(1) : "0") + "% of the whole solution";
      row.appendChild(bar);
      box.appendChild(row);
    }
    let probSum = 0, probN = 0;
    for (const tok of step.tokens) for (const p of tok.p) { probSum += p; ++probN; }
    box.appendChild(el("div", "confidence", "Router confidence: mean probability of the chosen route " +
      (probN ? (probSum / probN).toFixed(3) : "–") + " over " + step.tokens.length + " tokens"));
    return box;
  }

  function drawTokens(step) {
    if (!step.tokenBox) return;
    step.tokenBox.replaceChildren();
    step.tokens.forEach((tok) => {
      const span = el("span", "tok", tok.t);
      const e = tok.e[state.layer];
      span.style.background = colourOf(e);
      span.style.color = textOn(e);
      // The token's path through every layer, with probabilities.
      span.title = tok.e.map((x, l) => "L" + l + " " + expertName(x) + " " + tok.p[l].toFixed(2)).join("\n");
      step.tokenBox.appendChild(span);
    });
  }

  function setStep(u) {
    const steps = document.getElementById("steps");
    let s = state.steps.get(u.index);
    if (!s) {
      s = { index: u.index, card: el("section", "card step") };
      s.card.id = "step-" + u.index;
      const head = el("div", "step-head");
      head.appendChild(el("h2", "", "Step " + (u.index + 1)));
      const ask = el("button", "ask-step", "Ask about this step");
      ask.type = "button";
      ask.setAttribute("aria-label", "Ask about step " + (u.index + 1));
      ask.title = "Ask the tutor to explain this step, or ask your own question about it";
      ask.addEventListener("click", () => window.zayaBridge().askAboutStep(u.index + 1));
      head.appendChild(ask);
      s.card.appendChild(head);
      s.body = el("div", "body");
      s.card.appendChild(s.body);
      if (state.hasRouting) {
        s.experts = el("details", "experts");
        s.experts.open = true;  // the expert views are what this app is for: shown unless closed
        s.experts.appendChild(el("summary", "", "Experts in this step"));
        s.views = el("div", "expert-views");
        s.experts.appendChild(s.views);
        s.tokenBox = el("div", "tokens");
        s.experts.appendChild(s.tokenBox);
        s.card.appendChild(s.experts);
      }
      steps.appendChild(s.card);
      state.steps.set(u.index, s);
      refreshCompareChoices();
    }
    s.tokens = u.tokens || [];
    s.counts = u.counts || [];
    s.complete = !!u.complete;
    s.card.classList.toggle("streaming", !s.complete);
    s.body.innerHTML = u.html || "";
    window.zayaTypeset(s.body);
    if (state.hasRouting) {
      s.views.replaceChildren(heatmap(s), utilisation(s));
      drawTokens(s);
    }
  }

  function refreshCompareChoices() {
    const bar = document.getElementById("compare-bar");
    if (!bar) return;
    bar.hidden = state.steps.size < 2;
    for (const id of ["compare-a", "compare-b"]) {
      const sel = document.getElementById(id);
      const keep = sel.value;
      sel.replaceChildren();
      for (const i of [...state.steps.keys()].sort((x, y) => x - y)) {
        const o = el("option", "", String(i + 1));
        o.value = String(i);
        sel.appendChild(o);
      }
      if (keep) sel.value = keep;
      else if (id === "compare-b" && sel.options.length > 1) sel.selectedIndex = 1;
    }
  }

  function setFinal(u) {
    const f = document.getElementById("final");
    f.hidden = false;
    f.replaceChildren();
    const badge = el("span", "badge " + u.verdict, u.verdict === "correct" ? "✓ Verified" :
      u.verdict === "incorrect" ? "✗ Does not match the answer key" : "Not checked");
    badge.title = u.reason || "";
    f.appendChild(el("h2", "", "Final answer"));
    const body = el("div", "body");
    body.innerHTML = u.html || "";
    window.zayaTypeset(body);
    f.appendChild(body);
    f.appendChild(badge);
    if (u.reason) f.appendChild(el("div", "reason", u.reason));
  }

  function compare(u) {
    let box = document.getElementById("compare");
    if (!box) {
      box = el("section", "card compare");
      box.id = "compare";
      root().insertBefore(box, document.getElementById("steps"));
    }
    box.replaceChildren(el("h2", "", "Steps " + (u.a + 1) + " and " + (u.b + 1) + " side by side"));
    const row = el("div", "compare-row");
    for (const i of [u.a, u.b]) {
      const s = state.steps.get(i);
      if (!s) continue;
      const col = el("div", "compare-col");
      col.appendChild(el("div", "meta", "Step " + (i + 1) + " · " + s.tokens.length + " tokens"));
      col.appendChild(heatmap(s));
      row.appendChild(col);
    }
    box.appendChild(row);
  }

  function queryHeatmap(u) {
    const s = state.steps.get(u.index);
    const cells = [];
    if (s && s.views) {
      const L = state.layers, C = state.experts + 1;
      for (let l = 0; l < L; ++l) cells.push(new Array(C).fill(0));
      for (const r of s.views.querySelectorAll("rect.cell")) cells[r.dataset.layer | 0][r.dataset.expert | 0] = r.dataset.count | 0;
    }
    window.zayaBridge().reportHeatmap(u.index, JSON.stringify(cells));
  }

  // What a reader sees, for tests and accessibility checks.
  function queryState() {
    const t = document.getElementById("thinking");
    const badge = document.querySelector("#final .badge");
    window.zayaBridge().reportState(JSON.stringify({
      steps: document.querySelectorAll("#steps section.step").length,
      streamingSteps: document.querySelectorAll("#steps section.step.streaming").length,
      thinkingShown: !!(t && !t.hidden),
      thinkingOpen: !!(t && t.open),
      badge: badge ? badge.className.replace("badge", "").trim() : "",
      katex: document.querySelectorAll("#steps .katex").length,
      katexErrors: document.querySelectorAll(".katex-error").length,
      heatmaps: document.querySelectorAll("#steps svg.heatmap").length,
      askButtons: document.querySelectorAll("#steps button.ask-step").length,
      stepTexts: [...document.querySelectorAll("#steps section.step .body")].map((b) => b.textContent),
      status: (document.getElementById("status") || {}).textContent || ""
    }));
  }

  window.zayaSolutionUpdate = function (json) {
    const u = JSON.parse(json);
    switch (u.kind) {
      case "reset": reset(u); break;
      case "thinking": setThinking(u); break;
      case "step": setStep(u); break;
      case "final": setFinal(u); break;
      case "status": { const s = document.getElementById("status"); if (s) s.textContent = u.text || ""; break; }
      case "compare": compare(u); break;
      case "queryHeatmap": queryHeatmap(u); return;
      case "queryState": queryState(); return;
    }
    window.zayaBridge().solutionRendered(u.generation | 0);
  };
})();
