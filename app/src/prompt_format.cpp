#include "prompt_format.h"

#include <QDir>
#include <QFileInfo>

#include "tutor_prompts.h"
#include "zaya/chat_template.h"
#include "zaya/errors.h"
#include "zaya/model_files.h"

namespace zaya::app {

namespace {

std::string fileText(const QString& modelPath, std::string_view name) {
  return zaya::read_model_file(modelPath.toStdString(), name).value_or(std::string());
}

}  // namespace

QString tokenizerFileFor(const QString& modelPath) {
  const QFileInfo info(modelPath);
  if (!info.isFile()) return QDir(modelPath).filePath(QStringLiteral("tokenizer.json"));
  const QString checkpoint = info.completeBaseName().section(QLatin1Char('-'), 0, -2);
  const QString inCheckpoint = QDir(info.absolutePath()).filePath(checkpoint + QStringLiteral("/tokenizer.json"));
  if (!checkpoint.isEmpty() && QFileInfo::exists(inCheckpoint)) return inCheckpoint;
  return QDir(info.absolutePath()).filePath(QStringLiteral("tokenizer.json"));
}

zaya::ChatSetup chatSetupFor(const QString& modelPath) {
  // A checkpoint folder is read as transformers reads it; a pack through the
  // copies zaya-quantize carried into it (read_model_file finds both).
  try {
    return zaya::make_chat_setup(zaya::chat_template_files_from_text(fileText(modelPath, "chat_template.jinja"),
                                                                     fileText(modelPath, "tokenizer_config.json"),
                                                                     fileText(modelPath, "generation_config.json")));
  } catch (const std::exception& e) {  // unreadable JSON or pack: the model still runs, on the built-in format
    zaya::ChatSetup setup;
    setup.error = e.what();
    setup.description = "the built-in format (" + setup.error + ")";
    return setup;
  }
}

std::vector<zaya::ChatMessage> chatMessages(const GenerationRequest& request) {
  std::vector<zaya::ChatMessage> messages;
  if (!request.systemPrompt.isEmpty()) messages.push_back({zaya::ChatRole::kSystem, request.systemPrompt.toStdString(), {}});
  for (const ChatTurn& turn : request.history)
    messages.push_back({turn.role == ChatTurn::Role::User ? zaya::ChatRole::kUser : zaya::ChatRole::kAssistant,
                        turn.text.toStdString(), {}});
  messages.push_back({zaya::ChatRole::kUser, request.userPrompt.toStdString(), {}});
  return messages;
}

zaya::ChatPromptOptions chatOptions(const GenerationRequest& request) {
  zaya::ChatPromptOptions options;
  options.add_generation_prompt = true;
  options.enable_thinking = request.enableThinking;
  return options;
}

QString promptFallbackText(const zaya::ChatSetup& setup) {
  if (setup.error.empty()) return {};
  return QStringLiteral("Prompts use the built-in format: the model's chat template cannot be used (%1).")
      .arg(QString::fromStdString(setup.error));
}

PromptFormatInfo describePromptFormat(const QString& modelPath) {
  const zaya::ChatSetup setup = chatSetupFor(modelPath);
  PromptFormatInfo info;
  info.checkpointTemplate = setup.chat_template != nullptr;
  info.description = QString::fromStdString(setup.description);
  info.error = QString::fromStdString(setup.error);
  info.templateSource = QString::fromStdString(setup.files.source);
  if (setup.files.generation && !setup.files.generation->eos_token_ids.empty()) {
    QStringList ids;
    for (int32_t id : setup.files.generation->eos_token_ids) ids << QString::number(id);
    info.stopTokens = ids.join(QStringLiteral(", "));
  }
  if (const auto& g = setup.files.generation) {
    QStringList parts;
    if (g->do_sample == false) parts << QStringLiteral("greedy (do_sample false)");
    if (g->temperature) parts << QStringLiteral("temperature %1").arg(*g->temperature);
    if (g->top_p) parts << QStringLiteral("top-p %1").arg(*g->top_p);
    if (g->top_k) parts << QStringLiteral("top-k %1").arg(*g->top_k);
    info.sampling = parts.join(QStringLiteral(", "));
  }
  GenerationRequest request;
  request.systemPrompt = tutor_prompts::system(QStringLiteral("What is the sum of the first $10$ positive integers?"));
  request.userPrompt = tutor_prompts::solution();
  const auto messages = chatMessages(request);
  try {
    if (setup.chat_template) {
      info.examplePrompt = QString::fromStdString(setup.chat_template->render(messages, chatOptions(request)).bytes);
    } else {
      const auto tokenizer = zaya::Tokenizer::load(tokenizerFileFor(modelPath).toStdString());
      info.examplePrompt = QString::fromStdString(setup.make_format(tokenizer).render_text(messages, chatOptions(request)));
    }
  } catch (const std::exception& e) {
    info.examplePrompt = QStringLiteral("(No example: %1)").arg(QString::fromUtf8(e.what()));
  }
  return info;
}

}  // namespace zaya::app
