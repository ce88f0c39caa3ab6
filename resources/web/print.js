// The print page: lays a worksheet or an answer key out in paper-sized
// sheets for QWebEnginePage::printToPdf (set_printer.cpp). Qt 6.4's Chromium
// draws neither @page margin boxes nor header/footer templates for Qt, so the
// page paginates itself: every block (the header, then one per problem) is
// typeset at the sheet's width in a hidden staging area, measured once every
// formula is typeset and every image and font has loaded, and moved into
// fixed-size sheets that each end with a page break and carry their own
// "Page n of N" footer.
//
// Like page.js, it only talks to the app through the QWebChannel object
// "bridge": showPrintDocument(json) in, printLaidOut(generation, katexCount,
// errorCount, pageCount) out. Text from the set (titles, excerpts) only ever
// becomes DOM text nodes; HTML fields come from the app's markdown + math
// renderer, which escapes everything, and math is typeset with trust off.
"use strict";

(function () {
  let bridge = null;
  const FOOTER_PX = 32;  // the footer's 22 px and the gap above it

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Renderer output (render/math_markdown.h) only; never text from the set as such.
  function rendered(tag, className, html) {
    const e = el(tag, className);
    e.innerHTML = html || "";
    return e;
  }

  function header(doc) {
    const h = el("section", "block header");
    h.appendChild(el("div", doc.kind === "key" ? "kind key" : "kind", doc.kindLabel));
    h.appendChild(el("h1", "", doc.title));
    if (doc.subtitle) h.appendChild(el("div", "subtitle", doc.subtitle));
    if (doc.instructionsHtml) h.appendChild(rendered("div", "instructions body", doc.instructionsHtml));
    if (doc.kind !== "key") {
      const fields = el("div", "fields");
      for (const [cls, label] of [["name", doc.labels.name], ["date", doc.labels.date]]) {
        const f = el("div", "field " + cls);
        f.appendChild(el("span", "label", label));
        f.appendChild(el("span", "line"));
        fields.appendChild(f);
      }
      h.appendChild(fields);
    }
    return h;
  }

  function problem(doc, p) {
    const b = el("section", "block problem");
    b.appendChild(el("div", "number", p.number + "."));
    const c = el("div", "content");
    if (doc.kind === "key") {
      if (p.source) c.appendChild(el("div", "source", p.source));
      c.appendChild(rendered("div", "excerpt body", p.excerptHtml));
      const a = el("div", "answer body");
      a.appendChild(el("span", "tag", doc.labels.answer));
      a.appendChild(rendered("span", "", p.answerHtml));
      c.appendChild(a);
      if (p.solutionHtml) {
        const s = el("div", "solution");
        s.appendChild(el("span", "tag", doc.labels.solution));
        s.appendChild(rendered("div", "body flow", p.solutionHtml));
        c.appendChild(s);
      } else {
        c.appendChild(el("div", "no-solution", p.noSolution));
      }
    } else {
      c.appendChild(rendered("div", "body", p.statementHtml));
      if (p.choicesHtml) c.appendChild(rendered("div", "body", p.choicesHtml));
      c.appendChild(el("div", "work"));
    }
    b.appendChild(c);
    return b;
  }

  // Resolves once every formula under the page is typeset (math.js typesets
  // a long document in slices), every image has loaded or failed, and the
  // fonts the typeset text asks for are in.
  async function settle(root) {
    await new Promise((resolve) => window.zayaMath.typeset(root, "document", resolve));
    while (window.zayaMath.pending() > 0) await sleep(15);
    const images = Array.from(root.querySelectorAll("img"));
    await Promise.all(images.map((img) => img.complete ? Promise.resolve() : new Promise((resolve) => {
      img.addEventListener("load", resolve, { once: true });
      img.addEventListener("error", resolve, { once: true });
    })));
    await Promise.all(images.map((img) => img.decode ? img.decode().catch(() => {}) : Promise.resolve()));
    // A font is only asked for once text using it is laid out: lay out, then wait.
    root.getBoundingClientRect();
    await document.fonts.ready;
    await sleep(0);
    await document.fonts.ready;
  }

  function newSheet(main, width, height) {
    const sheet = el("div", "sheet");
    sheet.style.width = width + "px";
    sheet.style.height = height + "px";
    const body = el("div", "sheet-body");
    sheet.appendChild(body);
    main.appendChild(sheet);
    return body;
  }

  // Splits a block whose content may break between paragraphs (a
  // solution, marked "flow") so that its first part is at most `room` tall:
  // the paragraphs that do not fit move, in order, to a continuation block
  // placed right after it. Returns the continuation, or null when no
  // paragraph boundary makes the first part fit.
  function splitToFit(block, room, labels) {
    const flow = block.querySelector(".flow");
    if (!flow || flow.children.length < 2) return null;
    const cont = el("section", "block problem continued");
    cont.appendChild(el("div", "number"));
    const content = el("div", "content");
    const solution = el("div", "solution");
    solution.appendChild(el("span", "tag", labels.continued));
    const rest = el("div", "body flow");
    solution.appendChild(rest);
    content.appendChild(solution);
    cont.appendChild(content);
    block.after(cont);
    while (flow.children.length > 1 && block.getBoundingClientRect().height > room)
      rest.insertBefore(flow.lastElementChild, rest.firstChild);
    if (block.getBoundingClientRect().height > room || !rest.children.length) {
      while (rest.firstChild) flow.appendChild(rest.firstChild);
      cont.remove();
      return null;
    }
    return cont;
  }

  // Greedy, in order: a block goes on the current sheet when it fits; a
  // solution that does not is split between paragraphs when at least
  // MIN_SPLIT_PX of the sheet is left, else the block starts the next sheet.
  // A block still taller than a whole sheet (one huge paragraph or problem)
  // gets a sheet of its own and is scaled down until it fits: on paper a
  // smaller but complete problem beats one cut off mid-formula.
  const MIN_SPLIT_PX = 140;
  function paginate(main, blocks, width, height, labels) {
    const room = height - FOOTER_PX;
    const queue = blocks.slice();
    let body = null, used = 0;
    while (queue.length) {
      const b = queue.shift();
      if (!body) {
        body = newSheet(main, width, height);
        used = 0;
      }
      const h = b.getBoundingClientRect().height;
      if (used + h > room) {
        const rest = room - used >= MIN_SPLIT_PX ? splitToFit(b, room - used, labels) : null;
        if (rest) {
          body.appendChild(b);
          queue.unshift(rest);
          body = null;
          continue;
        }
        if (used > 0) {
          queue.unshift(b);
          body = null;
          continue;
        }
        const scale = room / h;
        b.classList.add("scaled");
        b.style.transform = "scale(" + scale + ")";
        b.style.marginBottom = (room - h) + "px";  // the scaled box takes the sheet's room, no more
        body.appendChild(b);
        body = null;
        continue;
      }
      body.appendChild(b);
      used += h;
    }
    const sheets = Array.from(main.querySelectorAll(".sheet"));
    sheets.forEach((sheet, i) => {
      const footer = el("div", "sheet-footer");
      footer.appendChild(el("span", "set", main.dataset.footer || ""));
      footer.appendChild(el("span", "page", labels.page.replace("%1", i + 1).replace("%2", sheets.length)));
      sheet.appendChild(footer);
    });
    return sheets.length;
  }

  // A newer document (the app gave up waiting on this one and printed again)
  // takes over: an older one still settling stops without touching the page.
  let latest = 0;

  async function showPrintDocument(json) {
    const mine = ++latest;
    const doc = JSON.parse(json);
    const main = document.getElementById("document");
    main.replaceChildren();
    const old = document.getElementById("staging");
    if (old) old.remove();
    // A few pixels short of the printable area: Chromium rounds the paper
    // and its margins to whole points, and a sheet a fraction too tall
    // would push a blank page after it.
    const width = Math.max(100, Math.floor(doc.sheet.width) - 2);
    const height = Math.max(100, Math.floor(doc.sheet.height) - 6);
    main.dataset.footer = doc.footer || "";

    const staging = el("div");
    staging.id = "staging";
    staging.style.width = width + "px";
    document.body.appendChild(staging);
    const blocks = [header(doc)];
    for (const p of doc.problems || []) blocks.push(problem(doc, p));
    for (const b of blocks) staging.appendChild(b);
    await settle(staging);
    if (mine !== latest) return;

    const pages = paginate(main, blocks, width, height, doc.labels);
    staging.remove();
    const katexCount = main.querySelectorAll(".katex").length;
    const errorCount = main.querySelectorAll(".katex-error").length;
    await document.fonts.ready;
    if (mine !== latest) return;
    bridge.printLaidOut(doc.generation | 0, katexCount, errorCount, pages);
  }

  document.addEventListener("DOMContentLoaded", () => {
    new QWebChannel(qt.webChannelTransport, (channel) => {
      bridge = channel.objects.bridge;
      bridge.showPrintDocument.connect((json) => {
        showPrintDocument(json).catch((e) => {
          // The app reports it: no pages means the print failed.
          console.error("print layout failed: " + e);
          let generation = -1;
          try { generation = JSON.parse(json).generation | 0; } catch (_) { /* unreadable: -1 */ }
          bridge.printLaidOut(generation, 0, 0, 0);
        });
      });
      bridge.pageReady();
    });
  });
})();
