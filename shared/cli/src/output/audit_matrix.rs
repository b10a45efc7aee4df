//! The audit matrix as `access` and `scan` draw it in their HTML pages: one function, so the
//! answer from an exported file and the answer from the account look the same.
//!
//! Hooks for tests and tooling: `#matrix tr.principal[data-principal]` (with
//! `[data-exempt=true]` on exempt principals) holding `td[data-mark=admin|admin-reachable|
//! without-mfa]` and `td[data-group=NAME]`; `#roles` with the same rows; `#paths
//! tr.path[data-rule]`. An empty part is one `p` saying so: `#matrix-empty`, `#roles-empty`,
//! `#paths-empty`.

use super::html::esc;
use guardrail_rules::access::{AuditMatrix, MatrixRow, PrincipalKind};
use std::fmt::Write;

/// The section: users × groups (admin, can become admin, sensitive without MFA, boundary;
/// exempt and incomplete principals marked after the name), the roles' verdicts, and the paths
/// found.
pub fn section(m: &AuditMatrix) -> String {
    let users: Vec<&MatrixRow> = m
        .principals
        .iter()
        .filter(|r| r.principal.kind == PrincipalKind::User)
        .collect();
    let roles: Vec<&MatrixRow> = m
        .principals
        .iter()
        .filter(|r| r.principal.kind == PrincipalKind::Role)
        .collect();
    let mut groups: Vec<&str> = users
        .iter()
        .flat_map(|r| r.principal.groups.iter().map(String::as_str))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let yes = |b: bool| if b { "✔" } else { "" };
    let name_cell = |r: &MatrixRow| {
        format!(
            "<td><code>{}</code>{}{}</td>",
            esc(&r.principal.name),
            if r.principal.incomplete {
                " (incomplete)"
            } else {
                ""
            },
            if r.exempt { " (exempt)" } else { "" },
        )
    };
    let row_open = |r: &MatrixRow| {
        format!(
            "<tr class=\"principal\" data-principal=\"{}\"{}>",
            esc(&r.principal.name),
            if r.exempt {
                " data-exempt=\"true\""
            } else {
                ""
            },
        )
    };
    let mut h = String::from("<h2 id=\"audit-matrix\">Audit matrix: users × groups</h2>");
    if users.is_empty() {
        h.push_str("<p id=\"matrix-empty\">No IAM users in the account: no rows to draw.</p>");
    } else {
        h.push_str(
            "<table id=\"matrix\"><tr><th>user</th><th>admin</th><th>can become admin</th>\
             <th>sensitive without MFA</th><th>boundary</th>",
        );
        for g in &groups {
            let _ = write!(h, "<th>{}</th>", esc(g));
        }
        h.push_str("</tr>");
        for r in &users {
            let p = &r.principal;
            let _ = write!(
                h,
                "{}{}<td data-mark=\"admin\">{}</td>\
                 <td data-mark=\"admin-reachable\">{}</td>\
                 <td data-mark=\"without-mfa\">{}</td><td>{}</td>",
                row_open(r),
                name_cell(r),
                yes(p.admin),
                yes(p.admin_reachable),
                yes(p.without_mfa),
                esc(p.boundary.as_deref().unwrap_or("")),
            );
            for g in &groups {
                let _ = write!(
                    h,
                    "<td data-group=\"{}\">{}</td>",
                    esc(g),
                    yes(p.groups.iter().any(|x| x == g))
                );
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
    }
    h.push_str("<h2>Roles</h2>");
    if roles.is_empty() {
        h.push_str("<p id=\"roles-empty\">No roles in the account.</p>");
    } else {
        h.push_str(
            "<table id=\"roles\"><tr><th>role</th><th>admin</th><th>can become admin</th>\
             <th>boundary</th></tr>",
        );
        for r in &roles {
            let p = &r.principal;
            let _ = write!(
                h,
                "{}{}<td data-mark=\"admin\">{}</td><td data-mark=\"admin-reachable\">{}</td>\
                 <td>{}</td></tr>",
                row_open(r),
                name_cell(r),
                yes(p.admin),
                yes(p.admin_reachable),
                esc(p.boundary.as_deref().unwrap_or("")),
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h2 id=\"paths-found\">Paths found</h2>");
    if m.paths.is_empty() {
        h.push_str(
            "<p id=\"paths-empty\">No path to an administrator, nor around MFA through a role.</p>",
        );
    } else {
        h.push_str("<table id=\"paths\"><tr><th>principal</th><th>rule</th><th>path</th></tr>");
        for p in &m.paths {
            let hops: Vec<String> = p.hops.iter().map(|x| esc(x)).collect();
            let _ = write!(
                h,
                "<tr class=\"path\" data-rule=\"{r}\"><td><code>{a}</code></td>\
                 <td><code>{r}</code></td><td>{}</td></tr>",
                hops.join(" → "),
                r = esc(p.rule),
                a = esc(&p.principal.arn),
            );
        }
        h.push_str("</table>");
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use guardrail_rules::access::{MatrixPath, PrincipalRef, PrincipalSummary};

    fn row(kind: PrincipalKind, name: &str, groups: &[&str], exempt: bool) -> MatrixRow {
        MatrixRow {
            principal: PrincipalSummary {
                kind,
                name: name.into(),
                arn: format!("arn:aws:iam::1:{}/{name}", kind.as_str()),
                groups: groups.iter().map(|g| g.to_string()).collect(),
                admin: exempt,
                admin_reachable: false,
                without_mfa: false,
                boundary: None,
                incomplete: false,
            },
            exempt,
        }
    }

    #[test]
    fn rows_marks_groups_and_paths() {
        let m = AuditMatrix {
            principals: vec![
                row(PrincipalKind::User, "glass", &["ops"], true),
                row(PrincipalKind::User, "<b>", &["devs"], false),
                row(PrincipalKind::Role, "app", &[], false),
            ],
            paths: vec![MatrixPath {
                rule: "iam-principal-admin-reachable",
                principal: PrincipalRef {
                    kind: "AWS::IAM::User",
                    id: "<b>".into(),
                    arn: "arn:aws:iam::1:user/<b>".into(),
                },
                hops: vec!["user <b> can assume role app".into()],
            }],
        };
        let h = section(&m);
        assert!(h.contains("<th>devs</th><th>ops</th>"), "{h}");
        assert!(h.contains(
            "data-principal=\"glass\" data-exempt=\"true\"><td><code>glass</code> (exempt)</td>\
             <td data-mark=\"admin\">✔</td>"
        ));
        assert!(h.contains("<td data-group=\"devs\"></td><td data-group=\"ops\">✔</td>"));
        assert!(h.contains("<table id=\"roles\">") && h.contains("data-principal=\"app\""));
        assert!(h.contains("user &lt;b&gt; can assume role app"));
        assert!(!h.contains("<b>"), "escaped");
        assert!(!h.contains("-empty"), "{h}");
    }

    #[test]
    fn empty_parts_say_so() {
        let h = section(&AuditMatrix::default());
        for id in ["matrix-empty", "roles-empty", "paths-empty"] {
            assert!(h.contains(&format!("<p id=\"{id}\">")), "{id}: {h}");
        }
        assert!(!h.contains("<table"), "{h}");
    }
}
