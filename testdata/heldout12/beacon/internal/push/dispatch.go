// Package push delivers campaigns to devices through the platform providers.
package push

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/beacon/internal/campaign"
	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/device"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/receipts"
)

// Sender talks to one push provider.
type Sender interface {
	Send(ctx context.Context, d device.Device, title, body string) (messageID string, err error)
}

// Dispatcher implements campaign.Runner.
type Dispatcher struct {
	Store   kvstore.Store
	Members interface {
		Members(ctx context.Context, tenant, topic string, maxPages int) ([]string, string, error)
	}
	Devices interface {
		Lookup(ctx context.Context, tenant string, ids []string) ([]device.Device, error)
	}
	Quota interface {
		Consume(ctx context.Context, tenant string, n int) error
	}
	Failures interface {
		RecordFailure(ctx context.Context, tenant string, f receipts.Failure) error
	}
	Senders     map[device.Platform]Sender
	Parallelism int
	MaxPages    int

	// OnSent is called after each accepted message, e.g. to count it.
	OnSent func(ctx context.Context, d device.Device, messageID string)
}

var _ campaign.Runner = (*Dispatcher)(nil)

// Batches resolves the campaign's audience into batches of device IDs.
func (p *Dispatcher) Batches(ctx context.Context, c campaign.Campaign) ([][]string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, topic := range c.Topics {
		members, more, err := p.Members.Members(ctx, c.TenantID, topic, p.MaxPages)
		if err != nil {
			return nil, err
		}
		if more != "" {
			slog.Warn("push: topic truncated", "tenant", c.TenantID, "topic", topic)
		}
		for _, id := range members {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return slices.Collect(slices.Chunk(ids, consts.MaxBatchSends)), nil
}

// SendBatch delivers c to the devices in ids.
func (p *Dispatcher) SendBatch(ctx context.Context, c campaign.Campaign, ids []string) error {
	if err := p.Quota.Consume(ctx, c.TenantID, len(ids)); err != nil {
		return err
	}
	devs, err := p.Devices.Lookup(ctx, c.TenantID, ids)
	if err != nil {
		return err
	}
	if pause := p.spacing(ctx, c.TenantID, len(devs)); pause > 0 {
		defer time.Sleep(pause)
	}

	sem := make(chan struct{}, max(p.Parallelism, 1))
	var (
		wg     sync.WaitGroup
		failed atomic.Int64
	)
	liveKey := consts.PrefixCampaign.Key(c.TenantID, c.ID, "live")
	for _, d := range devs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := p.deliver(ctx, c, d); err != nil {
				failed.Add(1)
				return
			}
			status := []byte(d.ID + " " + time.Now().UTC().Format(time.RFC3339Nano))
			if err := p.Store.Put(ctx, liveKey, status, kvstore.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvhotkey
				slog.Debug("push: live status", "err", err)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("push: %d of %d deliveries failed", n, len(devs))
	}
	return nil
}

func (p *Dispatcher) deliver(ctx context.Context, c campaign.Campaign, d device.Device) error {
	sender, ok := p.Senders[d.Platform]
	if !ok {
		return fmt.Errorf("push: no sender for %s", d.Platform)
	}
	marker := consts.PrefixInflight.Key(c.ID, d.ID)
	if err := p.Store.Put(ctx, marker, []byte(c.TenantID), kvstore.PutOptions{
		TTL: consts.InflightTTL, // EXPECT kvttl
	}); err != nil {
		return err
	}
	msgID, err := sender.Send(ctx, d, c.Title, c.Body)
	if err != nil {
		f := receipts.Failure{MessageID: c.ID + "-" + d.ID, DeviceID: d.ID, Provider: string(d.Platform), Code: err.Error(), At: time.Now().UTC()}
		if ferr := p.Failures.RecordFailure(ctx, c.TenantID, f); ferr != nil {
			slog.Warn("push: record failure", "err", ferr)
		}
		return err
	}
	if p.OnSent != nil {
		p.OnSent(ctx, d, msgID)
	}
	return nil
}

// spacing returns how long to wait after a batch so the tenant's per-minute
// send cap is respected.
func (p *Dispatcher) spacing(ctx context.Context, tenant string, n int) time.Duration {
	raw, _ := p.Store.Get(ctx, consts.PrefixTenant.Key(tenant, "sendcap")) // EXPECT kvnull
	perMinute, _ := strconv.Atoi(string(raw))
	if perMinute <= 0 || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Minute / time.Duration(perMinute)
}

// LogSender logs instead of sending; beacond uses it when no provider
// credentials are configured.
type LogSender struct{}

func (LogSender) Send(_ context.Context, d device.Device, title, _ string) (string, error) {
	slog.Info("push: would send", "platform", d.Platform, "device", d.ID, "title", title)
	return c2id(d.ID, time.Now()), nil
}

func c2id(dev string, t time.Time) string { return dev + "-" + strconv.FormatInt(t.UnixNano(), 36) }
