// How the tutor's requests become the model's prompt: the model's own chat
// template when its files carry a usable one (a checkpoint folder's
// chat_template.jinja or tokenizer_config.json, or the copies inside a pack),
// the engine's built-in format otherwise — and the words that say which, for
// the model manager and the status line.
#pragma once

#include <QString>

#include <vector>

#include "generation_backend.h"
#include "zaya/chat_format.h"

namespace zaya::app {

// The tokenizer.json of a model: inside a checkpoint folder; for a pack
// file, the checkpoint folder it was converted from (<name>-q4.zpack ←
// <name>/) or beside it.
QString tokenizerFileFor(const QString& modelPath);

// The model's prompt setup. Never throws: a malformed or unreadable template
// gives the built-in format, with the reason in `error` (line and column).
zaya::ChatSetup chatSetupFor(const QString& modelPath);

// A request as chat messages: the system prompt (when there is one), the
// conversation's earlier turns, then the student's turn.
std::vector<zaya::ChatMessage> chatMessages(const GenerationRequest& request);
zaya::ChatPromptOptions chatOptions(const GenerationRequest& request);

// One line for the status bar when the model's own template exists but is
// not used ("" when it is used, or when the model has none).
QString promptFallbackText(const zaya::ChatSetup& setup);

// What the model manager shows about a model's prompt format.
struct PromptFormatInfo {
  bool checkpointTemplate = false;  // the model's own template is used
  QString description;              // "the checkpoint's chat template (tokenizer_config.json)", ...
  QString error;                    // why the model's template is not used ("" when it is, or there is none)
  QString templateSource;           // the Jinja text ("" without one)
  QString examplePrompt;            // a real tutoring request as the model receives it
  QString stopTokens;               // extra stop ids from generation_config.json, "" when none
  QString sampling;                 // "temperature 0.6, top-p 0.95" from generation_config.json, "" when none
};
// Loads the tokenizer when needed (the built-in format is rendered from
// ids); on a tokenizer error the example says so. Slow for a real
// tokenizer's first load: call it off the GUI thread.
PromptFormatInfo describePromptFormat(const QString& modelPath);

}  // namespace zaya::app
