//! Envoy's retry decision (§4.1): which try results a `retryOn` list retries,
//! and the fully jittered exponential back-off.

use rand::{Rng, RngExt};

use crate::route::decision::RetryPolicy as RouteRetryPolicy;

/// How one try ended, as the router's retry state sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryResult {
    /// The upstream answered with this status.
    Response(u16),
    /// The connection was refused or timed out (UF).
    ConnectFailure,
    /// The per-try timeout expired (UT).
    PerTryTimeout,
}

const ON_5XX: u16 = 1;
const ON_GATEWAY_ERROR: u16 = 1 << 1;
const ON_RESET: u16 = 1 << 2;
const ON_CONNECT_FAILURE: u16 = 1 << 3;
const ON_RETRIABLE_4XX: u16 = 1 << 4;
const ON_STATUS_CODES: u16 = 1 << 5;

/// The retry policy of a route, compiled.
#[derive(Debug, Clone, Default)]
pub struct RetryRule {
    /// Retries after the first try.
    pub attempts: u32,
    on: u16,
    /// `retriable-status-codes`: numeric tokens of retryOn.
    codes: Vec<u16>,
    pub backoff_base_ms: u64,
    /// Whether re-picks avoid hosts already tried (`previous_hosts`).
    pub previous_hosts: bool,
}

impl RetryRule {
    /// Compiles the policy routing computed (Istio's default when the route has none).
    /// Tokens that only concern HTTP/2 or gRPC (refused-stream, unavailable,
    /// cancelled, ...) never match an HTTP/1.1 response here.
    pub fn new(policy: &RouteRetryPolicy, backoff_ms: u64) -> RetryRule {
        let mut on = 0;
        let mut codes = Vec::new();
        for token in policy.retry_on.split(',').map(str::trim) {
            on |= match token {
                "5xx" => ON_5XX,
                "gateway-error" => ON_GATEWAY_ERROR,
                "reset" => ON_RESET,
                "connect-failure" => ON_CONNECT_FAILURE,
                "retriable-4xx" => ON_RETRIABLE_4XX,
                "retriable-status-codes" => ON_STATUS_CODES,
                code => {
                    // Istio turns numeric tokens into retriable status codes.
                    if let Ok(c) = code.parse::<u16>() {
                        codes.push(c);
                        ON_STATUS_CODES
                    } else {
                        0
                    }
                }
            };
        }
        RetryRule {
            // A request counts its tries in 16 bits; no real policy comes near.
            attempts: policy.attempts.min(u32::from(u16::MAX) - 1),
            on,
            codes,
            backoff_base_ms: backoff_ms.max(1),
            previous_hosts: policy.avoid_previous_hosts,
        }
    }

    /// Whether retryOn covers this result (Envoy's wouldRetryFromHeaders / FromReset).
    pub fn retries(&self, result: TryResult) -> bool {
        let on = |bit: u16| self.on & bit != 0;
        match result {
            TryResult::ConnectFailure => {
                on(ON_CONNECT_FAILURE) || on(ON_5XX) || on(ON_GATEWAY_ERROR) || on(ON_RESET)
            }
            TryResult::PerTryTimeout => on(ON_5XX) || on(ON_GATEWAY_ERROR) || on(ON_RESET),
            TryResult::Response(status) => {
                (on(ON_5XX) && status >= 500)
                    || (on(ON_GATEWAY_ERROR) && matches!(status, 502..=504))
                    || (on(ON_RETRIABLE_4XX) && status == 409)
                    || (on(ON_STATUS_CODES) && self.codes.contains(&status))
            }
        }
    }

    /// The wait before retry `n` (1-based) in nanoseconds: Envoy's
    /// JitteredExponentialBackOffStrategy draws `random % interval`, where the
    /// interval starts at base and doubles per retry up to 10 × base (§4.1).
    pub fn backoff<R: Rng + ?Sized>(&self, n: u32, rng: &mut R) -> u64 {
        let max = self.backoff_base_ms * 10;
        let doublings = n.saturating_sub(1).min(32);
        let interval = (self.backoff_base_ms << doublings).min(max).max(1);
        rng.random_range(0..interval) * 1_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::table::{DEFAULT_ATTEMPTS, DEFAULT_RETRY_ON};

    fn rule(retry_on: &str) -> RetryRule {
        RetryRule::new(
            &RouteRetryPolicy {
                attempts: 2,
                retry_on: retry_on.into(),
                per_try_timeout: None,
                backoff: crate::route::table::DEFAULT_BACKOFF,
                avoid_previous_hosts: true,
                mesh_default: false,
            },
            25,
        )
    }

    #[test]
    fn istio_default_policy_retries_connect_failures_but_not_503() {
        // §4.1 / §6.1: connect-failure,refused-stream,unavailable,cancelled,
        // retriable-status-codes (no codes listed).
        let r = rule(DEFAULT_RETRY_ON);
        assert_eq!(r.attempts, DEFAULT_ATTEMPTS);
        assert!(r.retries(TryResult::ConnectFailure));
        assert!(!r.retries(TryResult::Response(503)));
        assert!(!r.retries(TryResult::Response(500)));
        assert!(!r.retries(TryResult::PerTryTimeout));
    }

    #[test]
    fn retry_tokens_cover_what_envoy_documents() {
        assert!(rule("5xx").retries(TryResult::Response(500)));
        assert!(rule("5xx").retries(TryResult::PerTryTimeout));
        assert!(rule("5xx").retries(TryResult::ConnectFailure));
        assert!(!rule("gateway-error").retries(TryResult::Response(500)));
        assert!(rule("gateway-error").retries(TryResult::Response(503)));
        assert!(rule("reset").retries(TryResult::PerTryTimeout));
        assert!(!rule("reset").retries(TryResult::Response(503)));
        assert!(!rule("connect-failure").retries(TryResult::PerTryTimeout));
        assert!(rule("retriable-4xx").retries(TryResult::Response(409)));
        assert!(!rule("retriable-4xx").retries(TryResult::Response(404)));
        assert!(rule("503").retries(TryResult::Response(503)));
        assert!(!rule("503").retries(TryResult::Response(502)));
        assert!(!rule("retriable-status-codes").retries(TryResult::Response(503)));
    }

    #[test]
    fn backoff_draws_retry_n_below_base_times_two_to_the_n_minus_one_capped_at_ten_times_base() {
        // Envoy's JitteredExponentialBackOffStrategy with base 25 ms: the
        // intervals are 25, 50, 100, 200, then 250 ms (max = 10 × base).
        use rand::SeedableRng;
        let r = rule("5xx");
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        for (n, bound) in [(1, 25), (2, 50), (3, 100), (4, 200), (5, 250), (9, 250)] {
            let waits: Vec<u64> = (0..2000)
                .map(|_| r.backoff(n, &mut rng) / 1_000_000)
                .collect();
            let top = waits.iter().max().copied().unwrap_or(0);
            assert!(top < bound, "retry {n}: {top} ms");
            assert!(
                top + 2 >= bound,
                "retry {n} never came near {bound} ms: {top}"
            );
        }
    }
}
