# chainkit_add_library(<name> HEADERS <dir> SOURCES <src>... [PUBLIC <dep>...] [PRIVATE <dep>...])
# One static library as every chainkit library is shaped: target
# chainkit_<name>, alias and export name chainkit::<name>, public headers in
# include/chainkit/<dir>, the warning policy, and install rules into the
# chainkitTargets export set.
function(chainkit_add_library name)
  cmake_parse_arguments(ARG "" "HEADERS" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(target chainkit_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(chainkit::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  # The warning policy is a build-time detail: BUILD_INTERFACE keeps it out
  # of the installed export.
  target_link_libraries(${target}
    PUBLIC ${ARG_PUBLIC}
    PRIVATE $<BUILD_INTERFACE:chainkit_warnings> ${ARG_PRIVATE})
  target_compile_features(${target} PUBLIC cxx_std_20)
  install(TARGETS ${target} EXPORT chainkitTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/chainkit/${ARG_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/chainkit)
endfunction()
