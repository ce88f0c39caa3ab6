#!/usr/bin/env python3
"""Reference renderer for the chat-template peer check: renders every case of
a JSON file with jinja2, configured as transformers configures it for
apply_chat_template (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
loopcontrols, raise_exception, its own tojson, strftime_now).

  python3 render_chat_template.py IN OUT

IN:  {"cases": [{"template": "...", "context": {...}}], "strftime_now": "2026-01-15T09:30:00"}
OUT: [{"text": "..."} or {"error": "..."}] in case order.
"""
import datetime
import json
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


# transformers' definition: json.dumps, non-ASCII kept as is.
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    moment = datetime.datetime.fromisoformat(data["strftime_now"])
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: moment.strftime(fmt)
    results = []
    for case in data["cases"]:
        try:
            results.append({"text": env.from_string(case["template"]).render(**case["context"])})
        except Exception as e:  # the case's error is part of the answer
            results.append({"error": f"{type(e).__name__}: {e}"})
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
