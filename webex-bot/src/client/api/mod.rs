//! One small handle per Webex resource, each a thin typed layer over the request core.

use serde::Serialize;

use super::{Body, Client};

/// Declares a list-filter struct: `Option` fields serialized in camelCase (or under the
/// wire name given with `as`), and a builder setter per field.
macro_rules! filters {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[doc = $doc:literal])* $field:ident $(as $wire:literal)? : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $wire)])?
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }

        impl $name {
            $(
                $(#[doc = $doc])*
                pub fn $field(mut self, value: impl Into<$ty>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

pub(super) fn enc(id: &str) -> String {
    crate::util::encode_path_segment(id)
}

pub(super) fn json_body<B: Serialize + ?Sized>(b: &B) -> Body<'static> {
    Client::send_json_body(b)
}

mod actions;
mod admin;
mod applications;
mod events;
mod memberships;
mod messages;
mod people;
mod rooms;
mod teams;
mod webhooks;

pub use actions::*;
pub use admin::*;
pub use applications::*;
pub use events::*;
pub use memberships::*;
pub use messages::*;
pub use people::*;
pub use rooms::*;
pub use teams::*;
pub use webhooks::*;
