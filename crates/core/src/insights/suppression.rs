//! Which counts a chart may show (decision 68). A hub may have few schools; a count that rests on
//! fewer than [`MIN_SCHOOLS`] schools could single one out, so it is hidden.
//!
//! 1. **Primary:** a cell counting at least one review is shown only when at least
//!    [`MIN_SCHOOLS`] distinct schools contribute to it. A zero is shown: it names no school.
//! 2. **Complementary:** where the cells of a line add up to a total the reader knows from
//!    elsewhere (a coordinator knows how many reviews their hub issued a year), one hidden cell
//!    in a line would be the total minus the others. So while a line has exactly one hidden
//!    cell, its smallest shown cell (zeros first; the first of equals) is hidden too.
//!    Which lines add up is the chart's: its rows (the estimates of one area in one year, one
//!    FSM band), or its columns (reviews by state, AoEs of one year by theme).

/// The fewest distinct schools a shown count may rest on.
pub const MIN_SCHOOLS: u32 = 5;

/// What one cell counts: reviews (or entries) and the distinct schools behind them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u32,
    pub schools: u32,
}

/// Along which lines a chart's cells add up to a total a reader may know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// Each row is a whole (estimates of one area and year across the scale).
    Rows,
    /// Each column is a whole (reviews across states; AoEs of one year across themes).
    Columns,
    /// No line adds up to a known total (e.g. reports due and those of them overdue).
    None,
}

/// The grid as shown: `None` where a count is hidden.
pub fn suppress(grid: &[Vec<Tally>], partition: Partition) -> Vec<Vec<Option<u32>>> {
    let mut shown: Vec<Vec<Option<u32>>> =
        grid.iter().map(|row| row.iter().map(|t| (t.count == 0 || t.schools >= MIN_SCHOOLS).then_some(t.count)).collect()).collect();
    let lines: Vec<Vec<(usize, usize)>> = match partition {
        Partition::Rows => grid.iter().enumerate().map(|(r, row)| (0..row.len()).map(|c| (r, c)).collect()).collect(),
        Partition::Columns => {
            let width = grid.iter().map(Vec::len).max().unwrap_or(0);
            (0..width).map(|c| (0..grid.len()).filter(|&r| c < grid[r].len()).map(|r| (r, c)).collect()).collect()
        }
        Partition::None => Vec::new(),
    };
    // Each pass hides at most one more cell per line; a line with two hidden cells is settled,
    // and a cell hidden for one line cannot unsettle another (the lines of one chart never cross).
    for line in &lines {
        while line.len() > 1 && line.iter().filter(|&&(r, c)| shown[r][c].is_none()).count() == 1 {
            let smallest = line.iter().filter(|&&(r, c)| shown[r][c].is_some()).min_by_key(|&&(r, c)| shown[r][c]);
            match smallest {
                Some(&(r, c)) => shown[r][c] = None,
                None => break,
            }
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(count: u32, schools: u32) -> Tally {
        Tally { count, schools }
    }

    #[test]
    fn a_count_from_fewer_than_five_schools_is_hidden_and_zero_is_shown() {
        let shown = suppress(&[vec![t(0, 0), t(4, 4), t(5, 5), t(9, 4)]], Partition::None);
        assert_eq!(shown, vec![vec![Some(0), None, Some(5), None]]);
    }

    #[test]
    fn one_hidden_cell_in_a_row_hides_the_smallest_other() {
        // 3 would be the known total minus 12 and 6: hide the smallest other cell too.
        let shown = suppress(&[vec![t(12, 12), t(3, 3), t(6, 6), t(7, 7)]], Partition::Rows);
        assert_eq!(shown, vec![vec![Some(12), None, None, Some(7)]]);
        // A zero is the smallest: hiding it keeps more numbers while the pair stays unknown.
        let shown = suppress(&[vec![t(0, 0), t(2, 2), t(9, 9)]], Partition::Rows);
        assert_eq!(shown, vec![vec![None, None, Some(9)]]);
        // Two hidden already: nothing more to hide.
        let shown = suppress(&[vec![t(2, 2), t(3, 3), t(9, 9)]], Partition::Rows);
        assert_eq!(shown, vec![vec![None, None, Some(9)]]);
        // Rows are separate wholes.
        let shown = suppress(&[vec![t(5, 5), t(6, 6)], vec![t(1, 1), t(8, 8)]], Partition::Rows);
        assert_eq!(shown, vec![vec![Some(5), Some(6)], vec![None, None]]);
    }

    #[test]
    fn a_column_partition_hides_down_each_column() {
        let grid = [vec![t(20, 20)], vec![t(2, 2)], vec![t(6, 6)], vec![t(11, 11)]];
        assert_eq!(suppress(&grid, Partition::Columns), vec![vec![Some(20)], vec![None], vec![None], vec![Some(11)]]);
    }

    #[test]
    fn a_lone_cell_has_no_partner_to_hide() {
        assert_eq!(suppress(&[vec![t(3, 3)]], Partition::Rows), vec![vec![None]]);
        assert_eq!(suppress(&[vec![t(3, 3)]], Partition::Columns), vec![vec![None]]);
    }
}
