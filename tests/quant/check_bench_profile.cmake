# zaya-bench --pack on a small pack with --profile: it measures, writes its
# JSON and prints the stage split for decode and prefill, every stage named.
# Called with -DQUANTIZE=<zaya-quantize> -DBENCH=<zaya-bench> -DMODEL=<zaya-tiny dir> -DWORK=<scratch dir>.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${QUANTIZE} ${MODEL} ${WORK}/tiny.pack --preset q4 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "zaya-quantize failed (${rc}):\n${err}")
endif()
execute_process(COMMAND ${BENCH} --pack ${WORK}/tiny.pack --device cpu --threads 2 --context 8 --decode-tokens 4
                        --prompt 16 --profile --json ${WORK}/bench.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "zaya-bench --profile failed (${rc}):\n${out}${err}")
endif()
foreach(_want "stages (decode, per token)" "stages (prefill, whole chunk)")
  string(FIND "${err}" "${_want}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "zaya-bench --profile did not print '${_want}':\n${err}")
  endif()
endforeach()
foreach(_stage projections convolution "query/key prep" attention router experts "norms/residual" head)
  string(REGEX MATCHALL "  ${_stage} +[0-9.]+ m?s" _lines "${err}")
  list(LENGTH _lines _n)
  if(NOT _n EQUAL 2)
    message(FATAL_ERROR "stage '${_stage}' should appear once per phase with a time:\n${err}")
  endif()
endforeach()
file(READ ${WORK}/bench.json json)
string(JSON decode GET "${json}" decode_tok_s)
string(JSON prefill GET "${json}" prefill_tok_s)
if(NOT decode GREATER 0 OR NOT prefill GREATER 0)
  message(FATAL_ERROR "zaya-bench wrote no speeds: ${json}")
endif()
# K/V bytes per decode step: zaya-tiny has 3 layers of 2 KV heads × 16 floats;
# the three timed steps after 8 tokens of context (and one warm-up) see 10, 11
# and 12 positions: 3 · 11 · 2 · 32 · 4 bytes on average.
string(JSON kv GET "${json}" kv_bytes_per_token)
if(NOT kv EQUAL 8448)
  message(FATAL_ERROR "zaya-bench kv_bytes_per_token ${kv}, expected 8448: ${json}")
endif()
message("ok: decode ${decode} tok/s, prefill ${prefill} tok/s on the tiny pack")
