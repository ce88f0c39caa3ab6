# Test helpers shared by every tests/ subfolder.
#
# zaya_add_gtest(NAME SOURCES ... LIBS ... [LABELS ...])
#   A GoogleTest executable whose tests CTest discovers one by one. A test that
#   calls GTEST_SKIP (e.g. no CUDA device) shows as Skipped in CTest's summary.
# zaya_add_fuzzer(NAME SOURCES ... LIBS ... CORPUS dir)
#   A libFuzzer target (ZAYA_FUZZ=ON, clang) run by CTest for ZAYA_FUZZ_SECONDS
#   on a copy of its committed seed corpus; label "fuzz".
enable_testing()
set(ZAYA_FUZZ_SECONDS 15 CACHE STRING "Seconds each fuzz target runs under CTest")

function(zaya_add_gtest name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main Threads::Threads)
  target_compile_definitions(${name} PRIVATE
    ZAYA_TESTDATA_DIR="${ZAYA_TESTDATA_DIR}"
    ZAYA_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    ZAYA_BINARY_DIR="${CMAKE_BINARY_DIR}")
  set(_props "")
  if(ARG_LABELS)
    list(APPEND _props LABELS "${ARG_LABELS}")
  endif()
  if(ARG_ENV)
    list(APPEND _props ENVIRONMENT "${ARG_ENV}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${_props})
endfunction()

function(zaya_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(NOT ZAYA_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
            ${CMAKE_SOURCE_DIR}/tools/run-fuzzer.sh $<TARGET_FILE:${name}> ${ARG_CORPUS} ${ZAYA_FUZZ_SECONDS})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()
