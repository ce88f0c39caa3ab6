# zaya-check-answer answers inputs whose exact form is astronomically large
# within a time and memory bound: it prints a verdict (any verdict: right,
# wrong or "too complex to check here") and the peak resident set size that
# /usr/bin/time -v reports stays under the limit.
#   cmake -DCHECKER=... -DMAX_SECONDS=3 -DMAX_RSS_MB=300 -P check_answer_bounds.cmake
if(NOT EXISTS /usr/bin/time)
  message("SKIP: /usr/bin/time is not installed (Debian package 'time'); the peak memory cannot be measured")
  return()
endif()

set(pairs
  "1|(a+b+c+d+e+f+g+h)^{40}"
  "(a+b+c+d+e+f+g+h)^{40}|1"
  "1|((9^{2000})^{2000})^{2000}"
  "((9^{2000})^{2000})^{2000}|1")
foreach(pair IN LISTS pairs)
  string(FIND "${pair}" "|" bar)
  string(SUBSTRING "${pair}" 0 ${bar} gold)
  math(EXPR rest "${bar} + 1")
  string(SUBSTRING "${pair}" ${rest} -1 candidate)
  string(TIMESTAMP t0 "%s%f")
  # A generous kill well past the limit, so a hang fails instead of blocking.
  execute_process(COMMAND /usr/bin/time -v "${CHECKER}" --gold "${gold}" --candidate "${candidate}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
  string(TIMESTAMP t1 "%s%f")
  math(EXPR elapsed_ms "(${t1} - ${t0}) / 1000")
  if(NOT out MATCHES "^(equivalent|different|undecided): ")
    message(FATAL_ERROR "'${gold}' vs '${candidate}': no verdict (exit ${rc}) in ${elapsed_ms} ms\n${out}\n${err}")
  endif()
  if(NOT err MATCHES "Maximum resident set size \\(kbytes\\): ([0-9]+)")
    message(FATAL_ERROR "'${gold}' vs '${candidate}': no peak memory in /usr/bin/time's report\n${err}")
  endif()
  set(rss_kb ${CMAKE_MATCH_1})
  math(EXPR rss_mb "${rss_kb} / 1024")
  string(STRIP "${out}" verdict)
  message("'${gold}' vs '${candidate}': ${verdict} (${elapsed_ms} ms, ${rss_mb} MB peak)")
  if(elapsed_ms GREATER ${MAX_SECONDS}000)
    message(FATAL_ERROR "took ${elapsed_ms} ms; the limit is ${MAX_SECONDS} s")
  endif()
  if(rss_mb GREATER ${MAX_RSS_MB})
    message(FATAL_ERROR "peak memory ${rss_mb} MB; the limit is ${MAX_RSS_MB} MB")
  endif()
endforeach()
