// The model pack: one file that is the whole model — config, tokenizer files,
// chat metadata and every weight tensor (quantised or float) — laid out for
// mmap. All integers little-endian.
//
//   offset 0, 64 bytes: header
//     [0, 8)    magic "ZAYAPACK"
//     [8, 12)   u32 format version (kPackVersion)
//     [12, 16)  u32 header size (64)
//     [16, 24)  u64 table offset      (where the entry table starts)
//     [24, 32)  u64 table size in bytes
//     [32, 40)  u64 entry count
//     [40, 48)  u64 file size         (a shorter file is truncated)
//     [48, 52)  u32 CRC-32C of the table bytes
//     [52, 60)  reserved, zero
//     [60, 64)  u32 CRC-32C of header bytes [0, 60)
//   data: each entry's bytes at its own offset, aligned to kPackAlignment
//   entry table (written last, after the data, so tensors can be streamed):
//     per entry
//       u16 name length, name bytes (UTF-8, no terminator, unique)
//       u8  kind (EntryKind), u8 dtype (DType; 0 for blobs), u8 ndim (0..4), u8 zero
//       u64 shape[ndim]
//       u64 offset (absolute), u64 size in bytes, u32 CRC-32C of the bytes
//
// A tensor entry's bytes are exactly what its dtype and shape imply:
// float types are row-major; Q8_G32 / Q4_G32 are one quant_layout() region
// (data block, then the scales block) over rows = product of all dims but the
// last, cols = last dim — so a stacked [E, R, C] expert tensor is one
// [E·R, C] matrix whose expert e is row_slice(e·R, R).
//
// Blobs are opaque bytes: "config.json" (HF config), "pack.json" (how the
// pack was made: preset, source, per-tensor choices), "tokenizer/<file>" for
// each tokenizer file, "chat/<file>" for chat metadata.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zaya::pack {

inline constexpr char kPackMagic[8] = {'Z', 'A', 'Y', 'A', 'P', 'A', 'C', 'K'};
inline constexpr std::uint32_t kPackVersion = 1;
inline constexpr std::size_t kPackHeaderSize = 64;
inline constexpr std::uint64_t kPackAlignment = 4096;  // page: each tensor can be mapped/advised alone
inline constexpr int kMaxDims = 4;
inline constexpr std::size_t kMaxNameLength = 1024;

enum class EntryKind : std::uint8_t { Tensor = 0, Blob = 1 };

}  // namespace zaya::pack
