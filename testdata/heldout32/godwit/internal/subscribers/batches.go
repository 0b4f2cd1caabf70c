package subscribers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"iter"
	"strings"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
)

// Batches yields the account's subscribers in slices of at most size (capped
// at the bulk-read limit). keep, when set, filters on listing metadata before
// anything is read.
func (s *Service) Batches(ctx context.Context, account string, size int, keep func(kvstore.KeyInfo) bool) iter.Seq2[[]Subscriber, error] {
	st := s.scoped(account)
	listing := kvstore.Keys(ctx, st, keys.Prefix(keys.Subscriber))
	if keep != nil {
		listing = kvstore.Where(listing, keep)
	}
	return func(yield func([]Subscriber, error) bool) {
		for names, err := range kvstore.Chunk(kvstore.Names(listing), min(size, kvstore.MaxBulkGet)) {
			if err != nil {
				yield(nil, err)
				return
			}
			vals, err := st.GetMany(ctx, names)
			if err != nil {
				yield(nil, err)
				return
			}
			batch := make([]Subscriber, 0, len(vals))
			for _, name := range names {
				raw, ok := vals[name]
				if !ok {
					continue
				}
				var sub Subscriber
				if json.Unmarshal(raw, &sub) == nil {
					batch = append(batch, sub)
				}
			}
			if !yield(batch, nil) {
				return
			}
		}
	}
}

func hasStatus(st Status) func(kvstore.KeyInfo) bool {
	return func(k kvstore.KeyInfo) bool { return k.Metadata["st"] == string(st) }
}

// Active yields the account's active subscribers.
func (s *Service) Active(ctx context.Context, account string) iter.Seq2[[]Subscriber, error] {
	return s.Batches(ctx, account, kvstore.MaxBulkGet, hasStatus(Active))
}

// Export writes every subscriber of the account as CSV.
func (s *Service) Export(ctx context.Context, account string, w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"email", "name", "status", "tags", "created_at"})
	for batch, err := range s.Batches(ctx, account, 100, nil) { // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, sub := range batch {
			_ = cw.Write([]string{sub.Email, sub.Name, string(sub.Status),
				strings.Join(sub.Tags, ";"), sub.CreatedAt.Format(time.RFC3339)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Sample returns up to n active subscribers, for test sends.
func (s *Service) Sample(ctx context.Context, account string, n int) ([]Subscriber, error) {
	var out []Subscriber
	for batch, err := range s.Active(ctx, account) {
		if err != nil {
			return nil, err
		}
		out = append(out, batch...)
		if len(out) >= n {
			return out[:n], nil
		}
	}
	return out, nil
}

// Summary is what the admin table shows per subscriber, taken from metadata.
type Summary struct {
	Key     string
	Status  string
	Created time.Time
}

// Page returns one page of the account's subscribers and the cursor of the
// next page, empty on the last one.
func (s *Service) Page(ctx context.Context, account, cursor string, limit int) ([]Summary, string, error) {
	page, err := s.scoped(account).List(ctx, kvstore.ListOptions{
		Prefix: keys.Prefix(keys.Subscriber),
		Cursor: cursor,
		Limit:  min(max(limit, 10), 1000),
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		sum := Summary{Key: k.Name}
		sum.Status, _ = k.Metadata["st"].(string)
		if c, ok := k.Metadata["c"].(float64); ok {
			sum.Created = time.Unix(int64(c), 0)
		}
		out = append(out, sum)
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}

// Recent returns the raw records of the first subscribers in key order, at
// most n, for the dashboard's "latest sign-ups" card.
func (s *Service) Recent(ctx context.Context, account string, n int) ([]kvstore.Pair, error) {
	st := s.scoped(account)
	var out []kvstore.Pair
	for p, err := range kvstore.Values(ctx, st, kvstore.First(kvstore.Keys(ctx, st, keys.Prefix(keys.Subscriber)), n)) {
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
