# Third-party dependencies. Debian's packages are preferred; on a bare machine
# (a GPU box with only CMake and nvcc) the ignored .deps/ folder carries the
# header-only nlohmann-json and GoogleTest's sources, copied there by
# tools/gpu-check.sh from this machine's Debian packages.
set(ZAYA_DEPS_DIR ${CMAKE_SOURCE_DIR}/.deps CACHE PATH "Carried copies of header-only deps and GoogleTest sources")

find_package(Threads REQUIRED)

find_package(nlohmann_json 3.10 QUIET)
if(NOT nlohmann_json_FOUND)
  if(EXISTS ${ZAYA_DEPS_DIR}/nlohmann/include/nlohmann/json.hpp)
    add_library(nlohmann_json INTERFACE)
    target_include_directories(nlohmann_json SYSTEM INTERFACE ${ZAYA_DEPS_DIR}/nlohmann/include)
    add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
    message(STATUS "ZAYA: nlohmann-json from ${ZAYA_DEPS_DIR}/nlohmann")
  else()
    message(FATAL_ERROR "nlohmann-json not found: install nlohmann-json3-dev (tools/setup.sh) or carry it in ${ZAYA_DEPS_DIR}/nlohmann")
  endif()
endif()

if(ZAYA_BUILD_TESTS)
  # Sanitised builds compile GoogleTest from source so its containers agree
  # with the instrumented code; others use Debian's build when present.
  if(NOT ZAYA_SANITIZE)
    find_package(GTest QUIET)
  endif()
  if(NOT TARGET GTest::gtest)
    foreach(_gt_src /usr/src/googletest ${ZAYA_DEPS_DIR}/googletest)
      if(EXISTS ${_gt_src}/CMakeLists.txt AND NOT TARGET gtest)
        set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
        set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
        add_subdirectory(${_gt_src} ${CMAKE_BINARY_DIR}/_googletest EXCLUDE_FROM_ALL)
        # GoogleTest >= 1.11 defines these aliases itself.
        if(NOT TARGET GTest::gtest)
          add_library(GTest::gtest ALIAS gtest)
          add_library(GTest::gtest_main ALIAS gtest_main)
        endif()
        message(STATUS "ZAYA: GoogleTest built from ${_gt_src}")
      endif()
    endforeach()
    if(NOT TARGET gtest)
      message(FATAL_ERROR "GoogleTest not found: install googletest (tools/setup.sh) or carry its sources in ${ZAYA_DEPS_DIR}/googletest")
    endif()
  endif()
  include(GoogleTest)
endif()
