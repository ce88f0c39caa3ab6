#include "routing_trace.h"

#include <QtEndian>

#include <algorithm>
#include <cmath>

#include "app_error.h"

namespace zaya::app {

void RoutingTrace::append(const QList<TokenRoute>& routing) {
  if (routing.size() != layers)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("A token's routing has %1 layers; the trace has %2.").arg(routing.size()).arg(layers));
  for (const auto& r : routing) {
    expert.push_back(quint8(std::clamp(r.expert, 0, experts)));
    prob.push_back(quint16(std::lround(std::clamp(r.prob, 0.0f, 1.0f) * 65535.0f)));
  }
}

QByteArray RoutingTrace::encode() const {
  QByteArray out;
  out.resize(expert.size() * 3);
  char* p = out.data();
  std::copy(expert.begin(), expert.end(), reinterpret_cast<quint8*>(p));
  p += expert.size();
  for (quint16 v : prob) {
    qToLittleEndian(v, p);
    p += 2;
  }
  return out;
}

RoutingTrace RoutingTrace::decode(const QByteArray& blob, int layers, int experts) {
  RoutingTrace t;
  t.layers = layers;
  t.experts = experts;
  if (blob.isEmpty()) return t;
  if (layers <= 0 || blob.size() % (3 * layers) != 0)
    throw AppError(AppError::Kind::Corrupt,
                   QStringLiteral("A stored routing trace of %1 bytes does not fit %2 layers.").arg(blob.size()).arg(layers));
  const qsizetype n = blob.size() / 3;
  const auto* p = reinterpret_cast<const quint8*>(blob.constData());
  t.expert = QList<quint8>(p, p + n);
  t.prob.resize(n);
  for (qsizetype i = 0; i < n; ++i) t.prob[i] = qFromLittleEndian<quint16>(p + n + 2 * i);
  for (quint8 e : t.expert)
    if (e > experts) throw AppError(AppError::Kind::Corrupt, QStringLiteral("A stored routing trace names expert %1 of %2.").arg(e).arg(experts));
  return t;
}

}  // namespace zaya::app

namespace zaya::app::token_ends {

QByteArray encode(const QList<quint32>& ends) {
  QByteArray out(ends.size() * 4, Qt::Uninitialized);
  for (qsizetype i = 0; i < ends.size(); ++i) qToLittleEndian<quint32>(ends[i], out.data() + 4 * i);
  return out;
}

QList<quint32> decode(const QByteArray& blob) {
  // A torn last entry (a file cut short) is left out rather than read past the end.
  QList<quint32> ends(blob.size() / 4);
  for (qsizetype i = 0; i < ends.size(); ++i) ends[i] = qFromLittleEndian<quint32>(blob.constData() + 4 * i);
  return ends;
}

}  // namespace zaya::app::token_ends
