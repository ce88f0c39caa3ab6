#include "tensor/matrix.h"

namespace zaya {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F8_E4M3: return "F8_E4M3";
    case DType::Q8_G32: return "Q8_G32";
    case DType::Q4_G32: return "Q4_G32";
  }
  return "unknown";
}

}  // namespace zaya
