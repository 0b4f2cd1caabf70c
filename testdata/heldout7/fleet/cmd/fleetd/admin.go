package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"example.com/fleet/internal/configpush"
	"example.com/fleet/internal/quota"
	"example.com/fleet/internal/rollout"
	"example.com/fleet/internal/telemetry"
)

func adminRoutes(r *rollout.Service, o configpush.OverrideDeps, p *configpush.Pusher) map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST /admin/rollout/{model}/percent": func(w http.ResponseWriter, req *http.Request) {
			pct, err := strconv.Atoi(req.URL.Query().Get("pct"))
			if err != nil {
				http.Error(w, "pct required", http.StatusBadRequest)
				return
			}
			if err := r.SetPercent(req.Context(), req.PathValue("model"), pct); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		},
		"POST /admin/devices/{id}/overrides": func(w http.ResponseWriter, req *http.Request) {
			var settings map[string]string
			if err := json.NewDecoder(req.Body).Decode(&settings); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			if err := o.ApplyOverride(req.Context(), req.PathValue("id"), settings); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		},
		"POST /admin/push": func(w http.ResponseWriter, req *http.Request) {
			var body struct {
				Config  configpush.DeviceConfig `json:"config"`
				Devices []string                `json:"devices"`
			}
			if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			if err := p.Push(req.Context(), body.Config, body.Devices); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		},
		"POST /admin/flags/{flag}": func(w http.ResponseWriter, req *http.Request) {
			var devices []string
			if err := json.NewDecoder(req.Body).Decode(&devices); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			if err := p.SetFlag(req.Context(), req.PathValue("flag"), devices); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		},
		"PUT /admin/ca-pin": func(w http.ResponseWriter, req *http.Request) {
			pem, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
			if err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			if err := o.PinCA(req.Context(), pem); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		},
	}
}

// message is one delivery from the telemetry queue.
type message struct {
	Tenant string
	Stream string
	Batch  telemetry.Batch
}

func consumeTelemetry(ctx context.Context, q <-chan message, in *telemetry.Ingestor, quotas *quota.Service, log *slog.Logger) error {
	for {
		var m message
		select {
		case <-ctx.Done():
			return nil
		case m = <-q:
		}
		if err := quotas.Consume(ctx, m.Tenant, len(m.Batch.Readings)); err != nil {
			log.Warn("telemetry dropped", "tenant", m.Tenant, "err", err)
			continue
		}
		if err := in.Consume(ctx, m.Stream, []telemetry.Batch{m.Batch}); err != nil {
			log.Error("ingest", "stream", m.Stream, "err", err)
			continue
		}
		if err := in.AddIngested(ctx, m.Tenant, len(m.Batch.Readings)); err != nil {
			log.Warn("ingested total", "err", err)
		}
	}
}
