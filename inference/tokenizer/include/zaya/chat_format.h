// ZAYA1's chat format, built from token ids (never by tokenising marker
// strings), and the split of a model's output into its thinking part and its
// answer.
//
// UNVERIFIED (spec §8, [3P/U]): the template below follows third-party
// descriptions of ZAYA's chat template (ChatML with a thinking block, turn
// markers in Gemma's <start_of_turn>/<end_of_turn> slots 105/106). The role
// names, the newline after each turn, the empty thinking block used to switch
// thinking off and the ids of <think>/</think> (262145/262146) have not been
// checked against the real chat_template.jinja. All of it lives in the
// kTemplate block of chat_format.cpp and in ChatTokens::from_tokenizer, so a
// correction touches one place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zaya/chat_template.h"
#include "zaya/tokenizer.h"

namespace zaya {

// The control tokens of the format. from_tokenizer() looks each one up by
// its spelling in the tokenizer files and falls back to the spec's id.
//
// When the checkpoint ships its own chat template (chat_template.jinja or
// tokenizer_config.json), ChatFormat renders that instead (see
// chat_template.h and load_chat_setup); the built-in format is the fallback.
struct ChatTokens {
  int32_t bos = 2;            // "<bos>"
  int32_t eos = 1;            // "<eos>" (also ends generation)
  int32_t turn_start = 105;   // "<|im_start|>" or "<start_of_turn>"
  int32_t turn_end = 106;     // "<|im_end|>" or "<end_of_turn>"; EOS of a reply
  int32_t think_start = 262145;  // "<think>"  [U]
  int32_t think_end = 262146;    // "</think>" [U]

  static ChatTokens from_tokenizer(const Tokenizer& tokenizer);
};

enum class ChatRole { kSystem, kUser, kAssistant };

struct ChatMessage {
  ChatRole role;
  std::string content;  // for kAssistant: the answer only, without thinking
  // kAssistant only: the thinking part of an earlier reply. Passed to a
  // checkpoint template as `reasoning_content` (the transformers convention);
  // the built-in format leaves earlier thinking out.
  std::string reasoning;
};

struct ChatPromptOptions {
  bool add_generation_prompt = true;  // end with the opening of an assistant turn
  bool enable_thinking = true;        // false: pre-fill an empty thinking block
};

// Thinking part and answer of one reply.
struct ChatReplyIds {
  std::vector<int32_t> thinking;  // ids between <think> and </think>
  std::vector<int32_t> answer;    // ids after </think> (or all, without a block), up to the stop token
  bool thinking_open = false;     // <think> seen, </think> not (yet): a reply cut off while thinking
  bool finished = false;          // a stop token (turn end or eos) was reached
};

struct ChatReplyText {
  std::string thinking;  // without surrounding whitespace
  std::string answer;    // without leading whitespace
  bool thinking_open = false;
  bool finished = false;
};

class ChatFormat {
 public:
  explicit ChatFormat(const Tokenizer& tokenizer);
  ChatFormat(const Tokenizer& tokenizer, const ChatTokens& tokens);
  // The checkpoint's template (nullptr: the built-in format) and the stop ids
  // of its generation_config.json, added to turn_end and eos.
  ChatFormat(const Tokenizer& tokenizer, std::shared_ptr<const ChatTemplate> chat_template,
             std::vector<int32_t> extra_stop_ids = {});

  // With a checkpoint template: its rendering, markup encoded with
  // special-token matching and message content without. Otherwise the
  // built-in format: <bos>, then each message as a turn, then (optionally)
  // the generation prompt. Either way text typed by a user can never produce
  // control tokens. Throws jinja::TemplateError when the template fails on
  // these messages (raise_exception, say).
  std::vector<int32_t> build_prompt(std::span<const ChatMessage> messages,
                                    const ChatPromptOptions& options = {}) const;
  // One question, with an optional system prompt.
  std::vector<int32_t> build_question(std::string_view question, std::string_view system_prompt = {},
                                      bool enable_thinking = true) const;

  // The prompt as text (the template's rendering, or the built-in ids decoded).
  std::string render_text(std::span<const ChatMessage> messages, const ChatPromptOptions& options = {}) const;
  bool uses_checkpoint_template() const { return chat_template_ != nullptr; }
  const ChatTemplate* checkpoint_template() const { return chat_template_.get(); }

  // Ids that end a reply: turn_end, eos and generation_config.json's eos ids.
  std::vector<int32_t> stop_ids() const;
  bool is_stop(int32_t id) const;

  // Splits generated ids (the prompt not included). Stops at the first stop
  // token. starts_in_thinking: the prompt already opened the thinking block.
  ChatReplyIds split_reply(std::span<const int32_t> ids, bool starts_in_thinking = false) const;
  ChatReplyText split_reply_text(std::span<const int32_t> ids, bool starts_in_thinking = false) const;

  const ChatTokens& tokens() const { return tokens_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  void append_turn(std::vector<int32_t>& out, std::string_view role, std::string_view content) const;
  void append_text(std::vector<int32_t>& out, std::string_view text) const;
  const Tokenizer* tokenizer_;
  ChatTokens tokens_;
  std::shared_ptr<const ChatTemplate> chat_template_;
  std::vector<int32_t> extra_stops_;
};

// How a model folder is to be prompted: its own template when it has a
// usable one, else the built-in format, and a sentence that says which (and
// why, with the template's line and column, when the template is broken).
// Never throws for a bad template; the model stays usable.
struct ChatSetup {
  std::shared_ptr<const ChatTemplate> chat_template;  // nullptr: built-in format
  ChatTemplateFiles files;
  std::string description;  // "the checkpoint's chat template (chat_template.jinja)" / "the built-in format (...)"
  std::string error;        // why the checkpoint's template is not used ("" when it is, or there is none)
  ChatFormat make_format(const Tokenizer& tokenizer) const;
};
ChatSetup load_chat_setup(const std::filesystem::path& folder);
ChatSetup make_chat_setup(ChatTemplateFiles files);

// Streaming version of split_reply_text for generation: push each generated
// id, get the new thinking and answer text (whitespace trimmed as in
// ChatReplyText, UTF-8 never cut).
class ChatReplyStream {
 public:
  struct Delta {
    std::string thinking;
    std::string answer;
  };
  explicit ChatReplyStream(const ChatFormat& format, bool starts_in_thinking = false);

  Delta push(int32_t id);
  Delta finish();  // flushes held bytes
  bool in_thinking() const { return in_thinking_; }
  bool finished() const { return finished_; }

 private:
  // Drops leading whitespace; holds trailing whitespace back when asked to.
  struct Trim {
    bool started = false;
    std::string held;  // whitespace not yet known to be inside the text
    void feed(std::string_view text, bool hold_trailing, std::string& out);
  };
  void close_thinking(Delta& d);
  const ChatFormat* format_;
  StreamDecoder thinking_decoder_, answer_decoder_;
  Trim thinking_trim_, answer_trim_;
  bool in_thinking_;
  bool finished_ = false;
};

// Text-level split for a reply that is already text: "<think>…</think>answer".
ChatReplyText split_thinking_text(std::string_view reply);

}  // namespace zaya
