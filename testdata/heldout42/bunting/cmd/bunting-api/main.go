// Command bunting-api serves the clinician and patient APIs of the Bunting
// telehealth backend.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bunting/internal/appointments"
	"bunting/internal/auth"
	"bunting/internal/db"
	"bunting/internal/kvstore"
	"bunting/internal/messaging"
	"bunting/internal/rx"
)

type config struct {
	APIToken     string
	AccountID    string
	MainNS       string
	HoldsNS      string
	SessionsNS   string
	MFAPepper    string
	Addr         string
	MsgPerHour   int
	SummaryCache time.Duration
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func loadConfig() config {
	return config{
		APIToken:   os.Getenv("CF_API_TOKEN"),
		AccountID:  os.Getenv("CF_ACCOUNT_ID"),
		MainNS:     os.Getenv("KV_MAIN"),
		HoldsNS:    os.Getenv("KV_HOLDS"),
		SessionsNS: os.Getenv("KV_SESSIONS"),
		MFAPepper:  os.Getenv("MFA_PEPPER"),
		Addr:       ":8080",
		MsgPerHour: envInt("MSG_PER_HOUR", 20),
	}
}

type stubDirectory struct{}

func (stubDirectory) CheckPassword(context.Context, string, string) (string, error) {
	return "", errors.New("directory not configured")
}
func (stubDirectory) ChangePassword(context.Context, string, string, string) error {
	return errors.New("directory not configured")
}
func (stubDirectory) SendSMS(context.Context, string, string) error { return nil }

type stubEHR struct{}

func (stubEHR) Prescription(context.Context, string) (rx.Prescription, error) {
	return rx.Prescription{}, errors.New("ehr not configured")
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg := loadConfig()

	api, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	mainKV := kvstore.New(api, cfg.AccountID, cfg.MainNS)
	kvstore.SetDefault(mainKV)
	sessions := mainKV.WithNamespace(cfg.SessionsNS)

	q := db.New(mainKV)
	apptSvc := appointments.NewService(q, mainKV.WithNamespace(cfg.HoldsNS), log)
	board := appointments.NewBoard(log)
	rxSvc := rx.NewService(q, stubEHR{}, log)
	pharm := &rx.PharmacyHTTP{Svc: rxSvc}
	tally := &messaging.Tally{}

	authH := &auth.Handler{
		Sessions:   auth.NewSessionStore(sessions),
		Challenges: auth.NewChallengeStore(sessions, []byte(cfg.MFAPepper)),
		StepUps:    auth.NewStepUpStore(sessions),
		Dir:        stubDirectory{},
	}
	apptH := &appointments.HTTP{Svc: apptSvc, Board: board}
	msgH := &messaging.HTTP{Limiter: messaging.NewLimiter(messaging.Limits{PerHour: cfg.MsgPerHour, PerDay: 10 * cfg.MsgPerHour})}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", authH.Login)
	mux.HandleFunc("POST /mfa/verify", authH.VerifyMFA)
	mux.HandleFunc("POST /logout", authH.Logout)
	mux.HandleFunc("POST /password", authH.ChangePassword)
	mux.HandleFunc("GET /smart/launch", authH.SmartLaunchStart)
	mux.HandleFunc("GET /smart/callback", authH.SmartCallback)
	mux.HandleFunc("POST /epcs/confirm", authH.ConfirmStepUp)
	mux.HandleFunc("POST /holds", apptH.Hold)
	mux.HandleFunc("POST /checkin", apptH.CheckIn)
	mux.HandleFunc("GET /availability", apptH.Availability)
	mux.HandleFunc("POST /pharmacy/refills", pharm.Refill)
	mux.HandleFunc("GET /pharmacy/refills", pharm.Status)
	mux.HandleFunc("POST /messages", msgH.PostMessage)
	mux.HandleFunc("POST /messages/read", msgH.MarkRead)
	mux.HandleFunc("POST /broadcasts", msgH.Broadcast)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go board.RunStatusFlusher(ctx)
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := tally.Flush(ctx); err != nil {
					log.Warn("tally flush", "err", err)
				}
				if err := pharm.FlushViews(ctx); err != nil {
					log.Warn("views flush", "err", err)
				}
				if err := kvstore.Put(ctx, "cron:hourly:last", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil {
					log.Warn("cron marker", "err", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: cfg.Addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
