// Expert calibration: per model, which problems were run and how often each
// (topic, layer, expert) was routed to. Schema: v4
// (resources/sql/004_reviews_and_calibration.sql); the primary keys serve
// every statement.
#include <QDateTime>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

void Database::addCalibrationSample(const QString& modelId, const QString& problemId, const QString& topic, int layers,
                                    int classes, const QList<qint64>& counts, qint64 tokens) {
  if (counts.size() != qsizetype(layers) * classes)
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("Calibration counts have the wrong shape."));
  write([&] {
    query(db_,
          QStringLiteral("INSERT INTO calibration_runs (model_id, problem_id, topic, tokens, done_at) VALUES (?, ?, ?, ?, ?)"),
          {modelId, problemId, topic, tokens, QDateTime::currentMSecsSinceEpoch()}, "recording a calibration sample");
    storage::Statement add(db_,
                           QStringLiteral("INSERT INTO calibration_counts (model_id, topic, layer, expert, count) "
                                          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (model_id, topic, layer, expert) "
                                          "DO UPDATE SET count = count + excluded.count"),
                           "adding calibration counts");
    for (int l = 0; l < layers; ++l)
      for (int e = 0; e < classes; ++e) {
        const qint64 c = counts[l * classes + e];
        if (c != 0) add.bind({modelId, topic, l, e, c}).run();
      }
  });
}

QSet<QString> Database::calibratedProblems(const QString& modelId) {
  auto q = query(db_, QStringLiteral("SELECT problem_id FROM calibration_runs WHERE model_id = ?"), {modelId},
                 "reading calibration progress");
  QSet<QString> out;
  while (q.next()) out.insert(q.value(0).toString());
  return out;
}

QList<CalibrationCell> Database::calibrationCells(const QString& modelId) {
  return query(db_,
               QStringLiteral("SELECT topic, layer, expert, count FROM calibration_counts WHERE model_id = ? "
                              "ORDER BY topic, layer, expert"),
               {modelId}, "reading calibration counts")
      .rows([](const QSqlQuery& q) {
        return CalibrationCell{q.value(0).toString(), q.value(1).toInt(), q.value(2).toInt(), q.value(3).toLongLong()};
      });
}

QHash<QString, qint64> Database::calibrationTokens(const QString& modelId) {
  auto q = query(db_, QStringLiteral("SELECT topic, sum(tokens) FROM calibration_runs WHERE model_id = ? GROUP BY topic"),
                 {modelId}, "reading calibration totals");
  QHash<QString, qint64> out;
  while (q.next()) out.insert(q.value(0).toString(), q.value(1).toLongLong());
  return out;
}

void Database::clearCalibration(const QString& modelId) {
  write([&] {
    for (const char* table : {"calibration_runs", "calibration_counts"})
      query(db_, QStringLiteral("DELETE FROM %1 WHERE model_id = ?").arg(QLatin1String(table)), {modelId},
            "clearing calibration");
  });
}

}  // namespace zaya::app
