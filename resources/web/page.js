// The page half of the web views. It only talks to the app through the
// QWebChannel object "bridge": the app sends a JSON document with
// bridge.showDocument, the page renders it and answers with
// bridge.rendered(katexCount, errorCount). Untrusted text (problem statements,
// model output) only ever becomes DOM text nodes or KaTeX output with trust
// off, so nothing it contains can run script or fetch anything.
"use strict";

(function () {
  let bridge = null;

  // Splits text into [{math: bool, display: bool, src}] on $…$, $$…$$, \(…\)
  // and \[…\]. `dollarIsMath` is false for sources that use $ for money.
  function splitMath(text, dollarIsMath) {
    const out = [];
    let i = 0, plain = "";
    const flush = () => { if (plain) { out.push({ math: false, src: plain }); plain = ""; } };
    while (i < text.length) {
      const c = text[i];
      if (c === "\\" && (text[i + 1] === "(" || text[i + 1] === "[")) {
        const close = text[i + 1] === "(" ? "\\)" : "\\]";
        const end = text.indexOf(close, i + 2);
        if (end >= 0) {
          flush();
          out.push({ math: true, display: text[i + 1] === "[", src: text.slice(i + 2, end) });
          i = end + 2;
          continue;
        }
      }
      if (c === "\\" && text[i + 1] === "$") { plain += "$"; i += 2; continue; }
      if (c === "$" && dollarIsMath) {
        const display = text[i + 1] === "$";
        const open = display ? 2 : 1;
        const end = text.indexOf(display ? "$$" : "$", i + open);
        if (end > i + open - 1) {
          flush();
          out.push({ math: true, display, src: text.slice(i + open, end) });
          i = end + open;
          continue;
        }
      }
      plain += c;
      i += 1;
    }
    flush();
    return out;
  }

  function renderMath(src, display, into) {
    const span = document.createElement("span");
    try {
      katex.render(src, span, {
        displayMode: display, throwOnError: true, trust: false, strict: "ignore",
        maxExpand: 1000, maxSize: 50, output: "htmlAndMathml"
      });
    } catch (e) {
      // A bad formula shows its source in red, never a blank.
      span.className = "math-error katex-error";
      span.title = String(e && e.message ? e.message : e);
      span.textContent = display ? "$$" + src + "$$" : "$" + src + "$";
    }
    into.appendChild(span);
  }

  function renderText(text, dollarIsMath, into) {
    for (const para of String(text).split(/\n\s*\n/)) {
      const p = document.createElement("p");
      for (const seg of splitMath(para, dollarIsMath)) {
        if (seg.math) renderMath(seg.src, seg.display, p);
        else p.appendChild(document.createTextNode(seg.src));
      }
      into.appendChild(p);
    }
  }

  function showDocument(json) {
    const doc = JSON.parse(json);
    document.documentElement.className = doc.theme === "dark" ? "dark" : "light";
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
    for (const s of doc.sections || []) {
      const card = document.createElement("section");
      card.className = "card";
      if (s.heading) {
        const h = document.createElement("h2");
        h.textContent = s.heading;
        card.appendChild(h);
      }
      renderText(s.text || "", s.dollarIsMath !== false, card);
      root.appendChild(card);
    }
    const katexCount = document.querySelectorAll(".katex").length;
    const errorCount = document.querySelectorAll(".katex-error").length;
    // Wait for the fonts so a screenshot taken now shows the final glyphs.
    document.fonts.ready.then(() => requestAnimationFrame(() => bridge.rendered(katexCount, errorCount)));
  }

  document.addEventListener("DOMContentLoaded", () => {
    new QWebChannel(qt.webChannelTransport, (channel) => {
      bridge = channel.objects.bridge;
      bridge.showDocument.connect(showDocument);
      bridge.pageReady();
    });
  });
})();
