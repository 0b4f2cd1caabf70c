// Package admin implements the back-office commands that manage the
// namespace through the REST API.
package admin

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/kvrest"
)

// Command is one admin sub-command.
type Command func(ctx context.Context, args []string) error

// API is the subset of the REST client the tool uses.
type API interface {
	PutValue(ctx context.Context, key, value string, ttl time.Duration) error
	PutValueAt(ctx context.Context, key, value string, expiration int64) error
	GetValue(ctx context.Context, key string) (string, error)
	ListKeys(ctx context.Context, prefix, cursor string, limit int) (kvrest.KeyPage, error)
	BulkPut(ctx context.Context, pairs []kvrest.Pair) (kvrest.BulkResult, error)
}

// Tool holds the command table.
type Tool struct {
	api  API
	in   io.Reader
	out  io.Writer
	log  *slog.Logger
	cmds map[string]Command
}

// Option configures a Tool.
type Option func(*Tool)

// WithInput sets where import commands read CSV from.
func WithInput(r io.Reader) Option { return func(t *Tool) { t.in = r } }

// WithOutput sets where commands print.
func WithOutput(w io.Writer) Option { return func(t *Tool) { t.out = w } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(t *Tool) { t.log = l } }

// New returns a Tool with every command registered.
func New(api API, opts ...Option) *Tool {
	t := &Tool{api: api, in: strings.NewReader(""), out: io.Discard, log: slog.Default()}
	for _, o := range opts {
		o(t)
	}
	t.cmds = map[string]Command{
		"import-bands":  t.importBands,
		"import-lineup": t.importLineup,
		"export-keys":   t.exportKeys,
		"peek":          t.peek,
		"banner":        t.banner,
		"banner-until":  t.scheduleBanner,
		"bump-quota":    t.bumpQuota,
		"vendor-note":   t.vendorNote,
		"seed-loadtest": t.seedLoadtest,
	}
	return t
}

// Run dispatches to the named command.
func (t *Tool) Run(ctx context.Context, name string, args []string) error {
	cmd, ok := t.cmds[name]
	if !ok {
		return fmt.Errorf("unknown command %q", name)
	}
	t.log.Info("admin command", "cmd", name, "args", len(args))
	return cmd(ctx, args)
}

func need(args []string, n int, usage string) error {
	if len(args) < n {
		return fmt.Errorf("usage: %s", usage)
	}
	return nil
}

// bulkBatch is how many pairs go into one bulk request.
const bulkBatch = 20000

// importBands loads pre-activated wristbands from CSV (code,ticket,holder).
func (t *Tool) importBands(ctx context.Context, _ []string) error {
	rows, err := csv.NewReader(t.in).ReadAll()
	if err != nil {
		return err
	}
	pairs := make([]kvrest.Pair, 0, len(rows))
	for _, row := range rows {
		if len(row) < 3 {
			continue
		}
		v := fmt.Sprintf(`{"code":%q,"ticket_id":%q,"holder":%q}`, row[0], row[1], row[2])
		pairs = append(pairs, kvrest.Pair{Key: "wb:code:" + row[0], Value: v})
	}
	var errs []error
	for start := 0; start < len(pairs); start += bulkBatch {
		batch := pairs[start:min(start+bulkBatch, len(pairs))]
		res, err := t.api.BulkPut(ctx, batch) // EXPECT kvlimits
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(res.UnsuccessfulKeys) > 0 {
			errs = append(errs, fmt.Errorf("%d keys not written", len(res.UnsuccessfulKeys)))
		}
	}
	return errors.Join(errs...)
}

// importLineup loads lineup slots from CSV (day,stage,artist,start,end) in
// batches the bulk endpoint accepts.
func (t *Tool) importLineup(ctx context.Context, _ []string) error {
	const batchSize = 10000
	rows, err := csv.NewReader(t.in).ReadAll()
	if err != nil {
		return err
	}
	var errs []error
	for chunk := range slices.Chunk(rows, batchSize) {
		pairs := make([]kvrest.Pair, 0, len(chunk))
		for _, row := range chunk {
			if len(row) < 5 {
				continue
			}
			pairs = append(pairs, kvrest.Pair{
				Key:           "lineup:added:" + row[0] + ":" + row[1] + ":" + row[2],
				Value:         strings.Join(row, ","),
				ExpirationTTL: int64((14 * 24 * time.Hour).Seconds()),
				Metadata:      map[string]any{"stage": row[1], "start": row[3]},
			})
		}
		if _, err := t.api.BulkPut(ctx, pairs); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
