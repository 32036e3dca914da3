# LighttpdSource.cmake — build against the exact source of the installed lighttpd.
#
# lighttpd ships no headers; a module must be compiled against the source tree of
# the very version it is loaded into (struct layouts differ between releases and
# with configure's choices). This checks that the tree at LIGHTTPD_SOURCE_DIR has
# the version `lighttpd -v` reports, and runs its ./configure once (out of tree,
# into the build directory) for config.h.

function(lighttpd_installed_version out_var)
  find_program(LIGHTTPD_EXECUTABLE lighttpd PATHS /usr/sbin /usr/local/sbin REQUIRED)
  execute_process(COMMAND ${LIGHTTPD_EXECUTABLE} -v OUTPUT_VARIABLE banner RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT banner MATCHES "^lighttpd/([0-9]+\\.[0-9]+\\.[0-9]+)")
    message(FATAL_ERROR "cannot read the version of ${LIGHTTPD_EXECUTABLE} (`lighttpd -v` said: ${banner})")
  endif()
  set(${out_var} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

function(lighttpd_source_version src out_var)
  # configure.ac: AC_INIT([lighttpd],[1.4.69],...)
  if(NOT EXISTS "${src}/configure.ac")
    message(FATAL_ERROR "LIGHTTPD_SOURCE_DIR=${src} is not a lighttpd source tree (no configure.ac); "
                        "run ./lightbridge test or ./lightbridge run, which fetch it with apt-get source")
  endif()
  file(STRINGS "${src}/configure.ac" init REGEX "^AC_INIT\\(")
  if(NOT init MATCHES "\\[lighttpd\\],[ ]*\\[([0-9]+\\.[0-9]+\\.[0-9]+)\\]")
    message(FATAL_ERROR "cannot find the version in ${src}/configure.ac")
  endif()
  set(${out_var} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

# Sets LIGHTTPD_INCLUDE_DIRS (source + generated config.h) and LIGHTTPD_VERSION.
function(lighttpd_prepare_source src)
  lighttpd_installed_version(installed)
  lighttpd_source_version("${src}" source)
  if(NOT installed VERSION_EQUAL source)
    message(FATAL_ERROR "lighttpd version mismatch: the installed lighttpd is ${installed} but "
                        "LIGHTTPD_SOURCE_DIR=${src} holds ${source}. A module built against other sources "
                        "reads wrong struct offsets; fetch the matching source (apt-get source lighttpd=${installed}).")
  endif()
  set(gen "${CMAKE_BINARY_DIR}/lighttpd-config")
  if(NOT EXISTS "${gen}/config.h")
    message(STATUS "Running lighttpd ${source} ./configure for config.h (once per build directory)")
    file(MAKE_DIRECTORY "${gen}")
    # The options Debian's build does not change struct layouts with; pcre2 is added
    # below as HAVE_PCRE2_H because Debian's binary links it.
    execute_process(COMMAND "${src}/configure" --libdir=/usr/lib/lighttpd
                            --without-pcre2 --without-zlib --without-bzip2
                    WORKING_DIRECTORY "${gen}" OUTPUT_FILE "${gen}/configure.out"
                    ERROR_FILE "${gen}/configure.err" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0 OR NOT EXISTS "${gen}/config.h")
      message(FATAL_ERROR "lighttpd ./configure failed; see ${gen}/configure.err and ${gen}/config.log")
    endif()
  endif()
  set(LIGHTTPD_VERSION ${source} PARENT_SCOPE)
  set(LIGHTTPD_INCLUDE_DIRS "${gen}" "${src}/src" "${src}" PARENT_SCOPE)
endfunction()
