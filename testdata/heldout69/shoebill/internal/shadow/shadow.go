// Package shadow keeps device shadows in KV. Devices publish their reported
// state to the fleet-pubsub "shadow.reported" topic through the MQTT bridge;
// operators publish desired state to "shadow.desired".
package shadow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/cloudflare/cloudflare-go"
	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

const (
	pubsub      = "fleet-pubsub"
	policyKey   = "config:shadow-policy"
	desiredTTL  = 90 * 24 * time.Hour
	snapshotTTL = 6 * time.Hour
)

// Policy limits which reported fields are kept.
type Policy struct {
	AllowedFields []string `json:"allowed_fields"`
	MaxFields     int      `json:"max_fields"`
}

var defaultPolicy = Policy{MaxFields: 64}

// Handlers holds the shadow topic handlers.
type Handlers struct {
	KV   *kvstore.Store
	Dapr dapr.Client
	Log  *slog.Logger
}

// Register subscribes the handlers.
func (h *Handlers) Register(s common.Service) error {
	return errors.Join(
		s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "shadow.reported", Route: "/shadow/reported"}, h.OnReported),
		s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "shadow.desired", Route: "/shadow/desired"}, h.OnDesired),
		s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "device.factory-reset", Route: "/shadow/reset"}, h.OnFactoryReset),
		s.AddServiceInvocationHandler("shadow/get", h.Get),
	)
}

type reported struct {
	DeviceID string         `json:"device_id"`
	State    map[string]any `json:"state"`
	At       time.Time      `json:"at"`
}

// OnReported merges a device's reported state into its shadow.
func (h *Handlers) OnReported(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	var rep reported
	if err := e.Struct(&rep); err != nil {
		h.Log.Warn("dropping malformed shadow report", "id", e.ID, "err", err)
		return false, nil
	}
	if rep.DeviceID == "" {
		rep.DeviceID = e.Subject
	}
	pol, err := h.policy(ctx)
	if err != nil {
		return true, err
	}
	key := fleet.ShadowKey(rep.DeviceID)
	sh := fleet.Shadow{DeviceID: rep.DeviceID, Reported: map[string]any{}}
	raw, err := h.KV.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return true, err
	default:
		if err := json.Unmarshal(raw, &sh); err != nil {
			return false, fmt.Errorf("shadow %s: %w", rep.DeviceID, err)
		}
	}
	for k, v := range rep.State {
		if pol.allows(k) && len(sh.Reported) < pol.MaxFields {
			sh.Reported[k] = v
		}
	}
	sh.Version++
	sh.UpdatedAt = rep.At
	out, _ := json.Marshal(sh)
	if err := h.KV.Put(ctx, key, out); err != nil { // EXPECT kvrace
		return true, err
	}
	if d := diff(sh.Desired, sh.Reported); len(d) > 0 {
		_ = h.Dapr.PublishEvent(ctx, pubsub, "shadow.delta", map[string]any{"device_id": rep.DeviceID, "delta": d})
	}
	return false, nil
}

// OnDesired stores the operator's desired configuration. The console always
// sends the complete document, so it replaces what was there.
func (h *Handlers) OnDesired(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	var doc struct {
		DeviceID string         `json:"device_id"`
		Desired  map[string]any `json:"desired"`
	}
	if err := json.Unmarshal(e.RawData, &doc); err != nil {
		return false, nil
	}
	out, _ := json.Marshal(doc.Desired)
	if err := h.KV.PutTTL(ctx, fleet.DesiredKey(doc.DeviceID), out, desiredTTL); err != nil {
		return true, err
	}
	return false, nil
}

// OnFactoryReset clears the reported half of a shadow. The desired half
// survives a reset so that the device is reconfigured when it comes back.
func (h *Handlers) OnFactoryReset(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	deviceID := e.Subject
	if deviceID == "" {
		return false, nil
	}
	key := fleet.ShadowKey(deviceID)
	sh := fleet.Shadow{DeviceID: deviceID}
	if raw, err := h.KV.Get(ctx, key); err == nil { // EXPECT kvnull
		_ = json.Unmarshal(raw, &sh)
		if err := h.KV.PutTTL(ctx, key+":pre-reset", raw, snapshotTTL); err != nil {
			h.Log.Warn("snapshot before reset", "device", deviceID, "err", err)
		}
	}
	sh.Reported = map[string]any{}
	sh.Version++
	sh.UpdatedAt = time.Now().UTC()
	blank, _ := json.Marshal(sh)
	if err := h.KV.Put(ctx, key, blank); err != nil { // DEBATABLE kvrace
		return true, err
	}
	return false, nil
}

// Get returns the shadow of the device named in the query string.
func (h *Handlers) Get(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	deviceID := in.QueryString
	raw, err := h.KV.Get(ctx, fleet.ShadowKey(deviceID))
	if errors.Is(err, kvstore.ErrNotFound) {
		raw, _ = json.Marshal(fleet.Shadow{DeviceID: deviceID})
	} else if err != nil {
		return nil, err
	}
	return &common.Content{Data: raw, ContentType: "application/json"}, nil
}

// policy reads the tenant-wide shadow policy straight from the API; the
// console writes it with wrangler.
func (h *Handlers) policy(ctx context.Context) (Policy, error) {
	raw, err := h.KV.API.GetWorkersKV(ctx, h.KV.RC, cloudflare.GetWorkersKVParams{NamespaceID: h.KV.NS, Key: policyKey})
	if err != nil {
		return Policy{}, fmt.Errorf("shadow policy: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return defaultPolicy, nil
	}
	var p Policy
	if err := json.Unmarshal(raw, &p); err != nil {
		return defaultPolicy, nil
	}
	return p, nil
}

func (p Policy) allows(field string) bool {
	if len(p.AllowedFields) == 0 {
		return true
	}
	for _, f := range p.AllowedFields {
		if f == field {
			return true
		}
	}
	return false
}

func diff(desired, reported map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range maps.All(desired) {
		if fmt.Sprint(reported[k]) != fmt.Sprint(v) {
			out[k] = v
		}
	}
	return out
}
