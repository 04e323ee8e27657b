//! The database's files on disk are for idlink's own user only: they hold session ids and
//! the encrypted tokens. The data folder is created 0700 and the database files (the
//! database, `-wal` and `-shm`) are 0600 whatever the umask, existing ones included.
//! SQLite gives the `-wal` and `-shm` files it creates the database file's mode.

use std::io;
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

const PRIVATE_DIR: u32 = 0o700;
const PRIVATE_FILE: u32 = 0o600;

/// Before SQLite opens `db`: its folder exists (created private), and the database file
/// exists with mode 0600, as do its `-wal` and `-shm` files if present.
pub fn prepare_database_files(db: &Path) -> io::Result<()> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    create.mode(PRIVATE_FILE);
    match create.open(db) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for path in database_files(db) {
        match std::fs::metadata(&path) {
            Ok(_) => restrict(&path, PRIVATE_FILE)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Creates `dir` (and missing parents) readable by idlink's user only. A folder that
/// already exists is left as it is (it may be shared, such as the working directory);
/// if others can enter it, a warning says so.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) => {
            warn_if_shared(dir, &meta);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            builder.mode(PRIVATE_DIR);
            builder.create(dir)?;
            // The umask may have taken bits away from the mode asked for; set it exactly.
            restrict(dir, PRIVATE_DIR)
        }
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn warn_if_shared(dir: &Path, meta: &std::fs::Metadata) {
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        tracing::warn!(
            folder = %dir.display(),
            mode = format_args!("{mode:o}"),
            "the data folder is open to other users; chmod 700 it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_dir: &Path, _meta: &std::fs::Metadata) {}

fn database_files(db: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        tracing::info!(path = %path.display(), from = format_args!("{current:o}"), to = format_args!("{mode:o}"), "tightened file permissions");
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::store::{test_researcher, Store};

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    async fn open_and_write(db: &Path) -> Store {
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let cipher = crate::crypto::TokenCipher::from_base64(&key).unwrap();
        let store = Store::open(db, cipher).await.unwrap();
        // A write, so that SQLite has made its -wal and -shm files.
        test_researcher(&store, &"0000-0002-1825-0097".parse().unwrap()).await;
        store
    }

    #[tokio::test]
    async fn a_new_data_folder_and_database_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data").join("idlink");
        let db = dir.join("idlink.db");
        let store = open_and_write(&db).await;
        assert_eq!(mode(&dir), 0o700);
        for path in database_files(&db) {
            assert!(path.exists(), "{} exists", path.display());
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        store.close().await;
    }

    #[tokio::test]
    async fn existing_database_files_are_tightened_and_the_folder_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shared");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.join("idlink.db");
        // As an older idlink left them: world-readable (an empty file is an empty database).
        for path in database_files(&db) {
            std::fs::write(&path, b"").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        open_and_write(&db).await.close().await;
        for path in database_files(&db) {
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
        }
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&dir), 0o755, "an existing folder is not changed");
    }
}
