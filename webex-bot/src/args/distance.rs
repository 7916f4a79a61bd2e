//! How far apart two words are: for "did you mean" suggestions.

/// Levenshtein distance over chars, or `limit + 1` as soon as it must exceed `limit`; no
/// allocation for words under 32 characters.
pub(crate) fn bounded_edit_distance(a: &str, b: &str, limit: usize) -> usize {
    const N: usize = 32;
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la >= N || lb >= N {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        let mut cur = vec![0; b.len() + 1];
        for (i, ca) in a.chars().enumerate() {
            cur[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        return prev[b.len()];
    }
    let mut bc = ['\0'; N];
    for (i, c) in b.chars().enumerate() {
        bc[i] = c;
    }
    let mut prev = [0usize; N + 1];
    let mut cur = [0usize; N + 1];
    for (j, p) in prev.iter_mut().enumerate().take(lb + 1) {
        *p = j;
    }
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for j in 0..lb {
            cur[j + 1] = (prev[j] + usize::from(ca != bc[j]))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        // Distances only grow from here: past `limit` the word cannot be a typo.
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[lb]
}

/// The Levenshtein distance between two words, counted in characters: how many single
/// insertions, deletions or substitutions turn `a` into `b`. The command table uses it for
/// "did you mean"; bots use it to tolerate typos in free text.
///
/// ```
/// use webex_bot::args::edit_distance;
/// assert_eq!(edit_distance("fnd", "find"), 1);
/// assert_eq!(edit_distance("cancle", "cancel"), 2);
/// assert_eq!(edit_distance("héllo", "hello"), 1);
/// ```
pub fn edit_distance(a: &str, b: &str) -> usize {
    bounded_edit_distance(a, b, usize::MAX - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(bounded_edit_distance("fnd", "find", 9), 1);
        assert_eq!(bounded_edit_distance("", "abc", 9), 3);
        assert_eq!(bounded_edit_distance("héllo", "hello", 9), 1);
        assert_eq!(bounded_edit_distance("something", "word198", 3), 4);
        let long = "x".repeat(40);
        assert_eq!(bounded_edit_distance(&long, &format!("{long}y"), 99), 1);
    }
}
