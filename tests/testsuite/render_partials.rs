//! The theme's wording lives in partials a project overrides by name (docs/templates.md,
//! "Partials"): through the real binary on a real project.

use crate::common::*;

#[test]
fn a_project_rewords_the_portal_by_overriding_partials() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[
            // No registration URL in portal.yaml: the access text shows, reworded and
            // wrapped around the built-in one.
            (
                "templates/partials/access.html",
                "{% if auth %}Ask #api-help for a {{ auth.display_name or auth.name }} credential. {% include \"theme/partials/access.html\" %}{% endif %}",
            ),
            // Rendering nothing drops the paragraph, not just its text.
            (
                "templates/partials/over_limit.html",
                "{# not on our gateway #}\n",
            ),
            (
                "templates/partials/rate_limit_sentence.html",
                "{{ rl.limit }} per {{ rl.duration }}, for the whole {{ rl.scope }}.",
            ),
            (
                "templates/partials/auth_explanation.html",
                "Header: {{ auth.key_names|join(\", \") }}",
            ),
        ],
    );
    let out = tmp.path().join("site");
    let r = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(out.join("packages/basic/index.html")).unwrap();
    assert!(
        html.contains(
            "<div class=\"access access-text\">Ask #api-help for a key-auth credential. This portal has no self-service registration."
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<div class=\"rate-limit-sentence\">5 per minutes, for the whole package.</div>"
        ),
        "{html}"
    );
    assert!(!html.contains("rate-limit-over"), "{html}");
    assert!(!html.contains("429 Too Many Requests"), "{html}");
    assert!(
        html.contains("<div class=\"auth-explanation\">Header: apikey</div>"),
        "{html}"
    );
}

#[test]
fn a_broken_partial_override_names_its_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    write_files(
        tmp.path(),
        &[(
            "templates/partials/own_limit.html",
            "fine\n{{ rl.words | no_such_filter }}\n",
        )],
    );
    // The package has no per-operation limit, so give it one to render the partial.
    write_files(
        tmp.path(),
        &[(
            "packages/basic.yaml",
            "name: Basic\nvisibility: public\nrate_limit: {limit: 5, duration: minutes}\noperations:\n  - api: pets\n    method: GET\n    path: /pets\n    rate_limit: {limit: 1, duration: seconds}\n",
        )],
    );
    let r = run(&["build", tmp.path().to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[template-error]"), "{}", r.stderr);
    assert!(
        r.stderr.contains("templates/partials/own_limit.html:2"),
        "{}",
        r.stderr
    );
}
