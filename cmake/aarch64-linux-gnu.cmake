# Cross-compiling keel for arm64 (NEON) with Debian's g++-aarch64-linux-gnu; the binaries run under
# qemu-user (`qemu-aarch64 -L /usr/aarch64-linux-gnu`), which CMake is told about so that ctest can
# run them too. Used by .ci/neon and the arm64 prebuild (scripts/prebuild.mjs), through cmake-js:
#   npx cmake-js build --out build-arm64 --arch arm64 --CDCMAKE_TOOLCHAIN_FILE=$PWD/cmake/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(KEEL_AARCH64_PREFIX aarch64-linux-gnu- CACHE STRING "cross toolchain prefix")
set(CMAKE_C_COMPILER ${KEEL_AARCH64_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${KEEL_AARCH64_PREFIX}g++)

set(KEEL_AARCH64_SYSROOT /usr/aarch64-linux-gnu CACHE PATH "target libraries (Debian's cross libc)")
set(CMAKE_FIND_ROOT_PATH ${KEEL_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# add_test() commands of target executables run through this emulator (ctest --test-dir build-arm64).
find_program(KEEL_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(KEEL_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KEEL_QEMU_AARCH64} -L ${KEEL_AARCH64_SYSROOT})
endif()
