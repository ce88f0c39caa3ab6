// The token-ends codec stored with a solution: what is encoded decodes to the
// same offsets, the bytes are uint32 little-endian, and a blob cut short
// loses only its torn last entry.
#include <QtTest>

#include "routing_trace.h"

namespace token_ends = zaya::app::token_ends;

class TestRoutingTrace : public QObject {
  Q_OBJECT
 private slots:
  void tokenEndsRoundTripAsLittleEndianUint32() {
    const QList<quint32> ends{0, 3, 258, 70000, 0xfffffffeu};
    const QByteArray blob = token_ends::encode(ends);
    QCOMPARE(blob.size(), 4 * ends.size());
    QCOMPARE(blob.mid(8, 4), QByteArray("\x02\x01\x00\x00", 4));  // 258
    QCOMPARE(token_ends::decode(blob), ends);
    QVERIFY(token_ends::decode({}).isEmpty());
    QCOMPARE(token_ends::encode({}), QByteArray());
  }

  void aTornLastEntryIsLeftOut() {
    const QByteArray blob = token_ends::encode({5, 9}).left(6);
    QCOMPARE(token_ends::decode(blob), (QList<quint32>{5}));
  }
};

QTEST_MAIN(TestRoutingTrace)
#include "test_routing_trace.moc"
