#include "bridge.h"

namespace zaya::ui {

void Bridge::pageReady() {
  pageReady_ = true;
  emit pageBecameReady();
}

void Bridge::rendered(int katexCount, int errorCount) { emit documentRendered(katexCount, errorCount); }

}  // namespace zaya::ui
