#include "preset_speed_text.h"

#include <QObject>

#include <cmath>

namespace zaya::ui {

namespace {

QString gb(double bytes) { return QString::number(bytes / 1e9, 'f', bytes < 1e10 ? 2 : 1); }

QString speed(double tokensPerSecond) {
  return tokensPerSecond >= 10 ? QString::number(std::lround(tokensPerSecond)) : QString::number(tokensPerSecond, 'f', 1);
}

}  // namespace

QString presetSpeedsHtml(const QList<app::PresetSpeed>& speeds, double cpuBandwidth) {
  if (speeds.isEmpty()) return {};
  QString rows;
  for (const app::PresetSpeed& s : speeds) {
    QString here = QObject::tr("about %1 tokens/s").arg(speed(s.estimatedTokensPerSecond));
    if (s.measuredAnswers > 0)
      here += QObject::tr("<br>measured: %1 tokens/s (median of %n answer(s) with %2)", nullptr, s.measuredAnswers)
                  .arg(speed(s.measuredTokensPerSecond), s.measuredPack.toHtmlEscaped());
    rows += QStringLiteral("<tr><td><b>%1</b><br>%2</td><td align=right>%3 GB</td><td align=right>%4 GB</td><td>%5</td></tr>")
                .arg(s.preset.toHtmlEscaped(), s.description.toHtmlEscaped(), gb(double(s.packBytes)), gb(double(s.bytesPerToken)), here);
  }
  QString html = QObject::tr("<table cellspacing=0 cellpadding=3><tr><th align=left>Format</th><th>File</th>"
                             "<th>Read per token</th><th align=left>On this computer's CPU</th></tr>%1</table>")
                     .arg(rows);
  if (const int slower = app::defaultSlowdownPercent(speeds); slower > 0)
    html += QObject::tr("<p>The default keeps the tied head and the router at 8 bits and the convolutions at 16, as the "
                        "published study of ZAYA1-8B quantisation recommends for accuracy; it reads more per token, so on "
                        "the CPU it decodes about <b>%1 % slower</b> than q4. q4 is smaller and faster, and its 4-bit head "
                        "costs some accuracy.</p>")
                .arg(slower);
  html += QObject::tr("<p>Estimates: this computer's memory, measured at %1 GB/s, × the %2 % of it the engine reaches "
                      "÷ the bytes each token reads. Measured speeds are from answers written on this computer's CPU.</p>")
              .arg(QString::number(cpuBandwidth / 1e9, 'f', 1))
              .arg(std::lround(100 * app::kCpuDecodeEfficiency));
  return html;
}

}  // namespace zaya::ui
