package io.lightbridge.acl;

import io.lightbridge.auth.Principal;

/** Decides whether a principal may perform an action on a resource. Default deny. Thread-safe. */
@FunctionalInterface
public interface Authorizer {
    Decision decide(Principal principal, Action action, String resource);
}
