//! The EBS encryption guardrail: which volumes an event concerns, and the judgement of their
//! re-read state by the two EBS rules.

mod assess;
mod config_item;
mod facts;
mod subjects;

pub use crate::finding::EventContext;
pub use assess::{assess, default_matters, region_default, JUDGE, SWEEP, TAG_EVENT, TAG_FINDING};
pub use config_item::{evaluate_config_item, evaluate_volume, VOLUME_TYPE};
pub use facts::{RegionFacts, VolumeFacts};
pub use subjects::{launched_instances, volume_ids};
