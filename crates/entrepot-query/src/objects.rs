//! The object stores a session reads: the local file system, and S3 buckets
//! (`s3://BUCKET`) made on first use from the environment (`AWS_*`, see
//! [`entrepot_store::object`]).
//!
//! Every session of this crate, and the executors and scheduler of `entrepot cluster`,
//! use [`ObjectStores`], so a plan naming files of an object-store store runs on any of
//! them without the client shipping credentials: each node reads its own environment.

use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use datafusion::object_store::ObjectStore;
use std::sync::Arc;
use url::Url;

/// An object-store registry that knows the local file system and makes an S3
/// client for any `s3://BUCKET` it is asked for.
#[derive(Debug, Default)]
pub struct ObjectStores {
    inner: DefaultObjectStoreRegistry,
}

impl ObjectStores {
    /// A registry with the local file system only (S3 buckets are added on use).
    pub fn new() -> Self {
        Self::default()
    }
}

impl ObjectStoreRegistry for ObjectStores {
    fn register_store(
        &self,
        url: &Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        self.inner.register_store(url, store)
    }

    fn deregister_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        self.inner.deregister_store(url)
    }

    fn get_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        match self.inner.get_store(url) {
            Ok(store) => Ok(store),
            Err(_) if url.scheme() == "s3" => {
                let bucket = url.host_str().ok_or_else(|| {
                    DataFusionError::Configuration(format!("no bucket in the URL {url}"))
                })?;
                let client = entrepot_store::object::s3_client(bucket)
                    .map_err(|e| DataFusionError::Configuration(format!("s3://{bucket}: {e}")))?;
                let base = Url::parse(&format!("s3://{bucket}"))
                    .map_err(|e| DataFusionError::Configuration(e.to_string()))?;
                self.inner.register_store(&base, client.clone());
                Ok(client)
            }
            Err(e) => Err(e),
        }
    }
}
