# chainkit_warnings: the warning and language policy every chainkit target links.
add_library(chainkit_warnings INTERFACE)
add_library(chainkit::warnings ALIAS chainkit_warnings)
target_compile_features(chainkit_warnings INTERFACE cxx_std_20)
target_compile_options(chainkit_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor>
  $<$<BOOL:${CHAINKIT_WERROR}>:-Werror>
  # GCC 12 at -O3 reports false array-bounds/stringop-overflow errors inside
  # inlined libstdc++ copies (GCC PR 105651, 106199); optimized builds only.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<CONFIG:Release>>:-Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread>)

# Sanitizers apply to everything built in the tree (tests included), so they
# are set directory-wide from the top-level file rather than per target.
function(chainkit_enable_sanitizers)
  if(CHAINKIT_SANITIZE)
    add_compile_options(-fsanitize=${CHAINKIT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    # GCC 12's -Wmaybe-uninitialized misfires on sanitizer-instrumented
    # std::function/std::regex code (GCC bug 105562 and friends); the plain
    # builds keep the warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      add_compile_options(-Wno-maybe-uninitialized)
    endif()
    add_link_options(-fsanitize=${CHAINKIT_SANITIZE})
  endif()
endfunction()
