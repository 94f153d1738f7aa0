//! Figures about the crisis lane: how many items wait, how fast moderators first act, and how
//! often an item was a false alarm.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use forum_core::CoreResult;
use forum_core::db::{DbConn, now};
use forum_core::models::Lane;
use forum_core::schema::queue_items;

/// Crisis-lane figures over one window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WindowFigures {
    pub days: i64,
    /// Items opened in the window.
    pub items: usize,
    /// Seconds from the post to the first moderator action, among items acted on.
    pub median_first_action_secs: Option<f64>,
    pub p90_first_action_secs: Option<f64>,
    /// Resolved items marked "false alarm", as a share of resolved items.
    pub false_alarm_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrisisFigures {
    pub open: i64,
    pub windows: Vec<WindowFigures>,
}

/// The q-th quantile (0..=1) of sorted values, by the nearest-rank method.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// One crisis item's times: opened, first action, resolved, and how it was resolved.
type ItemTimes = (NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>, Option<String>);

pub fn crisis_figures(conn: &mut DbConn) -> CoreResult<CrisisFigures> {
    let crisis = queue_items::lane.ge(Lane::AtRiskReport as i32);
    let open = queue_items::table
        .filter(crisis)
        .filter(queue_items::resolved_at.is_null())
        .count()
        .get_result(conn)?;
    let since = now() - Duration::days(30);
    let rows: Vec<ItemTimes> = queue_items::table
        .filter(crisis)
        .filter(queue_items::opened_at.ge(since))
        .select((
            queue_items::opened_at,
            queue_items::first_action_at,
            queue_items::resolved_at,
            queue_items::resolution,
        ))
        .load(conn)?;
    let windows = [7, 30]
        .into_iter()
        .map(|days| {
            let from = now() - Duration::days(days);
            let in_window: Vec<_> = rows.iter().filter(|r| r.0 >= from).collect();
            let mut waits: Vec<f64> = in_window
                .iter()
                .filter_map(|(opened, first, _, _)| {
                    first.map(|f| (f - *opened).num_milliseconds() as f64 / 1000.0)
                })
                .collect();
            waits.sort_by(f64::total_cmp);
            let resolved = in_window.iter().filter(|r| r.2.is_some()).count();
            let false_alarms = in_window.iter().filter(|r| r.3.as_deref() == Some("false_alarm")).count();
            WindowFigures {
                days,
                items: in_window.len(),
                median_first_action_secs: quantile(&waits, 0.5),
                p90_first_action_secs: quantile(&waits, 0.9),
                false_alarm_rate: (resolved > 0).then(|| false_alarms as f64 / resolved as f64),
            }
        })
        .collect();
    Ok(CrisisFigures { open, windows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(5.0));
        assert_eq!(quantile(&v, 0.9), Some(9.0));
        assert_eq!(quantile(&v, 1.0), Some(10.0));
        assert_eq!(quantile(&[3.0], 0.9), Some(3.0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
