# zaya-bench --device cuda on a machine without a usable GPU: it must stop
# before writing any pack, say why in words and exit with status 3. Where a
# GPU is usable this check is skipped (the bench label measures it there).
# Called with -DDEVICES=<zaya-devices> -DBENCH=<zaya-bench> -DCACHE=<empty dir>.
execute_process(COMMAND ${DEVICES} OUTPUT_VARIABLE probe)
if(probe MATCHES "^cuda: available")
  message("skipped: a CUDA device is usable here; the bench label runs zaya-bench --device cuda")
  return()
endif()
file(REMOVE_RECURSE ${CACHE})
set(ENV{ZAYA_CACHE_DIR} ${CACHE})
execute_process(COMMAND ${BENCH} --synthetic zaya1-8b --quant q4 --device cuda
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 3)
  message(FATAL_ERROR "zaya-bench --device cuda without a GPU exited with ${rc} (expected 3):\n${out}${err}")
endif()
if(NOT err MATCHES "zaya-bench: the GPU cannot be used \\([a-z ]+\\): ")
  message(FATAL_ERROR "zaya-bench did not say why there is no GPU:\n${err}")
endif()
if(EXISTS ${CACHE}/bench)
  message(FATAL_ERROR "zaya-bench wrote into its pack cache before finding that there is no GPU")
endif()
message("ok: ${err}")
