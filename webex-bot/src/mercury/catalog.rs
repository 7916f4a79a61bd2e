//! Discovery: the U2C catalog says where the token's user has its device service (WDM),
//! and which cluster each host serves, for REST ids.

use std::collections::HashMap;

use serde::Deserialize;
use ureq::http::Method;

use crate::Client;
use crate::client::Error;

/// The commercial U2C service, the default.
pub(crate) const COMMERCIAL_U2C_URL: &str = "https://u2c.wbx2.com/u2c/api/v1";

/// What the bot needs from the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Catalog {
    /// The device service, such as `https://wdm-a.wbx2.com/wdm/api/v1`.
    pub wdm: String,
    /// Host to cluster id (`urn:TEAM:us-east-2_a:conversation`), from `hostCatalog`.
    pub hosts: HashMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Hostmap {
    #[serde(default)]
    service_links: HashMap<String, String>,
    #[serde(default)]
    host_catalog: HashMap<String, Vec<HostEntry>>,
}

#[derive(Deserialize)]
struct HostEntry {
    #[serde(default)]
    id: String,
}

impl Catalog {
    /// `GET {u2c}/catalog?format=hostmap` with the bot's token.
    pub(crate) fn fetch(client: &Client, u2c: &str) -> Result<Catalog, Error> {
        let url = format!("{}/catalog?format=hostmap", u2c.trim_end_matches('/'));
        let map: Hostmap = client.service_json(Method::GET, &url, None)?;
        Catalog::from_hostmap(map, u2c)
    }

    fn from_hostmap(map: Hostmap, u2c: &str) -> Result<Catalog, Error> {
        let wdm =
            map.service_links.get("wdm").cloned().ok_or_else(|| {
                Error::Config(format!("the U2C catalog at {u2c} has no wdm link"))
            })?;
        // The token goes to the catalog's hosts: a plain-http link from an https catalog is
        // refused, so that it never crosses the network in the clear.
        if u2c.starts_with("https://") && !wdm.starts_with("https://") {
            return Err(Error::Config(format!(
                "the U2C catalog gave a device service that is not https: {wdm}"
            )));
        }
        let hosts = map
            .host_catalog
            .into_iter()
            .filter_map(|(host, entries)| {
                let id = entries
                    .into_iter()
                    .map(|e| e.id)
                    .find(|id| !id.is_empty())?;
                Some((host.to_ascii_lowercase(), id))
            })
            .collect();
        Ok(Catalog {
            wdm: wdm.trim_end_matches('/').to_owned(),
            hosts,
        })
    }

    /// The cluster part of REST ids for things served from `url`'s host (a conversation
    /// URL): `us` for the US clusters and for hosts the catalog does not list, otherwise the
    /// first three colon-separated parts of the host's id (`urn:TEAM:eu-central-1_k`), as
    /// Webex's JavaScript SDK builds them.
    pub(crate) fn cluster_for(&self, url: Option<&str>) -> String {
        let host = url.and_then(|u| {
            let rest = u.split_once("://")?.1;
            let authority = rest.split(['/', '?', '#']).next()?;
            Some(authority.rsplit('@').next()?.to_ascii_lowercase())
        });
        let Some(id) = host.and_then(|h| {
            self.hosts
                .get(&h)
                .or_else(|| self.hosts.get(h.split(':').next().unwrap_or(&h)))
        }) else {
            return "us".into();
        };
        if id.starts_with("urn:TEAM:us-east-2_a") || id.starts_with("urn:TEAM:us-east-1_int13") {
            return "us".into();
        }
        let parts: Vec<&str> = id.splitn(4, ':').collect();
        if parts.len() < 3 {
            return "us".into();
        }
        parts[..3].join(":")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(json: &str) -> Result<Catalog, Error> {
        Catalog::from_hostmap(
            serde_json::from_str(json).unwrap(),
            "https://u2c.example/u2c/api/v1",
        )
    }

    #[test]
    fn reads_wdm_and_clusters() {
        let c = catalog(
            r#"{"serviceLinks":{"wdm":"https://wdm-b.example/wdm/api/v1/"},
                "hostCatalog":{"conv-a.example":[{"host":"conv-a.example","id":"urn:TEAM:us-east-2_a:conversation"}],
                               "conv-k.example":[{"host":"conv-k.example","id":"urn:TEAM:eu-central-1_k:conversation"}]}}"#,
        )
        .unwrap();
        assert_eq!(c.wdm, "https://wdm-b.example/wdm/api/v1");
        let at = |u: &str| c.cluster_for(Some(u));
        assert_eq!(
            at("https://conv-a.example/conversation/api/v1/conversations/x"),
            "us"
        );
        assert_eq!(
            at("https://conv-k.example/conversation/api/v1/conversations/x"),
            "urn:TEAM:eu-central-1_k"
        );
        assert_eq!(at("https://unknown.example/x"), "us");
        assert_eq!(c.cluster_for(None), "us");
    }

    #[test]
    fn refuses_a_catalog_without_wdm_or_with_plain_http() {
        assert!(catalog(r#"{"serviceLinks":{}}"#).is_err());
        let e = catalog(r#"{"serviceLinks":{"wdm":"http://wdm.example/wdm/api/v1"}}"#).unwrap_err();
        assert!(e.to_string().contains("not https"), "{e}");
    }
}
