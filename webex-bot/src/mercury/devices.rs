//! The bot's device at WDM: found again by name, created when none fits, refreshed, and
//! deleted; and, when Webex refuses a new one for "excessive device registrations", room
//! made by deleting the bot's own oldest devices.

use serde::{Deserialize, Serialize};
use serde_json::json;
use ureq::http::Method;

use crate::Client;
use crate::client::Error;

/// The `model` of every device this crate registers: how it knows its own devices among
/// the user's.
pub(crate) const MODEL: &str = "webex-bot-rs";

/// A WDM device, as far as the bot reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Device {
    /// The device's own URL (`{wdm}/devices/<uuid>`): refresh and delete go there.
    #[serde(default)]
    pub url: String,
    /// Where to open the websocket.
    #[serde(default)]
    pub web_socket_url: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub modification_time: Option<String>,
}

#[derive(Deserialize)]
struct DeviceList {
    #[serde(default)]
    devices: Vec<Device>,
}

/// Calls to the device service at `wdm` for one bot.
pub(crate) struct Devices<'a> {
    pub client: &'a Client,
    pub wdm: &'a str,
    pub name: &'a str,
}

/// What getting a device took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Got {
    /// A device of this name was refreshed.
    Reused,
    /// A new one was created.
    Created,
    /// A new one was created after deleting this many of the bot's own stale devices.
    CreatedAfterCleanup(usize),
}

impl Devices<'_> {
    fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "deviceName": self.name,
            "deviceType": "DESKTOP",
            "localizedModel": "webex-bot",
            "model": MODEL,
            "name": self.name,
            "systemName": "webex-bot",
            "systemVersion": env!("CARGO_PKG_VERSION"),
        }))
        .expect("json")
    }

    /// The user's devices. A 404 from the list means none.
    pub(crate) fn list(&self) -> Result<Vec<Device>, Error> {
        let url = format!("{}/devices", self.wdm);
        match self
            .client
            .service_json::<DeviceList>(Method::GET, &url, None)
        {
            Ok(l) => Ok(l.devices),
            Err(e) if e.status() == Some(404) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// `PUT` the device again: its registration renewed, perhaps a new websocket URL.
    pub(crate) fn refresh(&self, device: &Device) -> Result<Device, Error> {
        self.client
            .service_json(Method::PUT, &device.url, Some(self.body()))
    }

    /// Creates a device.
    pub(crate) fn create(&self) -> Result<Device, Error> {
        let url = format!("{}/devices?includeUpstreamServices=all", self.wdm);
        self.client
            .service_json(Method::POST, &url, Some(self.body()))
    }

    /// Deletes one device.
    pub(crate) fn delete(&self, device: &Device) -> Result<(), Error> {
        self.client.service_empty(Method::DELETE, &device.url, None)
    }

    /// A device to connect with: the newest of this name that still refreshes, else a new
    /// one. When Webex refuses the new one for excessive registrations, the oldest third
    /// of the devices this crate registered (at least one) are deleted and the creation is
    /// tried once more.
    pub(crate) fn obtain(&self) -> Result<(Device, Got), Error> {
        let mut mine: Vec<Device> = self
            .list()?
            .into_iter()
            .filter(|d| d.name.as_deref() == Some(self.name) && !d.url.is_empty())
            .collect();
        // ISO 8601 times of one form sort as text: newest first.
        mine.sort_by(|a, b| b.modification_time.cmp(&a.modification_time));
        for d in &mine {
            match self.refresh(d) {
                Ok(fresh) => return Ok((fresh, Got::Reused)),
                Err(e) if e.status() == Some(404) => {
                    log::debug!("device {} is gone (404): trying the next", d.url);
                }
                Err(e) => return Err(e),
            }
        }
        match self.create() {
            Ok(d) => Ok((d, Got::Created)),
            Err(e) if is_excessive(&e) => {
                let removed = self.remove_stale()?;
                log::warn!(
                    "Webex refused a new device (excessive device registrations): deleted {removed} of this bot's stale devices, trying once more"
                );
                let d = self.create()?;
                Ok((d, Got::CreatedAfterCleanup(removed)))
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes the oldest third (at least one) of the devices with this crate's model.
    fn remove_stale(&self) -> Result<usize, Error> {
        let mut ours: Vec<Device> = self
            .list()?
            .into_iter()
            .filter(|d| d.model.as_deref() == Some(MODEL) && !d.url.is_empty())
            .collect();
        ours.sort_by(|a, b| a.modification_time.cmp(&b.modification_time));
        let n = ours.len().div_ceil(3).max(1).min(ours.len());
        let mut removed = 0;
        for d in ours.iter().take(n) {
            match self.delete(d) {
                Ok(()) => removed += 1,
                Err(e) if e.status() == Some(404) => removed += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }
}

/// Whether Webex refused a device for the user's excessive device registrations (403).
pub(crate) fn is_excessive(e: &Error) -> bool {
    e.api().is_some_and(|a| {
        a.status() == 403
            && (a
                .message()
                .is_some_and(|m| m.to_ascii_lowercase().contains("excessive"))
                || a.body().to_ascii_lowercase().contains("excessive"))
    })
}
