// Command backoffice runs the staff-facing API: invoicing, reports and door
// administration. It talks to Workers KV through the Cloudflare REST API.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"example.com/alder/internal/backend/billing"
	"example.com/alder/internal/backend/cfkv"
	"example.com/alder/internal/backend/doors"
	"example.com/alder/internal/backend/reports"
	"example.com/alder/internal/config"
	"example.com/alder/internal/storage"
)

var (
	_ storage.Store     = (*cfkv.Store)(nil)
	_ reports.Warehouse = (*sql.DB)(nil)
)

// ProvideConfig reads the configuration file named by ALDER_CONFIG.
func ProvideConfig() (config.Config, error) {
	path := "alder.json"
	if v, ok := os.LookupEnv("ALDER_CONFIG"); ok {
		path = v
	}
	f, err := os.Open(path)
	if err != nil {
		return config.Config{}, err
	}
	defer f.Close()
	return config.Load(f, os.LookupEnv)
}

// ProvideWarehouse opens the reporting database. The driver is linked in by
// the deployment build.
func ProvideWarehouse(cfg config.Config) (*sql.DB, func(), error) {
	if cfg.WarehouseDriver == "" || cfg.WarehouseDSN == "" {
		return nil, nil, errors.New("backoffice: warehouse is not configured")
	}
	db, err := sql.Open(cfg.WarehouseDriver, cfg.WarehouseDSN)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(4)
	return db, func() { db.Close() }, nil
}

// App is the assembled back office.
type App struct {
	cfg     config.Config
	billing *billing.Service
	reports *reports.Service
	doors   *doors.Service
}

// InitApp wires everything; the returned func releases resources in reverse
// order of acquisition.
func InitApp() (*App, func(), error) {
	cfg, err := ProvideConfig()
	if err != nil {
		return nil, nil, err
	}
	client, closeClient, err := cfkv.ProvideClient(cfg)
	if err != nil {
		return nil, nil, err
	}
	acct, err := cfkv.ProvideAccount(cfg)
	if err != nil {
		closeClient()
		return nil, nil, err
	}
	st := cfkv.ProvideStore(client, acct)
	db, closeDB, err := ProvideWarehouse(cfg)
	if err != nil {
		closeClient()
		return nil, nil, err
	}
	app := &App{
		cfg:     cfg,
		billing: billing.ProvideService(st),
		reports: reports.ProvideService(st, db),
		doors:   doors.ProvideService(st, cfg.Location()),
	}
	return app, func() { closeDB(); closeClient() }, nil
}

func main() {
	app, cleanup, err := InitApp()
	if err != nil {
		log.Fatalf("backoffice: %v", err)
	}
	defer cleanup()

	// Batch jobs are started by the cluster scheduler as one-off runs:
	// "backoffice publish-hourly".
	if len(os.Args) > 1 {
		if err := app.RunJob(context.Background(), os.Args[1]); err != nil {
			log.Printf("backoffice: job %s: %v", os.Args[1], err)
			cleanup()
			os.Exit(1)
		}
		return
	}

	addr := app.cfg.ListenAddr
	if addr == "" {
		addr = ":8080"
	}
	srv := &http.Server{
		Addr:              addr,
		Handler:           requestLog(app.Routes()),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("backoffice: listening on %s", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("backoffice: %v", err)
	}
}

// RunJob runs a named batch job once.
func (a *App) RunJob(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	switch name {
	case "publish-hourly":
		n, err := a.reports.PublishHourly(ctx)
		if err != nil {
			return err
		}
		log.Printf("backoffice: published %d hourly rows", n)
		return nil
	case "fill-pools":
		for _, site := range a.cfg.Sites {
			if err := a.doors.FillVisitorPool(ctx, site); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown job %q", name)
	}
}

func requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		log.Printf("%s %s %s", r.Method, r.URL.Path, time.Since(start).Round(time.Millisecond))
	})
}

func writeErr(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case storage.IsNotFound(err):
		status = http.StatusNotFound
	case errors.Is(err, billing.ErrNotDraft):
		status = http.StatusConflict
	}
	http.Error(w, fmt.Sprint(err), status)
}
