# Finds standalone (non-Boost) Asio, which is header-only.
# Defines the imported target Asio::asio.
include(FindPackageHandleStandardArgs)
find_path(Asio_INCLUDE_DIR asio.hpp)
if(Asio_INCLUDE_DIR AND EXISTS "${Asio_INCLUDE_DIR}/asio/version.hpp")
  file(STRINGS "${Asio_INCLUDE_DIR}/asio/version.hpp" _asio_ver REGEX "#define ASIO_VERSION ")
  string(REGEX MATCH "[0-9]+" _asio_num "${_asio_ver}")
  math(EXPR _maj "${_asio_num} / 100000")
  math(EXPR _min "${_asio_num} / 100 % 1000")
  math(EXPR _pat "${_asio_num} % 100")
  set(Asio_VERSION "${_maj}.${_min}.${_pat}")
endif()
find_package_handle_standard_args(Asio REQUIRED_VARS Asio_INCLUDE_DIR VERSION_VAR Asio_VERSION)
if(Asio_FOUND AND NOT TARGET Asio::asio)
  find_package(Threads REQUIRED)
  add_library(Asio::asio INTERFACE IMPORTED)
  # ASIO_DISABLE_STD_ALIGNED_ALLOC: otherwise Asio picks aligned_alloc or
  # operator new depending on which standard headers a file included first,
  # and memory allocated in one file and freed in another mismatches.
  # ASIO_HAS_CO_AWAIT under clang: Asio 1.22 detects coroutines only for GCC
  # and MSVC, so clang with libstdc++ must be told.
  set_target_properties(Asio::asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Asio_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE;ASIO_NO_DEPRECATED;ASIO_DISABLE_STD_ALIGNED_ALLOC;$<$<CXX_COMPILER_ID:Clang>:ASIO_HAS_CO_AWAIT=1>"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(Asio_INCLUDE_DIR)
