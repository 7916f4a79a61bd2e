//! Admin APIs: organizations, licenses, roles.

use serde::Serialize;
use ureq::http::Method;

use super::{enc, json_body};
use crate::client::query::pairs;
use crate::client::{Client, Error, Pages};
use crate::models::{License, LicenseAssignment, Organization, Role, UserLicenses};

filters! {
    /// Filters of `GET /organizations` (it takes none today; the struct keeps the list
    /// calls alike and leaves room for them).
    ///
    /// ```
    /// let f = webex_bot::client::ListOrganizations::default();
    /// # let _ = f;
    /// ```
    pub struct ListOrganizations {}
}

/// `/organizations` (admins).
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let orgs: Vec<_> = client.organizations().list(&Default::default()).collect();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OrganizationsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> OrganizationsApi<'c> {
    /// The organizations the caller manages (one page today; followed like any other).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// for org in client.organizations().list(&Default::default()) {
    ///     println!("{:?}", org?.display_name);
    /// }
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn list(&self, filters: &ListOrganizations) -> Pages<'c, Organization> {
        Pages::new(self.client, "organizations", pairs(filters))
    }

    /// The organization with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let org = client.organizations().get("org-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, org_id: &str) -> Result<Organization, Error> {
        self.client
            .get_json(&format!("organizations/{}", enc(org_id)), &[])
    }

    /// Deletes an organization (takes Webex up to 10 minutes).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.organizations().delete("org-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, org_id: &str) -> Result<(), Error> {
        self.client
            .delete(&format!("organizations/{}", enc(org_id)))
    }
}

filters! {
    /// Filters of `GET /licenses`.
    ///
    /// ```
    /// let f = webex_bot::client::ListLicenses::default().org_id("org-1");
    /// assert!(f.org_id.is_some());
    /// ```
    pub struct ListLicenses {
        /// Organization (default the caller's).
        org_id: String,
    }
}

/// `/licenses` (admins).
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let n = client.licenses().list(&Default::default()).count();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LicensesApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> LicensesApi<'c> {
    /// Lists licenses.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.licenses().list(&Default::default()).count();
    /// ```
    pub fn list(&self, filters: &ListLicenses) -> Pages<'c, License> {
        Pages::new(self.client, "licenses", pairs(filters))
    }

    /// The license with this id; with `include_users`, its assignees (`includeAssignedTo=user`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let l = client.licenses().get("license-id", true)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, license_id: &str, include_users: bool) -> Result<License, Error> {
        let q: Vec<(String, String)> = if include_users {
            vec![("includeAssignedTo".into(), "user".into())]
        } else {
            Vec::new()
        };
        self.client
            .get_json(&format!("licenses/{}", enc(license_id)), &q)
    }

    /// The license with this id and one page of its assignees: `next` is the cursor of the
    /// previous answer, `limit` the page size (at most 300).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let l = client.licenses().get_assignees("license-id", None, Some(100))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get_assignees(
        &self,
        license_id: &str,
        next: Option<&str>,
        limit: Option<u32>,
    ) -> Result<License, Error> {
        let mut q: Vec<(String, String)> = vec![("includeAssignedTo".into(), "user".into())];
        if let Some(n) = next {
            q.push(("next".into(), n.into()));
        }
        if let Some(l) = limit {
            q.push(("limit".into(), l.to_string()));
        }
        self.client
            .get_json(&format!("licenses/{}", enc(license_id)), &q)
    }

    /// Adds or removes licenses (and Webex sites) of a person (`PATCH /licenses/users`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::LicenseAssignment;
    /// let now = client.licenses().assign(&LicenseAssignment::for_email("alice@example.com").add_license("license-id"))?;
    /// println!("{} licenses", now.licenses.len());
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn assign(&self, change: &LicenseAssignment) -> Result<UserLicenses, Error> {
        self.client
            .json(Method::PATCH, "licenses/users", &[], json_body(change))
    }
}

filters! {
    /// Filters of `GET /roles` (it takes none today; the struct keeps the list calls alike).
    ///
    /// ```
    /// let f = webex_bot::client::ListRoles::default();
    /// # let _ = f;
    /// ```
    pub struct ListRoles {}
}

/// `/roles` (admins).
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let roles: Vec<_> = client.roles().list(&Default::default()).collect();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RolesApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> RolesApi<'c> {
    /// Lists roles.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.roles().list(&Default::default()).count();
    /// ```
    pub fn list(&self, filters: &ListRoles) -> Pages<'c, Role> {
        Pages::new(self.client, "roles", pairs(filters))
    }

    /// The role with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let r = client.roles().get("role-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, role_id: &str) -> Result<Role, Error> {
        self.client
            .get_json(&format!("roles/{}", enc(role_id)), &[])
    }
}
