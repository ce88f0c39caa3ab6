# The layering rule, checked on the sources: imports only go down,
#   ui -> app -> {problems, inference}.
# Fails when
#   - a file under app/ includes a header that exists under ui/ (by its name),
#   - a file under app/ or ui/ includes the engine's internals
#     (inference/src/..., or a path starting with one of its folders: "pack/", "cpu/", ...),
#   - a file under ui/ includes the engine's model, session or device headers,
#     or names its model, load options or device kinds (ui reaches the engine
#     only through app).
# Run: cmake -DZAYA_SOURCE_DIR=<checkout> -P check_layers.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT ZAYA_SOURCE_DIR)
  message(FATAL_ERROR "check_layers: pass -DZAYA_SOURCE_DIR=<the checkout to check>")
endif()
set(_root ${ZAYA_SOURCE_DIR})
foreach(_dir app ui inference/src)
  if(NOT IS_DIRECTORY ${_root}/${_dir})
    message(FATAL_ERROR "check_layers: ${_root}/${_dir} is not a folder")
  endif()
endforeach()

set(_source_globs *.h *.hpp *.cpp *.cc)
function(_sources_under dir out)
  set(_patterns)
  foreach(_g ${_source_globs})
    list(APPEND _patterns ${_root}/${dir}/${_g})
  endforeach()
  file(GLOB_RECURSE _files ${_patterns})
  set(${out} ${_files} PARENT_SCOPE)
endfunction()

# The quoted includes of a file, one list entry each.
function(_includes_of file out)
  file(STRINGS ${file} _lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<][^\">]+[\">]")
  set(_found)
  foreach(_line ${_lines})
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[\"<]([^\">]+)[\">].*$" "\\1" _inc "${_line}")
    list(APPEND _found ${_inc})
  endforeach()
  set(${out} ${_found} PARENT_SCOPE)
endfunction()

# Header names of ui/; a name app/ has a header of its own by is app's.
file(GLOB_RECURSE _ui_headers ${_root}/ui/*.h ${_root}/ui/*.hpp)
file(GLOB_RECURSE _app_headers ${_root}/app/*.h ${_root}/app/*.hpp)
set(_app_names)
foreach(_h ${_app_headers})
  get_filename_component(_n ${_h} NAME)
  list(APPEND _app_names ${_n})
endforeach()
set(_ui_names)
foreach(_h ${_ui_headers})
  get_filename_component(_n ${_h} NAME)
  if(NOT _n IN_LIST _app_names)
    list(APPEND _ui_names ${_n})
  endif()
endforeach()

# The engine's internal folders, as include paths start with them.
file(GLOB _internal_entries RELATIVE ${_root}/inference/src ${_root}/inference/src/*)
set(_internal_dirs)
foreach(_e ${_internal_entries})
  if(IS_DIRECTORY ${_root}/inference/src/${_e})
    list(APPEND _internal_dirs ${_e})
  endif()
endforeach()

set(_engine_only_headers zaya/device.h zaya/model.h zaya/session.h)

set(_violations)
foreach(_layer app ui)
  _sources_under(${_layer} _files)
  foreach(_f ${_files})
    file(RELATIVE_PATH _rel ${_root} ${_f})
    _includes_of(${_f} _incs)
    foreach(_inc ${_incs})
      get_filename_component(_name ${_inc} NAME)
      string(REGEX MATCH "^[^/]+" _first "${_inc}")
      if(_layer STREQUAL "app" AND _name IN_LIST _ui_names)
        list(APPEND _violations "${_rel}: includes the ui header \"${_inc}\" (app never includes ui)")
      endif()
      if(_inc MATCHES "(^|/)inference/src/" OR (_inc MATCHES "/" AND _first IN_LIST _internal_dirs))
        list(APPEND _violations "${_rel}: includes the engine internal \"${_inc}\" (use a public header in inference/include/zaya)")
      endif()
      if(_layer STREQUAL "ui" AND _inc IN_LIST _engine_only_headers)
        list(APPEND _violations "${_rel}: includes \"${_inc}\" (ui reaches the engine only through app)")
      endif()
    endforeach()
    if(_layer STREQUAL "ui")
      file(STRINGS ${_f} _uses REGEX "zaya::(Model|LoadOptions|DeviceKind)([^A-Za-z0-9_]|$)")
      foreach(_use ${_uses})
        string(REGEX MATCH "zaya::(Model|LoadOptions|DeviceKind)" _what "${_use}")
        list(APPEND _violations "${_rel}: names ${_what} (ui reaches the engine only through app)")
      endforeach()
    endif()
  endforeach()
endforeach()

if(_violations)
  list(LENGTH _violations _count)
  list(JOIN _violations "\n  " _text)
  message(FATAL_ERROR "check_layers: ${_count} include(s) break ui -> app -> {problems, inference}:\n  ${_text}")
endif()
message(STATUS "check_layers: app/ and ui/ include only downwards")
