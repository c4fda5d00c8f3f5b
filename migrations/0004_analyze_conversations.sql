-- Statistics for the indexes 0003 added. Without rows in sqlite_stat1 for a new index, SQLite
-- guesses that `account_id = ?` on it picks a handful of rows, while the older indexes' statistics
-- say it picks them all: at 100k conversations it then scanned the whole account for a bulk action
-- on 80 ids and sorted whole views instead of walking conversations_list_idx (measured with
-- `npm run bench -- inbox`). D1's guidance is the same: gather statistics after adding an index.
ANALYZE conversations;
