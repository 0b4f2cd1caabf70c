//go:build js && wasm

// Command edge-worker is the Worker in front of the clinic portals: it holds
// device sessions, pairs shared devices, serves clinic configuration and
// consumes the audit queue.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/clinicgroup/wallcreeper/internal/edge"
)

func openDB() (*sql.DB, error) {
	c, err := d1.OpenConnector("DB")
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

func loginLimit() int {
	if n, err := strconv.Atoi(cloudflare.Getenv("LOGIN_LIMIT")); err == nil && n > 0 {
		return n
	}
	return 10
}

func handler() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /clinic/{id}", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		db, err := openDB()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cfg, err := ns.ClinicConfig(r.Context(), db, r.PathValue("id"))
		if err != nil {
			http.Error(w, "unknown clinic", http.StatusNotFound)
			return
		}
		banner, _ := ns.Banner(cfg.ClinicID)
		cloudflare.WaitUntil(func() { _ = ns.CountView(cfg.ClinicID) })
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"clinic": cfg, "banner": banner,
			"pairing": ns.FlagEnabled(cfg.ClinicID, "device-pairing")})
	})

	mux.HandleFunc("POST /session", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ip := r.Header.Get("CF-Connecting-IP")
		if ok, err := ns.AllowLogin(ip, loginLimit()); err != nil || !ok {
			http.Error(w, "too many sign-in attempts", http.StatusTooManyRequests)
			return
		}
		clinic, err := ns.RedeemPairingCode(r.FormValue("pairing_code"))
		if err != nil {
			http.Error(w, "unknown pairing code", http.StatusForbidden)
			return
		}
		s, err := ns.StartSession(r.Header.Get("X-Verified-Subject"), clinic, r.FormValue("device_id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "__Host-sess", Value: s.ID, Path: "/", Secure: true, HttpOnly: true,
			SameSite: http.SameSiteStrictMode, MaxAge: int((8 * time.Hour).Seconds())})
		w.WriteHeader(http.StatusCreated)
	})

	mux.HandleFunc("GET /session", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s, err := ns.Session(r)
		if err != nil {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		if revoked, _ := ns.IsRevoked(s.UserID, s.Created); revoked {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		if err := ns.Touch(s); err != nil {
			slog.Warn("touch session", "err", err)
		}
		_ = ns.Sessions.PutString("edge/last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
		_ = json.NewEncoder(w).Encode(s)
	})

	mux.HandleFunc("DELETE /session", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if s, err := ns.Session(r); err == nil {
			_ = ns.EndSession(s.ID)
		}
		http.SetCookie(w, &http.Cookie{Name: "__Host-sess", Path: "/", Secure: true, MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("POST /pairing/{clinic}", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		code, err := ns.IssuePairingCode(r.PathValue("clinic"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, code)
	})

	mux.HandleFunc("POST /users/{id}/password-changed", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := ns.RevokeAll(r.PathValue("id")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("POST /clinic/{id}/notice", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := ns.SetShiftNotice(r.PathValue("id"), r.FormValue("text")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("POST /reminder/snooze", func(w http.ResponseWriter, r *http.Request) {
		ns, err := edge.Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s, err := ns.Session(r)
		if err != nil {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		_ = ns.SnoozeReminder(s.UserID)
		w.WriteHeader(http.StatusNoContent)
	})

	return mux
}

// scheduled runs every five minutes.
func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := edge.Bind()
	if err != nil {
		return err
	}
	db, err := openDB()
	if err != nil {
		return err
	}

	clinics, err := ns.ActiveClinics()
	if err != nil {
		slog.Warn("listing clinics", "err", err)
	}
	summary := map[string]string{}
	for _, id := range clinics {
		cfg, err := ns.ClinicConfig(ctx, db, id)
		if err != nil {
			slog.Warn("clinic config", "clinic", id, "err", err)
			continue
		}
		summary[id] = cfg.DisplayName
		raw, _ := json.Marshal(summary)
		if err := ns.Config.PutString("summary/clinics", string(raw), nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if devices, err := ns.ExpiringDevices(5); err == nil {
		_ = ns.Config.PutString("summary/expiring-devices", strconv.Itoa(len(devices)), &kv.PutOptions{ExpirationTTL: 3600})
	}

	decommissioned := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT device_id FROM devices WHERE decommissioned_at IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			decommissioned[id] = true
		}
	}
	_ = rows.Close()
	if n, err := ns.SweepSessions(decommissioned); err != nil {
		slog.Warn("sweeping sessions", "removed", n, "err", err)
	}

	closed := map[string]bool{}
	if err := ns.ExpireBanners(closed); err != nil {
		slog.Warn("expiring banners", "err", err)
	}

	return ns.Config.PutString("cron/last-run", ev.ScheduledTime.UTC().Format(time.RFC3339), nil)
}

// consume handles a batch of audit events.
func consume(batch *queues.MessageBatch) error {
	ns, err := edge.Bind()
	if err != nil {
		return err
	}
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev edge.AuditEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			msg.Ack()
			continue
		}
		if err := ns.AppendAudit(ev); err != nil {
			msg.Retry(queues.WithRetryDelay(30 * time.Second))
			continue
		}
		if err := ns.MarkDeviceSeen(ev); err != nil {
			slog.Warn("device seen", "device", ev.DeviceID, "err", err)
		}
		if err := ns.Audit.PutString("queue/audit/last-id", msg.ID, nil); err != nil { // EXPECT kvhotkey
			slog.Warn("checkpoint", "err", err)
		}
		msg.Ack()
	}
	return nil
}

func main() {
	workers.ServeNonBlock(handler())
	cron.ScheduleTaskNonBlock(scheduled)
	queues.ConsumeNonBlock(consume)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
