// Command clinic-api serves the scheduling and video Connect services, the
// patient portal API and the in-visit WebSocket.
package main

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"connectrpc.com/connect"

	"github.com/meridiancare/knot/internal/clinicv1/clinicv1connect"
	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/portal"
	"github.com/meridiancare/knot/internal/portal/portalapi"
	"github.com/meridiancare/knot/internal/scheduling"
	"github.com/meridiancare/knot/internal/visit"
)

const (
	sessionTTL     = 12 * time.Hour
	idempotencyTTL = 24 * time.Hour
	partnerDaily   = 50_000
)

func namespace(envVar string) *kvstore.Namespace {
	id := os.Getenv(envVar)
	if id == "" {
		log.Fatalf("%s is not set", envVar)
	}
	return kvstore.Open(kvstore.Config{
		APIToken:    os.Getenv("CF_API_TOKEN"),
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		NamespaceID: id,
		Timeout:     10 * time.Second,
	})
}

// sendLink mails a portal sign-in link through the mail provider's API.
func sendLink(ctx context.Context, email, link string) error {
	body, _ := json.Marshal(map[string]any{"to": email, "template": "portal-sign-in", "model": map[string]string{"link": link}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, os.Getenv("MAIL_API_URL"), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+os.Getenv("MAIL_API_KEY"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("mail API: %s", res.Status)
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	holdTTL, err := time.ParseDuration(cmp.Or(os.Getenv("HOLD_TTL"), "10m"))
	if err != nil {
		log.Fatalf("HOLD_TTL: %v", err)
	}

	var (
		availability = namespace("KV_AVAILABILITY_ID")
		holds        = namespace("KV_HOLDS_ID")
		partners     = namespace("KV_PARTNERS_ID")
		rooms        = namespace("KV_ROOMS_ID")
		sessions     = namespace("KV_PORTAL_SESSIONS_ID")
		profiles     = namespace("KV_PORTAL_PROFILES_ID")
	)

	mux := http.NewServeMux()

	partnerAuth := scheduling.NewAPIKeyInterceptor(partners)
	mux.Handle(clinicv1connect.NewSchedulingServiceHandler(
		&scheduling.Server{Edge: availability, Holds: holds, DB: db, HoldTTL: holdTTL},
		connect.WithInterceptors(
			partnerAuth,
			scheduling.NewQuotaInterceptor(partners, partnerDaily),
			scheduling.NewIdempotencyInterceptor(partners, idempotencyTTL,
				clinicv1connect.SchedulingServiceHoldSlotProcedure,
				clinicv1connect.SchedulingServiceBookSlotProcedure),
		),
	))
	mux.Handle(clinicv1connect.NewVideoServiceHandler(
		&visit.VideoServer{Rooms: rooms, DB: db},
		connect.WithInterceptors(partnerAuth),
	))
	mux.Handle("GET /visit/ws", &visit.RoomHub{Rooms: rooms, Origins: []string{"portal.meridian.health", "clinician.meridian.health"}})

	portalServer := &portal.Server{
		Sessions:   sessions,
		Profiles:   profiles,
		DB:         db,
		SendLink:   sendLink,
		BaseURL:    cmp.Or(os.Getenv("PORTAL_BASE_URL"), "https://portal.meridian.health"),
		SessionTTL: sessionTTL,
	}
	strict := portalapi.NewStrictHandlerWithOptions(portalServer,
		[]portalapi.StrictMiddlewareFunc{portal.SlidingSession(sessions, sessionTTL)},
		portalapi.StrictHTTPServerOptions{
			RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
				http.Error(w, err.Error(), http.StatusBadRequest)
			},
			ResponseErrorHandlerFunc: portal.ErrorHandler,
		})
	portalapi.HandlerWithOptions(strict, portalapi.StdHTTPServerOptions{BaseURL: "/portal/v1", BaseRouter: mux})

	srv := &http.Server{
		Addr:              cmp.Or(os.Getenv("ADDR"), ":8080"),
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	slog.Info("clinic-api listening", "addr", srv.Addr)

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		slog.Error("shutdown", "err", err)
	}
}
