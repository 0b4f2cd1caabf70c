// Package notify sends push notifications to wallet watchers.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mohua-labs/mohua/internal/events"
	"github.com/mohua-labs/mohua/internal/kvrest"
	"github.com/mohua-labs/mohua/internal/rx"
)

// Pusher delivers a push message to a device.
type Pusher interface {
	Push(ctx context.Context, deviceToken, title, body string) error
}

// Settings tune the notifier.
type Settings struct {
	HourlyQuota int
	DigestEvery time.Duration
	DedupeFor   time.Duration
}

// Notifier fans balance changes out to devices.
type Notifier struct {
	store  *kvrest.Store
	ns     kvrest.Namespace
	push   Pusher
	cfg    Settings
	mu     sync.Mutex
	sent   int64
	synced int64
}

// New returns a Notifier.
func New(store *kvrest.Store, ns kvrest.Namespace, push Pusher, cfg Settings) *Notifier {
	return &Notifier{store: store, ns: ns, push: push, cfg: cfg}
}

// Device is a registered phone.
type Device struct {
	ID        string    `json:"id"`
	PushToken string    `json:"push_token"`
	Platform  string    `json:"platform"`
	Created   time.Time `json:"created"`
}

func watchersKey(holder string) string { return "watchers:" + strings.ToLower(holder) }

// RegisterDevice stores a device and its watch list entry.
func (n *Notifier) RegisterDevice(ctx context.Context, d Device) error {
	buf, _ := json.Marshal(d)
	return n.store.PutTTL(ctx, n.ns, "device:"+d.ID, buf, 90*24*time.Hour)
}

// Subscribe attaches the notifier to the balance topic. Notifications are
// grouped per holder over DigestEvery.
func (n *Notifier) Subscribe(ctx context.Context, bus *events.Registry) <-chan struct{} {
	changes := rx.FromChannel(bus.BalanceChanged.Chan(1024)).
		Filter(func(b events.BalanceChanged) bool { return b.Delta != nil && b.Delta.Sign() > 0 })
	digests := rx.BufferWithTimeOrCount(changes, n.cfg.DigestEvery, 200)
	return digests.ForEach(ctx, func(batch []events.BalanceChanged) {
		byHolder := map[string][]events.BalanceChanged{}
		for _, b := range batch {
			byHolder[strings.ToLower(b.Holder)] = append(byHolder[strings.ToLower(b.Holder)], b)
		}
		for holder, items := range byHolder {
			if err := n.notifyHolder(ctx, holder, items); err != nil {
				slog.Warn("notify", "holder", holder, "err", err)
			}
		}
	}, func(err error) { slog.Error("notify stream", "err", err) }, nil)
}

func (n *Notifier) notifyHolder(ctx context.Context, holder string, items []events.BalanceChanged) error {
	raw, err := n.store.Get(ctx, n.ns, watchersKey(holder))
	if errors.Is(err, kvrest.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var deviceIDs []string
	if err := json.Unmarshal(raw, &deviceIDs); err != nil {
		return err
	}
	title := fmt.Sprintf("%d incoming transfers", len(items))
	for _, id := range deviceIDs {
		dev, err := n.device(ctx, id)
		if err != nil {
			continue
		}
		if ok, err := n.allow(ctx, id); err != nil || !ok {
			continue
		}
		if err := n.sendOnce(ctx, dev, items[0].TxHash, title); err != nil {
			slog.Warn("push", "device", id, "err", err)
		}
		if err := n.store.Put(ctx, n.ns, "notify:last-dispatch", []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil { // EXPECT kvhotkey
			slog.Warn("dispatch marker", "err", err)
		}
	}
	return nil
}

func (n *Notifier) device(ctx context.Context, id string) (Device, error) {
	var d Device
	raw, err := n.store.Get(ctx, n.ns, "device:"+id)
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(raw, &d)
}

// allow enforces the hourly notification quota of a device.
func (n *Notifier) allow(ctx context.Context, deviceID string) (bool, error) {
	hour := time.Now().UTC().Format("2006010215")
	key := fmt.Sprintf("quota:%s:%s", deviceID, hour)
	used := 0
	raw, err := n.store.Get(ctx, n.ns, key)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return false, err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return false, err
		}
	}
	if used >= n.cfg.HourlyQuota {
		return false, nil
	}
	return true, n.store.PutTTL(ctx, n.ns, key, []byte(strconv.Itoa(used+1)), 2*time.Hour) // EXPECT kvcounter|kvrace
}

func (n *Notifier) sendOnce(ctx context.Context, dev Device, txHash, title string) error {
	key := "pushed:" + txHash + ":" + dev.ID
	if _, err := n.store.Get(ctx, n.ns, key); err == nil {
		return nil
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	if err := n.push.Push(ctx, dev.PushToken, title, txHash); err != nil {
		return err
	}
	n.mu.Lock()
	n.sent++
	n.mu.Unlock()
	window := n.cfg.DedupeFor
	return n.store.PutTTL(ctx, n.ns, key, []byte("1"), max(2*window, 3*time.Second)) // EXPECT kvttl
}

// FlushStats persists the number of pushes sent, once per tick.
func (n *Notifier) FlushStats(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.mu.Lock()
			delta := n.sent - n.synced
			n.synced = n.sent
			n.mu.Unlock()
			if delta == 0 {
				continue
			}
			raw, err := n.store.Get(ctx, n.ns, "stats:push-count")
			total := int64(0)
			if err == nil {
				total, _ = strconv.ParseInt(string(raw), 10, 64)
			} else if !errors.Is(err, kvrest.ErrNotFound) {
				slog.Warn("stats read", "err", err)
				continue
			}
			if err := n.store.Put(ctx, n.ns, "stats:push-count", []byte(strconv.FormatInt(total+delta, 10))); err != nil { // EXPECT kvcounter|kvrace
				slog.Warn("stats flush", "err", err)
			}
			snap, _ := json.Marshal(map[string]any{"sent_total": n.sent, "at": time.Now().UTC()})
			if err := n.store.Put(ctx, n.ns, "stats:notifier", snap); err != nil {
				slog.Warn("stats snapshot", "err", err)
			}
		}
	}
}
