// The class file (teacher → one student) and the small conversions the
// classroom's files share. Format: docs/app-core.md, "Class files".
//
//   version 2: {"format":"zaya-class","version":2,"class_id","name",
//               "student_id","student_name","key"}  — that student's own key
//   version 1: {"format":"zaya-class","version":1,"class_id","name","key"} —
//               the class key every student held; still read, so an old
//               class file joins the class, but its results are refused by
//               the teacher (they cannot tell students apart).
#pragma once

#include <QByteArray>
#include <QString>

#include <string>

#include "records.h"

namespace zaya::app::classroom_files {

inline std::string utf8(const QString& s) { return s.toStdString(); }
inline QString qs(const std::string& s) { return QString::fromStdString(s); }

struct ClassFile {
  int version = 2;
  QString classUuid, className;
  QString studentId, studentName;  // version 2 only
  QByteArray key;                  // 32 bytes
};

QByteArray classFile(const ClassInfo& c, const Profile& student);
// Throws AppError(InvalidInput) naming `file` and the field at fault.
ClassFile parseClassFile(const QByteArray& bytes, const QString& file);

// A file name from a class or student name: no path separators or
// characters file systems refuse, at most 80 characters.
QString safeFileName(const QString& name);

}  // namespace zaya::app::classroom_files
