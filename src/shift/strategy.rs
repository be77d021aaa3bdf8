//! Rollout strategies: the canary weights a rollout moves through.

/// How the canary's weight (the `--to` destination's percentage) moves.
#[derive(Debug, Clone, PartialEq)]
pub enum Strategy {
    /// `--step N`: N percentage points at a time.
    Step(u32),
    /// `--steps LIST`, Flagger's `stepWeights` and Argo Rollouts'
    /// `setWeight` steps: these weights in turn, then 100.
    Weights(Vec<u32>),
    /// Flagger's `stepWeight`/`maxWeight`: step, 2×step, ... up to the first
    /// weight at or above maxWeight (which may overshoot it: 20/50 gives 20,
    /// 40, 60), then promotion.
    Flagger { step_weight: u32, max_weight: u32 },
    /// All traffic to the canary.
    Promote,
    /// All traffic back to the stable destination.
    Rollback,
    /// Blue/green: all traffic flips to the other destination.
    Switch,
}

impl Strategy {
    /// The canary weights still to come from `current`, the last being 100
    /// (0 for a rollback).
    pub fn schedule(&self, current: u32) -> Vec<u32> {
        let ahead = |weights: Vec<u32>| -> Vec<u32> {
            let mut out: Vec<u32> = weights
                .into_iter()
                .map(|w| w.min(100))
                .filter(|&w| w > current)
                .collect();
            out.dedup();
            if current < 100 && out.last() != Some(&100) {
                out.push(100);
            }
            out
        };
        match self {
            Strategy::Step(n) => {
                let n = (*n).max(1);
                ahead(
                    (1..)
                        .map(|k| current + k * n)
                        .take_while(|w| w - n < 100)
                        .collect(),
                )
            }
            Strategy::Weights(list) => ahead(list.clone()),
            Strategy::Flagger {
                step_weight,
                max_weight,
            } => {
                let step = (*step_weight).max(1);
                let mut weights = Vec::new();
                let mut w = step;
                loop {
                    weights.push(w);
                    if w >= *max_weight || w >= 100 {
                        break;
                    }
                    w += step;
                }
                ahead(weights)
            }
            Strategy::Promote | Strategy::Switch => ahead(vec![100]),
            Strategy::Rollback if current > 0 => vec![0],
            Strategy::Rollback => Vec::new(),
        }
    }

    /// The next canary weight, or `None` when there is nothing left to do.
    pub fn next(&self, current: u32) -> Option<u32> {
        self.schedule(current).first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flagger_overshoots_max_weight_then_promotes() {
        // Flagger docs (rollout weights): maxWeight 50, stepWeight 20 runs
        // 20, 40, 60, then promotes.
        let s = Strategy::Flagger {
            step_weight: 20,
            max_weight: 50,
        };
        assert_eq!(s.schedule(0), [20, 40, 60, 100]);
        assert_eq!(s.schedule(40), [60, 100]);
        let exact = Strategy::Flagger {
            step_weight: 10,
            max_weight: 50,
        };
        assert_eq!(exact.schedule(0), [10, 20, 30, 40, 50, 100]);
    }

    #[test]
    fn lists_steps_and_the_one_shot_strategies() {
        assert_eq!(
            Strategy::Weights(vec![1, 5, 10, 25, 50]).schedule(5),
            [10, 25, 50, 100]
        );
        assert_eq!(Strategy::Step(30).schedule(10), [40, 70, 100]);
        assert_eq!(Strategy::Step(10).next(95), Some(100));
        assert_eq!(Strategy::Promote.next(100), None);
        assert_eq!(Strategy::Rollback.schedule(40), [0]);
        assert_eq!(Strategy::Switch.next(0), Some(100));
    }
}
