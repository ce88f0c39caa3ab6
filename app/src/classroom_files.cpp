#include "classroom_files.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUuid>

#include "app_error.h"

namespace zaya::app::classroom_files {

namespace {
constexpr const char* kClassFormat = "zaya-class";
constexpr int kClassFormatVersion = 2;
}  // namespace

QByteArray classFile(const ClassInfo& c, const Profile& student) {
  const QJsonObject o{{"format", kClassFormat},
                      {"version", kClassFormatVersion},
                      {"class_id", c.uuid},
                      {"name", c.name},
                      {"student_id", student.uuid},
                      {"student_name", student.name},
                      {"key", QString::fromLatin1(student.resultsKey.toBase64())}};
  return QJsonDocument(o).toJson();
}

ClassFile parseClassFile(const QByteArray& bytes, const QString& file) {
  QJsonParseError err{};
  const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
  const auto bad = [&](const QString& why) {
    return AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is not a valid class file: %2").arg(file, why));
  };
  if (err.error != QJsonParseError::NoError || !doc.isObject()) throw bad(QStringLiteral("not JSON (%1)").arg(err.errorString()));
  const QJsonObject o = doc.object();
  if (o.value("format").toString() != QLatin1String(kClassFormat)) throw bad(QStringLiteral("format: expected \"zaya-class\""));
  ClassFile f;
  f.version = o.value("version").toInt();
  if (f.version != 1 && f.version != 2) throw bad(QStringLiteral("version: expected 1 or 2"));
  f.classUuid = o.value("class_id").toString();
  f.className = o.value("name").toString().trimmed();
  f.key = QByteArray::fromBase64(o.value("key").toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
  if (QUuid::fromString(f.classUuid).isNull()) throw bad(QStringLiteral("class_id: not a UUID"));
  if (f.className.isEmpty()) throw bad(QStringLiteral("name: empty"));
  if (f.className.size() > 200) throw bad(QStringLiteral("name: longer than 200 characters"));
  if (f.key.size() != 32) throw bad(QStringLiteral("key: expected 32 bytes in base64"));
  if (f.version == 2) {
    f.studentId = o.value("student_id").toString();
    f.studentName = o.value("student_name").toString().trimmed();
    if (QUuid::fromString(f.studentId).isNull()) throw bad(QStringLiteral("student_id: not a UUID"));
    if (f.studentName.isEmpty()) throw bad(QStringLiteral("student_name: empty"));
    if (f.studentName.size() > 200) throw bad(QStringLiteral("student_name: longer than 200 characters"));
  }
  return f;
}

QString safeFileName(const QString& name) {
  QString s = name;
  s.replace(QRegularExpression(QStringLiteral(R"([\\/:*?"<>|\x00-\x1f])")), QStringLiteral("_"));
  s = s.trimmed();
  while (s.startsWith(QLatin1Char('.'))) s.remove(0, 1);
  if (s.isEmpty()) s = QStringLiteral("student");
  return s.left(80);
}

}  // namespace zaya::app::classroom_files
