//! CPU work of link discovery spread over the cores.

/// Runs `f` on contiguous parts of `0..n`, one per core, and returns the
/// results in order (CPU work: link discovery must use both cores).
pub(super) fn par_ranges<T: Send>(
    n: usize,
    f: impl Fn(std::ops::Range<usize>) -> T + Sync,
) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n.max(1));
    let chunk = n.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                scope.spawn(move || f(t * chunk..((t + 1) * chunk).min(n)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("link worker panicked"))
            .collect()
    })
}
