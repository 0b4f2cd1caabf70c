// Command backoffice runs the kitchen's back-office jobs and admin API.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"example.com/thistle/internal/backoffice"
	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/httpx"
	"example.com/thistle/internal/pipeline"
	"example.com/thistle/internal/recipes"
	"example.com/thistle/internal/sched"
	"example.com/thistle/internal/sessions"
	"example.com/thistle/internal/store"
)

func main() {
	cfg, err := config.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	if cfg.APIToken == "" || cfg.AccountID == "" || cfg.NamespaceID == "" {
		log.Fatal("CF_API_TOKEN, CF_ACCOUNT_ID and CF_KV_NAMESPACE_ID are required")
	}
	clk := clock.System{}
	kvc := backoffice.NewKV(cfg.APIToken, cfg.AccountID, cfg.NamespaceID)
	svc := backoffice.NewService(kvc, clk, cfg)
	ss := sessions.New(kvc, clk, cfg)

	s := sched.New(func(name string, err error) { log.Printf("job %s: %v", name, err) })
	s.Every(time.Hour, "audit-expiring", svc.AuditExpiring)
	s.Every(time.Hour, "refresh-featured", svc.RefreshFeatured)
	s.Every(15*time.Minute, "compact-drafts", svc.Compact)
	s.Every(24*time.Hour, "migrate-prefs", func(ctx context.Context) error {
		return migratePrefs(ctx, kvc, cfg.MaxListPages)
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go s.Loop(ctx, time.Minute)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /catalogue", func(w http.ResponseWriter, r *http.Request) {
		var recs []recipes.Recipe
		if err := httpx.Decode(r, &recs); err != nil {
			httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := svc.ImportCatalogue(r.Context(), recs); err != nil {
			httpx.Error(w, err)
			return
		}
		if err := svc.PublishCards(r.Context(), recs); err != nil {
			httpx.Error(w, err)
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]int{"imported": len(recs)})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("max"))
		keys, err := svc.SampleKeys(r.Context(), r.URL.Query().Get("prefix"), min(max(n, 1), 500))
		if err != nil {
			httpx.Error(w, err)
			return
		}
		httpx.JSON(w, http.StatusOK, keys)
	})
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, r *http.Request) {
		page, err := svc.ExportPage(r.Context(), r.URL.Query().Get("prefix"), r.URL.Query().Get("cursor"))
		if err != nil {
			httpx.Error(w, err)
			return
		}
		httpx.JSON(w, http.StatusOK, page)
	})
	mux.HandleFunc("POST /customers/{id}/close", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Sessions []string `json:"sessions"`
		}
		if err := httpx.Decode(r, &body); err != nil {
			httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := svc.CloseAccount(r.Context(), r.PathValue("id"), body.Sessions); err != nil {
			httpx.Error(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /customers/{id}/sessions", func(w http.ResponseWriter, r *http.Request) {
		sess, err := ss.Create(r.Context(), r.PathValue("id"), "support")
		if err != nil {
			httpx.Error(w, err)
			return
		}
		httpx.JSON(w, http.StatusCreated, sess)
	})
	mux.HandleFunc("POST /suppliers", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Ingredient, Supplier string }
		if err := httpx.Decode(r, &body); err != nil {
			httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := svc.AddSupplier(r.Context(), body.Ingredient, body.Supplier); err != nil {
			httpx.Error(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /stock", func(w http.ResponseWriter, r *http.Request) {
		var levels map[string]int
		if err := json.NewDecoder(r.Body).Decode(&levels); err != nil {
			httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := svc.ReconcileStock(r.Context(), levels); err != nil {
			httpx.Error(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	srv := &http.Server{Addr: ":8080", Handler: httpx.Chain(mux, httpx.Recover, httpx.Logger(clk)), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// migratePrefs renames the legacy "veggie" flag in stored preferences.
func migratePrefs(ctx context.Context, s store.Store, maxPages int) error {
	keys := make(chan string)
	var listErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, listErr = pipeline.ListBudget(ctx, s, "prefs/", "", maxPages, keys)
	}()
	items := pipeline.Fetch(ctx, s, keys, 4)
	n, err := pipeline.Rewrite(ctx, s, items, 2, func(it pipeline.Item) []byte {
		var m map[string]any
		if json.Unmarshal(it.Value, &m) != nil {
			return nil
		}
		v, ok := m["veggie"]
		if !ok {
			return nil
		}
		delete(m, "veggie")
		m["vegetarian"] = v
		b, _ := json.Marshal(m)
		return b
	})
	<-done
	log.Printf("migrate prefs: rewrote %d", n)
	if err != nil {
		return err
	}
	return listErr
}
