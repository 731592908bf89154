//! The API key never appears in `Debug` or `Display` output of anything that holds it.

mod common;

use soniox::blocking::Client;
use soniox::Config;

const KEY: &str = "sk-very-secret-0123456789";

#[test]
fn the_key_is_redacted_in_config_builder_client_and_errors() {
    let mock = common::mock();
    let builder = Client::builder().api_key(KEY).base_url(mock.base_url());
    let client = builder.clone().build().unwrap();
    let config = Config::builder().api_key(KEY).build().unwrap();
    // A wrong key: the 401 error must not echo it either.
    let err = client.models().list().unwrap_err();
    let texts = [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{config:?}"),
        format!("{}", config.api_key()),
        format!("{:?}", config.api_key()),
        format!("{err}"),
        format!("{err:?}"),
    ];
    for t in &texts {
        assert!(!t.contains(KEY) && !t.contains("very-secret"), "key leaked in: {t}");
    }
    assert_eq!(err.status(), Some(401));
}
