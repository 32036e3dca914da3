package io.lightbridge.bench.jmh;

import io.lightbridge.acl.Action;
import io.lightbridge.acl.Callers;
import io.lightbridge.acl.Decision;
import io.lightbridge.acl.Effect;
import io.lightbridge.acl.Policy;
import io.lightbridge.acl.PolicyConfig;
import io.lightbridge.acl.RuleConfig;
import io.lightbridge.auth.Principal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One ACL decision against 1,000 rules. "realistic": 300 models, 700 exact-name grants to 100 team groups,
 * 200 family globs, 100 deny rules by claim; the caller holds 12 groups. "worstCase": 1,000 rules all on "*",
 * none matching the caller, so every rule's callers are checked (a policy nobody should write; shown for the bound).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AclDecisionBenchmark {

    private Policy realistic;
    private Policy worstCase;
    private Principal member;
    private Principal stranger;

    @Setup
    public void setUp() {
        var rules = new ArrayList<RuleConfig>();
        for (int i = 0; i < 700; i++) {
            rules.add(new RuleConfig("grant-" + i, Effect.ALLOW, List.of(Action.INFER, Action.METADATA),
                    List.of("model-" + (i % 300)), groups("team-" + (i % 100))));
        }
        for (int i = 0; i < 200; i++) {
            rules.add(new RuleConfig("family-" + i, Effect.ALLOW, List.of(Action.INFER),
                    List.of("family-" + i + "-*"), groups("family-team-" + i)));
        }
        for (int i = 0; i < 100; i++) {
            rules.add(new RuleConfig("deny-" + i, Effect.DENY, List.of(Action.INFER, Action.METADATA, Action.ADMIN),
                    List.of("model-" + (i * 3)), new Callers(null, null, null, null, null, null,
                    Map.of("employment", List.of("suspended-" + i)))));
        }
        realistic = Policy.compile(new PolicyConfig(rules, null));

        var star = new ArrayList<RuleConfig>();
        for (int i = 0; i < 1000; i++) {
            star.add(new RuleConfig("star-" + i, Effect.ALLOW, List.of(Action.INFER), List.of("*"), groups("g-" + i)));
        }
        worstCase = Policy.compile(new PolicyConfig(star, null));

        var memberGroups = new HashSet<String>();
        for (int i = 0; i < 11; i++) {
            memberGroups.add("unrelated-" + i);
        }
        memberGroups.add("team-42");
        member = new Principal("dana", "https://idp", "web", memberGroups, Set.of("user"), Set.of("openid", "profile"),
                "jti", null, Map.of("employment", "staff"));
        stranger = new Principal("eve", "https://idp", "web", Set.of("nobody"), Set.of(), Set.of(), "jti", null,
                Map.of("employment", "staff"));
        if (!realistic.decide(member, Action.INFER, "model-42").allowed()
                || worstCase.decide(stranger, Action.INFER, "x").allowed()) {
            throw new IllegalStateException("benchmark policy does not decide as intended");
        }
    }

    private static Callers groups(String group) {
        return new Callers(null, null, null, List.of(group), null, null, null);
    }

    @Benchmark
    public Decision realisticAllow() {
        return realistic.decide(member, Action.INFER, "model-42");
    }

    @Benchmark
    public Decision realisticDenyRuleCheckedThenDefaultDeny() {
        return realistic.decide(member, Action.INFER, "model-45");
    }

    @Benchmark
    public Decision realisticGlobFamily() {
        return realistic.decide(member, Action.INFER, "family-17-churn");
    }

    @Benchmark
    public Decision realisticDefaultDeny() {
        return realistic.decide(stranger, Action.INFER, "model-42");
    }

    @Benchmark
    public Decision worstCaseAllRulesOnStar() {
        return worstCase.decide(stranger, Action.INFER, "any-model");
    }
}
