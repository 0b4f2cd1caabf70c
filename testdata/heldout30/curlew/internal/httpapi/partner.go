package httpapi

import (
	"net/http"
	"time"

	"example.com/curlew/internal/tracking"
)

type inboundEvent struct {
	ID     string    `json:"id"`
	Slug   string    `json:"slug"`
	Status string    `json:"status"`
	Where  string    `json:"where"`
	At     time.Time `json:"at"`
}

func partnerRoutes(mux *http.ServeMux, d deps) {
	partnerOnly := func(h handler) http.Handler { return partnerAuth(d.Keys)(h) }

	mux.Handle("POST /v1/partner/webhooks", partnerOnly(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readJSON[struct{ Endpoint string }](r)
		if err != nil || in.Endpoint == "" {
			return errBadRequest
		}
		return d.Webhooks.Subscribe(r.Context(), partnerFrom(r.Context()).PartnerID, in.Endpoint)
	}))

	mux.Handle("POST /v1/partner/events", partnerOnly(func(w http.ResponseWriter, r *http.Request) error {
		events, err := readJSON[[]inboundEvent](r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		accepted := 0
		for _, ev := range events {
			if seen, err := d.Dedupe.Seen(ctx, ev.ID); err != nil || seen {
				continue
			}
			if err := d.Tracking.Record(ctx, ev.Slug, tracking.Event{At: ev.At, Status: ev.Status, Where: ev.Where}); err != nil {
				return err
			}
			_ = d.Dedupe.Remember(ctx, ev.ID, d.dedupeWindow)
			accepted++
		}
		_ = d.Store.Put(ctx, "partner-events:last-received", []byte(time.Now().UTC().Format(time.RFC3339Nano))) // EXPECT kvhotkey
		return writeJSON(w, http.StatusAccepted, map[string]int{"accepted": accepted})
	}))

	mux.Handle("POST /v1/partner/keys/rotate", partnerOnly(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readJSON[struct{ Secret string }](r)
		if err != nil {
			return err
		}
		p := partnerFrom(r.Context())
		next, err := d.Keys.Rotate(r.Context(), p.PartnerID, "partner:"+p.PartnerID, in.Secret)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]string{"secret": next})
	}))
}
