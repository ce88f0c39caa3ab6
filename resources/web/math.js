// Typesetting for the web views: every <span class="math"> the app's
// renderer produced becomes KaTeX output, within limits.
//
// - Sizes: KaTeX caps every size a formula asks for (\rule, \hspace, \kern…)
//   at maxSize ems, and macro expansion at maxExpand steps. Problem text
//   ("document") gets room for the bank's own spacing (\hspace{8em});
//   model output and what a student types ("untrusted") get less. Neither
//   gets colour boxes or huge type: \colorbox and \fcolorbox show their
//   text without the box and \huge/\Huge/\LARGE do nothing (no bank problem
//   uses them), so no formula can draw a badge like the app's own
//   "✓ Verified". Definitions stay allowed: the bank's matrices use
//   \renewcommand{\arraystretch}, and models write like the bank.
// - The column: after typesetting, a formula whose drawing reaches outside
//   the text column or is taller than the column is wide (rows of rules,
//   negative kerns and raised boxes can add up past maxSize) is put in a box
//   of the column's size that scrolls, so it cannot paint over anything.
// - Time: a document with many formulas is typeset in slices of about 30 ms,
//   yielding to the event loop between them, so its text shows
//   at once and the page keeps answering while the rest are typeset.
// A formula KaTeX refuses shows its source in red, as text, never a blank.
"use strict";

(function () {
  const NO_BOXES = {
    "\\colorbox": "\\@secondoftwo{#1}{\\text{#2}}",
    "\\fcolorbox": "\\@secondoftwo{#1}{\\@secondoftwo{#2}{\\text{#3}}}",
    "\\huge": "", "\\Huge": "", "\\LARGE": ""
  };
  const PROFILES = {
    document: { maxSize: 10, maxExpand: 500, macros: NO_BOXES },
    untrusted: { maxSize: 5, maxExpand: 200, macros: NO_BOXES }
  };
  // Above either, a root is typeset progressively.
  const PROGRESSIVE_FORMULAS = 400;
  const PROGRESSIVE_TEX_CHARS = 40000;
  const SLICE_MS = 30;

  function typesetOne(span, profile) {
    if (span.firstElementChild) return;  // typeset already
    const src = span.textContent;
    const display = span.dataset.display === "1";
    const p = PROFILES[profile] || PROFILES.untrusted;
    try {
      katex.render(src, span, {
        displayMode: display, throwOnError: true, trust: false, strict: "ignore", output: "htmlAndMathml",
        maxSize: p.maxSize, maxExpand: p.maxExpand,
        macros: Object.assign({}, p.macros)  // KaTeX writes into it; each formula starts clean
      });
    } catch (e) {
      span.className = "math math-error katex-error";
      span.title = String(e && e.message ? e.message : e);
      span.textContent = display ? "\\[" + src + "\\]" : "\\(" + src + "\\)";
    }
  }

  // The text column a formula sits in: its section body, the preview box or
  // the page's main column, without padding.
  function columnOf(span, cache) {
    const col = span.closest(".body, .preview, main") || document.body;
    let c = cache.get(col);
    if (!c) {
      const r = col.getBoundingClientRect(), cs = getComputedStyle(col);
      const left = r.left + parseFloat(cs.paddingLeft), right = r.right - parseFloat(cs.paddingRight);
      c = { left: left, right: right, width: Math.max(1, right - left) };
      cache.set(col, c);
    }
    return c;
  }

  // Reads every formula's drawn extent (one layout for the whole batch),
  // then boxes the ones that do not fit. Returns those not laid out yet.
  function fitToColumn(spans) {
    const cache = new Map(), oversize = [], unmeasured = [];
    for (const span of spans) {
      if (!span.isConnected || !span.classList.contains("math") || span.classList.contains("math-error")) continue;
      const c = columnOf(span, cache);
      let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
      for (const e of span.querySelectorAll(".katex-html, .katex-html *")) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        left = Math.min(left, r.left); top = Math.min(top, r.top);
        right = Math.max(right, r.right); bottom = Math.max(bottom, r.bottom);
      }
      if (right < left) {
        unmeasured.push(span);
        continue;
      }
      if (left < c.left - 1 || right > c.right + 1 || bottom - top > c.width) oversize.push([span, c.width]);
    }
    for (const [span, width] of oversize) {
      span.classList.add("math-oversize");
      span.style.maxHeight = Math.floor(width) + "px";
      span.title = "This formula is larger than the page; scroll inside its box to see all of it.";
    }
    return unmeasured;
  }

  function needsSlices(spans) {
    if (spans.length > PROGRESSIVE_FORMULAS) return true;
    let chars = 0;
    for (const s of spans) if ((chars += s.textContent.length) > PROGRESSIVE_TEX_CHARS) return true;
    return false;
  }

  // In a long document, measuring every formula as it is typeset would lay
  // the page out again and again. Only formulas that can grow past the
  // column are measured there, and only once the browser has laid them out
  // near the viewport (an IntersectionObserver reports without forcing a
  // layout); until then content-visibility keeps them from painting. The
  // same observer measures formulas typeset while their view was hidden.
  const CAN_GROW = /\\(begin|rule|kern|mkern|hskip|mskip|hspace|raisebox|[lrc]lap|math[lrc]lap|smash|colorbox|fcolorbox|fbox|boxed|neg|!|\\|atop|above|[dtc]?frac|genfrac|over|sqrt|left|[bB]ig|substack|stackrel|overset|underset|over(brace|line)|under(brace|line)|x?[lr]ightarrow|phantom|vphantom|hphantom|mathstrut|[hH]uge|LARGE|Large|large|tag)/;
  function canGrow(tex) { return tex.length > 200 || CAN_GROW.test(tex); }
  // A paragraph the browser has not laid out yet gives no geometry even when
  // near the viewport: such formulas are observed again, a few frames later.
  const tries = new WeakMap();
  const watcher = new IntersectionObserver((entries) => {
    const seen = [];
    for (const e of entries) if (e.isIntersecting) { seen.push(e.target); watcher.unobserve(e.target); }
    if (!seen.length) return;
    const later = fitToColumn(seen).filter((s) => {
      const n = (tries.get(s) || 0) + 1;
      tries.set(s, n);
      return n < 20;
    });
    if (later.length) requestAnimationFrame(() => { for (const s of later) watcher.observe(s); });
  }, { rootMargin: "100% 0px" });

  // Per root: the job typesetting it and the formulas it left observed, so a
  // new document stops the old job and lets go of the old formulas.
  const roots = new WeakMap();
  function fitWhenShown(record, spans) {
    for (const span of spans) {
      watcher.observe(span);
      record.observed.push(span);
    }
  }

  // Typesets the formulas under `root` with the named profile. `firstSlice`
  // runs once what is visible first is typeset (at once for a small root).
  function typesetMath(root, profile, firstSlice) {
    const spans = Array.from(root.querySelectorAll("span.math"));
    const previous = roots.get(root);
    if (previous) {
      previous.cancelled = true;
      for (const s of previous.observed) watcher.unobserve(s);
    }
    const record = { cancelled: false, next: 0, observed: [] };
    roots.set(root, record);
    const long = needsSlices(spans);
    // Lay out only the paragraphs near the viewport (page.css).
    root.classList.toggle("long-document", long);
    if (!long) {
      for (const span of spans) typesetOne(span, profile);
      fitWhenShown(record, fitToColumn(spans));
      if (firstSlice) firstSlice();
      return;
    }
    const slice = () => {
      if (record.cancelled) return;
      const start = performance.now(), from = record.next, growing = [];
      while (record.next < spans.length && performance.now() - start < SLICE_MS) {
        const span = spans[record.next++];
        if (!span.isConnected) continue;
        if (canGrow(span.textContent)) growing.push(span);
        typesetOne(span, profile);
      }
      fitWhenShown(record, growing);
      if (from === 0 && firstSlice) firstSlice();
      if (record.next < spans.length) setTimeout(slice, 0);
    };
    slice();
  }

  // For tests: how many formulas on the page still wait to be typeset.
  function pendingFormulas() {
    let n = 0;
    for (const s of document.querySelectorAll("span.math:not(.math-error)")) if (!s.firstElementChild) ++n;
    return n;
  }

  // The column can change width: once resizing stops, a page of ordinary
  // length is measured again (a narrow first layout must not leave formulas
  // boxed, a narrower one must box what no longer fits); on a long page only
  // the boxed formulas are, as measuring all would lay out all of it.
  let refitTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(refitTimer);
    refitTimer = setTimeout(() => {
      const all = document.querySelectorAll("span.math");
      const spans = Array.from(all.length <= 2000 ? all : document.querySelectorAll("span.math.math-oversize"));
      for (const s of spans) {
        if (!s.classList.contains("math-oversize")) continue;
        s.classList.remove("math-oversize");
        s.style.maxHeight = "";
        s.removeAttribute("title");
      }
      for (const s of fitToColumn(spans)) watcher.observe(s);
    }, 150);
  });

  window.zayaMath = { typeset: typesetMath, pending: pendingFormulas };
})();
