//! `*` / `?` glob matching as IAM does it, in linear time, without recursion, and without
//! allocation in the common case.
//!
//! Patterns are sequences of [`Tok`]; a plain pattern string is read through [`Plain`] so the
//! common case (no policy variables) allocates nothing.
//!
//! # Why linear
//!
//! The classic greedy matcher with one backtrack point is O(pattern × text): a pattern that
//! nearly matches (`arn:aws:s3:::*aaaa…ab` against `arn:aws:s3:::aaaa…a`) retries the segment
//! after the `*` at every text position. Here the pattern is split at its `*`s instead:
//!
//! - the first segment must match as a prefix, the last one as a suffix (each O(segment));
//! - the segments in between are found leftmost-first, in order, each search starting where
//!   the previous match ended. Taking the leftmost match is always right for a glob (it leaves
//!   the most text for what follows), so nothing is ever retried;
//! - a segment without `?` is found with `str::find` (two-way string matching: O(text +
//!   segment), no worst case);
//! - a segment with `?` is found with shift-and (bitap) over `u64` words, `?` being a
//!   position every character satisfies: O(text × ⌈segment / 64⌉). Masks are dense for the
//!   characters that occur at least ⌈segment / 64⌉ times in the segment (at most 64 of them)
//!   and position lists for the others, so building them is O(segment) in time and memory.
//!
//! A match therefore costs O(pattern + text × ⌈longest `?` segment / 64⌉), and O(pattern +
//! text) for every pattern without a `?` between two `*`s. Semantics are those of the
//! backtracking matcher it replaced (a property test compares them): `?` is one character
//! (not one byte), `*` any run of characters, case folding (when asked) is ASCII only, which
//! is what IAM does for action names.

/// One pattern token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// A literal byte (UTF-8 bytes of the pattern; a `${*}` variable yields a literal `*`).
    Lit(u8),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
}

/// How a pattern is held.
pub enum View<'a> {
    /// A string where every `*` and `?` is a wildcard.
    Plain(&'a str),
    /// Tokens (policy variables substituted): a literal `*` or `?` is `Tok::Lit`.
    Tokens(&'a [Tok]),
}

/// Something that can be read as a token sequence.
pub trait Pattern {
    fn tok_len(&self) -> usize;
    fn tok(&self, i: usize) -> Tok;
    /// The pattern as the matcher reads it.
    fn view(&self) -> View<'_>;
}

/// A pattern string where `*` and `?` are wildcards and nothing is escaped.
pub struct Plain<'a>(pub &'a str);

impl Pattern for Plain<'_> {
    fn tok_len(&self) -> usize {
        self.0.len()
    }
    fn tok(&self, i: usize) -> Tok {
        match self.0.as_bytes().get(i) {
            Some(b'*') => Tok::Star,
            Some(b'?') => Tok::One,
            Some(b) => Tok::Lit(*b),
            None => Tok::Lit(0),
        }
    }
    fn view(&self) -> View<'_> {
        View::Plain(self.0)
    }
}

impl Pattern for [Tok] {
    fn tok_len(&self) -> usize {
        self.len()
    }
    fn tok(&self, i: usize) -> Tok {
        self.get(i).copied().unwrap_or(Tok::Lit(0))
    }
    fn view(&self) -> View<'_> {
        View::Tokens(self)
    }
}

/// Texts and patterns up to this many bytes are case-folded on the stack.
const FOLD_ON_STACK: usize = 256;

/// Does `text` match `pattern` entirely? `ignore_case` folds ASCII only, which is what IAM does
/// for action names (all ASCII).
///
/// Token patterns are matched as the UTF-8 text they spell (their literal bytes come from
/// strings: the policy and the substituted values); tokens whose literal bytes are not UTF-8
/// match nothing.
pub fn matches<P: Pattern + ?Sized>(pattern: &P, text: &str, ignore_case: bool) -> bool {
    let mut text_stack = [0u8; FOLD_ON_STACK];
    let mut text_heap = String::new();
    let text = if ignore_case {
        fold(text, &mut text_stack, &mut text_heap)
    } else {
        text
    };
    match pattern.view() {
        View::Plain(p) => {
            let mut stack = [0u8; FOLD_ON_STACK];
            let mut heap = String::new();
            let p = if ignore_case {
                fold(p, &mut stack, &mut heap)
            } else {
                p
            };
            glob_core(p, |_| true, text)
        }
        View::Tokens(toks) => {
            let bytes: Vec<u8> = toks
                .iter()
                .map(|t| match t {
                    Tok::Lit(b) => *b,
                    Tok::Star => b'*',
                    Tok::One => b'?',
                })
                .collect();
            let Ok(mut p) = String::from_utf8(bytes) else {
                return false;
            };
            if ignore_case {
                p.make_ascii_lowercase();
            }
            // One token per byte, so a byte's index is its token's.
            let wild = |i: usize| matches!(toks.get(i), Some(Tok::Star | Tok::One));
            glob_core(&p, wild, text)
        }
    }
}

/// ASCII-lowercase `s`, on the stack when it is short, borrowed when there is nothing to fold.
fn fold<'a>(s: &'a str, stack: &'a mut [u8; FOLD_ON_STACK], heap: &'a mut String) -> &'a str {
    if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        return s;
    }
    if let Some(buf) = stack.get_mut(..s.len()) {
        buf.copy_from_slice(s.as_bytes());
        buf.make_ascii_lowercase();
        // ASCII folding keeps UTF-8 valid: this always succeeds.
        if let Ok(folded) = std::str::from_utf8(buf) {
            return folded;
        }
    }
    *heap = s.to_ascii_lowercase();
    heap
}

/// One segment of a pattern (the text between two `*`s): its bytes, and where they start in
/// the pattern (to ask `wild` whether a `?` in it is a wildcard).
#[derive(Clone, Copy)]
struct Seg<'a> {
    s: &'a str,
    at: usize,
}

/// A segment's unit: a character, or `?` (any one character).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    Char(char),
    Any,
}

impl<'a> Seg<'a> {
    fn has_any<W: Fn(usize) -> bool>(&self, wild: &W) -> bool {
        self.s
            .bytes()
            .enumerate()
            .any(|(i, b)| b == b'?' && wild(self.at + i))
    }

    fn items<W: Fn(usize) -> bool>(
        &self,
        wild: &'a W,
    ) -> impl DoubleEndedIterator<Item = Item> + 'a {
        let at = self.at;
        self.s.char_indices().map(move |(i, c)| {
            if c == '?' && wild(at + i) {
                Item::Any
            } else {
                Item::Char(c)
            }
        })
    }
}

/// The whole match: `p` and `t` are already case-folded when folding is asked for; `wild(i)`
/// says whether the `*` or `?` at byte `i` of `p` is a wildcard.
fn glob_core<W: Fn(usize) -> bool>(p: &str, wild: W, t: &str) -> bool {
    let bytes = p.as_bytes();
    let star_at = |i: usize| bytes.get(i) == Some(&b'*') && wild(i);
    let Some(first) = (0..bytes.len()).find(|&i| star_at(i)) else {
        // No `*`: the one segment is the whole text.
        return prefix(Seg { s: p, at: 0 }, t, &wild) == Some(t.len());
    };
    let Some(last) = (first..bytes.len()).rev().find(|&i| star_at(i)) else {
        return false;
    };
    let (Some(head), Some(tail)) = (p.get(..first), p.get(last + 1..)) else {
        return false;
    };
    let Some(mut pos) = prefix(Seg { s: head, at: 0 }, t, &wild) else {
        return false;
    };
    let mut i = first + 1;
    while i < last {
        let end = (i..last).find(|&j| star_at(j)).unwrap_or(last);
        if end > i {
            let Some(s) = p.get(i..end) else {
                return false;
            };
            match find(Seg { s, at: i }, t, pos, &wild) {
                Some(after) => pos = after,
                None => return false,
            }
        }
        i = end + 1;
    }
    let Some(rest) = t.get(pos..) else {
        return false;
    };
    suffix(
        Seg {
            s: tail,
            at: last + 1,
        },
        rest,
        &wild,
    )
}

/// Match `seg` at the start of `t`: the byte offset where the match ends.
fn prefix<W: Fn(usize) -> bool>(seg: Seg<'_>, t: &str, wild: &W) -> Option<usize> {
    if !seg.has_any(wild) {
        return t.starts_with(seg.s).then_some(seg.s.len());
    }
    let mut chars = t.char_indices();
    let mut end = 0;
    for item in seg.items(wild) {
        let (i, c) = chars.next()?;
        if item != Item::Any && item != Item::Char(c) {
            return None;
        }
        end = i + c.len_utf8();
    }
    Some(end)
}

/// Does `seg` match the end of `t`?
fn suffix<W: Fn(usize) -> bool>(seg: Seg<'_>, t: &str, wild: &W) -> bool {
    if !seg.has_any(wild) {
        return t.ends_with(seg.s);
    }
    let mut chars = t.chars().rev();
    seg.items(wild).rev().all(|item| match chars.next() {
        Some(c) => item == Item::Any || item == Item::Char(c),
        None => false,
    })
}

/// Leftmost match of `seg` in `t` at or after byte `from`: the byte offset where it ends.
fn find<W: Fn(usize) -> bool>(seg: Seg<'_>, t: &str, from: usize, wild: &W) -> Option<usize> {
    let rest = t.get(from..)?;
    if !seg.has_any(wild) {
        return rest.find(seg.s).map(|i| from + i + seg.s.len());
    }
    Bitap::new(seg.items(wild)).find(rest).map(|end| from + end)
}

/// Where a character's positions in a `?` segment are kept.
#[derive(Clone, Copy)]
enum Masks {
    /// `words` words at this offset of `Bitap::dense`.
    Dense(usize),
    /// This range of `Bitap::sparse` (positions).
    Sparse(usize, usize),
}

/// Shift-and over a segment with `?`: bit `j` of the state says the first `j + 1` items match
/// the text ending at the current character.
struct Bitap {
    len: usize,
    words: usize,
    /// The positions of `?`: every character satisfies them.
    any: Vec<u64>,
    /// The segment's characters, sorted, with their positions.
    table: Vec<(char, Masks)>,
    dense: Vec<u64>,
    sparse: Vec<usize>,
}

impl Bitap {
    fn new(items: impl Iterator<Item = Item>) -> Bitap {
        let mut len = 0;
        let mut any_at = Vec::new();
        let mut chars: Vec<(char, usize)> = Vec::new();
        for (j, item) in items.enumerate() {
            len = j + 1;
            match item {
                Item::Any => any_at.push(j),
                Item::Char(c) => chars.push((c, j)),
            }
        }
        let words = len.div_ceil(64).max(1);
        let mut any = vec![0u64; words];
        for j in any_at {
            set_bit(&mut any, j);
        }
        chars.sort_unstable();
        let mut table = Vec::new();
        let mut dense = Vec::new();
        let mut sparse = Vec::new();
        for group in chars.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(c, _)) = group.first() else {
                continue;
            };
            // Dense only for characters frequent enough to pay for `words` words: at most 64
            // of them, so the masks take O(segment) memory in all.
            if group.len() >= words {
                let at = dense.len();
                dense.resize(at + words, 0);
                if let Some(mask) = dense.get_mut(at..) {
                    for &(_, j) in group {
                        set_bit(mask, j);
                    }
                }
                table.push((c, Masks::Dense(at)));
            } else {
                let at = sparse.len();
                sparse.extend(group.iter().map(|&(_, j)| j));
                table.push((c, Masks::Sparse(at, sparse.len())));
            }
        }
        Bitap {
            len,
            words,
            any,
            table,
            dense,
            sparse,
        }
    }

    /// Leftmost match in `t`: the byte offset where it ends.
    fn find(&self, t: &str) -> Option<usize> {
        if self.len == 0 {
            return Some(0);
        }
        let last = self.len - 1;
        let mut state = vec![0u64; self.words];
        let mut shifted = vec![0u64; self.words];
        for (i, c) in t.char_indices() {
            let mut carry = 1u64;
            for (s, d) in shifted.iter_mut().zip(&state) {
                *s = (d << 1) | carry;
                carry = d >> 63;
            }
            let masks = self
                .table
                .binary_search_by_key(&c, |e| e.0)
                .ok()
                .and_then(|k| self.table.get(k))
                .map(|e| e.1);
            let dense = match masks {
                Some(Masks::Dense(at)) => self.dense.get(at..at + self.words),
                _ => None,
            };
            match dense {
                Some(m) => {
                    for (((d, s), a), m) in state.iter_mut().zip(&shifted).zip(&self.any).zip(m) {
                        *d = s & (a | m);
                    }
                }
                None => {
                    for ((d, s), a) in state.iter_mut().zip(&shifted).zip(&self.any) {
                        *d = s & a;
                    }
                }
            }
            if let Some(Masks::Sparse(from, to)) = masks {
                for &j in self.sparse.get(from..to).unwrap_or_default() {
                    if bit(&shifted, j) {
                        set_bit(&mut state, j);
                    }
                }
            }
            if bit(&state, last) {
                return Some(i + c.len_utf8());
            }
        }
        None
    }
}

fn bit(words: &[u64], j: usize) -> bool {
    words.get(j / 64).is_some_and(|w| (w >> (j % 64)) & 1 == 1)
}

fn set_bit(words: &mut [u64], j: usize) {
    if let Some(w) = words.get_mut(j / 64) {
        *w |= 1 << (j % 64);
    }
}

/// Convenience: plain-string glob.
pub fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    matches(&Plain(pattern), text, ignore_case)
}

/// Does the pattern contain a wildcard?
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.bytes().any(|b| b == b'*' || b == b'?')
}

/// Split an ARN (or ARN pattern) into its six parts; the last part (resource) may contain `:`.
pub fn arn_parts(s: &str) -> Option<[&str; 6]> {
    let mut it = s.splitn(6, ':');
    let parts = [
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ];
    Some(parts)
}

/// ARN matching as IAM does for `Resource` and `ArnLike`: part by part, case-sensitive, so a
/// `*` in the account part cannot swallow the region. A bare `*` matches anything; inputs that
/// are not ARNs fall back to a whole-string match.
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match (arn_parts(pattern), arn_parts(arn)) {
        (Some(p), Some(a)) => p.iter().zip(a.iter()).all(|(p, a)| glob(p, a, false)),
        _ => glob(pattern, arn, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The backtracking matcher this module used to have (O(pattern × text)), kept as the
    /// oracle of the property tests.
    fn backtracking<P: Pattern + ?Sized>(pattern: &P, text: &str, ignore_case: bool) -> bool {
        fn char_len(b: u8) -> usize {
            match b {
                0xF0..=0xFF => 4,
                0xE0..=0xEF => 3,
                0xC0..=0xDF => 2,
                _ => 1,
            }
        }
        let t = text.as_bytes();
        let plen = pattern.tok_len();
        let (mut pi, mut ti) = (0usize, 0usize);
        let mut backtrack: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < plen {
                match pattern.tok(pi) {
                    Tok::Star => {
                        backtrack = Some((pi, ti));
                        pi += 1;
                        continue;
                    }
                    Tok::One => {
                        ti = (ti + char_len(t[ti])).min(t.len());
                        pi += 1;
                        continue;
                    }
                    Tok::Lit(c) => {
                        let same = if ignore_case {
                            c.eq_ignore_ascii_case(&t[ti])
                        } else {
                            c == t[ti]
                        };
                        if same {
                            pi += 1;
                            ti += 1;
                            continue;
                        }
                    }
                }
            }
            match backtrack {
                Some((sp, st)) if st < t.len() => {
                    let next = (st + char_len(t[st])).min(t.len());
                    backtrack = Some((sp, next));
                    pi = sp + 1;
                    ti = next;
                }
                _ => return false,
            }
        }
        while pi < plen && pattern.tok(pi) == Tok::Star {
            pi += 1;
        }
        pi == plen
    }

    /// A tiny deterministic PRNG (xorshift64*), so the property tests need no dependency and
    /// fail the same way every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
        fn string(&mut self, alphabet: &[&str], max: usize) -> String {
            (0..self.below(max + 1))
                .map(|_| self.pick(alphabet))
                .collect()
        }
    }

    const TEXT_ALPHABET: &[&str] = &["a", "b", "A", "B", "é", "日", "*", "?"];
    const PATTERN_ALPHABET: &[&str] = &["a", "b", "A", "é", "日", "*", "?", "*", "?"];

    fn check(pattern: &str, text: &str) {
        for ignore_case in [false, true] {
            assert_eq!(
                glob(pattern, text, ignore_case),
                backtracking(&Plain(pattern), text, ignore_case),
                "pattern {pattern:?}, text {text:?}, ignore_case {ignore_case}"
            );
        }
    }

    #[test]
    fn equals_the_backtracking_matcher_on_short_random_inputs() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..200_000 {
            let pattern = rng.string(PATTERN_ALPHABET, 8);
            let text = rng.string(TEXT_ALPHABET, 10);
            check(&pattern, &text);
        }
    }

    #[test]
    fn equals_the_backtracking_matcher_on_token_patterns() {
        // Literal `*` and `?` (from `${*}`, `${?}` or a substituted value) are not wildcards.
        let mut rng = Rng(7);
        let toks = [
            Tok::Lit(b'a'),
            Tok::Lit(b'b'),
            Tok::Lit(b'A'),
            Tok::Lit(b'*'),
            Tok::Lit(b'?'),
            Tok::Star,
            Tok::One,
        ];
        for _ in 0..100_000 {
            let pattern: Vec<Tok> = (0..rng.below(9))
                .map(|_| toks[rng.below(toks.len())])
                .collect();
            let text = rng.string(&["a", "b", "A", "*", "?", "é"], 10);
            for ignore_case in [false, true] {
                assert_eq!(
                    matches(&pattern[..], &text, ignore_case),
                    backtracking(&pattern[..], &text, ignore_case),
                    "pattern {pattern:?}, text {text:?}"
                );
            }
        }
    }

    #[test]
    fn equals_the_backtracking_matcher_on_long_question_mark_segments() {
        // Segments of more than 64 items (several bitap words), frequent characters (dense
        // masks) and rare ones (position lists), with planted matches.
        let mut rng = Rng(42);
        let common = ["a", "a", "a", "b", "?", "é", "c"];
        let mut rare = vec!["a"; 40];
        rare.extend(["?", "?", "?", "b", "é", "c"]);
        for round in 0..4_000 {
            let len = 1 + rng.below(200);
            let alphabet: &[&str] = if round % 4 < 2 { &common } else { &rare };
            let seg: String = (0..len).map(|_| rng.pick(alphabet)).collect();
            let mut text: String = (0..rng.below(400))
                .map(|_| rng.pick(&["a", "a", "b", "é", "c"]))
                .collect();
            if round % 2 == 0 {
                let planted: String = seg
                    .chars()
                    .map(|c| if c == '?' { 'b' } else { c })
                    .collect();
                let at = text.char_indices().map(|(i, _)| i).nth(rng.below(50));
                text.insert_str(at.unwrap_or(text.len()), &planted);
            }
            for pattern in [
                format!("*{seg}*"),
                format!("a*{seg}*{seg}*c"),
                format!("{seg}*"),
                format!("*{seg}"),
            ] {
                check(&pattern, &text);
            }
        }
    }

    #[test]
    fn token_patterns_that_are_not_utf8_match_nothing() {
        let toks = [Tok::Lit(0xC3), Tok::Star];
        assert!(!matches(&toks[..], "é", false));
    }

    #[test]
    fn the_near_miss_is_linear() {
        // The fuzzer's case: 0.85 s at 10,240 characters with the backtracking matcher.
        let n = 100_000;
        let text = format!("arn:aws:s3:::{}", "a".repeat(n));
        let pattern = format!("arn:aws:s3:::*{}b", "a".repeat(n / 2));
        assert!(!glob(&pattern, &text, false));
        assert!(!glob(&pattern, &text, true));
        assert!(!arn_matches(&pattern, &text));
        // With a `?`: ⌈segment/64⌉ words per text character, at IAM's 10,240-character limit.
        let n = 10_240;
        let text = format!("arn:aws:s3:::{}", "a".repeat(n));
        let qpattern = format!("arn:aws:s3:::*{}?b*", "a".repeat(n / 2));
        assert!(!glob(&qpattern, &text, true));
        // No clock is asserted (a quadratic version would take minutes here); the time and
        // its growth are measured by `benches/growth.rs` (bench/RESULTS.md).
    }

    #[test]
    fn glob_table() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("s3:Get*", "s3:GetObject", true),
            ("s3:get*", "S3:GETOBJECT", true),
            ("s3:?et*", "s3:GetObject", true),
            ("s3:Get", "s3:GetObject", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("?", "é", true),
            ("??", "é", false),
            (
                "*a*a*a*a*a*b",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                false,
            ),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob(p, t, true), want, "{p} vs {t}");
        }
        assert!(!glob("S3:get*", "s3:GetObject", false));
    }

    #[test]
    fn arn_parts_do_not_cross() {
        assert!(arn_matches(
            "arn:aws:iam::*:user/bob",
            "arn:aws:iam::123456789012:user/bob"
        ));
        assert!(arn_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b:c"
        ));
        assert!(arn_matches("arn:aws:iam::*:*", "arn:aws:iam::1:user/x"));
        assert!(!arn_matches(
            "arn:aws:iam::1:user/X",
            "arn:aws:iam::1:user/x"
        ));
    }
}
