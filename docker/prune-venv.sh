#!/bin/sh
# Deletes from the image's virtualenv what the action never loads at run time, right after each
# install step (in the same layer, so the bytes never reach the image). What stays is everything
# any module the action imports can load. docs/image.md has the sizes each rule saves.
set -eu
site=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cd "$site"

if [ -d torch ]; then
  # C++ headers and CMake files (for building extensions), static libraries, torch's own test
  # suite, test-only libraries and test binaries. torch_shm_manager is kept: torch.multiprocessing
  # starts it.
  rm -rf torch/include torch/share/cmake torch/test
  rm -f torch/lib/*.a torch/lib/libjitbackend_test.so torch/lib/libtorchbind_test.so \
    torch/lib/libbackend_with_compiler.so
  find torch/bin -mindepth 1 ! -name torch_shm_manager -exec rm -rf {} +
fi

if [ -d blingfire ]; then
  # Sentence splitting (text_to_sentences) uses the model built into the Linux library; the
  # tokenizer models and the Windows and macOS builds are never loaded.
  find blingfire -type f ! -name __init__.py ! -name libblingfiretokdll.so -delete
fi

# Every package's test suite, type stubs and Cython/C sources: no package imports them at run time.
find . -depth -type d -name tests -exec rm -rf {} +
find . -type f \( -name '*.pyi' -o -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' \
  -o -name '*.c' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \) -delete
# Byte code from the install itself (pip is run with --no-compile; this catches build back-ends).
find . -depth -type d -name __pycache__ -exec rm -rf {} +
