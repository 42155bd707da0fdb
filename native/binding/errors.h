// The typed errors the binding throws: the classes of src/errors.ts (OptionError, ShapeError,
// BackendError), handed to the addon once by src/backend/loader.ts through setErrorClasses, as
// better-sqlite3 hands its SqliteError over. A bad call then fails with the same class and message on
// the native and the JS backend. The addon is context-aware: every env (the main thread, each worker)
// runs its own init and its own setErrorClasses, so the classes are kept per env in its instance data,
// as napi references that the instance-data finalizer releases when the env is torn down (Node runs it
// from the env's cleanup hooks). An env that never called setErrorClasses (the .node required
// directly) gets the built-in TypeError, RangeError or Error each throw site used before.
#ifndef KEEL_BINDING_ERRORS_H_
#define KEEL_BINDING_ERRORS_H_

#include <napi.h>

#include <string>

namespace keel {

// Which class of src/errors.ts a throw is, and the built-in it falls back to without setErrorClasses.
enum class ErrorKind {
  kOptionType,   // OptionError: an argument of the wrong type (falls back to TypeError)
  kOptionValue,  // OptionError: an argument of the wrong value (RangeError)
  kShape,        // ShapeError: an array length or a size that does not fit (RangeError)
  kBackend,      // BackendError: the thread pool, the CPU, an internal error (Error)
};

// One env's error classes; empty references until setErrorClasses is called in that env. This struct
// is the env's instance data (the addon's only per-env state: more would be added here).
struct ErrorClasses {
  Napi::FunctionReference option, shape, backend;
};

// Throws `message` as the env's class for `kind`, or as the built-in fallback.
[[noreturn]] inline void ThrowError(Napi::Env env, ErrorKind kind, const std::string& message) {
  const ErrorClasses* classes = env.GetInstanceData<ErrorClasses>();
  if (classes) {
    const Napi::FunctionReference& cls = kind == ErrorKind::kShape     ? classes->shape
                                         : kind == ErrorKind::kBackend ? classes->backend
                                                                       : classes->option;
    if (!cls.IsEmpty()) throw Napi::Error(env, cls.New({Napi::String::New(env, message)}));
  }
  switch (kind) {
    case ErrorKind::kOptionType:
      throw Napi::TypeError::New(env, message);
    case ErrorKind::kOptionValue:
    case ErrorKind::kShape:
      throw Napi::RangeError::New(env, message);
    default:
      throw Napi::Error::New(env, message);
  }
}

}  // namespace keel

#endif  // KEEL_BINDING_ERRORS_H_
