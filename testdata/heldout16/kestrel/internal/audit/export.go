package audit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"sync"

	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/store"
)

// exportPages bounds one export; larger exports are done by the admin tool.
const exportPages = 20

// Exporter reads an organisation's audit log back.
type Exporter struct {
	st      store.Store
	workers int
}

// NewExporter returns an exporter using n concurrent readers.
func NewExporter(st store.Store, n int) *Exporter {
	return &Exporter{st: st, workers: max(n, 1)}
}

func (x *Exporter) listBatches(ctx context.Context, org string, errc chan<- error) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		cursor := ""
		for range exportPages {
			page, err := x.st.List(ctx, store.ListQuery{
				Prefix: batchPrefix(org),
				Cursor: cursor,
				Limit:  2000, // EXPECT kvlimits
			})
			if err != nil {
				errc <- err
				return
			}
			for _, k := range page.Keys {
				select {
				case out <- k:
				case <-ctx.Done():
					return
				}
			}
			if page.Complete {
				return
			}
			cursor = page.Cursor
		}
	}()
	return out
}

func (x *Exporter) fetch(ctx context.Context, batchKeys <-chan string) <-chan httpx.Result[[]Entry] {
	out := make(chan httpx.Result[[]Entry])
	var wg sync.WaitGroup
	for range x.workers {
		wg.Go(func() {
			for k := range batchKeys {
				raw, err := x.st.Get(ctx, k) // EXPECT kvlist
				if store.IsNotFound(err) {
					continue // expired since it was listed
				}
				if err != nil {
					out <- httpx.Fail[[]Entry](err)
					continue
				}
				b, err := decodeBatch(raw)
				if err != nil {
					out <- httpx.Fail[[]Entry](err)
					continue
				}
				out <- httpx.Ok(b)
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Export writes the organisation's entries as JSON lines, oldest first.
func (x *Exporter) Export(ctx context.Context, org string, w io.Writer) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)

	var all []Entry
	var errs []error
	for r := range x.fetch(ctx, x.listBatches(ctx, org, errc)) {
		b, err := r.Unwrap()
		if err != nil {
			errs = append(errs, err)
			cancel()
			continue
		}
		all = append(all, b...)
	}
	select {
	case err := <-errc:
		errs = append(errs, err)
	default:
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].At.Before(all[j].At) })
	enc := json.NewEncoder(w)
	for _, e := range all {
		if err := enc.Encode(e); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

// Purge deletes an organisation's audit log when the organisation is
// closed.
func (x *Exporter) Purge(ctx context.Context, org string) (int, error) {
	n := 0
	cursor := ""
	for {
		page, err := x.st.List(ctx, store.ListQuery{Prefix: batchPrefix(org), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if err := x.st.Delete(ctx, k); err != nil {
				return n, err
			}
			n++
		}
		cursor = page.Cursor
	}
	return n, x.st.Delete(ctx, headKey(org))
}
