// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { HubInfo } from "./HubInfo";
import type { OverviewReview } from "./OverviewReview";
import type { StaleDevice } from "./StaleDevice";

export type HubOverview = { hub: HubInfo, 
/**
 * By visit start date, then school.
 */
reviews: Array<OverviewReview>, 
/**
 * Number of reviews per state code.
 */
by_state: { [key in string]: number }, stale_devices: Array<StaleDevice>, today: string, 
/**
 * Reviews set up on a laptop for a school of this hub, in no hub yet: the coordinator
 * adopts them (`POST /v1/reviews/{id}/adopt`) into the hub's queue.
 */
proposals: Array<OverviewReview>, };
