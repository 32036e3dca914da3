/*
 * lb_jvm.c — JVM bootstrap through the JNI invocation API (see lb_jvm.h).
 *
 * JNI is used for this one call only; every request crosses through the FFM
 * upcall stubs in the lb_java_api table that NativeBridge.bootstrap returns.
 */
#define _GNU_SOURCE
#include "lb_jvm.h"

#include <jni.h>

#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LB_BOOTSTRAP_CLASS     "io/lightbridge/bridge/NativeBridge"
#define LB_BOOTSTRAP_METHOD    "bootstrap"
#define LB_BOOTSTRAP_SIGNATURE "(JLjava/lang/String;)J"
#define LB_JVM_FIXED_OPTIONS   4 /* -Xrs, class path, native access, vfprintf hook */

typedef jint (JNICALL *lb_create_vm_fn)(JavaVM **vm, void **env, void *args);
typedef jint (JNICALL *lb_created_vms_fn)(JavaVM **vms, jsize len, jsize *count);

/* Process-lifetime state: survives a reload of the server glue (-z nodelete). */
static pthread_mutex_t lb_jvm_lock = PTHREAD_MUTEX_INITIALIZER;
static const lb_java_api *lb_jvm_java_api;
static struct sigaction lb_jvm_sigbus;
static int lb_jvm_sigbus_saved;

/* What the JVM printed while starting (e.g. "Unrecognized option"), for the error line. */
static char lb_jvm_said[512];

static jint JNICALL lb_jvm_vfprintf(FILE *stream, const char *fmt, va_list args) {
    size_t used = strlen(lb_jvm_said);
    if (used + 1 < sizeof lb_jvm_said)
        vsnprintf(lb_jvm_said + used, sizeof lb_jvm_said - used, fmt, args);
    (void)stream;
    return 0;
}

__attribute__((format(printf, 4, 5)))
static lb_jvm_status lb_jvm_fail(lb_jvm_status status, char *err, size_t errlen, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(err, errlen, fmt, args);
    va_end(args);
    for (char *c = err; *c; ++c)
        if (*c == '\n') *c = ' '; /* one log line */
    return status;
}

const char *lb_jvm_status_name(lb_jvm_status status) {
    switch (status) {
    case LB_JVM_OK:               return "ok";
    case LB_JVM_NO_LIBJVM:        return "no libjvm";
    case LB_JVM_NO_CREATE_SYMBOL: return "libjvm without JNI_CreateJavaVM";
    case LB_JVM_CREATE_FAILED:    return "JVM creation failed";
    case LB_JVM_CLASS_MISSING:    return "bootstrap class missing";
    case LB_JVM_METHOD_MISSING:   return "bootstrap method missing";
    case LB_JVM_BOOTSTRAP_THREW:  return "bootstrap threw";
    case LB_JVM_BOOTSTRAP_FAILED: return "bootstrap failed";
    case LB_JVM_ABI_MISMATCH:     return "ABI version mismatch";
    }
    return "unknown";
}

int lb_jvm_feature_version(const char *java_home) {
    char path[4096];
    snprintf(path, sizeof path, "%s/lib/server/libjvm.so", java_home);
    if (access(path, R_OK) != 0) return -1;
    snprintf(path, sizeof path, "%s/release", java_home);
    FILE *release = fopen(path, "re");
    if (release == NULL) return -1;
    int feature = -1;
    char line[256];
    while (feature < 0 && fgets(line, sizeof line, release) != NULL) {
        if (strncmp(line, "JAVA_VERSION=\"", 14) == 0)
            feature = atoi(line + 14); /* "25.0.1" → 25; old "1.8.0" → 1, too old anyway */
    }
    fclose(release);
    return feature;
}

int lb_jvm_find_java_home(const char *dir, int min_feature, char *out, size_t outlen) {
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0) return -1;
    int best = -1;
    for (int i = 0; i < n; ++i) {
        char home[4096];
        if (entries[i]->d_name[0] != '.') {
            snprintf(home, sizeof home, "%s/%s", dir, entries[i]->d_name);
            int feature = lb_jvm_feature_version(home);
            if (feature >= min_feature && feature > best) {
                best = feature;
                snprintf(out, outlen, "%s", home);
            }
        }
        free(entries[i]);
    }
    free(entries);
    return best < 0 ? -1 : 0;
}

static void lb_jvm_describe_exception(JNIEnv *env, char *out, size_t outlen) {
    jthrowable thrown = (*env)->ExceptionOccurred(env);
    (*env)->ExceptionClear(env);
    snprintf(out, outlen, "unknown exception");
    if (thrown == NULL) return;
    jclass throwable = (*env)->FindClass(env, "java/lang/Throwable");
    jmethodID to_string = throwable == NULL ? NULL
        : (*env)->GetMethodID(env, throwable, "toString", "()Ljava/lang/String;");
    jstring text = to_string == NULL ? NULL : (*env)->CallObjectMethod(env, thrown, to_string);
    if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env);
    if (text != NULL) {
        const char *utf = (*env)->GetStringUTFChars(env, text, NULL);
        if (utf != NULL) {
            snprintf(out, outlen, "%s", utf);
            (*env)->ReleaseStringUTFChars(env, text, utf);
        }
    }
}

/* Calls the static long NativeBridge.bootstrap(long, String) on the current (attached) thread. */
static lb_jvm_status lb_jvm_bootstrap(JNIEnv *env, const lb_jvm_config *cfg,
                                      const lb_native_api *native_api,
                                      const lb_java_api **java_api, char *err, size_t errlen) {
    jclass bridge = (*env)->FindClass(env, LB_BOOTSTRAP_CLASS);
    if (bridge == NULL) {
        (*env)->ExceptionClear(env);
        return lb_jvm_fail(LB_JVM_CLASS_MISSING, err, errlen,
                           "class io.lightbridge.bridge.NativeBridge not found in %s", cfg->class_path);
    }
    jmethodID bootstrap = (*env)->GetStaticMethodID(env, bridge, LB_BOOTSTRAP_METHOD, LB_BOOTSTRAP_SIGNATURE);
    if (bootstrap == NULL) {
        (*env)->ExceptionClear(env);
        return lb_jvm_fail(LB_JVM_METHOD_MISSING, err, errlen,
                           "io.lightbridge.bridge.NativeBridge has no static long bootstrap(long, String) (%s)",
                           cfg->class_path);
    }
    jstring config_path = (*env)->NewStringUTF(env, cfg->config_path);
    jlong table = config_path == NULL ? 0
        : (*env)->CallStaticLongMethod(env, bridge, bootstrap, (jlong)(intptr_t)native_api, config_path);
    if ((*env)->ExceptionCheck(env)) {
        char thrown[400];
        lb_jvm_describe_exception(env, thrown, sizeof thrown);
        return lb_jvm_fail(LB_JVM_BOOTSTRAP_THREW, err, errlen,
                           "NativeBridge.bootstrap threw %s", thrown);
    }
    (*env)->DeleteLocalRef(env, config_path);
    (*env)->DeleteLocalRef(env, bridge);
    if (table == 0)
        return lb_jvm_fail(LB_JVM_BOOTSTRAP_FAILED, err, errlen,
                           "NativeBridge.bootstrap returned 0 for config %s (the reason is logged above)",
                           cfg->config_path);
    const lb_java_api *api = (const lb_java_api *)(intptr_t)table;
    if (api->abi_version != LB_ABI_VERSION)
        return lb_jvm_fail(LB_JVM_ABI_MISMATCH, err, errlen,
                           "%s speaks lightbridge ABI %u, this module speaks %u: rebuild both from one checkout",
                           cfg->class_path, api->abi_version, LB_ABI_VERSION);
    *java_api = api;
    return LB_JVM_OK;
}

static lb_jvm_status lb_jvm_create(void *libjvm, const lb_jvm_config *cfg, JNIEnv **env,
                                   char *err, size_t errlen) {
    lb_create_vm_fn create = (lb_create_vm_fn)dlsym(libjvm, "JNI_CreateJavaVM");
    if (create == NULL)
        return lb_jvm_fail(LB_JVM_NO_CREATE_SYMBOL, err, errlen,
                           "%s/lib/server/libjvm.so has no JNI_CreateJavaVM", cfg->java_home);
    size_t count = LB_JVM_FIXED_OPTIONS + cfg->option_count;
    JavaVMOption *options = calloc(count, sizeof *options);
    char *class_path = NULL;
    if (options == NULL || asprintf(&class_path, "-Djava.class.path=%s", cfg->class_path) < 0) {
        free(options);
        return lb_jvm_fail(LB_JVM_CREATE_FAILED, err, errlen, "out of memory creating the JVM");
    }
    options[0].optionString = (char *)"-Xrs"; /* the server owns SIGHUP/SIGTERM/SIGINT/SIGUSR1 */
    options[1].optionString = class_path;
    options[2].optionString = (char *)"--enable-native-access=ALL-UNNAMED";
    options[3].optionString = (char *)"vfprintf";
    options[3].extraInfo = (void *)lb_jvm_vfprintf;
    for (size_t i = 0; i < cfg->option_count; ++i)
        options[LB_JVM_FIXED_OPTIONS + i].optionString = (char *)cfg->options[i];
    JavaVMInitArgs args = {
        .version = JNI_VERSION_21,
        .nOptions = (jint)count,
        .options = options,
        .ignoreUnrecognized = JNI_FALSE,
    };
    JavaVM *vm = NULL;
    lb_jvm_said[0] = '\0';
    jint rc = create(&vm, (void **)env, &args);
    free(class_path);
    free(options);
    if (rc != JNI_OK)
        return lb_jvm_fail(LB_JVM_CREATE_FAILED, err, errlen,
                           "JNI_CreateJavaVM(%s) failed with %d: %s", cfg->java_home, (int)rc,
                           lb_jvm_said[0] ? lb_jvm_said : "see stderr");
    lb_jvm_sigbus_saved = sigaction(SIGBUS, NULL, &lb_jvm_sigbus) == 0;
    return LB_JVM_OK;
}

/* The JVM this process already created (after a reload of the glue without -z nodelete). */
static JNIEnv *lb_jvm_attach_existing(void *libjvm) {
    lb_created_vms_fn created = (lb_created_vms_fn)dlsym(libjvm, "JNI_GetCreatedJavaVMs");
    JavaVM *vm = NULL;
    jsize count = 0;
    if (created == NULL || created(&vm, 1, &count) != JNI_OK || count < 1) return NULL;
    JNIEnv *env = NULL;
    if ((*vm)->AttachCurrentThread(vm, (void **)&env, NULL) != JNI_OK) return NULL;
    return env;
}

static lb_jvm_status lb_jvm_start_locked(const lb_jvm_config *cfg, const lb_native_api *native_api,
                                         const lb_java_api **java_api, char *err, size_t errlen) {
    if (lb_jvm_java_api != NULL) {
        *java_api = lb_jvm_java_api;
        return LB_JVM_OK;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/lib/server/libjvm.so", cfg->java_home);
    void *libjvm = dlopen(path, RTLD_NOW | RTLD_LOCAL); /* never closed: the JVM lives until exit */
    if (libjvm == NULL)
        return lb_jvm_fail(LB_JVM_NO_LIBJVM, err, errlen, "cannot load %s: %s", path, dlerror());
    JNIEnv *env = lb_jvm_attach_existing(libjvm);
    if (env == NULL) {
        lb_jvm_status created = lb_jvm_create(libjvm, cfg, &env, err, errlen);
        if (created != LB_JVM_OK) return created;
    }
    lb_jvm_status booted = lb_jvm_bootstrap(env, cfg, native_api, java_api, err, errlen);
    if (booted == LB_JVM_OK) lb_jvm_java_api = *java_api;
    return booted;
}

lb_jvm_status lb_jvm_start(const lb_jvm_config *cfg, const lb_native_api *native_api,
                           const lb_java_api **java_api, char *err, size_t errlen) {
    pthread_mutex_lock(&lb_jvm_lock);
    lb_jvm_status status = lb_jvm_start_locked(cfg, native_api, java_api, err, errlen);
    pthread_mutex_unlock(&lb_jvm_lock);
    if (status == LB_JVM_OK) err[0] = '\0';
    return status;
}

void lb_jvm_restore_signal_handlers(void) {
    if (lb_jvm_sigbus_saved) sigaction(SIGBUS, &lb_jvm_sigbus, NULL);
}
