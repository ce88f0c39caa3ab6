// The tutor's verdict on the student's own working (TutorAction::CheckWorking),
// read from the reply's last VERDICT line (the format tutor_prompts::checkWorking
// asks for):
//   VERDICT: correct
//   VERDICT: step <n> | "<the step, quoted>" | <why it is wrong>
// Markdown emphasis around "VERDICT" and curly quotes are tolerated. A reply
// without such a line, or naming a step the working does not have, is not
// parsed: it is shown as plain text and nothing is marked wrong.
#pragma once

#include <QMetaType>
#include <QString>

namespace zaya::app {

struct WorkingReview {
  bool parsed = false;     // false: the reply did not follow the format; show replyText as plain text, mark nothing
  bool correct = false;    // parsed: the working is right throughout
  int firstWrongStep = 0;  // parsed && !correct: 1-based line/step of the student's working
  QString quote{};         // the wrong step as the tutor quoted it
  QString explanation{};   // why it is wrong / what to check
  QString replyText{};     // the whole reply
};

// workingSteps: how many steps (non-empty lines) the student's working has.
WorkingReview parseWorkingReview(const QString& reply, int workingSteps);

}  // namespace zaya::app

Q_DECLARE_METATYPE(zaya::app::WorkingReview)
