// The review schedule: the problems a student comes back to, in Leitner
// boxes. Schema: v4 (resources/sql/004_reviews_and_calibration.sql); every
// statement is by the primary key (profile_id, problem_id) but dueReviews(),
// which uses review_items_due.
#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

namespace {

const char* kReviewColumns = "profile_id, problem_id, topic, box, due_at, lapses, last_reviewed_at";

ReviewItem readReview(const QSqlQuery& q) {
  ReviewItem r;
  r.profileId = q.value(0).toLongLong();
  r.problemId = q.value(1).toString();
  r.topic = q.value(2).toString();
  r.box = q.value(3).toInt();
  r.dueAt = q.value(4).toLongLong();
  r.lapses = q.value(5).toInt();
  r.lastReviewedAt = q.value(6).toLongLong();
  return r;
}

QString reviewsWhere(const char* rest) {
  return QStringLiteral("SELECT %1 FROM review_items %2").arg(QLatin1String(kReviewColumns), QLatin1String(rest));
}

}  // namespace

void Database::upsertReview(const ReviewItem& r) {
  write([&] {
    query(db_,
          QStringLiteral("INSERT INTO review_items (profile_id, problem_id, topic, box, due_at, lapses, last_reviewed_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (profile_id, problem_id) DO UPDATE SET "
                         "topic = excluded.topic, box = excluded.box, due_at = excluded.due_at, "
                         "lapses = excluded.lapses, last_reviewed_at = excluded.last_reviewed_at"),
          {r.profileId, r.problemId, r.topic, r.box, r.dueAt, r.lapses, r.lastReviewedAt}, "scheduling a review");
  });
}

void Database::removeReview(qint64 profileId, const QString& problemId) {
  write([&] {
    query(db_, QStringLiteral("DELETE FROM review_items WHERE profile_id = ? AND problem_id = ?"), {profileId, problemId},
          "removing a review");
  });
}

std::optional<ReviewItem> Database::review(qint64 profileId, const QString& problemId) {
  return query(db_, reviewsWhere("WHERE profile_id = ? AND problem_id = ?"), {profileId, problemId}, "reading a review")
      .row(readReview);
}

QList<ReviewItem> Database::dueReviews(qint64 profileId, qint64 now) {
  return query(db_, reviewsWhere("WHERE profile_id = ? AND due_at <= ? ORDER BY due_at, box, problem_id"),
               {profileId, now}, "reading due reviews")
      .rows(readReview);
}

QList<ReviewItem> Database::reviews(qint64 profileId) {
  return query(db_, reviewsWhere("WHERE profile_id = ? ORDER BY due_at, problem_id"), {profileId}, "reading reviews")
      .rows(readReview);
}

}  // namespace zaya::app
