# SPDX-License-Identifier: MIT
# Reads the version from include/starling/version.h (its one source of truth)
# into STARLING_VERSION, STARLING_VERSION_MAJOR, _MINOR and _PATCH.
# `cmake -P cmake/starling_version.cmake` prints it (tools/check_version.py).
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/../include/starling/version.h" _starling_version_lines
     REGEX "^#define STARLING_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+$")
foreach(_part MAJOR MINOR PATCH)
  set(STARLING_VERSION_${_part} "")
  foreach(_line IN LISTS _starling_version_lines)
    if(_line MATCHES "^#define STARLING_VERSION_${_part} +([0-9]+)$")
      set(STARLING_VERSION_${_part} "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  if(STARLING_VERSION_${_part} STREQUAL "")
    message(FATAL_ERROR "starling: no '#define STARLING_VERSION_${_part} <n>' in include/starling/version.h")
  endif()
endforeach()
set(STARLING_VERSION "${STARLING_VERSION_MAJOR}.${STARLING_VERSION_MINOR}.${STARLING_VERSION_PATCH}")
unset(_starling_version_lines)
unset(_part)
unset(_line)
if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  message("${STARLING_VERSION}")
endif()
