//! Errors of the inspector.

use std::path::PathBuf;

use crosscheck_schema::LinuxPackageFormat;
use crosscheck_schema::report::Format;

/// Why a file could not be inspected.
///
/// An unrecognised file is not an error: it yields a report with `format: unknown`.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The file could not be opened, read or mapped.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is bigger than the inspector is willing to look at.
    #[error(
        "{path} is {size} bytes, over the inspector's limit of {limit} bytes \
         (hint: raise InspectOptions::max_file_size)"
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The file starts like a known format but its structure is broken or truncated.
    #[error("malformed {format} file {path}: {reason}")]
    Malformed {
        /// The file (or label).
        path: String,
        /// The format its magic bytes announced.
        format: Format,
        /// What is wrong, as a lowercase fragment.
        reason: String,
    },
    /// The bytes are none of the Linux package formats the inspector reads.
    #[error(
        "not a deb, rpm or apk package (hint: a .deb starts with `!<arch>` and a \
         `debian-binary` member, an .rpm with the bytes ED AB EE DB, an .apk with a gzip stream)"
    )]
    NotAPackage,
    /// A deb, rpm or apk package whose structure is broken or truncated, whose contents
    /// disagree with its own metadata, or that goes over one of the reader's limits.
    #[error("malformed {format} package: {reason}")]
    MalformedPackage {
        /// The format its first bytes announced.
        format: LinuxPackageFormat,
        /// What is wrong, as a lowercase fragment.
        reason: String,
    },
}

/// Internal error carrying only the reason; the entry point adds path and format.
#[derive(Debug)]
pub(crate) struct Bad(pub(crate) String);

impl Bad {
    pub(crate) fn new(reason: impl Into<String>) -> Bad {
        Bad(reason.into())
    }
}

impl From<goblin::error::Error> for Bad {
    fn from(e: goblin::error::Error) -> Bad {
        Bad(e.to_string().to_lowercase())
    }
}

impl From<wasmparser::BinaryReaderError> for Bad {
    fn from(e: wasmparser::BinaryReaderError) -> Bad {
        Bad(e.to_string().to_lowercase())
    }
}

pub(crate) type Res<T> = Result<T, Bad>;

impl From<std::num::TryFromIntError> for Bad {
    fn from(_: std::num::TryFromIntError) -> Bad {
        Bad::new("offset does not fit in memory")
    }
}

impl From<std::io::Error> for Bad {
    fn from(e: std::io::Error) -> Bad {
        Bad(e.to_string())
    }
}
