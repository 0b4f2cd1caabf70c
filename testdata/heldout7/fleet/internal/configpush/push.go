// Package configpush pushes device configuration to KV, where the edge
// Worker serves it to devices on their next config poll.
package configpush

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/fleet/internal/store"
)

// bulkChunk is the largest batch the bulk endpoint accepts.
const bulkChunk = 10000

// ackBatch is the largest number of keys one bulk read may ask for.
const ackBatch = 100

// slotsPerRack is the number of device slots in a test rack.
const slotsPerRack = 250

// Options tune the pusher. They are loaded from the daemon config file.
type Options struct {
	// ConfigTTL bounds how long a pushed config is served if the daemon
	// stops refreshing it.
	ConfigTTL time.Duration
	// FlagTTL is the lifetime of short-lived fleet-wide flags (maintenance
	// windows, forced check-ins).
	FlagTTL time.Duration
}

// DeviceConfig is the document a device fetches.
type DeviceConfig struct {
	Version     string            `json:"version"`
	ReportEvery int               `json:"report_every_s"`
	LogLevel    string            `json:"log_level"`
	Endpoints   map[string]string `json:"endpoints"`
	Overrides   map[string]string `json:"overrides,omitempty"`
}

// Progress is written for the operator console while a push runs.
type Progress struct {
	Version string    `json:"version"`
	Done    int       `json:"done"`
	Total   int       `json:"total"`
	At      time.Time `json:"at"`
}

// Pusher writes configs with the bulk API and tracks progress through the
// store port.
type Pusher struct {
	client    *cloudflare.Client
	accountID string
	ns        string
	status    store.Store
	opts      Options
}

// New returns a Pusher.
func New(client *cloudflare.Client, accountID, ns string, status store.Store, opts Options) *Pusher {
	return &Pusher{client: client, accountID: accountID, ns: ns, status: status, opts: opts}
}

func configKey(deviceID string) string { return "config:" + deviceID }

// Push writes cfg for every device in deviceIDs.
func (p *Pusher) Push(ctx context.Context, cfg DeviceConfig, deviceIDs []string) error {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	for start := 0; start < len(deviceIDs); start += bulkChunk {
		end := min(start+bulkChunk, len(deviceIDs))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, id := range deviceIDs[start:end] {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(configKey(id)),
				Value:         cloudflare.F(string(raw)),
				ExpirationTTL: cloudflare.F(p.opts.ConfigTTL.Seconds()),
			})
		}
		if _, err := p.client.KV.Namespaces.BulkUpdate(ctx, p.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(p.accountID), Body: body}); err != nil {
			return fmt.Errorf("push %s [%d:%d]: %w", cfg.Version, start, end, err)
		}
		prog, _ := json.Marshal(Progress{Version: cfg.Version, Done: end, Total: len(deviceIDs), At: time.Now()})
		if err := p.status.Put(ctx, "push:current", prog); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SetFlag raises a fleet-wide flag for the given devices. Flags clear
// themselves after FlagTTL.
func (p *Pusher) SetFlag(ctx context.Context, flag string, deviceIDs []string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(deviceIDs))
	for _, id := range deviceIDs {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("flag:" + flag + ":" + id),
			Value:         cloudflare.F("1"),
			ExpirationTTL: cloudflare.F(p.opts.FlagTTL.Seconds()),
		})
	}
	_, err := p.client.KV.Namespaces.BulkUpdate(ctx, p.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(p.accountID), Body: body})
	return err
}

// PublishManifest writes the config manifest the edge uses to validate
// config versions. It is refreshed hourly by the daemon.
func (p *Pusher) PublishManifest(ctx context.Context, versions []string) error {
	b, _ := json.Marshal(versions)
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.ns, "config:manifest", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(float64(3600)),
	})
	return err
}

// Acked returns which of deviceIDs have acknowledged version.
func (p *Pusher) Acked(ctx context.Context, version string, deviceIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(deviceIDs))
	for start := 0; start < len(deviceIDs); start += ackBatch {
		end := min(start+ackBatch, len(deviceIDs))
		keys := make([]string, 0, end-start)
		for _, id := range deviceIDs[start:end] {
			keys = append(keys, "ack:"+id)
		}
		res, err := p.client.KV.Namespaces.Keys.BulkGet(ctx, p.ns, kv.NamespaceKeyBulkGetParams{
			AccountID: cloudflare.F(p.accountID),
			Keys:      cloudflare.F(keys),
			Type:      cloudflare.F(kv.NamespaceKeyBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		vals, ok := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return nil, fmt.Errorf("unexpected bulk get result %T", res.AsUnion())
		}
		for _, id := range deviceIDs[start:end] {
			if v, ok := vals.Values["ack:"+id]; ok && v != nil {
				out[id] = fmt.Sprint(v) == version
			}
		}
	}
	return out, nil
}

// RackAcks returns the ack of every slot in a test rack.
func (p *Pusher) RackAcks(ctx context.Context, rack string) (map[string]string, error) {
	keys := make([]string, 0, slotsPerRack)
	for slot := 0; slot < slotsPerRack; slot++ {
		keys = append(keys, fmt.Sprintf("ack:rack-%s-%03d", rack, slot))
	}
	res, err := p.client.KV.Namespaces.Keys.BulkGet(ctx, p.ns, kv.NamespaceKeyBulkGetParams{AccountID: cloudflare.F(p.accountID), Keys: cloudflare.F(keys)}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if vals, ok := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range vals.Values {
			if v != nil {
				out[k] = fmt.Sprint(v)
			}
		}
	}
	return out, nil
}
