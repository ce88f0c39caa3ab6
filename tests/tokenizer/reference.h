// Locating the reference Gemma 3 tokenizer.json (npm cache filled by
// tools/setup.sh) and the JavaScript reference implementation.
#pragma once

#include <filesystem>
#include <string>

namespace zaya::test {

// $ZAYA_CACHE_DIR, else $XDG_CACHE_HOME/zaya-tutor, else $HOME/.cache/zaya-tutor.
std::filesystem::path zaya_cache_root();
// <cache>/npm/node_modules
std::filesystem::path npm_modules_dir();

// Path of the reference tokenizer.json after checking its sha256; on failure
// an empty path and a message in `error` that says to run tools/setup.sh.
std::filesystem::path reference_tokenizer_json(std::string& error);

// Runs a shell command, returns its exit status and stdout.
int run_command(const std::string& command, std::string& output);

}  // namespace zaya::test

#include "zaya/tokenizer.h"

namespace zaya::test {
// The reference tokenizer, loaded once per test program (nullptr + error
// message when it is missing or fails to load).
const Tokenizer* gemma_tokenizer(std::string& error);
}  // namespace zaya::test
