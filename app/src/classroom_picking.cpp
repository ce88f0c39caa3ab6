// Teacher side of ClassroomService: drawing problems for a set, and a roster
// from a CSV of names.
#include <QFile>

#include <random>

#include "classroom_service.h"
#include "teacher_records.h"

namespace zaya::app {

namespace pr = zaya::problems;

QStringList ClassroomService::pickProblems(int n, const QString& topic, int level, const QString& sourceKey, quint32 seed,
                                           const QStringList& exclude) const {
  if (!bank_ || n <= 0) return {};
  const auto t = pr::topic_from_name(topic.toStdString());
  if (!t) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("“%1” is not a topic of the bank.").arg(topic));
  pr::SearchQuery q;
  q.topics = {*t};
  q.difficulty_min = q.difficulty_max = level;
  if (!sourceKey.isEmpty()) q.source_keys = {sourceKey.toStdString()};
  QStringList pool;
  for (const pr::Problem* p : bank_->search(q))
    if (const QString id = QString::fromStdString(p->id); !exclude.contains(id)) pool << id;
  // The bank's order is fixed, so the seed alone decides the draw: a
  // teacher who notes it can make the same set again.
  // Fisher–Yates over mt19937, whose output the standard fixes: the same
  // draw on every computer (std::shuffle's is up to the library).
  std::mt19937 rng(seed);
  for (qsizetype i = pool.size() - 1; i > 0; --i) std::swap(pool[i], pool[qsizetype(rng() % quint32(i + 1))]);
  return pool.mid(0, n);
}

namespace {

// RFC 4180 records: fields separated by commas, quoted fields may hold
// commas, doubled quotes and line breaks; CRLF or LF ends a record.
QList<QStringList> parseCsv(const QString& text) {
  QList<QStringList> rows;
  QStringList row;
  QString field;
  bool inQuotes = false;
  for (qsizetype i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (inQuotes) {
      if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
        field += u'"';
        ++i;
      } else if (c == u'"') {
        inQuotes = false;
      } else {
        field += c;
      }
    } else if (c == u'"') {
      inQuotes = true;
    } else if (c == u',') {
      row << field;
      field.clear();
    } else if (c == u'\n' || c == u'\r') {
      if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') ++i;
      row << field;
      rows << row;
      row.clear();
      field.clear();
    } else {
      field += c;
    }
  }
  if (!field.isEmpty() || !row.isEmpty()) {
    row << field;
    rows << row;
  }
  return rows;
}

}  // namespace

QList<Profile> ClassroomService::importRosterCsv(qint64 classId, const QString& file) {
  auth_.requireTeacher();
  if (!db_.classById(classId)) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  QString text = QString::fromUtf8(readImportFile(file));
  if (text.startsWith(QChar(0xFEFF))) text.remove(0, 1);  // spreadsheets write a BOM
  QList<QStringList> rows = parseCsv(text);
  int column = 0;
  if (!rows.isEmpty()) {
    const QStringList& header = rows.front();
    for (int i = 0; i < header.size(); ++i)
      if (header[i].trimmed().compare(QLatin1String("name"), Qt::CaseInsensitive) == 0) column = i;
    if (header.value(column).trimmed().compare(QLatin1String("name"), Qt::CaseInsensitive) == 0) rows.removeFirst();
  }
  QSet<QString> known;
  for (const auto& p : students(classId)) known.insert(p.name.toCaseFolded());
  QList<Profile> added;
  db_.write([&] {
    for (const auto& row : rows) {
      const QString name = row.value(column).simplified();
      if (name.isEmpty() || known.contains(name.toCaseFolded())) continue;
      if (name.size() > 200)
        throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1: a name is longer than 200 characters.").arg(file));
      known.insert(name.toCaseFolded());
      added << addStudent(classId, name);
    }
  });
  return added;
}

}  // namespace zaya::app
