//! Envoy's weighted-cluster choice (§3): shares are weight / Σweights, zero
//! weights are dropped, a lone destination takes everything, and the pick is
//! one uniform draw in [0, Σw) walked cumulatively.

/// Shares of each entry, in order; entries with weight 0 get 0.
pub fn shares(weights: &[u32]) -> Vec<f64> {
    if weights.len() == 1 {
        return vec![1.0];
    }
    let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    weights
        .iter()
        .map(|w| {
            if total == 0 {
                0.0
            } else {
                f64::from(*w) / total as f64
            }
        })
        .collect()
}

/// The entry a uniform draw `draw` in [0, 1) selects.
pub fn pick(weights: &[u32], draw: f64) -> Option<usize> {
    if weights.len() == 1 {
        return Some(0);
    }
    let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let target = (draw * total as f64) as u64;
    let mut acc = 0u64;
    for (i, w) in weights.iter().enumerate() {
        acc += u64::from(*w);
        if target < acc {
            return Some(i);
        }
    }
    weights.iter().rposition(|w| *w > 0)
}

/// What a destination with `share` of the traffic sees when requests arrive
/// as a Poisson stream of `rate` per second over `window` seconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SplitPreview {
    pub expected: f64,
    /// Central 95 % interval of the count.
    pub low: u64,
    pub high: u64,
    /// Probability that the destination gets no request at all.
    pub p_none: f64,
}

/// The Poisson count of requests a destination gets (thinning a Poisson
/// stream by the split keeps it Poisson with mean rate·window·share).
pub fn preview(share: f64, rate: f64, window: f64) -> SplitPreview {
    let mean = share * rate * window;
    let (low, high) = poisson_interval(mean);
    SplitPreview {
        expected: mean,
        low,
        high,
        p_none: (-mean).exp(),
    }
}

/// The 2.5 % and 97.5 % quantiles of Poisson(mean): exact by summing the
/// pmf for moderate means, normal with continuity correction beyond.
fn poisson_interval(mean: f64) -> (u64, u64) {
    if mean <= 0.0 {
        return (0, 0);
    }
    if mean > 1000.0 {
        let sd = mean.sqrt();
        return (
            (mean - 1.96 * sd - 0.5).floor().max(0.0) as u64,
            (mean + 1.96 * sd + 0.5).ceil() as u64,
        );
    }
    let mut pmf = (-mean).exp();
    let mut cdf = pmf;
    let mut k = 0u64;
    let mut low = None;
    loop {
        if low.is_none() && cdf >= 0.025 {
            low = Some(k);
        }
        if cdf >= 0.975 {
            return (low.unwrap_or(k), k);
        }
        k += 1;
        pmf *= mean / k as f64;
        cdf += pmf;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_proportional_and_zero_weights_get_nothing() {
        // §3: no Σ=100 requirement; share = w/Σw.
        assert_eq!(shares(&[1, 3]), vec![0.25, 0.75]);
        assert_eq!(shares(&[0, 50]), vec![0.0, 1.0]);
        // A lone destination gets 100 % whatever its weight, 0 included.
        assert_eq!(shares(&[0]), vec![1.0]);
        assert_eq!(pick(&[0], 0.7), Some(0));
        assert_eq!(pick(&[90, 10], 0.0), Some(0));
        assert_eq!(pick(&[90, 10], 0.9), Some(1));
        assert_eq!(pick(&[0, 10], 0.0), Some(1));
        assert_eq!(pick(&[0, 0], 0.5), None);
    }

    #[test]
    fn picks_converge_to_the_weights() {
        // A property over many weight vectors: with evenly spaced draws the
        // count of each entry is within 1 of N·share.
        let n = 10_000;
        for weights in [
            vec![90, 10],
            vec![1, 1, 1],
            vec![5, 0, 15],
            vec![33, 33, 34],
            vec![999_999, 1],
        ] {
            let mut counts = vec![0usize; weights.len()];
            for k in 0..n {
                counts[pick(&weights, (k as f64 + 0.5) / n as f64).unwrap()] += 1;
            }
            for (count, share) in counts.iter().zip(shares(&weights)) {
                assert!(
                    (*count as f64 - share * n as f64).abs() <= 1.0,
                    "{weights:?}: {counts:?}"
                );
            }
        }
    }

    #[test]
    fn a_small_canary_can_see_no_traffic() {
        // 10 % of 1 request/s for 10 s: mean 1, P(none) = e^-1.
        let p = preview(0.1, 1.0, 10.0);
        assert!((p.expected - 1.0).abs() < 1e-9);
        assert!((p.p_none - (-1.0f64).exp()).abs() < 1e-12);
        // Poisson(1): P(X ≤ 0) = 0.368 ≥ 0.025 and P(X ≤ 3) = 0.981 ≥ 0.975.
        assert_eq!((p.low, p.high), (0, 3));
        let big = preview(0.5, 100.0, 60.0);
        assert!(big.low < 3000 && big.high > 3000 && big.p_none < 1e-100);
    }
}
