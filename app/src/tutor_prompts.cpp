#include "tutor_prompts.h"

namespace zaya::app::tutor_prompts {

QString problemText(const zaya::problems::Problem& problem) {
  QString text = QString::fromStdString(problem.statement_latex).trimmed();
  // The options are part of the question: the model must be able to answer
  // with a letter, and the letter means nothing without them.
  for (const auto& c : problem.choices)
    text += QStringLiteral("\n(%1) %2").arg(QString::fromStdString(c.label), QString::fromStdString(c.text));
  return text;
}

QString system(const QString& problemText) {
  // "Step n:" markers are what the step segmenter splits on and what the
  // student's "explain step n" refers to; \boxed{} is what the grader reads.
  // The student's turns below can be hints, questions or checks, so the
  // prompt says to answer only what is asked (a reply that solves the whole
  // problem when a hint was asked spoils it).
  return QStringLiteral(
             "You are a patient math tutor working through one problem with a student. Answer only what the "
             "student asks in their latest message. When you write solution steps, number them and start each "
             "step on a new line with \"Step n:\". Use LaTeX for mathematics. Put a final answer in \\boxed{} only "
             "when the student asks for the whole solution.\n\nThe problem:\n%1")
      .arg(problemText.trimmed());
}

QString solution() {
  // The one action that may state the answer: asked for explicitly, boxed
  // so that the grader finds it.
  return QStringLiteral("Please solve the problem step by step and give the final answer in \\boxed{}.");
}

QString hint(int number, const QStringList& wrongAnswers, const QString& working) {
  QString text;
  // Wrong answers first: they tell the model where the student's thinking
  // went astray, so the next step can address it.
  if (!wrongAnswers.isEmpty())
    text += QStringLiteral("I answered %1, but that is wrong.\n\n")
                .arg(wrongAnswers.join(QStringLiteral(", then ")));
  if (!working.trimmed().isEmpty()) text += QStringLiteral("My working so far:\n%1\n\n").arg(working.trimmed());
  // "the NEXT step only" and "do not give the final answer": a hint that
  // finishes the problem takes the exercise away. The number anchors the
  // step label so hint k continues after the k-1 given before it.
  if (number <= 1)
    text += QStringLiteral(
        "Give me a hint: only the first step, as \"Step 1:\". Do not solve the rest and do not give the final "
        "answer.");
  else
    text += QStringLiteral(
                "Give me another hint: only the next step after the hints you already gave, as \"Step %1:\". Do "
                "not repeat an earlier hint, do not solve the rest and do not give the final answer.")
                .arg(number);
  return text;
}

QString explain(int step, const QString& stepText, const QString& extraQuestion) {
  // The step is quoted, not only numbered: after a restart or for a
  // solution from an earlier session the model needs its exact words.
  QString text = QStringLiteral("Please explain step %1 in more detail, in small steps:\n\n%2")
                     .arg(step)
                     .arg(stepText.trimmed());
  if (!extraQuestion.trimmed().isEmpty())
    text += QStringLiteral("\n\nIn particular: %1").arg(extraQuestion.trimmed());
  return text;
}

QString question(const QString& question, int step, const QString& stepText) {
  if (step > 0 && !stepText.trimmed().isEmpty())
    return QStringLiteral("About step %1:\n\n%2\n\nMy question: %3").arg(step).arg(stepText.trimmed(), question.trimmed());
  return question.trimmed();
}

QStringList workingLines(const QString& working) {
  QStringList lines;
  for (const QString& line : working.split(QLatin1Char('\n')))
    if (!line.trimmed().isEmpty()) lines << line.trimmed();
  return lines;
}

QString checkWorking(const QString& working) {
  // The lines are numbered here so "step 3" means the same line to the
  // model, the parser and the screen. The fixed last line makes the verdict
  // machine-readable; the quote lets the screen check that the model named
  // a line that exists. "Do not give the final answer": the student asked
  // for a check, not the solution.
  QString numbered;
  const QStringList lines = workingLines(working);
  for (qsizetype i = 0; i < lines.size(); ++i) numbered += QStringLiteral("%1. %2\n").arg(i + 1).arg(lines[i]);
  return QStringLiteral(
             "Here is my working, one step per line:\n\n%1\nCheck it line by line. Explain briefly what is right "
             "and what is wrong, but do not give the final answer. End your reply with exactly one last line in "
             "one of these two forms:\nVERDICT: correct\nVERDICT: step <n> | \"<that step, quoted>\" | <why it is "
             "wrong>\nwhere <n> is the number of the first wrong line.")
      .arg(numbered);
}

}  // namespace zaya::app::tutor_prompts
