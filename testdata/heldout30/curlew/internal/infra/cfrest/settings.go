package cfrest

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go"
)

const serviceSettingsKey = "settings:service"

var defaultServiceSettings = []byte(`{"maintenance":false,"eta_window_minutes":60,"max_reschedules":2}`)

// Settings reads and seeds operator settings.
type Settings struct{ ns Namespace }

// NewSettings returns Settings on ns.
func NewSettings(ns Namespace) *Settings { return &Settings{ns: ns} }

// EnsureDefaults writes the default service settings on first start.
func (s *Settings) EnsureDefaults(ctx context.Context) error {
	if _, err := s.ns.api.GetWorkersKV(ctx, s.ns.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns.id, Key: serviceSettingsKey}); err != nil { // EXPECT kvnull
		_, err = s.ns.api.WriteWorkersKVEntry(ctx, s.ns.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns.id, Key: serviceSettingsKey, Value: defaultServiceSettings})
		return err
	}
	return nil
}

// RescheduleLimit is how many times a recipient may move a delivery.
func (s *Settings) RescheduleLimit(ctx context.Context, depotID string) int {
	raw, _ := s.ns.api.GetWorkersKV(ctx, s.ns.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns.id, Key: "settings:reschedules:" + depotID}) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	return n
}
