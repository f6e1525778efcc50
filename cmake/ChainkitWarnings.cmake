# chainkit_warnings: the warning and language policy every chainkit target links.
add_library(chainkit_warnings INTERFACE)
add_library(chainkit::warnings ALIAS chainkit_warnings)
target_compile_features(chainkit_warnings INTERFACE cxx_std_20)
target_compile_options(chainkit_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wnon-virtual-dtor>
  # -Wshadow=local is GCC's spelling; clang (the fuzz preset) has no exact
  # equivalent and its plain -Wshadow also flags members and globals.
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
  # GCC 12 pairs Asio's awaitable-frame operator delete with the global
  # operator new once coroutine frames are inlined (-O2 and up, with or
  # without ASan) and reports -Wmismatched-new-delete where both come from
  # the same class (GCC PR 109224); clang checks the same code cleanly.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
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
    # Clang 14's UBSan `function` check cannot compile Asio's coroutine
    # frames ("Cannot represent a difference across sections").
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      add_compile_options(-fno-sanitize=function)
    endif()
    add_link_options(-fsanitize=${CHAINKIT_SANITIZE})
  endif()
  # Every library gets libFuzzer's coverage instrumentation; only the *_fuzz
  # executables link the libFuzzer driver (-fsanitize=fuzzer, tests/fuzz).
  if(CHAINKIT_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link)
    add_link_options(-fsanitize=fuzzer-no-link)
  endif()
endfunction()
