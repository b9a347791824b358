//! Entry-point behaviour that does not need fixtures: I/O errors, empty and oversized files.

use std::path::PathBuf;

use crosscheck_inspector::{Format, InspectError, InspectOptions, inspect_path, inspect_path_with};

fn scratch(name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inspector-api");
    std::fs::create_dir_all(&dir)?;
    let p = dir.join(format!("{name}-{}", std::process::id()));
    std::fs::write(&p, bytes)?;
    Ok(p)
}

#[test]
fn missing_files_and_directories_are_io_errors() {
    let r = inspect_path(std::path::Path::new("/nonexistent/crosscheck/binary"));
    assert!(matches!(r, Err(InspectError::Io { .. })), "{r:?}");
    let r = inspect_path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(matches!(r, Err(InspectError::Io { .. })), "{r:?}");
    if let Err(e) = r {
        assert!(e.to_string().starts_with("cannot read "), "{e}");
    }
}

#[test]
fn empty_file_is_unknown_with_the_empty_hash() -> std::io::Result<()> {
    let p = scratch("empty", b"")?;
    let r = inspect_path(&p);
    std::fs::remove_file(&p)?;
    let r = r.map_err(std::io::Error::other)?;
    assert_eq!(r.format, Format::Unknown);
    assert_eq!(r.size, 0);
    assert_eq!(
        r.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert!(r.go.is_none() && r.goos.is_none());
    Ok(())
}

#[test]
fn oversized_files_are_refused_before_mapping() -> std::io::Result<()> {
    let p = scratch("big", &[0u8; 4096])?;
    let opts = InspectOptions {
        max_file_size: 1024,
        hash: true,
    };
    let r = inspect_path_with(&p, &opts);
    std::fs::remove_file(&p)?;
    match r {
        Err(
            e @ InspectError::TooLarge {
                size: 4096,
                limit: 1024,
                ..
            },
        ) => {
            assert!(e.to_string().contains("hint"), "{e}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    Ok(())
}

#[test]
fn malformed_errors_name_path_and_format() {
    let r = crosscheck_inspector::inspect_bytes("dist/app", b"\x7fELF\x02\x01\x01\x00");
    match r {
        Err(
            e @ InspectError::Malformed {
                format: Format::Elf,
                ..
            },
        ) => {
            let msg = e.to_string();
            assert!(msg.starts_with("malformed elf file dist/app: "), "{msg}");
            assert_eq!(msg, msg.to_lowercase(), "messages are lowercase fragments");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}
