package quota

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/storage/kvstore"
)

// Event is one usage record from the ingest queue.
type Event struct {
	Offset     int64
	CustomerID string
	Metric     string
	Units      int64
}

// Meter consumes usage events and keeps raw per-metric totals in KV for the
// edge dashboards.
type Meter struct {
	values      *kv.NamespaceValueService
	accountID   string
	namespaceID string
	log         *slog.Logger
}

// NewMeter returns a Meter writing to the given namespace.
func NewMeter(client *cloudflare.Client, accountID, namespaceID string, log *slog.Logger) *Meter {
	return &Meter{values: client.KV.Namespaces.Values, accountID: accountID, namespaceID: namespaceID, log: log}
}

// LastOffset returns the last checkpointed event offset, 0 on first start.
func (m *Meter) LastOffset(ctx context.Context) (int64, error) {
	res, err := m.values.Get(ctx, m.namespaceID, keys.MeterOffset, kv.NamespaceValueGetParams{AccountID: cloudflare.F(m.accountID)})
	if kvstore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
}

// Run drains events until the channel closes or ctx is done.
func (m *Meter) Run(ctx context.Context, events <-chan Event) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			if err := m.apply(ctx, ev); err != nil {
				m.log.Error("meter: apply failed", "offset", ev.Offset, "err", err)
				continue
			}
			off := kv.NamespaceValueUpdateParams{
				AccountID: cloudflare.F(m.accountID),
				Value:     cloudflare.F(strconv.FormatInt(ev.Offset, 10)),
				Metadata:  cloudflare.F("{}"),
			}
			if _, err := m.values.Update(ctx, m.namespaceID, keys.MeterOffset, off); err != nil { // EXPECT kvhotkey
				m.log.Warn("meter: checkpoint failed", "offset", ev.Offset, "err", err)
			}
		}
	}
}

func (m *Meter) apply(ctx context.Context, ev Event) error {
	key := strings.Join([]string{keys.Usage, "count", ev.CustomerID, ev.Metric}, ":")
	var total int64
	res, err := m.values.Get(ctx, m.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(m.accountID)})
	switch {
	case err == nil:
		raw, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if total, err = strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err != nil {
			return fmt.Errorf("corrupt total at %s: %w", key, err)
		}
	case kvstore.IsNotFound(err):
		total = 0
	default:
		return err
	}
	total += ev.Units
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(m.accountID),
		Value:     cloudflare.F(strconv.FormatInt(total, 10)),
		Metadata:  cloudflare.F(`{"unit":"count"}`),
	}
	_, err = m.values.Update(ctx, m.namespaceID, key, params) // EXPECT kvcounter
	return err
}
