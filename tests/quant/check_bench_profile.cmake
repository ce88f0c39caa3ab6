# zaya-bench --pack on a small pack with --profile: it measures, writes its
# JSON and prints the stage split for decode, prefill and a short generation,
# every stage named; the K/V bytes follow the fp16 cache a pack runs with.
# Called with -DQUANTIZE=<zaya-quantize> -DBENCH=<zaya-bench> -DMODEL=<zaya-tiny dir> -DWORK=<scratch dir>.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${QUANTIZE} ${MODEL} ${WORK}/tiny.pack --preset q4 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "zaya-quantize failed (${rc}):\n${err}")
endif()
execute_process(COMMAND ${BENCH} --pack ${WORK}/tiny.pack --device cpu --threads 2 --context 8 --decode-tokens 4
                        --prompt 16 --generate 4 --profile --json ${WORK}/bench.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "zaya-bench --profile failed (${rc}):\n${out}${err}")
endif()
foreach(_want "stages (decode, per token)" "stages (prefill, whole chunk)" "stages (generation, per token)")
  string(FIND "${err}" "${_want}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "zaya-bench --profile did not print '${_want}':\n${err}")
  endif()
endforeach()
foreach(_stage projections convolution "query/key prep" attention router experts "norms/residual" head)
  string(REGEX MATCHALL "  ${_stage} +[0-9.]+ m?s" _lines "${err}")
  list(LENGTH _lines _n)
  if(NOT _n EQUAL 3)
    message(FATAL_ERROR "stage '${_stage}' should appear once per phase with a time:\n${err}")
  endif()
endforeach()
file(READ ${WORK}/bench.json json)
string(JSON decode GET "${json}" decode_tok_s)
string(JSON prefill GET "${json}" prefill_tok_s)
if(NOT decode GREATER 0 OR NOT prefill GREATER 0)
  message(FATAL_ERROR "zaya-bench wrote no speeds: ${json}")
endif()
# A pack runs the fp16 K/V cache unless told otherwise.
string(JSON cache GET "${json}" kv_cache)
if(NOT cache STREQUAL "f16")
  message(FATAL_ERROR "zaya-bench kv_cache ${cache}, expected f16: ${json}")
endif()
# K/V bytes per decode step: zaya-tiny has 3 layers of 2 KV heads × 16 values
# (fp16: 32 bytes a row); the three timed steps after 8 tokens of context
# (and one warm-up) see 10, 11 and 12 positions: 3 · 11 · 2 · 2 · 32 bytes on average.
string(JSON kv GET "${json}" kv_bytes_per_token)
if(NOT kv EQUAL 4224)
  message(FATAL_ERROR "zaya-bench kv_bytes_per_token ${kv}, expected 4224: ${json}")
endif()
# The generation: 4 steps after the 16-token prompt see 17 .. 20 positions:
# 3 · 18.5 · 2 · 2 · 32 bytes on average; its speed and roofline fraction are there.
string(JSON gen_kv GET "${json}" generate_kv_bytes_per_token)
string(JSON gen_tok_s GET "${json}" generate_tok_s)
string(JSON gen_fraction GET "${json}" generate_roofline_fraction_with_kv)
if(NOT gen_kv EQUAL 7104 OR NOT gen_tok_s GREATER 0 OR NOT gen_fraction GREATER 0)
  message(FATAL_ERROR "zaya-bench --generate: K/V ${gen_kv} (expected 7104), ${gen_tok_s} tok/s, fraction ${gen_fraction}: ${json}")
endif()
message("ok: decode ${decode} tok/s, prefill ${prefill} tok/s on the tiny pack")
