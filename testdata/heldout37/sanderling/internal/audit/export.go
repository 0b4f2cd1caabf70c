// Package audit exports the auth namespace for the compliance team's access
// reviews. It predates the kvstore adapter and uses the v0 client.
package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
)

// ErrBusy means another export holds the lease.
var ErrBusy = errors.New("audit: export already running")

const exportLease = 45 * time.Second

// Line is one exported key.
type Line struct {
	Key        string `json:"key"`
	Expiration int    `json:"expiration,omitempty"`
	Metadata   any    `json:"metadata,omitempty"`
	Value      string `json:"value,omitempty"` // base64
}

// Exporter walks namespace ns and keeps leases and checkpoints in namespace state.
type Exporter struct {
	api       *cfv0.API
	rc        *cfv0.ResourceContainer
	ns, state string
	log       *slog.Logger
}

// NewExporter returns an Exporter.
func NewExporter(api *cfv0.API, rc *cfv0.ResourceContainer, ns, state string, log *slog.Logger) *Exporter {
	return &Exporter{api: api, rc: rc, ns: ns, state: state, log: log}
}

func isNotFound(err error) bool {
	var nf *cfv0.NotFoundError
	return errors.As(err, &nf)
}

func (e *Exporter) get(ctx context.Context, ns, key string) ([]byte, error) {
	return e.api.GetWorkersKV(ctx, e.rc, cfv0.GetWorkersKVParams{NamespaceID: ns, Key: key})
}

// ExportKeys writes every key under prefix with its metadata, one JSON object per line.
func (e *Exporter) ExportKeys(ctx context.Context, w io.Writer, prefix string) (int, error) {
	enc := json.NewEncoder(w)
	params := cfv0.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: prefix, Limit: 1000}
	for n := 0; ; {
		res, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range res.Result {
			if err := enc.Encode(Line{Key: k.Name, Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
				return n, err
			}
			n++
		}
		if res.Cursor == "" {
			return n, nil
		}
		params.Cursor = res.Cursor
	}
}

// ExportValues is ExportKeys with values, for the quarterly access review. It
// reads at most maxPages pages and returns the cursor to resume from.
func (e *Exporter) ExportValues(ctx context.Context, w io.Writer, prefix, cursor string, maxPages int) (string, error) {
	enc := json.NewEncoder(w)
	params := cfv0.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: prefix, Cursor: cursor, Limit: 1000}
	for range maxPages {
		res, err := e.api.ListWorkersKVKeys(ctx, e.rc, params)
		if err != nil {
			return params.Cursor, err
		}
		for _, k := range res.Result {
			v, err := e.get(ctx, e.ns, k.Name) // EXPECT kvlist
			if isNotFound(err) {
				continue // deleted since it was listed
			} else if err != nil {
				return params.Cursor, err
			}
			if err := enc.Encode(Line{Key: k.Name, Metadata: k.Metadata, Value: base64.StdEncoding.EncodeToString(v)}); err != nil {
				return params.Cursor, err
			}
		}
		if params.Cursor = res.Cursor; res.Cursor == "" {
			return "", nil
		}
		_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cfv0.WriteWorkersKVEntryParams{NamespaceID: e.state, Key: "audit:checkpoint:values", Value: []byte(res.Cursor)}) // EXPECT kvhotkey
		if err != nil {
			return params.Cursor, err
		}
	}
	return params.Cursor, nil
}

// group runs functions with bounded concurrency and keeps the first error.
type group struct {
	wg   sync.WaitGroup
	sem  chan struct{}
	once sync.Once
	err  error
}

func (g *group) Go(f func() error) {
	g.sem <- struct{}{}
	g.wg.Add(1)
	go func() {
		defer func() { <-g.sem; g.wg.Done() }()
		if err := f(); err != nil {
			g.once.Do(func() { g.err = err })
		}
	}()
}

// Snapshot returns one page of keys under prefix with their values, fetched in
// parallel, and the cursor of the next page.
func (e *Exporter) Snapshot(ctx context.Context, prefix, cursor string) ([]Line, string, error) {
	res, err := e.api.ListWorkersKVKeys(ctx, e.rc, cfv0.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: prefix, Cursor: cursor, Limit: 500})
	if err != nil {
		return nil, "", err
	}
	results := make(chan Line, len(res.Result))
	g := &group{sem: make(chan struct{}, 8)}
	for chunk := range slices.Chunk(res.Result, 50) {
		g.Go(func() error {
			for _, k := range chunk {
				v, err := e.get(ctx, e.ns, k.Name) // EXPECT kvlist
				if isNotFound(err) {
					continue
				} else if err != nil {
					return err
				}
				results <- Line{Key: k.Name, Metadata: k.Metadata, Value: base64.StdEncoding.EncodeToString(v)}
			}
			return nil
		})
	}
	g.wg.Wait()
	close(results)
	lines := make([]Line, 0, len(res.Result))
	for l := range results {
		lines = append(lines, l)
	}
	slices.SortFunc(lines, func(a, b Line) int { return strings.Compare(a.Key, b.Key) })
	return lines, res.Cursor, g.err
}

// Sample returns the first keys under prefix for the console preview, and the cursor for more.
func (e *Exporter) Sample(ctx context.Context, prefix string) ([]cfv0.StorageKey, string, error) {
	res, err := e.api.ListWorkersKVKeys(ctx, e.rc, cfv0.ListWorkersKVsParams{
		NamespaceID: e.ns,
		Prefix:      prefix,
		Limit:       5, // EXPECT kvlimits
	})
	return res.Result, res.Cursor, err
}

// Run performs the nightly metadata export of prefix into w, once per day.
func (e *Exporter) Run(ctx context.Context, w io.Writer, job, owner, prefix string) error {
	lease := "audit:lease:" + job
	if _, err := e.get(ctx, e.state, lease); err == nil {
		return ErrBusy
	} else if !isNotFound(err) {
		return err
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cfv0.WriteWorkersKVEntriesParams{ // EXPECT kvrace
		NamespaceID: e.state,
		KVs: []*cfv0.WorkersKVPair{{
			Key:        lease,
			Value:      owner,
			Expiration: int(time.Now().Add(exportLease).Unix()), // EXPECT kvttl
		}},
	})
	if err != nil {
		return err
	}
	defer e.api.DeleteWorkersKVEntry(context.WithoutCancel(ctx), e.rc, cfv0.DeleteWorkersKVEntryParams{NamespaceID: e.state, Key: lease})

	raw, err := e.get(ctx, e.state, "audit:done:"+job)
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		if last, _ := time.Parse(time.RFC3339, string(raw)); time.Since(last) < 20*time.Hour {
			return nil
		}
	}
	var policy struct{ Redact []string }
	p, _ := e.get(ctx, e.state, "audit:policy") // EXPECT kvnull
	_ = json.Unmarshal(p, &policy)
	if slices.ContainsFunc(policy.Redact, func(r string) bool { return strings.HasPrefix(prefix, r) }) {
		return errors.New("audit: prefix is redacted by policy")
	}
	n, err := e.ExportKeys(ctx, w, prefix)
	if err != nil {
		return err
	}
	e.log.InfoContext(ctx, "export done", "job", job, "keys", n)
	_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cfv0.WriteWorkersKVEntryParams{
		NamespaceID: e.state, Key: "audit:done:" + job, Value: []byte(time.Now().UTC().Format(time.RFC3339)),
	})
	return err
}
