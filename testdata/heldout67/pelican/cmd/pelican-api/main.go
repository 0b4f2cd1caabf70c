// Command pelican-api serves the developer portal and the internal routes
// the edge Worker and the cron triggers call.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/glebarez/sqlite"
	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/edgesync"
	"github.com/pelicanhq/pelican/internal/keys"
	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/metering"
	"github.com/pelicanhq/pelican/internal/models"
	"github.com/pelicanhq/pelican/internal/portal"
)

var defaultPlans = []models.Plan{
	{Code: "free", Name: "Free", RequestsPerMinute: 60, RequestsPerDay: 5_000},
	{Code: "pro", Name: "Pro", RequestsPerMinute: 600, RequestsPerDay: 250_000, TrialDays: 14},
	{Code: "scale", Name: "Scale", RequestsPerMinute: 3_000, RequestsPerDay: 5_000_000, TrialDays: 14},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := gorm.Open(sqlite.Open(envOr("PELICAN_DB", "pelican.db")), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&models.Developer{}, &models.Plan{}, &models.APIKey{}, &models.QuotaOverride{},
		&models.Session{}, &models.EmailVerification{}, &models.UsageRecord{}, &models.AuditEntry{}); err != nil {
		log.Fatal(err)
	}

	cf := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	store := kvstore.New(cf, os.Getenv("CLOUDFLARE_ACCOUNT_ID"), os.Getenv("PELICAN_KV_NAMESPACE"))
	models.Edge = store
	if err := edgesync.Register(db, store); err != nil {
		log.Fatal(err)
	}
	if err := seedPlans(ctx, db); err != nil {
		log.Fatal(err)
	}

	keySvc := &keys.Service{DB: db, KV: store}
	meter := metering.NewMeter(db, store)
	ph := &portal.Handler{DB: db, Store: store, Keys: keySvc, OAuth: githubExchanger{}}

	r := chi.NewRouter()
	r.Mount("/portal", ph.Routes())
	r.Route("/internal", func(r chi.Router) {
		r.Post("/usage", func(w http.ResponseWriter, r *http.Request) {
			var batch map[string]int64
			if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			for hash, n := range batch {
				meter.Record(hash, n)
			}
			w.WriteHeader(http.StatusAccepted)
		})
		r.Post("/cron/flush", func(w http.ResponseWriter, r *http.Request) {
			if err := meter.Flush(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			if err := store.Put(r.Context(), "cron:flush:heartbeat", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // DEBATABLE kvhotkey
				log.Printf("heartbeat: %v", err)
			}
			w.WriteHeader(http.StatusNoContent)
		})
		r.Post("/cron/rollup", func(w http.ResponseWriter, r *http.Request) {
			day := time.Now().UTC().AddDate(0, 0, -1).Format("20060102")
			if err := meter.Rollup(r.Context(), day); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		r.Post("/cron/warm", func(w http.ResponseWriter, r *http.Request) {
			if err := portal.WarmPlanCache(r.Context(), ph); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		r.Post("/keys/{id}/rotate", func(w http.ResponseWriter, r *http.Request) {
			var id uint
			if err := json.NewDecoder(r.Body).Decode(&id); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			plain, err := keySvc.Rotate(r.Context(), id)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"key": plain})
		})
		r.Post("/overrides", func(w http.ResponseWriter, r *http.Request) {
			var o []models.QuotaOverride
			if err := json.NewDecoder(r.Body).Decode(&o); err != nil || len(o) == 0 {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			if err := db.WithContext(r.Context()).Create(&o).Error; err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusCreated)
		})
	})

	srv := &http.Server{Addr: envOr("PELICAN_ADDR", ":8080"), Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = meter.Flush(shutdownCtx)
		_ = srv.Shutdown(shutdownCtx)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// seedPlans creates or refreshes the built-in plans; the Plan hooks publish
// each one to the edge.
func seedPlans(ctx context.Context, db *gorm.DB) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, p := range defaultPlans {
			var existing models.Plan
			err := tx.Where("code = ?", p.Code).First(&existing).Error
			if err == nil {
				p.ID = existing.ID
			} else if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			if err := tx.Save(&p).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// githubExchanger trades GitHub OAuth codes for the user's primary email.
type githubExchanger struct{}

func (githubExchanger) Exchange(ctx context.Context, code string) (string, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://github.com/login/oauth/access_token?code="+code, nil)
	if err != nil {
		return "", time.Time{}, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", time.Time{}, err
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Email       string `json:"email"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil {
		return "", time.Time{}, err
	}
	if tok.AccessToken == "" {
		return "", time.Time{}, errors.New("github: no access token")
	}
	return tok.Email, time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second), nil
}
