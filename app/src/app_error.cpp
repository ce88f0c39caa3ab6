#include "app_error.h"

namespace zaya::app {

QString kindName(AppError::Kind kind) {
  switch (kind) {
    case AppError::Kind::DiskFull: return QStringLiteral("disk-full");
    case AppError::Kind::ReadOnly: return QStringLiteral("read-only");
    case AppError::Kind::Corrupt: return QStringLiteral("corrupt");
    case AppError::Kind::Storage: return QStringLiteral("storage");
    case AppError::Kind::PermissionDenied: return QStringLiteral("permission-denied");
    case AppError::Kind::InvalidInput: return QStringLiteral("invalid-input");
    case AppError::Kind::NotFound: return QStringLiteral("not-found");
    case AppError::Kind::Network: return QStringLiteral("network");
    case AppError::Kind::Unauthorized: return QStringLiteral("unauthorized");
    case AppError::Kind::Cancelled: return QStringLiteral("cancelled");
  }
  return QStringLiteral("unknown");
}

}  // namespace zaya::app
