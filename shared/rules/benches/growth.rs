//! Growth: time and memory of every input family the fuzzer found growing faster than its
//! input, at doubling sizes up to the caps (IAM's 10,240-character inline policy, Lambda's
//! 256 KiB asynchronous event, CloudFormation's 1 MB template, the parsers' own caps). Each
//! family is one criterion group (one benchmark per size); a counting global allocator gives
//! the peak heap each call holds. After criterion, a table per family prints the time per call
//! (fastest sample), the ratio to the previous (half) size (≈ 2 means linear, ≈ 4 quadratic), the peak
//! heap and the heap per input byte; bench/RESULTS.md ("Growth") holds a run of it.
//!
//! Run: `cargo bench -p guardrail-rules --bench growth -- --warm-up-time 1 --measurement-time 2`
//! (some families only: add a filter, e.g. `'glob|event'`).

use criterion::{BenchmarkId, Criterion};
use guardrail_rules::cfn;
use guardrail_rules::policy::wildcard::{glob, Pattern, Plain, Tok};
use guardrail_rules::policy::{
    analyze_for_alerts, analyze_public, evaluate, AnalysisOptions, PolicyDocument, PolicyKind,
    RequestContext,
};
use guardrail_rules::sweep::{parse_account_file, CredentialReport};
use guardrail_rules::trigger::{decode, decode_str};
use serde_json::{json, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Memory: a global allocator that counts the bytes live and their peak.

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most heap `f` holds above what was live before it (its result included, until dropped).
fn peak_heap<R>(f: impl FnOnce() -> R) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let r = f();
    let peak = PEAK.load(Ordering::Relaxed);
    drop(r);
    peak.saturating_sub(base)
}

// ---------------------------------------------------------------------------------------------
// Time: criterion measures; every sample is also recorded here for the summary table.

#[derive(Default)]
struct Row {
    /// Per-call times of every sample criterion took.
    samples: Vec<Duration>,
    input_bytes: usize,
    peak_heap: usize,
}

static ROWS: Mutex<BTreeMap<(String, usize), Row>> = Mutex::new(BTreeMap::new());

/// The families asked for: criterion's positional filter, as a substring (all when none).
fn wanted(name: &str) -> bool {
    const TAKES_VALUE: [&str; 12] = [
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--color",
        "--output-format",
        "--plotting-backend",
        "--noise-threshold",
        "--profile-time",
        "--nresamples",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut filters = Vec::new();
    let mut skip = false;
    for a in &args {
        if skip {
            skip = false;
        } else if TAKES_VALUE.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            filters.push(a.as_str());
        }
    }
    // Criterion takes one filter, a regex: alternatives (`glob|event`) are split here.
    filters.is_empty()
        || filters
            .iter()
            .flat_map(|f| f.split('|'))
            .any(|f| name.contains(f) || f.contains(name))
}

/// One family: `input(size)` builds the input (outside the measurement), `run` is measured.
fn family<I>(
    c: &mut Criterion,
    name: &str,
    sizes: &[usize],
    input: impl Fn(usize) -> I,
    input_bytes: impl Fn(&I) -> usize,
    run: impl Fn(&I) -> usize,
) {
    if !wanted(name) {
        return;
    }
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    for &size in sizes {
        let x = input(size);
        let bytes = input_bytes(&x);
        let heap = peak_heap(|| run(&x));
        if let Ok(mut rows) = ROWS.lock() {
            let row = rows.entry((name.to_string(), size)).or_default();
            row.input_bytes = bytes;
            row.peak_heap = heap;
        }
        g.bench_with_input(BenchmarkId::from_parameter(size), &x, |b, x| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                for _ in 0..iters {
                    black_box(run(black_box(x)));
                }
                let took = started.elapsed();
                if let Ok(mut rows) = ROWS.lock() {
                    let row = rows.entry((name.to_string(), size)).or_default();
                    row.samples
                        .push(took / u32::try_from(iters.max(1)).unwrap_or(u32::MAX));
                }
                took
            })
        });
    }
    g.finish();
}

/// The fastest sample: on a machine shared with other builds, the least disturbed one.
fn fastest(v: &[Duration]) -> Duration {
    v.iter().min().copied().unwrap_or_default()
}

/// The mean of the samples: what a CPU quota (`lambda-sandbox`) shows, since a call shorter
/// than the quota's period can run unthrottled.
fn mean(v: &[Duration]) -> Duration {
    let n = u32::try_from(v.len()).unwrap_or(u32::MAX).max(1);
    v.iter().sum::<Duration>() / n
}

fn human_time(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn human_bytes(b: usize) -> String {
    let b = b as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

/// The table per family, in markdown (pasted into bench/RESULTS.md).
fn print_table() {
    let Ok(rows) = ROWS.lock() else {
        return;
    };
    let mut last: Option<(&str, Duration)> = None;
    println!("\n| family | size | input | time (fastest sample) | × per doubling | mean | peak heap | heap / input byte |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut slopes: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for ((name, size), row) in rows.iter() {
        if row.samples.is_empty() {
            continue; // filtered out: not measured
        }
        let t = fastest(&row.samples);
        let ratio = match last {
            Some((n, prev)) if n == name && prev.as_nanos() > 0 => {
                let r = t.as_secs_f64() / prev.as_secs_f64();
                slopes.entry(name).or_default().push(r);
                format!("{r:.2}")
            }
            _ => "".to_string(),
        };
        println!(
            "| {name} | {size} | {} | {} | {ratio} | {} | {} | {:.1} |",
            human_bytes(row.input_bytes),
            human_time(t),
            human_time(mean(&row.samples)),
            human_bytes(row.peak_heap),
            row.peak_heap as f64 / row.input_bytes.max(1) as f64
        );
        last = Some((name, t));
    }
    println!("\n| family | time ratio per doubling, last three | fitted exponent (upper half) | × per doubling |");
    println!("|---|---|---:|---:|");
    for (name, r) in slopes {
        let tail: Vec<String> = r
            .iter()
            .rev()
            .take(3)
            .rev()
            .map(|x| format!("{x:.2}"))
            .collect();
        let k = exponent(&rows, name);
        println!(
            "| {name} | {} | {k:.2} | {:.2} |",
            tail.join(", "),
            2f64.powf(k)
        );
    }
}

/// The exponent k of time ∝ size^k, fitted (least squares on logarithms) over the upper half of
/// a family's sizes, where fixed costs no longer dominate: 1 is linear, 2 quadratic. Steadier
/// than one ratio on a shared machine.
fn exponent(rows: &BTreeMap<(String, usize), Row>, name: &str) -> f64 {
    let points: Vec<(f64, f64)> = rows
        .iter()
        .filter(|((n, _), _)| n == name)
        .map(|((_, size), row)| {
            (
                (*size as f64).log2(),
                fastest(&row.samples).as_secs_f64().max(1e-12).log2(),
            )
        })
        .collect();
    let upper = points.get(points.len() / 2..).unwrap_or_default();
    let n = upper.len() as f64;
    let (mx, my) = upper
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (cov, var) = upper.iter().fold((0.0, 0.0), |(c, v), (x, y)| {
        (c + (x - mx) * (y - my), v + (x - mx) * (x - mx))
    });
    if var > 0.0 {
        cov / var
    } else {
        f64::NAN
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs.

/// The fuzzer's near miss: an Allow of everything on `arn:aws:s3:::` + `a`×n and a Deny on
/// `arn:aws:s3:::*` + `a`×(n/2) + `b`, together `size` characters of policy. Every probe of the
/// analysis (admin, MFA, escalation) asks the Deny about the Allow's resource.
fn near_miss_policy(size: usize) -> String {
    let n = size.saturating_sub(160) * 2 / 3;
    let allow = format!("arn:aws:s3:::{}", "a".repeat(n));
    let deny = format!("arn:aws:s3:::*{}b", "a".repeat(n / 2));
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": allow},
        {"Effect": "Deny", "Action": "*", "Resource": deny}]})
    .to_string()
}

/// The same near miss through a `StringLike` condition: the probes try the value the Allow
/// names against the Deny's pattern.
fn string_like_policy(size: usize) -> String {
    let n = size.saturating_sub(230) * 2 / 3;
    let value = "a".repeat(n);
    let deny = format!("*{}b", "a".repeat(n / 2));
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:userid": value}}},
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringLike": {"aws:userid": deny}}}]})
    .to_string()
}

/// A policy of as many statements `statement(i)` as fit in `size` characters (one at least).
fn statements_up_to(size: usize, statement: impl Fn(usize) -> Value) -> String {
    let mut statements = Vec::new();
    let mut len = 60;
    for i in 0.. {
        let st = statement(i);
        len += st.to_string().len() + 1;
        if len > size && !statements.is_empty() {
            break;
        }
        statements.push(st);
    }
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// A resource policy of `size` characters whose statements each allow anyone one service's
/// every action (`svc:*`) from one VPC endpoint: not public, so the probe of
/// `resource-policy-public` searches every service's profile to the end and finds nothing.
fn public_limited_services(size: usize) -> String {
    let services = guardrail_rules::policy::catalog().services();
    statements_up_to(size, |i| {
        json!({"Sid": format!("s{i}"), "Effect": "Allow", "Principal": "*",
            "Action": format!("{}:*", services[i % services.len()].prefix), "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": format!("vpce-{i:08x}")}}})
    })
}

/// `size` characters of statements that each allow anyone everything (`*`), limited by a
/// VPC endpoint and naming an `aws:Referer` of their own: every service's profile names every
/// statement, and the probe's search tries each referer the policy mentions (capped).
fn public_limited_star(size: usize) -> String {
    statements_up_to(size, |i| {
        json!({"Sid": format!("s{i}"), "Effect": "Allow", "Principal": "*",
            "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": format!("vpce-{i:08x}")},
                          "StringLike": {"aws:Referer": format!("https://r{i}.example/*")}}})
    })
}

/// `size` characters of statements that each allow anyone everything, with a condition that
/// limits nothing (`aws:SecureTransport`, a referer of their own): every statement is public,
/// a finding each, every one listing the whole catalogue.
fn public_open_star(size: usize) -> String {
    statements_up_to(size, |i| {
        json!({"Sid": format!("s{i}"), "Effect": "Allow", "Principal": "*",
            "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"},
                          "StringLike": {"aws:Referer": format!("https://r{i}.example/*")}}})
    })
}

/// Unterminated `${` in a resource, `size` characters of policy.
fn variables_policy(size: usize) -> String {
    let n = size.saturating_sub(100) / 2;
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*",
         "Resource": format!("arn:aws:s3:::{}", "${".repeat(n))}]})
    .to_string()
}

/// `Fn::Sub` whose variable is a `Fn::Sub` naming its own variable twice, `levels` deep.
fn doubling_sub(levels: usize) -> Value {
    let mut v = json!("ab");
    for _ in 0..levels {
        v = json!({"Fn::Sub": ["${X}${X}", {"X": v}]});
    }
    json!({"Resources": {"R": {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": v}]}}}}})
}

/// `Fn::Join` with a separator of half the size, over as many empty items.
fn long_join(size: usize) -> Value {
    let half = size / 2;
    let items: Vec<Value> = (0..half / 3).map(|_| json!("")).collect();
    json!({"Fn::Join": ["x".repeat(half), items]})
}

/// One `Fn::Sub` naming a variable of half the size as often as fits in the other half.
fn sub_fan_out(size: usize) -> Value {
    let half = size / 2;
    json!({"Fn::Sub": ["${X}".repeat(half / 4), {"X": "x".repeat(half)}]})
}

/// YAML aliases: an anchor of `size / 4` items named as often as fits.
fn alias_bomb(size: usize) -> String {
    let size = size.min(cfn::MAX_TEMPLATE_BYTES) - 16;
    let anchor = vec!["0"; size / 4].join(",");
    let aliases = vec!["*a"; size / 6].join(",");
    format!("a: &a [{anchor}]\nb: [{aliases}]\n")
}

/// An EventBridge CloudTrail event of about `size` bytes whose `requestParameters` is made of
/// tiny objects (the most heap per byte a JSON tree takes).
fn event(size: usize) -> String {
    let items: Vec<Value> = (0..size.saturating_sub(600) / 8)
        .map(|_| json!({"a": 0}))
        .collect();
    json!({"version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.iam", "account": "123456789012", "time": "2024-01-01T00:00:00Z",
        "region": "us-east-1", "resources": [],
        "detail": {"eventID": "e", "eventName": "PutUserPolicy", "eventSource": "iam.amazonaws.com",
            "awsRegion": "us-east-1", "recipientAccountId": "123456789012",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/u"},
            "requestParameters": {"items": items}}})
    .to_string()
}

/// The same size of tiny objects in a field the decoder does not keep.
fn event_ignored(size: usize) -> String {
    event(size).replace("requestParameters", "somethingElse")
}

const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// A credential report whose second line is `size` bytes of commas (the fuzzer's case).
fn report_commas(size: usize) -> String {
    let commas = size.saturating_sub(REPORT_HEADER.len() + 2);
    format!("{REPORT_HEADER}\n{}\n", ",".repeat(commas))
}

/// A credential report of rows with every cell empty (the most rows per byte).
fn report_rows(size: usize) -> String {
    let row = ",".repeat(21);
    let mut s = format!("{REPORT_HEADER}\n");
    while s.len() + row.len() < size {
        s.push_str(&row);
        s.push('\n');
    }
    s
}

/// A credential report of rows as IAM writes them (a console user with a key), about `size`
/// bytes: IAM's 5,000-user quota is about 1.1 MB of these.
fn report_real_rows(size: usize) -> String {
    let mut s = format!("{REPORT_HEADER}\n");
    let mut i = 0;
    loop {
        let row = format!(
            "user-{i},arn:aws:iam::123456789012:user/user-{i},2024-01-01T00:00:00+00:00,true,\
             2024-05-20T00:00:00+00:00,2023-01-01T00:00:00+00:00,N/A,true,true,\
             2023-01-01T00:00:00+00:00,2023-02-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,\
             false,N/A,false,N/A\n"
        );
        if s.len() + row.len() > size {
            return s;
        }
        s.push_str(&row);
        i += 1;
    }
}

/// An account file of about `size` bytes: users with one inline policy each.
fn account_file(size: usize) -> String {
    let users: Vec<Value> = (0..size / 400)
        .map(|i| {
            json!({"UserName": format!("u{i}"), "UserId": format!("AID{i}"),
                "Arn": format!("arn:aws:iam::123456789012:user/u{i}"), "Path": "/",
                "UserPolicyList": [{"PolicyName": "p", "PolicyDocument":
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
                "AttachedManagedPolicies": [], "GroupList": [], "Tags": []})
        })
        .collect();
    json!({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": [], "Policies": []})
        .to_string()
}

/// The matcher this crate had before (one backtrack point, O(pattern × text)), for the
/// "before" rows of the primitive.
fn backtracking(pattern: &str, text: &str) -> bool {
    fn char_len(b: u8) -> usize {
        match b {
            0xF0..=0xFF => 4,
            0xE0..=0xEF => 3,
            0xC0..=0xDF => 2,
            _ => 1,
        }
    }
    let p = Plain(pattern);
    let t = text.as_bytes();
    let plen = p.tok_len();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while let Some(&tb) = t.get(ti) {
        if pi < plen {
            match p.tok(pi) {
                Tok::Star => {
                    backtrack = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                Tok::One => {
                    ti = (ti + char_len(tb)).min(t.len());
                    pi += 1;
                    continue;
                }
                Tok::Lit(c) if c == tb => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                Tok::Lit(_) => {}
            }
        }
        match backtrack {
            Some((sp, st)) if st < t.len() => {
                let next = (st + t.get(st).map_or(1, |b| char_len(*b))).min(t.len());
                backtrack = Some((sp, next));
                pi = sp + 1;
                ti = next;
            }
            _ => return false,
        }
    }
    while pi < plen && p.tok(pi) == Tok::Star {
        pi += 1;
    }
    pi == plen
}

fn doubling(from: usize, to: usize) -> Vec<usize> {
    std::iter::successors(Some(from), |s| Some(s * 2))
        .take_while(|s| *s <= to)
        .collect()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let _ = guardrail_rules::policy::catalog();
    let options = AnalysisOptions::default();
    let policy_sizes = doubling(160, 10_240);
    let near_miss = |n: usize| {
        (
            format!("arn:aws:s3:::*{}b", "a".repeat(n / 2)),
            format!("arn:aws:s3:::{}", "a".repeat(n)),
        )
    };
    let pair_bytes = |x: &(String, String)| x.0.len() + x.1.len();

    // The matcher alone: text of n characters, pattern of n/2.
    family(
        &mut c,
        "glob",
        &policy_sizes,
        near_miss,
        pair_bytes,
        |(p, t)| usize::from(glob(p, t, false)),
    );
    family(
        &mut c,
        "glob-before",
        &doubling(160, 10_240),
        near_miss,
        pair_bytes,
        |(p, t)| usize::from(backtracking(p, t)),
    );
    // A `?` in the middle segment: shift-and, ⌈segment/64⌉ words per text character.
    family(
        &mut c,
        "glob-question-mark",
        &policy_sizes,
        |n| {
            let half = "a".repeat(n / 4);
            (
                format!("arn:aws:s3:::*{half}?{half}b*"),
                format!("arn:aws:s3:::{}", "a".repeat(n)),
            )
        },
        pair_bytes,
        |(p, t)| usize::from(glob(p, t, false)),
    );

    // Policies of `size` characters, judged as iam-guard judges a changed policy.
    let policy_sizes = doubling(320, 10_240);
    let parsed = |text: String| {
        (
            PolicyDocument::parse(&text).expect("policy parses"),
            text.len(),
        )
    };
    let analyse = |x: &(PolicyDocument, usize)| analyze_for_alerts(&x.0, &options).len();
    family(
        &mut c,
        "policy-resource-near-miss",
        &policy_sizes,
        |s| parsed(near_miss_policy(s)),
        |x| x.1,
        analyse,
    );
    family(
        &mut c,
        "policy-string-like",
        &policy_sizes,
        |s| parsed(string_like_policy(s)),
        |x| x.1,
        analyse,
    );
    family(
        &mut c,
        "policy-string-like-evaluate",
        &policy_sizes,
        |s| {
            let doc = PolicyDocument::parse(&string_like_policy(s)).expect("policy parses");
            let n = s.saturating_sub(230) * 2 / 3;
            let ctx = RequestContext::new("s3:GetObject", "arn:aws:s3:::b/k")
                .with("aws:userid", "a".repeat(n));
            (doc, ctx, s)
        },
        |x| x.2,
        |(doc, ctx, _)| evaluate(&[doc], ctx).matched.len(),
    );
    family(
        &mut c,
        "policy-variables",
        &policy_sizes,
        |s| parsed(variables_policy(s)),
        |x| x.1,
        analyse,
    );

    // Resource policies of `size` characters, judged as exposure-guard judges a submitted
    // policy (`resource-policy-public`), up to KMS's 32 KiB key policy (S3's bucket policy
    // stops at 20 KiB).
    let resource_sizes = doubling(512, 32_768);
    let resource_options = AnalysisOptions {
        kind: PolicyKind::ResourceBased,
        own_account: Some("123456789012".to_string()),
        allowed_regions: None,
    };
    let public = |x: &(PolicyDocument, usize)| analyze_public(&x.0, &resource_options).len();
    family(
        &mut c,
        "public-limited-services",
        &resource_sizes,
        |s| parsed(public_limited_services(s)),
        |x| x.1,
        public,
    );
    family(
        &mut c,
        "public-limited-star",
        &resource_sizes,
        |s| parsed(public_limited_star(s)),
        |x| x.1,
        public,
    );
    family(
        &mut c,
        "public-open-star",
        &resource_sizes,
        |s| parsed(public_open_star(s)),
        |x| x.1,
        public,
    );

    // Templates.
    family(
        &mut c,
        "fn-sub-levels",
        &doubling(2, 32),
        doubling_sub,
        |v| v.to_string().len(),
        |v| cfn::policies(v).len(),
    );
    let template_sizes = doubling(4 * 1024, 1024 * 1024);
    family(
        &mut c,
        "fn-sub-fan-out",
        &template_sizes,
        sub_fan_out,
        |v| v.to_string().len(),
        |v| cfn::resolve(v).map_or(0, |r| r.as_str().map_or(0, str::len)),
    );
    family(
        &mut c,
        "fn-join",
        &template_sizes,
        long_join,
        |v| v.to_string().len(),
        |v| cfn::resolve(v).map_or(0, |r| r.as_str().map_or(0, str::len)),
    );
    family(
        &mut c,
        "yaml-aliases",
        &template_sizes,
        alias_bomb,
        String::len,
        |t| cfn::from_yaml(t).map_or(0, |v| v.as_object().map_or(1, |o| o.len())),
    );

    // Events, up to Lambda's 256 KiB for asynchronous invocations (EventBridge).
    let event_sizes = doubling(8 * 1024, 256 * 1024);
    let decoded = |t: &String| usize::from(decode_str(t).is_ok());
    family(
        &mut c,
        "event-decode-str",
        &event_sizes,
        event,
        String::len,
        decoded,
    );
    family(
        &mut c,
        "event-decode-str-ignored",
        &event_sizes,
        event_ignored,
        String::len,
        decoded,
    );
    // The Lambda path: the runtime hands `decode` a parsed Value; what decode adds to it.
    family(
        &mut c,
        "event-decode-value",
        &event_sizes,
        |s| {
            let t = event(s);
            (serde_json::from_str::<Value>(&t).expect("json"), t.len())
        },
        |x| x.1,
        |(v, _)| usize::from(decode(v).is_ok()),
    );

    family(
        &mut c,
        "event-decode-value-ignored",
        &event_sizes,
        |s| {
            let t = event_ignored(s);
            (serde_json::from_str::<Value>(&t).expect("json"), t.len())
        },
        |x| x.1,
        |(v, _)| usize::from(decode(v).is_ok()),
    );

    // Credential reports, up to the parser's 16 MiB.
    let report_sizes = doubling(64 * 1024, 16 * 1024 * 1024);
    let parse_report = |t: &String| CredentialReport::parse(t).map_or(0, |r| r.rows.len());
    family(
        &mut c,
        "credential-report-commas",
        &report_sizes,
        report_commas,
        String::len,
        parse_report,
    );
    family(
        &mut c,
        "credential-report-rows",
        &report_sizes,
        report_rows,
        String::len,
        parse_report,
    );

    family(
        &mut c,
        "credential-report-real-rows",
        &report_sizes,
        report_real_rows,
        String::len,
        parse_report,
    );

    // Account files (cap 256 MiB; measured to 16 MiB).
    family(
        &mut c,
        "account-file",
        &doubling(64 * 1024, 16 * 1024 * 1024),
        account_file,
        String::len,
        |t| parse_account_file(t).map_or(0, |f| f.users.len()),
    );

    c.final_summary();
    print_table();
}
