// The page half of the web views. It only talks to the app through the
// QWebChannel object "bridge": the app sends a JSON document with
// bridge.showDocument, the page renders it and answers with
// bridge.rendered(generation, katexCount, errorCount). Untrusted text (problem statements,
// model output) only ever becomes DOM text nodes or KaTeX output with trust
// off, so nothing it contains can run script or fetch anything; math.js
// keeps its size within the text column.
"use strict";

(function () {
  let bridge = null;

  // Section HTML comes from the app's markdown renderer, which escapes all
  // text and emits no links, images from outside, or event attributes; the
  // page's CSP forbids inline script and remote loads on top of that.
  function section(s) {
    const card = document.createElement("section");
    card.className = "card" + (s.kind ? " " + s.kind : "");
    if (s.heading) {
      const h = document.createElement("h2");
      h.textContent = s.heading;
      card.appendChild(h);
    }
    const body = document.createElement("div");
    body.className = "body";
    body.innerHTML = s.html || "";
    card.appendChild(body);
    return card;
  }

  function reportRendered(generation) {
    const katexCount = document.querySelectorAll(".katex").length;
    const errorCount = document.querySelectorAll(".katex-error").length;
    // Wait for the fonts so a screenshot taken now shows the final glyphs.
    document.fonts.ready.then(() => requestAnimationFrame(() => bridge.rendered(generation, katexCount, errorCount)));
  }

  function showPreview(html) {
    let p = document.getElementById("preview");
    if (!p) return;
    p.innerHTML = html;
    window.zayaMath.typeset(p, "untrusted");  // what the student types
  }

  function showDocument(json) {
    const doc = JSON.parse(json);
    document.documentElement.className = doc.theme === "dark" ? "dark" : "light";
    if (doc.fontScale) document.documentElement.style.fontSize = (16 * doc.fontScale) + "px";
    const root = document.getElementById("document");
    root.replaceChildren();
    if (doc.title) {
      const h = document.createElement("h1");
      h.textContent = doc.title;
      root.appendChild(h);
    }
    if (doc.meta) {
      const m = document.createElement("div");
      m.className = "meta";
      m.textContent = doc.meta;
      root.appendChild(m);
    }
    for (const s of doc.sections || []) root.appendChild(section(s));
    if (doc.preview) {
      const p = document.createElement("div");
      p.id = "preview";
      p.className = "preview";
      p.setAttribute("aria-label", doc.previewLabel || "Answer preview");
      if (doc.previewPlaceholder) p.dataset.placeholder = doc.previewPlaceholder;
      root.appendChild(p);
    }
    // A long document reports as soon as its first formulas are typeset;
    // the rest follow without blocking the page.
    window.zayaMath.typeset(root, "document", () => reportRendered(doc.generation | 0));
  }

  // What the preview box shows: its text, its numbered lines and which of
  // them are marked (the tutor's verdict on the student's working).
  function reportPreview() {
    const p = document.getElementById("preview");
    const lines = p ? [...p.querySelectorAll(".working-line")] : [];
    const note = p ? p.querySelector(".working-note") : null;
    bridge.reportPreview(JSON.stringify({
      shown: !!p,
      text: p ? p.textContent : "",
      lines: lines.length,
      marked: lines.filter((l) => l.classList.contains("marked")).map((l) => l.dataset.line | 0),
      note: note ? note.textContent : "",
      katex: p ? p.querySelectorAll(".katex").length : 0
    }));
  }

  // Model output (solution.js) is typeset with the untrusted profile.
  window.zayaTypeset = (root) => window.zayaMath.typeset(root, "untrusted");
  window.zayaBridge = () => bridge;

  document.addEventListener("DOMContentLoaded", () => {
    new QWebChannel(qt.webChannelTransport, (channel) => {
      bridge = channel.objects.bridge;
      bridge.showDocument.connect(showDocument);
      bridge.showPreview.connect(showPreview);
      bridge.previewQueried.connect(reportPreview);
      bridge.themeChanged.connect((theme) => {
        document.documentElement.className = theme === "dark" ? "dark" : "light";
      });
      bridge.solutionUpdate.connect((json) => window.zayaSolutionUpdate(json));
      bridge.pageReady();
    });
  });
})();
