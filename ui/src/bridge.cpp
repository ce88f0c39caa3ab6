#include "bridge.h"

namespace zaya::ui {

void Bridge::pageReady() {
  pageReady_ = true;
  emit pageBecameReady();
}

void Bridge::rendered(int generation, int katexCount, int errorCount) {
  emit documentRendered(generation, katexCount, errorCount);
}

}  // namespace zaya::ui
