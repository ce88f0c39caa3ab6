#!/usr/bin/env node
// Reference encoder for the tokenizer peer check: reads JSONL lines
// {"text": ...} and writes {"ids": [...]} per line, encoded by the
// @lenml/tokenizers JavaScript implementation without special tokens.
//
//   node encode-jsonl.js --modules DIR --tokenizer tokenizer.json [--config tokenizer_config.json] IN OUT
//
// DIR is the node_modules folder that tools/setup.sh fills
// (${ZAYA_CACHE_DIR:-~/.cache/zaya-tutor}/npm/node_modules).
"use strict";
const fs = require("fs");
const path = require("path");

function fail(message) {
  process.stderr.write(`encode-jsonl: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const opts = { modules: null, tokenizer: null, config: null };
const positional = [];
for (let i = 0; i < args.length; ++i) {
  const a = args[i];
  if (a === "--modules" || a === "--tokenizer" || a === "--config") {
    if (i + 1 >= args.length) fail(`${a} needs a value`);
    opts[a.slice(2)] = args[++i];
  } else {
    positional.push(a);
  }
}
if (!opts.modules || !opts.tokenizer || positional.length !== 2)
  fail("usage: encode-jsonl.js --modules DIR --tokenizer FILE [--config FILE] IN OUT");

let lib;
try {
  lib = require(path.join(path.resolve(opts.modules), "@lenml", "tokenizers"));
} catch (e) {
  fail(`cannot load @lenml/tokenizers from ${opts.modules} (run tools/setup.sh): ${e.message}`);
}
const configPath = opts.config || path.join(path.dirname(opts.tokenizer), "tokenizer_config.json");
const tokenizerJSON = JSON.parse(fs.readFileSync(opts.tokenizer, "utf8"));
const tokenizerConfig = fs.existsSync(configPath) ? JSON.parse(fs.readFileSync(configPath, "utf8")) : {};
const tokenizer = lib.TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });

const [inPath, outPath] = positional;
const lines = fs.readFileSync(inPath, "utf8").split("\n");
const out = [];
for (let n = 0; n < lines.length; ++n) {
  if (lines[n].length === 0) continue;
  let record;
  try {
    record = JSON.parse(lines[n]);
  } catch (e) {
    fail(`${inPath}:${n + 1}: ${e.message}`);
  }
  if (typeof record.text !== "string") fail(`${inPath}:${n + 1}: expected {"text": "..."}`);
  const ids = tokenizer.encode(record.text, { add_special_tokens: false });
  out.push(JSON.stringify({ ids }));
}
fs.writeFileSync(outPath, out.length ? out.join("\n") + "\n" : "");
