// The CPU's run-time layout of the quantised matrices: 16 rows interleaved
// (DType::Q8_G32_X16 / Q4_G32_X16), built from a pack's row-major
// Q8_G32 / Q4_G32 matrix when the CPU backend loads it.
//
// Why: in the row-major layout one vpdpbusd multiplies 64 weights of ONE row
// and its int32 lanes hold pieces of two groups, so every instruction is
// followed by a convert, a scale shuffle and an FMA (about 5 instructions per
// 64 multiply-adds). Interleaved, lane i of a 512-bit register holds 4
// consecutive weights of row i, so one vpdpbusd with a broadcast activation
// word advances 16 rows at once, a whole group of 32 is 8 vpdpbusd into one
// int32 accumulator, and the group scale is applied once per 16 rows (about
// 13 instructions per 512 multiply-adds). The same layout serves decode (one
// token, read straight from memory) and prefill (a tile of tokens reusing
// each unpacked weight register).
//
// Layout of row block b (rows 16b .. 16b+15; the last block of a matrix whose
// row count is not a multiple of 16 is padded with zero rows), starting at
// data + b · row_stride_bytes (the block stride, a multiple of 64 so every
// block starts on a cache line):
//
//   words   [G][P][16][4] bytes   P = 4 (Q4) or 8 (Q8); the 64 bytes of word p
//                                 of group g hold 4 bytes of each row, lane i = row 16b + i:
//           Q4: the row's stored bytes 4p .. 4p+3 of group g: low nibbles are
//               weights 4p .. 4p+3, high nibbles weights 16+4p .. 16+4p+3,
//               each nibble q + 8 (as in Q4_G32)
//           Q8: weights 4p .. 4p+3 of group g as unsigned bytes q + 128
//   scales  [G][16] fp16          group g's scale of each of the 16 rows
//
// so a block is G · (64·P + 32) bytes, rounded up to a multiple of 64.
// Groups, padding of a last partial group and the scale search are exactly
// those of the row-major formats (quant_format.h): interleaving moves bytes,
// never changes a value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/cpu_level.h"
#include "tensor/matrix.h"

namespace zaya::quant {

inline constexpr std::int64_t kInterleaveRows = 16;

bool is_interleaved(DType t);
// Q8_G32 → Q8_G32_X16, Q4_G32 → Q4_G32_X16 (throws for anything else).
DType interleaved_type(DType row_major);
// Whether the kernels at `level` read the interleaved layout faster than the
// row-major one (the CPU backend interleaves only then).
bool prefers_interleaved(CpuLevel level);

std::int64_t row_blocks(std::int64_t rows);
// Bytes of one block of 16 rows / of a whole [rows, cols] matrix.
std::size_t interleaved_block_bytes(DType x16, std::int64_t cols);
std::size_t interleaved_bytes(DType x16, std::int64_t rows, std::int64_t cols);

// A WeightMatrix view of an interleaved region (64-byte aligned; must outlive the view).
WeightMatrix interleaved_view(DType x16, std::int64_t rows, std::int64_t cols, const void* region);

// Writes row blocks [b0, b1) of the row-major quantised matrix `W` into the
// interleaved region `dst` (interleaved_bytes(interleaved_type(W.dtype), W.rows, W.cols)
// bytes). Blocks are independent, so callers may split them across threads.
void interleave_blocks(const WeightMatrix& W, std::int64_t b0, std::int64_t b1, void* dst);

// One row of an interleaved matrix back to fp32. out: [W.cols] fp32.
void dequantize_interleaved_row(const WeightMatrix& W, std::int64_t r, float* out);

}  // namespace zaya::quant
