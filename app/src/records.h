// Plain rows of the app's database, as the services and screens see them.
// Times are milliseconds since the Unix epoch (UTC) unless named otherwise.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace zaya::app {

enum class Role { Student, Teacher };
QString roleName(Role role);  // "student" / "teacher"

struct Profile {
  qint64 id = 0;
  QString uuid{};  // stable across machines (results files, backups)
  QString name{};
  Role role = Role::Student;
  std::optional<qint64> classId{};
  bool hasPassword = false;
  qint64 createdAt = 0;
  // Student side: the teacher's roster entry this profile is linked to (from
  // the student's own class file); empty when unlinked. Teacher side: empty
  // (a roster entry's id is its uuid).
  QString rosterId{};
  // 32 bytes that sign this student's results files. Teacher side: the roster
  // entry's own key; student side: the key from the student's class file.
  QByteArray resultsKey{};
  QByteArray recordMac{};  // teacher records only (teacher_records.h)
  // A teacher's roster entry: a student of one of the teacher's classes, not
  // someone who practises on this computer (never offered at start).
  bool isRoster = false;
};

struct ClassInfo {
  qint64 id = 0;
  QString uuid{};        // travels in set and results files
  QString name{};
  // 32 random bytes. Signs the results of students who joined with a class
  // file of format version 1 (no roster entry); roster students sign with
  // their own key (Profile::resultsKey).
  QByteArray hmacKey{};
  qint64 createdAt = 0;
  QByteArray recordMac{};  // teacher records only (teacher_records.h)
};

struct Attempt {
  qint64 id = 0;
  qint64 profileId = 0;
  QString problemId{};   // bank id, e.g. "math-test-0042"
  QString topic{};       // topic name, e.g. "Geometry"
  int difficulty = 1;  // 1..5
  QString answer{};      // what the student entered
  bool correct = false;
  // Active time of this attempt: since the previous attempt or the opening,
  // without idle pauses or time away from the window (attempt_tracker.h).
  // Rows from before schema v7 hold the time since the problem was opened.
  qint64 millisTaken = 0;
  // The help used on the problem before the attempt, counted from its opening.
  int hintsUsed = 0;
  int explanationsUsed = 0;
  int questionsAsked = 0;
  bool modelSolutionViewed = false;
  bool referenceSolutionViewed = false;
  std::optional<qint64> setId{};  // the problem set it was done for, if any
  qint64 createdAt = 0;
  // A teacher's correction of the verdict (null: the checker's verdict stands).
  std::optional<bool> gradeOverride{};
  bool effectiveCorrect() const { return gradeOverride.value_or(correct); }
  // Answered with a solution seen: right or not, it does not show the student
  // can solve the problem (docs/app-core.md, "Helped attempts").
  bool helped() const { return modelSolutionViewed || referenceSolutionViewed; }
};

struct SolutionStep {
  int index = 0;         // 1-based
  QString text{};          // markdown + LaTeX as the model wrote it
  int firstToken = 0;    // [firstToken, endToken) into the solution's tokens
  int endToken = 0;
};

struct Solution {
  qint64 id = 0;
  qint64 profileId = 0;
  QString problemId{};
  QString mode{};          // "full", "hint", "explain", "check"
  QString model{};         // model name or "remote: <url>"
  QString thinking{};      // the reasoning part, if any
  QString text{};          // the answer part (steps + boxed answer)
  QList<SolutionStep> steps{};
  int thinkingEndToken = 0;  // tokens [0, thinkingEndToken) are the thinking part
  QString finalAnswer{};   // content of the last \boxed{}
  std::optional<bool> correct{};  // verdict of the answer checker, when there is a key
  int tokenCount = 0;
  double tokensPerSecond = 0;
  bool cancelled = false;
  // Routing trace, compact (see routing_trace.h); empty in remote mode.
  QByteArray trace{};
  int traceLayers = 0;
  int traceExperts = 0;  // E; the skip route is stored as expert id E
  QByteArray tokenIds{};   // [T] int32 little-endian
  QByteArray tokenEnds{};  // [T] uint32 LE: end offset (UTF-16 units) of each token in thinking + text
  qint64 createdAt = 0;
  // A hint that gave the answer away is cut before it is shown or saved:
  // answerRemoved says so, note says it in words for the screen.
  bool answerRemoved = false;
  QString note{};
};

// One student action on the open problem (Tutor).
enum class TutorAction { Hint, Solution, Explain /* about one step */, Question /* free follow-up */, CheckWorking };
QString tutorActionName(TutorAction action);  // "hint", "solution", "explain", "question", "check-working"
std::optional<TutorAction> tutorActionFromName(const QString& name);

// One turn of a stored conversation (a row of conversation_turns); the reply
// itself is a Solution row (solutionId), with its routing trace.
struct ConversationTurn {
  qint64 id = 0;
  TutorAction action = TutorAction::Hint;
  QString studentText{};  // the question, the student's working, the wrong answers that preceded a hint, or the quoted step
  int step = 0;           // Explain: the step number asked about (1-based), else 0
  qint64 solutionId = 0;  // the reply (solutions table, with its routing trace); 0 while none was saved
  qint64 createdAt = 0;
  // The user message exactly as it was sent: later turns replay it in their
  // history, so the conversation's prefix stays the same from turn to turn.
  QString prompt{};
};

struct ProblemSet {
  qint64 id = 0;
  QString uuid{};
  std::optional<qint64> classId{};  // teacher side: the class; student side: null
  QString classUuid{};              // the class it was made for (student side keeps it)
  QString title{};
  QStringList problemIds{};
  std::optional<qint64> dueAt{};
  bool allowHints = true;
  bool allowSolutions = true;
  qint64 createdAt = 0;
  QByteArray fileJson{};  // the set file as exported/imported (problems/FORMAT.md)
  bool allowReference = true;  // the bank's reference solution (and key) may be opened
  QByteArray recordMac{};      // teacher records only (teacher_records.h)
};

struct ImportedResult {
  qint64 id = 0;
  qint64 classId = 0;
  QString setUuid{};
  QString studentUuid{};  // the roster id (the roster profile's uuid)
  QString studentName{};
  QString problemId{};
  QString answer{};       // the last answer
  bool correct = false;   // the teacher's own checker's verdict on `answer`
  qint64 millisTaken = 0; // active time over all attempts
  int hintsUsed = 0;
  qint64 attemptedAt = 0;
  qint64 importedAt = 0;
  QString firstAnswer{};
  bool claimedCorrect = false;  // the verdict the results file claimed
  int attempts = 1;
  int explanationsUsed = 0;
  int questionsAsked = 0;
  bool modelSolutionViewed = false;
  bool referenceSolutionViewed = false;
  bool helpAfterDue = false;  // help was used after the due date (not counted against the set)
  QByteArray recordMac{};
};

struct ReviewItem {
  qint64 profileId = 0;
  QString problemId{};
  QString topic{};
  int box = 1;          // Leitner box 1..5
  qint64 dueAt = 0;
  int lapses = 0;       // times missed
  qint64 lastReviewedAt = 0;
};


// A timed sitting of a mock contest (contest_service.h): a past AIME paper,
// a SAT-style module or a timed set, and its answers.
enum class SittingKind { Aime, Sat, Set };
QString sittingKindName(SittingKind kind);  // "aime", "sat", "set"
std::optional<SittingKind> sittingKindFromName(const QString& name);

struct SittingAnswer {
  int position = 0;      // 0-based, in paper order
  QString problemId{};
  QString answer{};      // as saved (AIME: the number without leading zeros)
  bool flagged = false;  // marked for review by the student
  qint64 millisSpent = 0;  // clock time while this problem was the one shown
  std::optional<bool> correct{};  // set when the sitting is scored
  qint64 updatedAt = 0;
};

struct Sitting {
  qint64 id = 0;
  qint64 profileId = 0;
  SittingKind kind = SittingKind::Aime;
  QString paper{};   // AIME paper key ("aime-2024-I"), "sat", or the set's uuid
  QString title{};   // "2024 AIME I", "SAT-style module (seed 1234)", the set's title
  std::optional<qint64> setId{};
  std::optional<qint64> seed{};
  qint64 standardMs = 0;     // the time before extended time
  double multiplier = 1.0;   // extended time (1.5 = time and a half)
  qint64 timeLimitMs = 0;    // standardMs x multiplier
  qint64 elapsedMs = 0;      // clock time used (only while the app ran the sitting)
  qint64 startedAt = 0;
  std::optional<qint64> endedAt{};  // null while it runs
  QString endReason{};       // "submitted" | "time" once ended
  std::optional<int> score{};
  QString note{};            // e.g. why it is scored out of fewer problems than the paper has
  QList<SittingAnswer> answers{};
  bool isOpen() const { return !endedAt.has_value(); }
  qint64 remainingMs() const { return timeLimitMs > elapsedMs ? timeLimitMs - elapsedMs : 0; }
};

}  // namespace zaya::app
