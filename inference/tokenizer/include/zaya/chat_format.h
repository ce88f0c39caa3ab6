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
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zaya/tokenizer.h"

namespace zaya {

// The control tokens of the format. from_tokenizer() looks each one up by
// its spelling in the tokenizer files and falls back to the spec's id.
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

  // <bos>, then each message as a turn, then (optionally) the generation prompt.
  // Message text is encoded with special-token parsing off, so text typed by a
  // user can never produce control tokens.
  std::vector<int32_t> build_prompt(std::span<const ChatMessage> messages,
                                    const ChatPromptOptions& options = {}) const;
  // One question, with an optional system prompt.
  std::vector<int32_t> build_question(std::string_view question, std::string_view system_prompt = {},
                                      bool enable_thinking = true) const;

  // Ids that end a reply: turn_end and eos.
  std::vector<int32_t> stop_ids() const;
  bool is_stop(int32_t id) const { return id == tokens_.turn_end || id == tokens_.eos; }

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
};

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
