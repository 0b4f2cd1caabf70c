package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"example.com/fleet/internal/alerts"
	"example.com/fleet/internal/rollout"
	"example.com/fleet/internal/telemetry"
)

// warehouse is the client for the analytics service that owns device counts,
// metric snapshots and the signing-key directory.
type warehouse struct {
	base string
	hc   *http.Client
}

func newWarehouse(base string) *warehouse { return &warehouse{base: base, hc: http.DefaultClient} }

func (w *warehouse) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	res, err := w.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("warehouse %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

func (w *warehouse) CountDevices(ctx context.Context) (total, online int, err error) {
	var out struct{ Total, Online int }
	err = w.getJSON(ctx, "/v1/devices/count", nil, &out)
	return out.Total, out.Online, err
}

func (w *warehouse) Latest(ctx context.Context, metric string) (map[string]float64, error) {
	out := map[string]float64{}
	err := w.getJSON(ctx, "/v1/metrics/latest", url.Values{"metric": {metric}}, &out)
	return out, err
}

func (w *warehouse) JWKS(ctx context.Context) ([]byte, error) {
	var raw json.RawMessage
	err := w.getJSON(ctx, "/v1/keys/operators", nil, &raw)
	return raw, err
}

func (w *warehouse) summary(ctx context.Context, _ string) (telemetry.FleetSummary, error) {
	var s telemetry.FleetSummary
	err := w.getJSON(ctx, "/v1/fleet/summary", nil, &s)
	return s, err
}

type logNotifier struct{ log *slog.Logger }

func (n logNotifier) Notify(_ context.Context, r alerts.Rule, devices []string) error {
	n.log.Warn("alert firing", "rule", r.ID, "severity", r.Severity, "devices", len(devices))
	return nil
}

// mqttPusher is replaced by the MQTT bridge client in the deployment build.
type mqttPusher struct{}

func (mqttPusher) Offer(context.Context, string, rollout.Manifest) error { return nil }
