package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"wagtail/internal/delivery"
	"wagtail/internal/kvstore"
	"wagtail/internal/stats"
)

type eventIn struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func newDeliveryID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "dlv_" + hex.EncodeToString(b[:])
}

// ingestEvent accepts one event and queues a delivery per subscription.
func ingestEvent(w http.ResponseWriter, r *http.Request) error {
	key, err := authenticate(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if ok, err := limiter.Allow(ctx, key.TenantID); err != nil {
		return err
	} else if !ok {
		return fail(http.StatusTooManyRequests, "rate limit exceeded")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	var ev eventIn
	if err != nil || json.Unmarshal(body, &ev) != nil || ev.Type == "" {
		return fail(http.StatusBadRequest, "invalid event")
	}
	if idem := r.Header.Get("Idempotency-Key"); idem != "" {
		idemKey := kvstore.KindIdempotency.Key(key.TenantID, idem)
		if _, err := kvstore.GetBytes(ctx, ns.Hooks, idemKey); err == nil {
			return fail(http.StatusConflict, "duplicate event")
		} else if !kvstore.IsMiss(err) {
			return err
		}
		if err := kvstore.PutBytes(ctx, ns.Hooks, idemKey, []byte(time.Now().UTC().Format(time.RFC3339)), kvstore.KindIdempotency.TTL()); err != nil { // EXPECT kvrace
			return err
		}
	}
	matched, err := subs.Matching(ctx, key.TenantID, ev.Type)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(matched))
	for _, s := range matched {
		d := delivery.Delivery{ID: newDeliveryID(), TenantID: key.TenantID, SubscriptionID: s.ID, Event: ev.Type, Payload: ev.Payload}
		if err := deliveries.Enqueue(ctx, d); err != nil {
			return err
		}
		ids = append(ids, d.ID)
	}
	if err := limiter.AddUsage(ctx, key.TenantID, int64(len(ids)), int64(len(body))); err != nil {
		return err
	}
	_ = kvstore.PutBytes(ctx, ns.Hooks, kvstore.Key("hub", "last-ingest"), []byte(time.Now().UTC().Format(time.RFC3339Nano)), 0) // EXPECT kvhotkey
	return writeJSON(w, http.StatusAccepted, map[string]any{"deliveries": ids})
}

// ingestBatch accepts up to 100 events in one request.
func ingestBatch(w http.ResponseWriter, r *http.Request) error {
	key, err := authenticate(r)
	if err != nil {
		return err
	}
	var batch []eventIn
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&batch); err != nil || len(batch) > 100 {
		return fail(http.StatusBadRequest, "invalid batch")
	}
	var queued kvstore.Batch
	for _, ev := range batch {
		d := delivery.Delivery{ID: newDeliveryID(), TenantID: key.TenantID, Event: ev.Type, Payload: ev.Payload, Status: delivery.StatusPending, CreatedAt: time.Now().UTC()}
		raw, _ := json.Marshal(d)
		queued.Add(kvstore.KindDelivery.Key(d.ID), raw, kvstore.KindDelivery.TTL())
		last, _ := json.Marshal(map[string]any{"type": ev.Type, "at": d.CreatedAt})
		if err := kvstore.PutBytes(r.Context(), ns.Hooks, kvstore.Key("last-event", key.TenantID), last, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := queued.Flush(r.Context(), ns.Hooks); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"deliveries": queued.Keys()})
}

func deliveryStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := deliveries.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": st})
}

// deliveryPayload returns the stored delivery body.
func deliveryPayload(w http.ResponseWriter, r *http.Request) error {
	body, code, err := kvstore.Read(r.Context(), ns.Hooks, kvstore.KindDelivery.Key(r.PathValue("id")))
	if err != nil {
		return err
	}
	if code == http.StatusNotFound { // EXPECT kvnull
		return fail(http.StatusNotFound, "no such delivery")
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}

func listEventTypes(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{"event_types": []string{
		"invoice.created", "invoice.paid", "customer.created", "customer.deleted", "payout.sent",
	}})
}

func status(w http.ResponseWriter, r *http.Request) error {
	var last string
	if raw, err := kvstore.GetBytes(r.Context(), ns.Hooks, kvstore.Key("hub", "last-ingest")); err == nil {
		last = string(raw)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ok": true, "last_ingest": last})
}

func endpointHealth(w http.ResponseWriter, r *http.Request) error {
	key, err := authenticate(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := subs.Get(r.Context(), key.TenantID, id); err != nil {
		return err
	}
	raw, err := kvstore.GetBytes(r.Context(), ns.Hooks, kvstore.Key("health", id))
	if kvstore.IsMiss(err) {
		return writeJSON(w, http.StatusOK, map[string]any{"id": id, "state": "unknown"})
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(raw)
	return err
}

func listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	key, err := authenticate(r)
	if err != nil {
		return err
	}
	page, next, err := subs.Page(r.Context(), key.TenantID, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"data": page, "next_cursor": next})
}

// onboarding tells the dashboard which setup steps a tenant has done.
func onboarding(w http.ResponseWriter, r *http.Request) error {
	key, err := authenticate(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	preview, more, err := subs.Preview(ctx, key.TenantID)
	if err != nil {
		return err
	}
	_ = stats.RecordView(ctx, ns.Cache, "onboarding:"+key.TenantID)
	return writeJSON(w, http.StatusOK, map[string]any{
		"endpoints":    preview,
		"has_endpoint": len(preview) > 0 || more != "",
		"delivered":    stats.Delivered(ctx, ns.Cache, key.TenantID),
	})
}

func logout(w http.ResponseWriter, r *http.Request) error {
	s, err := currentSession(r)
	if err != nil {
		return err
	}
	if err := sessions.Logout(r.Context(), s.ID); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "wagtail_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func switchTenant(w http.ResponseWriter, r *http.Request) error {
	s, err := currentSession(r)
	if err != nil {
		return err
	}
	if ok, err := sessions.CheckCSRF(r.Context(), s.ID, r.Header.Get("X-CSRF-Token")); err != nil {
		return err
	} else if !ok {
		return fail(http.StatusForbidden, "bad csrf token")
	}
	s, err = sessions.SwitchTenant(r.Context(), s.ID, r.FormValue("tenant_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

func oauthCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	st, err := oauthMgr.Callback(r.Context(), r.PathValue("provider"), q.Get("state"), q.Get("code"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, st.ReturnTo, http.StatusFound)
	return nil
}

func disconnect(w http.ResponseWriter, r *http.Request) error {
	s, err := currentSession(r)
	if err != nil {
		return err
	}
	if err := oauthMgr.Disconnect(r.Context(), s.TenantID, r.PathValue("provider")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
