//! Typed identities of the validated portal. Entities refer to each other by index ids into
//! the portal's lists ([`ApiId`] into `Portal::apis`, [`OperationId`] into an API's
//! operations, …), never by re-matching strings, so "the same operation" is one comparison of
//! two small values everywhere. [`Slug`] is the URL-safe name of an API or package; the rule
//! for what a slug may hold lives here and nowhere else.

use std::borrow::Borrow;
use std::fmt;

use serde::Serialize;

macro_rules! index_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            pub fn new(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 2^32 entities"))
            }

            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_id!(
    /// An API: index into `Portal::apis`.
    ApiId
);
index_id!(
    /// A package: index into `Portal::packages`.
    PackageId
);
index_id!(
    /// A guide page: index into `Portal::pages`.
    PageId
);
index_id!(
    /// A route of the gateway manifest: index into `Manifest::routes`.
    RouteId
);
index_id!(
    /// A service of the gateway manifest: index into `Manifest::services`.
    ServiceId
);
index_id!(
    /// A consumer of the gateway manifest: index into `Manifest::consumers`.
    ConsumerId
);
index_id!(
    /// A consumer group of the gateway manifest: index into `Manifest::consumer_groups`.
    ConsumerGroupId
);

/// An operation: its API and its index in that API's `operations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperationId {
    pub api: ApiId,
    pub index: u32,
}

impl OperationId {
    pub fn new(api: ApiId, index: usize) -> Self {
        OperationId {
            api,
            index: u32::try_from(index).expect("fewer than 2^32 operations"),
        }
    }

    pub fn index(self) -> usize {
        self.index as usize
    }
}

/// The URL-safe name of an API or package: `^[a-z0-9][a-z0-9-]*$`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// The pattern, for messages.
    pub const PATTERN: &'static str = "^[a-z0-9][a-z0-9-]*$";

    /// True when `s` is a valid slug.
    pub fn is_valid(s: &str) -> bool {
        let mut chars = s.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    pub fn parse(s: &str) -> Option<Slug> {
        Slug::is_valid(s).then(|| Slug(s.to_string()))
    }

    /// `s` made into a slug: lowercased, every other character than a letter, digit or `-`
    /// turned into `-` (for names that are not validated slugs, such as a file given to the
    /// loader directly).
    pub fn from_name(s: &str) -> Slug {
        let mut out: String = s
            .chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_lowercase() || c.is_ascii_digit() {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if !out.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            out.insert(0, 'x');
        }
        Slug(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Slug {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Slug {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Slug {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Slug {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Slug {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Slug> for String {
    fn eq(&self, other: &Slug) -> bool {
        *self == other.0
    }
}

impl PartialEq<Slug> for &str {
    fn eq(&self, other: &Slug) -> bool {
        *self == other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["a", "0", "my-api", "v2-x9"] {
            assert!(Slug::parse(ok).is_some(), "{ok}");
        }
        for bad in ["", "-a", "A", "my_api", "é", "a b", "a/b"] {
            assert!(Slug::parse(bad).is_none(), "{bad}");
            assert!(Slug::is_valid(&Slug::from_name(bad)), "{bad}");
        }
        assert_eq!(Slug::from_name("My_API"), "my-api");
    }
}
