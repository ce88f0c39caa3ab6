// The chat template in ids. See the UNVERIFIED note in chat_format.h.
#include "zaya/chat_format.h"

#include <algorithm>

namespace zaya {

namespace {

// ---- The template (spec §8; [3P/U]: correct it here) ------------------------
//   prompt  = <bos> turn* [generation prompt]
//   turn    = <turn_start> tok(role + kAfterRole + content) <turn_end> tok(kAfterTurn)
//   gen     = <turn_start> tok(kAssistant + kAfterRole)
//             [+ <think> tok(kEmptyThinking) </think> tok(kAfterThinking)  when thinking is off]
//   reply   = <think> thinking </think> kAfterThinking answer <turn_end>
struct Template {
  std::string_view system = "system";
  std::string_view user = "user";
  std::string_view assistant = "assistant";
  std::string_view after_role = "\n";
  std::string_view after_turn = "\n";
  std::string_view empty_thinking = "\n\n";
  std::string_view after_thinking = "\n\n";
  // Spellings looked up in the tokenizer files, first match wins.
  std::string_view turn_start_names[2] = {"<|im_start|>", "<start_of_turn>"};
  std::string_view turn_end_names[2] = {"<|im_end|>", "<end_of_turn>"};
  std::string_view think_start_name = "<think>";
  std::string_view think_end_name = "</think>";
};
constexpr Template kTemplate;
// ------------------------------------------------------------------------------

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view trim_front(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

}  // namespace

ChatTokens ChatTokens::from_tokenizer(const Tokenizer& tokenizer) {
  ChatTokens t;
  auto pick = [&](std::span<const std::string_view> names, int32_t& slot) {
    for (std::string_view n : names)
      if (auto id = tokenizer.find_token(n)) {
        slot = *id;
        return;
      }
  };
  if (auto bos = tokenizer.bos_id()) t.bos = *bos;
  if (auto eos = tokenizer.find_token("<eos>")) t.eos = *eos;
  pick(kTemplate.turn_start_names, t.turn_start);
  pick(kTemplate.turn_end_names, t.turn_end);
  pick(std::span(&kTemplate.think_start_name, 1), t.think_start);
  pick(std::span(&kTemplate.think_end_name, 1), t.think_end);
  return t;
}

ChatFormat::ChatFormat(const Tokenizer& tokenizer)
    : tokenizer_(&tokenizer), tokens_(ChatTokens::from_tokenizer(tokenizer)) {}

ChatFormat::ChatFormat(const Tokenizer& tokenizer, const ChatTokens& tokens) : tokenizer_(&tokenizer), tokens_(tokens) {}

ChatFormat::ChatFormat(const Tokenizer& tokenizer, std::shared_ptr<const ChatTemplate> chat_template,
                       std::vector<int32_t> extra_stop_ids)
    : tokenizer_(&tokenizer),
      tokens_(ChatTokens::from_tokenizer(tokenizer)),
      chat_template_(std::move(chat_template)),
      extra_stops_(std::move(extra_stop_ids)) {}

bool ChatFormat::is_stop(int32_t id) const {
  return id == tokens_.turn_end || id == tokens_.eos ||
         std::find(extra_stops_.begin(), extra_stops_.end(), id) != extra_stops_.end();
}

std::string ChatFormat::render_text(std::span<const ChatMessage> messages, const ChatPromptOptions& options) const {
  if (chat_template_) return chat_template_->render(messages, options).bytes;
  return tokenizer_->decode(build_prompt(messages, options));
}

void ChatFormat::append_text(std::vector<int32_t>& out, std::string_view text) const {
  EncodeOptions options;
  options.add_special_tokens = false;
  options.parse_special_tokens = false;
  tokenizer_->encode_into(text, options, out);
}

void ChatFormat::append_turn(std::vector<int32_t>& out, std::string_view role, std::string_view content) const {
  out.push_back(tokens_.turn_start);
  std::string text;
  text.reserve(role.size() + kTemplate.after_role.size() + content.size());
  text.append(role).append(kTemplate.after_role).append(content);
  append_text(out, text);
  out.push_back(tokens_.turn_end);
  append_text(out, kTemplate.after_turn);
}

std::vector<int32_t> ChatFormat::build_prompt(std::span<const ChatMessage> messages,
                                              const ChatPromptOptions& options) const {
  if (chat_template_) return ChatTemplate::encode(chat_template_->render(messages, options), *tokenizer_);
  std::vector<int32_t> out{tokens_.bos};
  for (const ChatMessage& m : messages) {
    std::string_view role = m.role == ChatRole::kSystem ? kTemplate.system
                            : m.role == ChatRole::kUser ? kTemplate.user
                                                        : kTemplate.assistant;
    append_turn(out, role, m.content);
  }
  if (options.add_generation_prompt) {
    out.push_back(tokens_.turn_start);
    append_text(out, std::string(kTemplate.assistant) + std::string(kTemplate.after_role));
    if (!options.enable_thinking) {
      out.push_back(tokens_.think_start);
      append_text(out, kTemplate.empty_thinking);
      out.push_back(tokens_.think_end);
      append_text(out, kTemplate.after_thinking);
    }
  }
  return out;
}

std::vector<int32_t> ChatFormat::build_question(std::string_view question, std::string_view system_prompt,
                                                bool enable_thinking) const {
  std::vector<ChatMessage> messages;
  if (!system_prompt.empty()) messages.push_back({ChatRole::kSystem, std::string(system_prompt), {}});
  messages.push_back({ChatRole::kUser, std::string(question), {}});
  ChatPromptOptions options;
  options.enable_thinking = enable_thinking;
  return build_prompt(messages, options);
}

std::vector<int32_t> ChatFormat::stop_ids() const {
  std::vector<int32_t> ids{tokens_.turn_end, tokens_.eos};
  for (int32_t id : extra_stops_)
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  return ids;
}

ChatFormat ChatSetup::make_format(const Tokenizer& tokenizer) const {
  return ChatFormat(tokenizer, chat_template, files.generation ? files.generation->eos_token_ids : std::vector<int32_t>{});
}

ChatSetup make_chat_setup(ChatTemplateFiles files) {
  ChatSetup setup;
  setup.files = std::move(files);
  if (setup.files.source.empty()) {
    setup.description = "the built-in format (the model folder has no chat template)";
    return setup;
  }
  try {
    setup.chat_template =
        std::make_shared<const ChatTemplate>(setup.files.source, setup.files.bos_token, setup.files.eos_token);
    setup.description = "the checkpoint's chat template (" + setup.files.origin + ")";
  } catch (const jinja::TemplateError& e) {
    setup.error = setup.files.origin + ", " + e.what();
    setup.description = "the built-in format (the checkpoint's chat template cannot be used: " + setup.error + ")";
  }
  return setup;
}

ChatSetup load_chat_setup(const std::filesystem::path& folder) {
  try {
    return make_chat_setup(read_chat_template_files(folder));
  } catch (const TokenizerError& e) {  // unreadable JSON: the model still loads, with the built-in format
    ChatSetup setup;
    setup.error = e.what();
    setup.description = "the built-in format (" + setup.error + ")";
    return setup;
  }
}

ChatReplyIds ChatFormat::split_reply(std::span<const int32_t> ids, bool starts_in_thinking) const {
  ChatReplyIds r;
  bool in_thinking = starts_in_thinking;
  r.thinking_open = starts_in_thinking;
  for (int32_t id : ids) {
    if (is_stop(id)) {
      r.finished = true;
      break;
    }
    if (id == tokens_.think_start && r.answer.empty() && !in_thinking) {
      in_thinking = r.thinking_open = true;
    } else if (id == tokens_.think_end && in_thinking) {
      in_thinking = r.thinking_open = false;
    } else {
      (in_thinking ? r.thinking : r.answer).push_back(id);
    }
  }
  return r;
}

ChatReplyText ChatFormat::split_reply_text(std::span<const int32_t> ids, bool starts_in_thinking) const {
  ChatReplyIds r = split_reply(ids, starts_in_thinking);
  ChatReplyText t;
  t.thinking = std::string(trim(tokenizer_->decode(r.thinking, /*skip_special_tokens=*/true)));
  t.answer = std::string(trim_front(tokenizer_->decode(r.answer, /*skip_special_tokens=*/true)));
  t.thinking_open = r.thinking_open;
  t.finished = r.finished;
  return t;
}

void ChatReplyStream::Trim::feed(std::string_view text, bool hold_trailing, std::string& out) {
  if (!started) {
    text = trim_front(text);
    if (text.empty()) return;
    started = true;
  }
  if (!hold_trailing) {
    out.append(held).append(text);
    held.clear();
    return;
  }
  size_t keep = text.size();
  while (keep > 0 && is_space(text[keep - 1])) --keep;
  if (keep == 0) {
    held.append(text);
    return;
  }
  out.append(held).append(text.substr(0, keep));
  held.assign(text.substr(keep));
}

ChatReplyStream::ChatReplyStream(const ChatFormat& format, bool starts_in_thinking)
    : format_(&format),
      thinking_decoder_(format.tokenizer(), /*skip_special_tokens=*/true),
      answer_decoder_(format.tokenizer(), /*skip_special_tokens=*/true),
      in_thinking_(starts_in_thinking) {}

void ChatReplyStream::close_thinking(Delta& d) {
  thinking_trim_.feed(thinking_decoder_.finish(), /*hold_trailing=*/true, d.thinking);
  thinking_trim_.held.clear();  // whitespace at the end of the thinking part is dropped
  in_thinking_ = false;
}

ChatReplyStream::Delta ChatReplyStream::push(int32_t id) {
  Delta d;
  if (finished_) return d;
  const ChatTokens& t = format_->tokens();
  if (format_->is_stop(id)) {
    Delta rest = finish();
    finished_ = true;
    return rest;
  }
  if (id == t.think_start && !in_thinking_ && !answer_trim_.started) {
    in_thinking_ = true;
  } else if (id == t.think_end && in_thinking_) {
    close_thinking(d);
  } else if (in_thinking_) {
    thinking_trim_.feed(thinking_decoder_.push(id), /*hold_trailing=*/true, d.thinking);
  } else {
    answer_trim_.feed(answer_decoder_.push(id), /*hold_trailing=*/false, d.answer);
  }
  return d;
}

ChatReplyStream::Delta ChatReplyStream::finish() {
  Delta d;
  if (in_thinking_) {
    thinking_trim_.feed(thinking_decoder_.finish(), /*hold_trailing=*/true, d.thinking);
    thinking_trim_.held.clear();
  }
  answer_trim_.feed(answer_decoder_.finish(), /*hold_trailing=*/false, d.answer);
  return d;
}

ChatReplyText split_thinking_text(std::string_view reply) {
  ChatReplyText t;
  constexpr std::string_view open = kTemplate.think_start_name, close = kTemplate.think_end_name;
  std::string_view rest = trim_front(reply);
  size_t close_at = rest.find(close);
  if (rest.substr(0, open.size()) == open) {
    rest.remove_prefix(open.size());
    close_at = rest.find(close);
    if (close_at == std::string_view::npos) {
      t.thinking = std::string(trim(rest));
      t.thinking_open = true;
      return t;
    }
  } else if (close_at == std::string_view::npos) {
    t.answer = std::string(rest);
    return t;
  }
  // "<think>" may have been part of the prompt: text before "</think>" is thinking.
  t.thinking = std::string(trim(rest.substr(0, close_at)));
  t.answer = std::string(trim_front(rest.substr(close_at + close.size())));
  return t;
}

}  // namespace zaya
