package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite/vtab"
)

// A feed hands rows from Go to SQLite a batch at a time: it is a virtual
// table (module mig_feed) whose rows are the batch the run has collected,
// read by one INSERT ... SELECT. Through database/sql, executing a statement
// once per row costs more than SQLite's own work of storing the row (binding
// twenty values, a driver round trip, a result); a feed pays that once per
// batch, which made a million-user ingest's row writes much faster
// (bench/RESULTS.md).
//
// The batch lives in memory until it is flushed, so memory is bounded by
// feedBatch rows whatever the size of the input.
type feed struct {
	key    string
	table  string
	cols   []string
	rows   [][]any
	insert *sql.Stmt
}

const (
	feedModule = "mig_feed"
	feedBatch  = 2048
)

var (
	// feeds maps a key, the argument of CREATE VIRTUAL TABLE ... USING
	// mig_feed(key), to its feed.
	feeds   sync.Map
	feedSeq atomic.Int64
)

// The driver installs modules in the connections it opens after they are
// registered, so mig_feed is registered when the program starts, before
// any database is opened.
func init() {
	if err := vtab.RegisterModule(nil, feedModule, feedMod{}); err != nil {
		panic(err)
	}
}

// openFeed creates the run's virtual table temp.<table> with the columns,
// and prepares insertSQL, which reads it.
func (r *Run) openFeed(ctx context.Context, table string, cols []string, insertSQL string) (*feed, error) {
	f := &feed{key: fmt.Sprintf("feed_%d", feedSeq.Add(1)), table: table, cols: cols}
	feeds.Store(f.key, f)
	r.feeds = append(r.feeds, f)
	if _, err := r.tx.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.`+table+` USING `+feedModule+`(`+f.key+`)`); err != nil {
		return nil, fmt.Errorf("create feed %s: %w", table, err)
	}
	var err error
	if f.insert, err = r.tx.PrepareContext(ctx, insertSQL); err != nil {
		return nil, err
	}
	return f, nil
}

// add appends a row; ints and bools become int64, which is what the driver
// passes to SQLite.
func (f *feed) add(row ...any) {
	for i, v := range row {
		switch v := v.(type) {
		case int:
			row[i] = int64(v)
		case bool:
			row[i] = int64(boolInt(v))
		}
	}
	f.rows = append(f.rows, row)
}

func (f *feed) full() bool { return len(f.rows) >= feedBatch }

// flush stores the collected rows with the feed's INSERT, args bound to its
// parameters.
func (f *feed) flush(ctx context.Context, args ...any) error {
	if f == nil || len(f.rows) == 0 {
		return nil
	}
	_, err := f.insert.ExecContext(ctx, args...)
	clear(f.rows)
	f.rows = f.rows[:0]
	return err
}

// dropFeeds drops the run's feed tables before it commits: they are temp
// tables of the connection, which goes back to the pool.
func (r *Run) dropFeeds(ctx context.Context) error {
	for _, f := range r.feeds {
		if _, err := r.tx.ExecContext(ctx, `DROP TABLE temp.`+f.table); err != nil {
			return err
		}
	}
	r.forgetFeeds()
	return nil
}

// forgetFeeds releases the run's feeds. A rolled-back run needs no more:
// its feed tables went with the transaction.
func (r *Run) forgetFeeds() {
	for _, f := range r.feeds {
		if f.insert != nil {
			f.insert.Close()
		}
		feeds.Delete(f.key)
	}
	r.feeds = nil
}

// feedMod is the mig_feed module: each table is the feed named by its one
// argument.
type feedMod struct{}

func (feedMod) Create(c vtab.Context, args []string) (vtab.Table, error) { return connectFeed(c, args) }

func (feedMod) Connect(c vtab.Context, args []string) (vtab.Table, error) {
	return connectFeed(c, args)
}

func connectFeed(c vtab.Context, args []string) (vtab.Table, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("%s takes one argument, the feed key", feedModule)
	}
	v, ok := feeds.Load(strings.TrimSpace(args[3]))
	if !ok {
		return nil, fmt.Errorf("%s: no feed %q", feedModule, args[3])
	}
	f := v.(*feed)
	if err := c.Declare(`CREATE TABLE x("` + strings.Join(f.cols, `", "`) + `")`); err != nil {
		return nil, err
	}
	return feedTable{f}, nil
}

type feedTable struct{ f *feed }

func (t feedTable) BestIndex(info *vtab.IndexInfo) error {
	info.EstimatedRows = int64(feedBatch)
	return nil
}

func (t feedTable) Open() (vtab.Cursor, error) { return &feedCursor{f: t.f}, nil }
func (feedTable) Disconnect() error            { return nil }
func (feedTable) Destroy() error               { return nil }

// feedCursor walks the feed's current rows in order.
type feedCursor struct {
	f *feed
	i int
}

func (c *feedCursor) Filter(int, string, []vtab.Value) error { c.i = 0; return nil }
func (c *feedCursor) Next() error                            { c.i++; return nil }
func (c *feedCursor) Eof() bool                              { return c.i >= len(c.f.rows) }
func (c *feedCursor) Column(col int) (vtab.Value, error)     { return c.f.rows[c.i][col], nil }
func (c *feedCursor) Rowid() (int64, error)                  { return int64(c.i + 1), nil }
func (c *feedCursor) Close() error                           { return nil }
