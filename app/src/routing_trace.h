// The routing of a whole solution, stored compactly with it so its expert
// views can be drawn again without the model.
//
// Layout of the BLOB (little-endian), T tokens x L layers:
//   [T*L] uint8   chosen class per (token, layer): expert 0..E-1, E = skip
//   [T*L] uint16  its router probability, round(p * 65535)
// 3 bytes per token and layer: 240 KB for 2,000 tokens of ZAYA1-8B (40 layers).
#pragma once

#include <QByteArray>
#include <QList>

#include "generation_backend.h"

namespace zaya::app {

struct RoutingTrace {
  int layers = 0;
  int experts = 0;           // E
  QList<quint8> expert;      // [T*L]
  QList<quint16> prob;       // [T*L]

  int tokens() const { return layers ? int(expert.size() / layers) : 0; }
  void append(const QList<TokenRoute>& routing);  // one token; routing.size() must equal layers
  int expertAt(int token, int layer) const { return expert[token * layers + layer]; }
  float probAt(int token, int layer) const { return prob[token * layers + layer] / 65535.0f; }

  QByteArray encode() const;
  // Throws AppError(Corrupt) when the size does not fit layers.
  static RoutingTrace decode(const QByteArray& blob, int layers, int experts);
};

// Where each token of a solution ends in its thinking + text, in UTF-16
// units (Solution::tokenEnds), stored beside the trace as [T] uint32 LE.
namespace token_ends {
QByteArray encode(const QList<quint32>& ends);
// A torn last entry is left out.
QList<quint32> decode(const QByteArray& blob);
}  // namespace token_ends

}  // namespace zaya::app
