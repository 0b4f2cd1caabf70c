//go:build js && wasm

// Command worker is the practice's edge worker: the patient portal, video
// join links and the scheduled edge tasks.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/gannet/edge/booking"
	edgecron "example.com/gannet/edge/cron"
	"example.com/gannet/edge/kvstore"
	"example.com/gannet/edge/otp"
	"example.com/gannet/edge/portal"
	"example.com/gannet/edge/session"
	"example.com/gannet/edge/videojoin"
	"example.com/gannet/internal/codec"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/ttl"
)

// Preferences written before schema 1 used "lang".
var prefsMigrations = codec.Migrations{
	"prefs": {0: codec.Rename(map[string]string{"lang": "language"})},
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	portalKV := kvstore.Open("PORTAL",
		kvstore.WithCacheTTL(30),
		kvstore.WithSchema("prefs", 1, prefsMigrations),
	)
	sessionKV := kvstore.Open("SESSIONS",
		kvstore.WithDefaultTTL(ttl.PortalSession),
		kvstore.WithPageSize(500),
	)
	codeKV := kvstore.Open("CODES", kvstore.WithDefaultTTL(ttl.LockoutWindow))
	linkKV := kvstore.Open("JOIN_LINKS", kvstore.WithDefaultTTL(2*time.Hour))
	edgeKV := kvstore.Open("$EDGE_BINDING",
		kvstore.WithPageSize(5000), // EXPECT kvlimits
	)
	presenceKV := kvstore.Open("$EDGE_BINDING",
		kvstore.WithDefaultTTL(20*time.Second), // EXPECT kvttl
	)

	codes := otp.New(codeKV, codeKV, codeKV, func(ctx context.Context, channel, dest, code string) error {
		// Delivery goes through the notifications queue; the worker only logs.
		log.Info("code issued", "channel", channel, "dest", keys.Hash(dest))
		return nil
	}, []byte(cloudflare.Getenv("OTP_SECRET")))

	app := &portal.App{
		Sessions: session.New(sessionKV, ttl.Lifetime(ttl.PortalSession), ttl.PortalIdle),
		Codes:    codes,
		Joins:    videojoin.New(linkKV, linkKV),
		Booking:  booking.New(edgeKV),
		Store:    portalKV,
		Presence: presenceKV,
		Edge:     edgeKV,
		Patients: func(ctx context.Context, email string) (string, error) {
			b, ok, err := portalKV.Get(ctx, "patient-by-email:"+keys.Email(email))
			if err != nil {
				return "", err
			}
			if !ok {
				return "", domain.ErrNotFound
			}
			var rec struct {
				PatientID string `json:"patient_id"`
			}
			return rec.PatientID, json.Unmarshal(b, &rec)
		},
		Log: log,
	}

	jobs := &edgecron.Jobs{
		Store: edgeKV,
		Log:   log,
		Notify: func(ctx context.Context, appt domain.Appointment) error {
			log.Info("same-day reminder", "appt", appt.ID)
			return nil
		},
	}

	workers.ServeNonBlock(app.Routes())
	cron.ScheduleTaskNonBlock(jobs.Run)
	workers.Ready()
	<-cron.Done()
}
