//! Many verified target downloads at once: fetch and verify on several threads, write
//! the files from one.
//!
//! Downloads wait on the network more than on the CPU, so more of them are in flight than
//! there are cores. Files are written by the calling thread alone: several threads
//! creating files in one directory queue on the directory's lock (and spin on it on
//! ext4). The writer takes every target queued at each wake-up ([`BatchQueue`]), so a
//! thousand small targets cost far fewer thread hand-overs than a thousand.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::TufError;
use crate::client::{Client, FetchedTarget, Fetcher, quote};
use crate::metadata::TargetFile;

/// Most verified targets waiting for the writer, and most bytes: fetchers pause beyond
/// either (one target is always let through, however large).
const QUEUE_ITEMS: usize = 256;
const QUEUE_BYTES: usize = 64 * 1024 * 1024;

impl<F: Fetcher + Sync> Client<'_, F> {
    /// Downloads every `(target, info)` of `wanted` (found with [`Client::target_info`])
    /// as [`Client::download_target`] does, `workers` at a time, and writes each under
    /// `target_dir`. Returns one result per target, in the order given; one failure does
    /// not stop the others.
    ///
    /// `target_dir` is listed once: targets not in it are not looked for one by one (a
    /// failed open each, which also takes the directory's lock against the writer).
    pub fn download_targets<T: AsRef<str> + Sync>(
        &self,
        wanted: &[(T, TargetFile)],
        target_dir: &Path,
        base_url: &str,
        workers: usize,
    ) -> Vec<Result<PathBuf, TufError>> {
        let present = present_names(target_dir, wanted.iter().map(|(t, _)| t.as_ref()));
        let next = AtomicUsize::new(0);
        let workers = workers.clamp(1, wanted.len().max(1));
        let queue = BatchQueue::new(workers, QUEUE_ITEMS, QUEUE_BYTES);
        let mut results: Vec<Option<Result<PathBuf, TufError>>> =
            wanted.iter().map(|_| None).collect();
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    let _done = queue.producer();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((t, info)) = wanted.get(i) else {
                            break;
                        };
                        let t = t.as_ref();
                        let name = quote(t);
                        let may_exist = present.as_ref().is_none_or(|p| p.contains(&name));
                        let r = self.fetch_target_at(
                            t,
                            info,
                            target_dir.join(name),
                            may_exist,
                            base_url,
                        );
                        let size = match &r {
                            Ok(f) => f.len(),
                            Err(_) => 0,
                        };
                        queue.push((i, r), size);
                    }
                });
            }
            let mut batch = Vec::new();
            while queue.take(&mut batch) {
                for ((i, fetched), _) in batch.drain(..) {
                    if let Some(slot) = results.get_mut(i) {
                        *slot = Some(fetched.and_then(FetchedTarget::store));
                    }
                }
            }
        });
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(TufError::internal("download did not finish"))))
            .collect()
    }
}

/// Which of `names` (quoted as file names) exist in `dir`, by one listing of it; `None`
/// when it cannot be listed (each is then looked for on its own).
fn present_names<'a>(dir: &Path, names: impl Iterator<Item = &'a str>) -> Option<HashSet<String>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let wanted: HashSet<String> = names.map(quote).collect();
    let mut present = HashSet::new();
    for e in entries {
        let e = e.ok()?;
        // Only names we want are kept: memory is bounded by the request, not the folder.
        if let Some(n) = e.file_name().to_str()
            && wanted.contains(n)
        {
            present.insert(n.to_string());
        }
    }
    Some(present)
}

/// A bounded queue from many producers to one consumer that takes everything queued at
/// once. Producers block while it holds `max_items` items or `max_bytes` bytes (an item
/// is always let in when it is empty). The consumer is woken only when it waits.
pub(crate) struct BatchQueue<T> {
    state: Mutex<QueueState<T>>,
    /// The consumer waits here for items (or the last producer leaving).
    items: Condvar,
    /// Producers wait here for room.
    room: Condvar,
    max_items: usize,
    max_bytes: usize,
}

struct QueueState<T> {
    queued: Vec<(T, usize)>,
    bytes: usize,
    producers: usize,
    consumer_waiting: bool,
    producers_waiting: usize,
}

/// Leaves the queue when dropped (even by a panic): the consumer stops once all left.
pub(crate) struct Producer<'q, T>(&'q BatchQueue<T>);

impl<T> Drop for Producer<'_, T> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.producers = st.producers.saturating_sub(1);
        if st.producers == 0 {
            self.0.items.notify_one();
        }
    }
}

impl<T> BatchQueue<T> {
    /// A queue that `producers` producers will join with [`BatchQueue::producer`].
    pub(crate) fn new(producers: usize, max_items: usize, max_bytes: usize) -> Self {
        BatchQueue {
            state: Mutex::new(QueueState {
                queued: Vec::new(),
                bytes: 0,
                producers,
                consumer_waiting: false,
                producers_waiting: 0,
            }),
            items: Condvar::new(),
            room: Condvar::new(),
            max_items: max_items.max(1),
            max_bytes,
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState<T>> {
        // A panicking producer cannot leave the state inconsistent (plain pushes).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One of the `producers` given to [`BatchQueue::new`]; it leaves when dropped.
    pub(crate) fn producer(&self) -> Producer<'_, T> {
        Producer(self)
    }

    /// Queues `item` of `bytes` bytes, waiting for room.
    pub(crate) fn push(&self, item: T, bytes: usize) {
        let mut st = self.lock();
        while !st.queued.is_empty()
            && (st.queued.len() >= self.max_items
                || st.bytes.saturating_add(bytes) > self.max_bytes)
        {
            st.producers_waiting += 1;
            st = self.room.wait(st).unwrap_or_else(|p| p.into_inner());
            st.producers_waiting -= 1;
        }
        st.queued.push((item, bytes));
        st.bytes = st.bytes.saturating_add(bytes);
        if st.consumer_waiting {
            self.items.notify_one();
        }
    }

    /// Moves everything queued into `batch` (which must be empty), waiting until there
    /// is something. `false`: nothing more will come (every producer left).
    pub(crate) fn take(&self, batch: &mut Vec<(T, usize)>) -> bool {
        let mut st = self.lock();
        loop {
            if !st.queued.is_empty() {
                std::mem::swap(batch, &mut st.queued);
                st.bytes = 0;
                if st.producers_waiting > 0 {
                    self.room.notify_all();
                }
                return true;
            }
            if st.producers == 0 {
                return false;
            }
            st.consumer_waiting = true;
            st = self.items.wait(st).unwrap_or_else(|p| p.into_inner());
            st.consumer_waiting = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{FetchError, Limits};
    use std::time::Duration;

    /// Serves a repository folder: `repo:/metadata/F` and `repo:/targets/F`; counts the
    /// target fetches.
    struct Files {
        dir: PathBuf,
        target_fetches: AtomicUsize,
    }

    impl Fetcher for Files {
        fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
            let rel = url
                .strip_prefix("repo:/")
                .ok_or(FetchError::NotFound(404))?;
            if rel.starts_with("targets/") {
                self.target_fetches.fetch_add(1, Ordering::Relaxed);
            }
            let b = std::fs::read(self.dir.join(rel)).map_err(|_| FetchError::NotFound(404))?;
            if b.len() as u64 > max_len {
                return Err(FetchError::TooLarge(max_len));
            }
            Ok(b)
        }
    }

    #[test]
    fn download_targets_keeps_order_reuses_good_copies_and_reports_each_failure() {
        use crate::repo::{Repository, RootSpec};
        let repo = tempfile::tempdir().unwrap();
        let key =
            palisade_keys::PrivateKey::generate(palisade_keys::KeyAlgorithm::Ed25519).unwrap();
        let now = palisade_intoto::time::now();
        let exp = now + 86_400;
        let mut spec = RootSpec {
            keys: Default::default(),
            thresholds: Default::default(),
            expires: Default::default(),
        };
        for r in crate::repo::TOP_ROLES {
            spec.keys.insert(r.into(), vec![key.public_key().clone()]);
            spec.expires.insert(r.into(), exp);
        }
        let r = Repository::open(repo.path());
        r.init(&spec, std::slice::from_ref(&key)).unwrap();
        let names: Vec<String> = (0..40).map(|i| format!("pkg/{i:02}.bin")).collect();
        for (i, n) in names.iter().enumerate() {
            let data = format!("artefact {i}\n");
            r.add_target(
                "targets",
                n,
                data.as_bytes(),
                None,
                std::slice::from_ref(&key),
                (exp, exp, exp),
            )
            .unwrap();
        }
        // Target 7 is listed but its file is gone from the repository.
        let sha = palisade_keys::sha256_hex(b"artefact 7\n");
        std::fs::remove_file(repo.path().join(format!("targets/pkg/{sha}.07.bin"))).unwrap();

        let meta = tempfile::tempdir().unwrap();
        let root = std::fs::read(repo.path().join("metadata/1.root.json")).unwrap();
        crate::client::init(meta.path(), &root).unwrap();
        let files = Files {
            dir: repo.path().to_path_buf(),
            target_fetches: AtomicUsize::new(0),
        };
        let mut c = Client::new(
            meta.path(),
            "repo:/metadata",
            &files,
            Limits::default(),
            now,
        )
        .unwrap();
        let wanted: Vec<(String, TargetFile)> = names
            .iter()
            .map(|n| (n.clone(), c.target_info(n).unwrap().unwrap()))
            .collect();
        let out = tempfile::tempdir().unwrap();
        // A good copy of target 3 is used as is; a bad copy of target 5 is replaced.
        std::fs::write(out.path().join("pkg%2F03.bin"), "artefact 3\n").unwrap();
        std::fs::write(out.path().join("pkg%2F05.bin"), "tampered\n").unwrap();
        let results = c.download_targets(&wanted, out.path(), "repo:/targets", 4);
        assert_eq!(results.len(), 40);
        for (i, r) in results.iter().enumerate() {
            if i == 7 {
                let e = r.as_ref().unwrap_err();
                assert!(e.to_string().contains("pkg/07.bin"), "{e}");
                continue;
            }
            let p = r.as_ref().unwrap();
            assert_eq!(p, &out.path().join(format!("pkg%2F{i:02}.bin")));
            assert_eq!(
                std::fs::read_to_string(p).unwrap(),
                format!("artefact {i}\n")
            );
        }
        // Every target but the good copy was fetched (the missing one was tried).
        assert_eq!(files.target_fetches.load(Ordering::Relaxed), 39);
        // 39 files, nothing else (no temporary files left behind).
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 39);
        // A second run finds every copy good and fetches nothing.
        let again = c.download_targets(&wanted, out.path(), "repo:/targets", 4);
        assert!(again.iter().enumerate().all(|(i, r)| r.is_ok() == (i != 7)));
        assert_eq!(files.target_fetches.load(Ordering::Relaxed), 40);
    }

    #[test]
    fn present_names_lists_only_wanted_names_and_fails_soft() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a%2Fb"), "x").unwrap();
        std::fs::write(d.path().join("other"), "x").unwrap();
        let p = present_names(d.path(), ["a/b", "c"].into_iter()).unwrap();
        assert_eq!(p.into_iter().collect::<Vec<_>>(), ["a%2Fb"]);
        assert!(present_names(&d.path().join("missing"), ["a/b"].into_iter()).is_none());
    }

    #[test]
    fn batch_queue_delivers_everything_once_in_batches() {
        let q = BatchQueue::new(4, 8, usize::MAX);
        let mut seen = Vec::new();
        let mut batches = 0;
        std::thread::scope(|s| {
            for p in 0..4u32 {
                let q = &q;
                s.spawn(move || {
                    let _done = q.producer();
                    for i in 0..500u32 {
                        q.push(p * 1000 + i, 1);
                    }
                });
            }
            let mut batch = Vec::new();
            while q.take(&mut batch) {
                assert!(!batch.is_empty() && batch.len() <= 8, "{}", batch.len());
                batches += 1;
                seen.extend(batch.drain(..).map(|(v, _)| v));
                // A slow writer: producers fill the queue meanwhile.
                std::thread::sleep(Duration::from_micros(200));
            }
        });
        seen.sort_unstable();
        let want: Vec<u32> = (0..4u32)
            .flat_map(|p| (0..500).map(move |i| p * 1000 + i))
            .collect();
        assert_eq!(seen, want);
        // Several items per wake-up, not one each.
        assert!(batches < 2000 / 2, "{batches} batches");
    }

    #[test]
    fn batch_queue_bounds_bytes_but_lets_a_large_item_through() {
        let q = BatchQueue::new(1, 100, 10);
        std::thread::scope(|s| {
            s.spawn(|| {
                let _done = q.producer();
                q.push("big", 50); // larger than the bound, queue empty: let in
                q.push("small", 1); // waits until the consumer took "big"
            });
            let mut batch = Vec::new();
            let mut got = Vec::new();
            while q.take(&mut batch) {
                assert_eq!(batch.len(), 1, "{batch:?}");
                got.extend(batch.drain(..).map(|(v, _)| v));
            }
            assert_eq!(got, ["big", "small"]);
        });
    }

    #[test]
    fn batch_queue_ends_when_a_producer_panics() {
        let q: BatchQueue<u8> = BatchQueue::new(2, 4, usize::MAX);
        std::thread::scope(|s| {
            let h = s.spawn(|| {
                let _done = q.producer();
                panic!("fetch thread fails");
            });
            s.spawn(|| {
                let _done = q.producer();
                q.push(1, 1);
            });
            let mut batch = Vec::new();
            let mut n = 0;
            while q.take(&mut batch) {
                n += batch.drain(..).count();
            }
            assert_eq!(n, 1);
            assert!(h.join().is_err());
        });
    }
}
