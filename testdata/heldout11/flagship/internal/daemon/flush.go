package daemon

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/flagship/internal/metering"
)

// Flusher persists evaluation usage collected in memory by the API: daily
// usage through the meter and lifetime hits per flag for the stale-flag report.
type Flusher struct {
	API       *cfv0.API
	Account   string
	Namespace string
	Agg       *metering.Aggregator
	Meter     *metering.Meter
	Every     time.Duration
	Log       *slog.Logger
}

// Run flushes every f.Every until ctx ends, then once more.
func (f *Flusher) Run(ctx context.Context) error {
	t := time.NewTicker(f.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return f.flush(context.WithoutCancel(ctx))
		case <-t.C:
			if err := f.flush(ctx); err != nil {
				f.Log.Warn("usage flush failed", "err", err)
			}
		}
	}
}

func (f *Flusher) flush(ctx context.Context) error {
	delta, totals := f.Agg.Drain()
	rc := cfv0.AccountIdentifier(f.Account)
	for flag, n := range delta {
		if err := f.Meter.Record(ctx, flag, int(n)); err != nil {
			return err
		}
		if _, err := f.API.WriteWorkersKVEntry(ctx, rc, cfv0.WriteWorkersKVEntryParams{ // EXPECT kvcounter
			NamespaceID: f.Namespace,
			Key:         "hits/" + flag,
			Value:       []byte(strconv.FormatInt(totals[flag], 10)),
		}); err != nil {
			return err
		}
	}
	return nil
}
