/*
 * lb_jvm.h — starts the JVM inside the server process through the JNI
 * invocation API and exchanges the function tables with the Java runtime.
 *
 * libjvm is dlopen()ed by absolute path ($java_home/lib/server/libjvm.so), so
 * nothing links against it. The JVM is created at most once per process (a
 * JVM cannot be created twice); later calls, e.g. after the server reloaded
 * this code in the same process, return the table obtained the first time.
 * Link the server glue with -z nodelete so that this state survives a reload.
 */
#ifndef LB_JVM_H
#define LB_JVM_H

#include <stddef.h>

#include "lightbridge_abi.h"

typedef enum lb_jvm_status {
    LB_JVM_OK = 0,
    LB_JVM_NO_LIBJVM,          /* libjvm.so missing or not loadable */
    LB_JVM_NO_CREATE_SYMBOL,   /* libjvm.so without JNI_CreateJavaVM */
    LB_JVM_CREATE_FAILED,      /* JNI_CreateJavaVM returned an error */
    LB_JVM_CLASS_MISSING,      /* io.lightbridge.bridge.NativeBridge not on the class path */
    LB_JVM_METHOD_MISSING,     /* no static long bootstrap(long, String) */
    LB_JVM_BOOTSTRAP_THREW,    /* bootstrap threw (the exception is printed to stderr) */
    LB_JVM_BOOTSTRAP_FAILED,   /* bootstrap returned 0 (Java logged why) */
    LB_JVM_ABI_MISMATCH        /* the jar speaks another LB_ABI_VERSION */
} lb_jvm_status;

typedef struct lb_jvm_config {
    const char *java_home;       /* a JDK >= 22 */
    const char *class_path;      /* the lightbridge jar */
    const char *config_path;     /* passed to NativeBridge.bootstrap */
    const char *const *options;  /* extra JavaVMOption strings from the admin */
    size_t option_count;
} lb_jvm_config;

/* Creates the JVM (or reuses the one this process already created) and bootstraps
 * the Java runtime with `native_api`, which must stay valid for the process lifetime.
 * On success *java_api is the Java runtime's table. On failure, `err` holds one line. */
lb_jvm_status lb_jvm_start(const lb_jvm_config *cfg, const lb_native_api *native_api,
                           const lb_java_api **java_api, char *err, size_t errlen);

/* Re-installs the JVM's SIGBUS handler, e.g. after the server re-installed its own on a
 * reload (the JVM relies on it; the server aborts on a SIGBUS it did not expect). */
void lb_jvm_restore_signal_handlers(void);

/* Finds the newest JDK >= min_feature under dir (e.g. /usr/lib/jvm): writes its path
 * into out and returns 0, or returns -1 when there is none. */
int lb_jvm_find_java_home(const char *dir, int min_feature, char *out, size_t outlen);

/* Feature version of the JDK at java_home (25 for "25.0.1") from its `release`
 * file, or -1 when it is not a JDK with a server libjvm. */
int lb_jvm_feature_version(const char *java_home);

const char *lb_jvm_status_name(lb_jvm_status status);

#endif /* LB_JVM_H */
