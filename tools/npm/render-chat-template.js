#!/usr/bin/env node
// Reference renderer for the chat-template peer check: renders every case of
// a JSON file with @huggingface/jinja (the Jinja that transformers.js uses).
//
//   node render-chat-template.js --modules DIR IN OUT
//
// IN:  {"cases": [{"template": "...", "context": {...}}], "strftime_now": "2026-01-15T09:30:00"}
// OUT: [{"text": "..."} or {"error": "..."}] in case order.
// DIR is the node_modules folder that tools/setup.sh fills.
"use strict";
const fs = require("fs");
const path = require("path");

function fail(message) {
  process.stderr.write(`render-chat-template: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
let modules = null;
const positional = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--modules") modules = args[++i];
  else positional.push(args[i]);
}
if (!modules || positional.length !== 2) fail("usage: --modules DIR IN OUT");
const input = JSON.parse(fs.readFileSync(positional[0], "utf8"));

// @huggingface/jinja's own strftime_now reads the clock (new Date()): the
// clock is pinned to the case file's moment, in UTC, as the other renderers see it.
process.env.TZ = "UTC";
const fixedMs = Date.parse(input.strftime_now + "Z");
const RealDate = Date;
global.Date = class extends RealDate {
  constructor(...a) {
    if (a.length === 0) super(fixedMs);
    else super(...a);
  }
  static now() { return fixedMs; }
};

const { Template } = require(path.join(modules, "@huggingface", "jinja"));
const results = input.cases.map((c) => {
  try {
    const template = new Template(c.template);
    // raise_exception and strftime_now are the library's own globals.
    return { text: template.render(c.context) };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
});
fs.writeFileSync(positional[1], JSON.stringify(results));
