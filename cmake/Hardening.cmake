# Hardening.cmake — warnings as errors, fortify, stack protector, full RELRO.
# LIGHTBRIDGE_SANITIZE adds ASan + UBSan (the server itself is not instrumented:
# preload libasan into it; see lighttpd-module/README.md).

function(lightbridge_harden target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -fstack-protector-strong -fPIC
                                           -fvisibility=hidden)
  if(LIGHTBRIDGE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=undefined
                                             -fno-omit-frame-pointer -O1 -g)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  else()
    # _FORTIFY_SOURCE needs optimisation; the sanitizer build runs at -O1 with its own checks.
    target_compile_options(${target} PRIVATE -O2 -g)
    target_compile_definitions(${target} PRIVATE _FORTIFY_SOURCE=2)
  endif()
  target_link_options(${target} PRIVATE -Wl,-z,relro,-z,now,-z,noexecstack)
endfunction()
