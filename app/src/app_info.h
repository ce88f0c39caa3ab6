// Name, version and the folders the app keeps its data in.
#pragma once

#include <QString>

namespace zaya::app {

QString applicationName();     // "ZAYA Tutor"
QString applicationVersion();  // e.g. "0.1.0"

// Per-user data folder (database, models). ZAYA_DATA_DIR overrides it, which
// the tests use to run against a scratch folder.
QString dataDirectory();

}  // namespace zaya::app
