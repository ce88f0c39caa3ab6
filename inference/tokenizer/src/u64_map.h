// Open-addressing hash map from a 64-bit key to a pair of int32 values.
// Used for BPE merges ((left id, right id) -> (rank, merged id)) and for the
// added-token trie ((node, byte) -> child). Built once, then read-only.
#pragma once

#include <cstdint>
#include <vector>

namespace zaya::tok {

class U64Map {
 public:
  struct Value {
    int32_t a;
    int32_t b;
  };

  void reserve(size_t count) {
    size_t cap = 16;
    while (cap < count * 2) cap <<= 1;
    slots_.assign(cap, Slot{kEmpty, {0, 0}});
    mask_ = cap - 1;
    size_ = 0;
  }

  // Inserts or overwrites. reserve() must have made room for every key.
  void put(uint64_t key, Value value) {
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == kEmpty) {
        s = Slot{key, value};
        ++size_;
        return;
      }
      if (s.key == key) {
        s.value = value;
        return;
      }
    }
  }

  const Value* find(uint64_t key) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmpty) return nullptr;
    }
  }

  size_t size() const { return size_; }

  static uint64_t pair_key(int32_t left, int32_t right) {
    return (uint64_t(uint32_t(left)) << 32) | uint32_t(right);
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t key;
    Value value;
  };
  size_t slot_of(uint64_t key) const {
    key ^= key >> 29;
    key *= 0xBF58476D1CE4E5B9ull;
    key ^= key >> 32;
    return size_t(key) & mask_;
  }
  std::vector<Slot> slots_;  // [capacity] power of two, load factor <= 0.5
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace zaya::tok
