# Finds cpp-httplib as Debian packages it (libcpp-httplib-dev): a compiled
# shared library with a pkg-config file and no CMake config. The package is
# built with OpenSSL, zlib and Brotli support, and those switches change the
# header's class layouts, so every user must compile with the same
# definitions: they come from the .pc file's Cflags.
# Defines the imported target httplib::httplib.
include(FindPackageHandleStandardArgs)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
endif()
set(Httplib_VERSION "${PC_HTTPLIB_VERSION}")
find_package_handle_standard_args(Httplib REQUIRED_VARS PC_HTTPLIB_FOUND VERSION_VAR Httplib_VERSION)
if(Httplib_FOUND AND NOT TARGET httplib::httplib)
  add_library(httplib::httplib INTERFACE IMPORTED)
  set_target_properties(httplib::httplib PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::PC_HTTPLIB)
endif()
