use super::*;

fn cfg(args: &[&str]) -> Result<Settings, String> {
    let mut all = vec!["idlink"];
    all.extend_from_slice(args);
    Config::try_parse_from(all)
        .map_err(|e| e.to_string())?
        .resolve()
}

#[test]
fn defaults_to_demo_mode() {
    let s = cfg(&[]).unwrap();
    assert_eq!(s.orcid_env, OrcidEnv::Mock);
    assert_eq!(
        s.endpoints.base.as_str(),
        "http://localhost:8080/mock-orcid"
    );
    assert_eq!(s.scopes, ["openid", "/read-limited", "/activities/update"]);
    assert_eq!(s.database_path, Path::new("data/idlink.db"));
    assert!(!s.secure_cookies);
}

#[test]
fn client_id_means_sandbox_and_needs_secret() {
    let e = cfg(&["--orcid-client-id", "APP-ABCDEFGHIJKLMNOP"]).unwrap_err();
    assert!(e.contains("ORCID_CLIENT_SECRET"), "{e}");
    let s = cfg(&[
        "--orcid-client-id",
        "APP-ABCDEFGHIJKLMNOP",
        "--orcid-client-secret",
        "x",
    ])
    .unwrap();
    assert_eq!(s.orcid_env, OrcidEnv::Sandbox);
    assert_eq!(s.endpoints.record_base, "https://sandbox.orcid.org/");
    assert_eq!(s.endpoints.api.as_str(), "https://api.sandbox.orcid.org/");
}

#[test]
fn production_needs_secret_and_https() {
    let e = cfg(&[
        "--orcid-env",
        "production",
        "--orcid-client-id",
        "APP-ABCDEFGHIJKLMNOP",
        "--public-url",
        "https://x.org",
    ])
    .unwrap_err();
    assert!(e.contains("ORCID_CLIENT_SECRET"), "{e}");
    let e = cfg(&[
        "--orcid-env",
        "production",
        "--orcid-client-id",
        "APP-ABCDEFGHIJKLMNOP",
        "--orcid-client-secret",
        "s",
    ])
    .unwrap_err();
    assert!(e.contains("https"), "{e}");
}

#[test]
fn overrides_move_traffic_not_identity() {
    let s = cfg(&[
        "--orcid-env",
        "production",
        "--orcid-client-id",
        "APP-ABCDEFGHIJKLMNOP",
        "--orcid-client-secret",
        "s",
        "--public-url",
        "https://ids.example.edu",
        "--orcid-base-url",
        "http://127.0.0.1:9999",
    ])
    .unwrap();
    assert_eq!(s.endpoints.base.as_str(), "http://127.0.0.1:9999/");
    assert_eq!(s.endpoints.issuer, "https://orcid.org");
    assert_eq!(s.endpoints.record_base, "https://orcid.org/");
    assert!(s.secure_cookies);
}

#[test]
fn rejects_bad_values_with_a_message() {
    assert!(cfg(&["--token-key", "c2hvcnQ="])
        .unwrap_err()
        .contains("TOKEN_KEY"));
    assert!(cfg(&["--staff-orcids", "0000-0002-1825-0098"])
        .unwrap_err()
        .contains("STAFF_ORCIDS"));
    assert!(cfg(&["--orcid-scopes", "openid /authenticate"])
        .unwrap_err()
        .contains("not both"));
    assert!(cfg(&["--orcid-scopes", "/read-public"])
        .unwrap_err()
        .contains("ORCID_SCOPES"));
    assert!(
        cfg(&["--orcid-client-id", "client", "--orcid-client-secret", "s"])
            .unwrap_err()
            .contains("APP-")
    );
    assert!(cfg(&["--database-url", "sqlite::memory:"])
        .unwrap_err()
        .contains("DATABASE_URL"));
    assert!(cfg(&["--orcid-rate-per-sec", "0"])
        .unwrap_err()
        .contains("ORCID_RATE_PER_SEC"));
}

#[test]
fn help_explains_every_setting() {
    use clap::CommandFactory;
    let help = Config::command().render_long_help().to_string();
    for var in [
        "BIND_ADDR",
        "PUBLIC_URL",
        "DATABASE_URL",
        "ORCID_ENV",
        "ORCID_CLIENT_ID",
        "ORCID_CLIENT_SECRET",
        "ORCID_BASE_URL",
        "ORCID_API_URL",
        "ORCID_PUBLIC_API_URL",
        "ORCID_SCOPES",
        "ORCID_RATE_PER_SEC",
        "ORCID_BURST",
        "STAFF_ORCIDS",
        "TOKEN_KEY",
        "INSTITUTION_NAME",
        "LOG_FORMAT",
        "ORCID_TIMEOUT_SECS",
        "HEADER_READ_TIMEOUT_SECS",
        "REQUEST_BODY_TIMEOUT_SECS",
        "KEEP_ALIVE_TIMEOUT_SECS",
        "REQUEST_TIMEOUT_SECS",
        "MAX_CONNECTIONS",
        "REVOKE_RETRY_SECS",
        "TOKEN_CHECK_DAYS",
        "CONNECT_RATE_PER_MIN",
        "CONNECT_BURST",
        "TRUSTED_PROXY_HEADER",
        "METRICS_TOKEN",
        "UPLOAD_MAX_ROWS",
        "UPLOAD_MAX_COLUMNS",
        "SMTP_URL",
        "MAIL_FROM",
        "MAIL_REPLY_TO",
        "SMTP_TIMEOUT_SECS",
    ] {
        assert!(
            help.contains(&format!("[env: {var}")),
            "--help does not mention {var}"
        );
    }
}

#[test]
fn staff_list_is_parsed() {
    let s = cfg(&[
        "--staff-orcids",
        " 0000-0002-1825-0097, https://orcid.org/0000-0002-4325-871x ",
    ])
    .unwrap();
    assert_eq!(s.staff.listed.len(), 2);
    assert_eq!(s.staff.listed[1].as_str(), "0000-0002-4325-871X");
}

#[test]
fn demo_mode_has_a_staff_member_and_only_demo_mode() {
    let demo: OrcidId = DEMO_STAFF_ORCID.parse().unwrap();
    let s = cfg(&[]).unwrap();
    assert!(s.staff.listed.is_empty());
    assert_eq!(s.staff.demo, Some(demo));
    assert!(s.staff.contains(&demo));
    let listed: OrcidId = "0000-0002-1825-0097".parse().unwrap();
    let s = cfg(&["--staff-orcids", listed.as_str()]).unwrap();
    assert!(s.staff.contains(&demo) && s.staff.contains(&listed));

    let s = cfg(&[
        "--orcid-client-id",
        "APP-ABCDEFGHIJKLMNOP",
        "--orcid-client-secret",
        "x",
    ])
    .unwrap();
    assert_eq!(s.staff.demo, None);
    assert!(
        !s.staff.contains(&demo),
        "outside demo mode nobody is staff unlisted"
    );
}

/// The demo's staff member is one the simulated ORCID seeds, under the same name.
#[test]
fn demo_staff_is_a_seeded_simulated_researcher() {
    assert_eq!(DEMO_STAFF_ORCID, orcid_sim::SOFIA_GARCIA_ORCID);
    let sim = orcid_sim::MockOrcid::new(orcid_sim::MockConfig {
        base_url: "http://localhost:8080/mock-orcid".into(),
        clients: vec![orcid_sim::MockClient::demo("idlink", vec![])],
        key_file: None,
        state_file: None,
    })
    .unwrap();
    let id: OrcidId = DEMO_STAFF_ORCID.parse().unwrap();
    assert_eq!(sim.researcher_name(&id).as_deref(), Some(DEMO_STAFF_NAME));
}

#[test]
fn partial_orcid_settings_are_refused_not_taken_for_demo_mode() {
    for args in [
        &["--orcid-client-secret", "s"][..],
        &["--orcid-base-url", "https://sandbox.orcid.org"],
        &["--orcid-api-url", "https://api.sandbox.orcid.org"],
        &["--orcid-public-api-url", "https://pub.sandbox.orcid.org"],
        &[
            "--orcid-client-secret",
            "s",
            "--orcid-base-url",
            "https://orcid.org",
        ],
    ] {
        let e = cfg(args).unwrap_err();
        assert!(e.contains("ORCID_CLIENT_ID is not"), "{args:?}: {e}");
        assert!(e.contains("demo"), "{args:?}: {e}");
    }
    let e = cfg(&["--orcid-client-secret", "s", "--orcid-api-url", "http://x"]).unwrap_err();
    assert!(
        e.starts_with("ORCID_CLIENT_SECRET, ORCID_API_URL are set"),
        "{e}"
    );
    // Empty values (a blank line in .env) are no setting.
    let s = cfg(&["--orcid-client-secret", "", "--orcid-client-id", ""]).unwrap();
    assert_eq!(s.orcid_env, OrcidEnv::Mock);
    assert_eq!(s.client_id, DEMO_CLIENT_ID);
}

#[test]
fn explicit_mock_mode_may_move_the_simulated_orcid() {
    let s = cfg(&[
        "--orcid-env",
        "mock",
        "--orcid-base-url",
        "http://127.0.0.1:9999/mock-orcid",
    ])
    .unwrap();
    assert_eq!(s.orcid_env, OrcidEnv::Mock);
    assert_eq!(
        s.endpoints.base.as_str(),
        "http://127.0.0.1:9999/mock-orcid"
    );
    assert_eq!(s.client_id, DEMO_CLIENT_ID);
}

#[test]
fn redirect_uri_is_public_url_plus_callback() {
    let s = cfg(&["--public-url", "https://ids.example.edu/"]).unwrap();
    assert_eq!(s.redirect_uri(), "https://ids.example.edu/orcid/callback");
}

#[test]
fn server_limits_have_defaults_and_are_checked() {
    let s = cfg(&[]).unwrap();
    assert_eq!(s.serve.header_read_timeout, Duration::from_secs(10));
    assert_eq!(s.serve.request_body_timeout, Duration::from_secs(60));
    assert_eq!(s.serve.keep_alive_timeout, Duration::from_secs(75));
    assert_eq!(s.serve.request_timeout, Duration::from_secs(120));
    assert_eq!(s.serve.max_connections, 512);
    assert_eq!(s.upload, super::UploadLimits::default());
    for (args, expect) in [
        (
            &["--header-read-timeout-secs", "0"][..],
            "HEADER_READ_TIMEOUT_SECS",
        ),
        (
            &["--keep-alive-timeout-secs", "4000"],
            "KEEP_ALIVE_TIMEOUT_SECS",
        ),
        (&["--max-connections", "0"], "MAX_CONNECTIONS"),
        (&["--upload-max-rows", "0"], "UPLOAD_MAX_ROWS"),
        (&["--upload-max-columns", "11"], "UPLOAD_MAX_COLUMNS"),
        (
            &["--request-timeout-secs", "10", "--orcid-timeout-secs", "10"],
            "longer than ORCID_TIMEOUT_SECS",
        ),
        (
            &[
                "--request-timeout-secs",
                "30",
                "--request-body-timeout-secs",
                "40",
            ],
            "at least REQUEST_BODY_TIMEOUT_SECS",
        ),
    ] {
        let e = cfg(args).unwrap_err();
        assert!(e.contains(expect), "{args:?}: {e}");
    }
}

#[test]
fn token_check_days_has_a_default_and_is_checked() {
    let day = Duration::from_secs(86_400);
    assert_eq!(cfg(&[]).unwrap().token_check_every, 7 * day);
    assert_eq!(
        cfg(&["--token-check-days", "30"])
            .unwrap()
            .token_check_every,
        30 * day
    );
    for bad in ["0", "366"] {
        let e = cfg(&["--token-check-days", bad]).unwrap_err();
        assert!(e.contains("TOKEN_CHECK_DAYS"), "{bad}: {e}");
    }
}

#[test]
fn revoke_retry_has_a_default_and_is_checked() {
    assert_eq!(cfg(&[]).unwrap().revoke_retry, Duration::from_secs(60));
    for bad in ["0", "3601"] {
        let e = cfg(&["--revoke-retry-secs", bad]).unwrap_err();
        assert!(e.contains("REVOKE_RETRY_SECS"), "{bad}: {e}");
    }
}

/// The app's demo client is the one the simulated ORCID registers ([`orcid_sim::MockClient::demo`]).
#[test]
fn demo_client_matches_the_simulators() {
    assert_eq!(DEMO_CLIENT_ID, orcid_sim::DEMO_CLIENT_ID);
    assert_eq!(DEMO_CLIENT_SECRET, orcid_sim::DEMO_CLIENT_SECRET);
    assert!(orcid::is_client_id(DEMO_CLIENT_ID));
}

#[test]
fn metrics_token_is_optional_and_checked() {
    let s = cfg(&[]).unwrap();
    assert!(
        s.metrics_token.is_none(),
        "no /metrics unless a token is set"
    );
    assert!(cfg(&["--metrics-token", " "])
        .unwrap()
        .metrics_token
        .is_none());
    let s = cfg(&["--metrics-token", "0123456789abcdef"]).unwrap();
    assert!(s.metrics_token.is_some());
    assert!(
        !format!("{s:?}").contains("0123456789abcdef"),
        "token redacted"
    );
    for bad in ["short", "has a space in it, sadly"] {
        let e = cfg(&["--metrics-token", bad]).unwrap_err();
        assert!(e.contains("METRICS_TOKEN"), "{bad:?}: {e}");
    }
}

#[test]
fn connect_limit_has_defaults_and_is_checked() {
    let s = cfg(&[]).unwrap();
    assert_eq!(s.connect_limit.per_minute.get(), 30);
    assert_eq!(s.connect_limit.burst.get(), 10);
    assert!(s.connect_limit.proxy_header.is_none());
    let s = cfg(&["--trusted-proxy-header", "X-Forwarded-For"]).unwrap();
    assert_eq!(
        s.connect_limit.proxy_header.unwrap().as_str(),
        "x-forwarded-for"
    );
    for (args, expect) in [
        (&["--connect-rate-per-min", "0"][..], "CONNECT_RATE_PER_MIN"),
        (&["--connect-burst", "0"], "CONNECT_BURST"),
        (
            &["--trusted-proxy-header", "X Forwarded"],
            "TRUSTED_PROXY_HEADER",
        ),
        (&["--trusted-proxy-header", "Forwarded"], "X-Forwarded-For"),
    ] {
        let e = cfg(args).unwrap_err();
        assert!(e.contains(expect), "{args:?}: {e}");
    }
}

#[test]
fn fair_use_limits_have_defaults_and_bounds() {
    let s = cfg(&[]).unwrap();
    assert_eq!(s.orcid_queue_wait, Duration::from_secs(5));
    assert_eq!((s.person_per_minute, s.person_burst), (20, 10));
    assert_eq!(s.works_refresh_cooldown, Duration::from_secs(10));
    let c = s.orcid_client_config();
    assert_eq!(c.queue_wait, Duration::from_secs(5));
    assert_eq!((c.person_per_minute, c.person_burst), (20, 10));
    for (flag, value, named) in [
        ("--orcid-queue-wait-secs", "0", "ORCID_QUEUE_WAIT_SECS"),
        ("--orcid-queue-wait-secs", "61", "ORCID_QUEUE_WAIT_SECS"),
        (
            "--researcher-orcid-per-minute",
            "0",
            "RESEARCHER_ORCID_PER_MINUTE",
        ),
        ("--researcher-orcid-burst", "0", "RESEARCHER_ORCID_BURST"),
        (
            "--works-refresh-cooldown-secs",
            "3601",
            "WORKS_REFRESH_COOLDOWN_SECS",
        ),
    ] {
        let e = cfg(&[flag, value]).unwrap_err();
        assert!(e.contains(named), "{flag} {value}: {e}");
    }
    assert!(cfg(&["--works-refresh-cooldown-secs", "0"]).is_ok());
}

#[test]
fn org_settings_are_read_from_flags_and_checked() {
    let s = cfg(&[
        "--orcid-client-id",
        "APP-ABCDEFGHIJKLMNOP",
        "--orcid-client-secret",
        "x",
        "--institution-name",
        "University of Example",
        "--org-city",
        "Dunedin",
        "--org-country",
        "nz",
        "--org-ror",
        "ror.org/04fa4r544",
    ])
    .unwrap();
    let org = s.org.writable().expect("complete");
    assert_eq!(org.name, "University of Example");
    let e = cfg(&["--org-ror", "04fa4r545"]).unwrap_err();
    assert!(e.contains("ORG_ROR"), "{e}");
    let e = cfg(&["--org-country", "ZZ"]).unwrap_err();
    assert!(e.contains("ORG_COUNTRY"), "{e}");
    let unset = cfg(&[
        "--orcid-client-id",
        "APP-ABCDEFGHIJKLMNOP",
        "--orcid-client-secret",
        "x",
    ])
    .unwrap();
    assert_eq!(unset.org.missing.len(), 3, "starts, with writes off");
    assert!(cfg(&[]).unwrap().org.writable().is_some(), "demo values");
}

#[test]
fn mail_settings_are_read_from_flags_checked_and_the_password_kept_out_of_debug() {
    let s = cfg(&[
        "--smtp-url",
        "smtp://office:hunter2@mail.example.org:587?tls=required",
        "--mail-from",
        "Research Office <orcid@example.ac.nz>",
        "--mail-reply-to",
        "help@example.ac.nz",
    ])
    .unwrap();
    let MailRoute::Smtp(server) = &s.mail.route else {
        panic!("{:?}", s.mail.route)
    };
    assert_eq!(server.to_string(), "mail.example.org:587");
    assert_eq!(server.security, SmtpSecurity::StartTls);
    assert_eq!(s.mail.reply_to.as_deref(), Some("help@example.ac.nz"));
    assert_eq!(s.mail.timeout, Duration::from_secs(10));
    let shown = format!("{s:?}");
    assert!(
        shown.contains("mail.example.org") && !shown.contains("hunter2"),
        "{shown}"
    );

    for (args, says) in [
        (&["--smtp-url", "smtp://x"][..], "MAIL_FROM"),
        (&["--mail-from", "nobody"][..], "MAIL_FROM"),
        (&["--mail-reply-to", "a@"][..], "MAIL_REPLY_TO"),
        (
            &["--smtp-url", "imap://u:hunter2@x", "--mail-from", "o@x.org"][..],
            "SMTP_URL",
        ),
        (&["--smtp-timeout-secs", "0"][..], "SMTP_TIMEOUT_SECS"),
        (
            &[
                "--smtp-url",
                "smtp://x",
                "--mail-from",
                "o@x.org",
                "--smtp-timeout-secs",
                "120",
                "--request-timeout-secs",
                "120",
            ][..],
            "shorter than REQUEST_TIMEOUT_SECS",
        ),
    ] {
        let e = cfg(args).unwrap_err();
        assert!(e.contains(says) && !e.contains("hunter2"), "{args:?}: {e}");
    }
}
