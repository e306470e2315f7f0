//! Samples → the figures the report shows: median, min, max, percentiles.

/// Median, min and max of some samples.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Finite samples counted.
    pub n: usize,
}

impl Stats {
    /// The figures of `samples`, non-finite ones ignored (all `NaN` when none is left).
    pub fn of(samples: &[f64]) -> Stats {
        let v = sorted_finite(samples);
        Stats {
            median: median(&v),
            min: v.first().copied().unwrap_or(f64::NAN),
            max: v.last().copied().unwrap_or(f64::NAN),
            n: v.len(),
        }
    }

    /// `f` applied to every figure (a monotonic map, e.g. time → throughput, swaps min/max when
    /// decreasing).
    pub fn map(self, f: impl Fn(f64) -> f64) -> Stats {
        let (a, b) = (f(self.min), f(self.max));
        Stats {
            median: f(self.median),
            min: a.min(b),
            max: a.max(b),
            n: self.n,
        }
    }
}

/// The finite samples, ascending.
fn sorted_finite(samples: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The median of sorted samples (the mean of the middle two for an even count).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max_ignore_non_finite() {
        let s = Stats::of(&[3.0, f64::NAN, 1.0, 2.0, f64::INFINITY]);
        assert_eq!((s.median, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
        let s = Stats::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(s.median, 2.5);
    }

    #[test]
    fn no_samples_is_nan() {
        let s = Stats::of(&[]);
        assert!(s.median.is_nan() && s.min.is_nan() && s.max.is_nan());
        assert_eq!(s.n, 0);
    }

    #[test]
    fn decreasing_map_swaps_min_and_max() {
        let s = Stats::of(&[1.0, 2.0, 4.0]).map(|x| 1.0 / x);
        assert_eq!((s.median, s.min, s.max), (0.5, 0.25, 1.0));
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert!(percentile(&[], 50.0).is_nan());
    }
}
