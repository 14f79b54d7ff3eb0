//! Where this worker keeps its sources' offsets (see `connectors::source_offsets`): a file
//! in `standalone` and `worker` mode (`offset.storage.file.filename`), the offsets topic in
//! `distributed` mode (`offset.storage.topic`), or, in the file modes with no file named,
//! memory only (offsets then survive a task's restart but not the process's; the worker
//! says so when it starts).

pub mod file;
pub mod topic;

pub use file::FileOffsetStore;
pub use topic::TopicOffsetStore;
