//! Random sequences of queue operations against a model of the state machine: the database
//! accepts exactly the moves the model allows, and ends in the same states with the same
//! attempt counts and bodies kept exactly until acknowledgement.

use enroll::demo::demo_enrollment;
use enroll::ids::{DeviceId, GroupId, ReasonCode};
use enroll::package::{BackOfficeSecretKey, DeviceSigningKey, SealedPackage, seal};
use enroll::queue::{Enqueued, Queue, ReviewOutcome};
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use proptest::prelude::*;
use rand_core::UnwrapErr;
use std::collections::HashMap;
use std::sync::OnceLock;

const T0: Timestamp = Timestamp::from_unix_millis(1_790_000_000_000);
const PACKAGES: usize = 3;

fn packages() -> &'static Vec<SealedPackage> {
    static P: OnceLock<Vec<SealedPackage>> = OnceLock::new();
    P.get_or_init(|| {
        let mut rng = UnwrapErr(SysRng);
        let device = DeviceSigningKey::generate(&mut rng);
        let (_, office) = BackOfficeSecretKey::generate(&mut rng);
        (0..PACKAGES as u32)
            .map(|n| {
                let e = demo_enrollment(
                    n,
                    4096,
                    &DeviceId::new("k").expect("id"),
                    &GroupId::new("g").expect("id"),
                    T0,
                )
                .expect("demo");
                seal(&e, T0, &device, &office, &mut rng).expect("seal")
            })
            .collect()
    })
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Enqueue,
    Begin,
    Fail,
    Done,
    Ack,
    Approve,
    Reject,
    Activate,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Model {
    state: Option<EnrollmentState>,
    attempts: u32,
}

fn expected(m: Model, op: Op) -> Option<Model> {
    use EnrollmentState::*;
    let to = match (op, m.state) {
        (Op::Enqueue, None) => {
            return Some(Model {
                state: Some(Queued),
                attempts: 0,
            });
        }
        (Op::Enqueue, Some(_)) => return Some(m),
        (_, None) => return None,
        (Op::Begin, _) => Uploading,
        (Op::Fail, _) => Queued,
        (Op::Done, _) => Uploaded,
        (Op::Ack, _) => Acknowledged,
        (Op::Approve, _) => Approved,
        (Op::Reject, _) => Rejected,
        (Op::Activate, _) => Activated,
    };
    let from = m.state?;
    from.can_become(to).then(|| Model {
        state: Some(to),
        attempts: m.attempts + u32::from(matches!(op, Op::Begin)),
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Enqueue),
        Just(Op::Begin),
        Just(Op::Fail),
        Just(Op::Done),
        Just(Op::Ack),
        Just(Op::Approve),
        Just(Op::Reject),
        Just(Op::Activate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_database_follows_the_state_machine(
        ops in proptest::collection::vec((0..PACKAGES, op()), 1..40)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let dir = tempfile::tempdir().expect("tempdir");
            let q = Queue::open(&dir.path().join("q.sqlite")).await.expect("open");
            let mut model: HashMap<usize, Model> = HashMap::new();
            let code = ReasonCode::new("timeout").expect("code");
            for (i, op) in ops {
                let p = &packages()[i];
                let id = p.id();
                let m = model.get(&i).copied().unwrap_or_default();
                let result = match op {
                    Op::Enqueue => q.enqueue(p, None, T0).await.map(|r| {
                        assert_eq!(r == Enqueued::Added, m.state.is_none());
                    }),
                    Op::Begin => q.begin_upload(id, T0).await,
                    Op::Fail => q.upload_failed(id, &code, T0, T0).await,
                    Op::Done => q.upload_done(id, T0).await,
                    Op::Ack => q.acknowledge(id, T0).await,
                    Op::Approve => q.record_review(id, &ReviewOutcome::Approved, T0).await,
                    Op::Reject => {
                        q.record_review(id, &ReviewOutcome::Rejected(code.clone()), T0).await
                    }
                    Op::Activate => q.record_review(id, &ReviewOutcome::Activated, T0).await,
                };
                let want = expected(m, op);
                assert_eq!(result.is_ok(), want.is_some(), "{op:?} from {m:?}: {result:?}");
                if let Some(next) = want {
                    model.insert(i, next);
                }
            }
            for (i, m) in &model {
                let s = q.status(packages()[*i].id()).await.expect("status");
                assert_eq!(Some(s.state), m.state);
                assert_eq!(s.attempts, m.attempts);
                assert_eq!(s.body_present, s.state.holds_body());
            }
            q.close().await;
        });
    }
}
