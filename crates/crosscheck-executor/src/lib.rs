//! crosscheck's executor: runs a [`crosscheck_planner::Plan`]'s builds in parallel.
//!
//! Empty for now: the executor is built under its own issue ("crosscheck build"). The plan
//! it will consume is already complete (argv, environment, staging and final paths).
