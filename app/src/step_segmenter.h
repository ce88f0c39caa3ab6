// Splits the answer part of a solution into steps, as it streams.
//
// Explicit markers win: a line starting with "Step n" (optionally inside
// markdown emphasis or a heading: "**Step 2:**", "### Step 3") starts step n;
// text before the first marker belongs to step 1. Without markers, steps end
// at paragraph breaks (a blank line) and after a display-math block that ends
// a line ($$…$$ or \[…\]); breaks inside display math do not count. Blank
// segments are dropped. While streaming, every step but the last is
// complete; the last completes when the reply ends.
#pragma once

#include <QList>
#include <QString>

namespace zaya::app {

struct StepSpan {
  int start = 0;   // [start, end) in UTF-16 units of the answer text
  int end = 0;
  bool explicitMarker = false;
};

QList<StepSpan> segmentSteps(const QString& answer);

// Content of the last \boxed{…} / \fbox{…} with balanced braces; empty when none.
QString lastBoxed(const QString& text);

}  // namespace zaya::app
