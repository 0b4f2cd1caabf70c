// Command harbord serves the harbor operator API, the gate lane endpoint and
// the position queue push endpoint.
package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/harbor/internal/apikeys"
	"example.com/harbor/internal/berth"
	"example.com/harbor/internal/config"
	"example.com/harbor/internal/container"
	"example.com/harbor/internal/gate"
	"example.com/harbor/internal/httpapi"
	"example.com/harbor/internal/manifest"
	"example.com/harbor/internal/metrics"
	"example.com/harbor/internal/queue"
	"example.com/harbor/internal/ratelimit"
	"example.com/harbor/internal/session"
	"example.com/harbor/internal/storage/kvstore"
	"example.com/harbor/internal/tariff"
	"example.com/harbor/internal/vessel"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(cfg, log); err != nil {
		log.Error("harbord stopped", "err", err)
		os.Exit(1)
	}
}

func run(cfg config.Config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := kvstore.NewClient(cfg.APIToken, 10*time.Second)
	mainStore := kvstore.New(client, cfg.AccountID, cfg.MainNamespace)
	sessStore := kvstore.New(client, cfg.AccountID, cfg.SessionNamespace)
	legacy, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}

	hostname, _ := os.Hostname()
	agg := metrics.New(mainStore, hostname, log)
	tariffs := tariff.NewService(mainStore, log)
	sheet, err := tariffs.Active(ctx)
	if err != nil {
		return err
	}
	log.Info("tariff sheet in force", "version", sheet.Version)
	keys := apikeys.NewService(client, cfg.AccountID, cfg.MainNamespace, cfg.CacheNamespace, cfg.TokenCacheTTL, log)
	api := httpapi.New(httpapi.Deps{
		Store:    mainStore,
		Bookings: berth.NewService(mainStore, log),
		Sessions: session.NewManager(sessStore, session.Config{
			TTL: cfg.SessionTTL, OTPTTL: cfg.OTPTTL, RefreshTTL: cfg.RefreshTTL,
		}, log),
		Vessels:   vessel.NewService(mainStore, vessel.NewHTTPSource(cfg.AISBaseURL, os.Getenv("HARBOR_AIS_KEY")), cfg.VesselCacheTTL, log),
		Projector: container.NewProjector(mainStore, log),
		Tariffs:   tariffs,
		Metrics:   agg,
		Directory: staticDirectory(os.Getenv("HARBOR_OPERATORS")),
		Allow:     ratelimit.NewLimiter(mainStore, cfg.RateWindow, cfg.RateLimit),
		Log:       log,
	})
	consumer := queue.NewConsumer(mainStore, 3*time.Second, log)
	gates := gate.New(legacy, cfg.AccountID, cfg.LegacyNamespace, log)
	manifests := manifest.NewRepo(legacy, cfg.AccountID, cfg.LegacyNamespace, log)

	mux := http.NewServeMux()
	mux.Handle("/v1/", api.Handler())
	mux.Handle("POST /gate/scan", gates.ScanHandler())
	mux.Handle("POST /internal/queue/positions", internalOnly(keys, func(w http.ResponseWriter, r *http.Request) {
		var batch queue.Batch
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&batch); err != nil {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(consumer.Handle(r.Context(), batch))
	}))
	mux.Handle("POST /internal/manifests", internalOnly(keys, func(w http.ResponseWriter, r *http.Request) {
		var in []manifest.Manifest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 32<<20)).Decode(&in); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		err := manifests.ImportBatch(r.Context(), in)
		for _, m := range in {
			err = errors.Join(err, manifests.Stage(r.Context(), m))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go agg.Run(ctx, cfg.FlushInterval)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("listening", "addr", cfg.ListenAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// internalOnly requires an API key with the internal push scope.
func internalOnly(keys *apikeys.Service, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := keys.Validate(r.Context(), r.Header.Get("X-Harbor-Key"))
		if err != nil || !k.HasScope("internal:push") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if err := keys.RecordUsage(r.Context(), k.ID); err != nil {
			slog.Warn("usage not recorded", "key", k.ID, "err", err)
		}
		next(w, r)
	})
}

// staticDirectory authenticates operators listed in HARBOR_OPERATORS as
// "name:sha256hex:role1|role2,..." (staging and local runs only).
type staticDirectory string

func (d staticDirectory) Verify(_ context.Context, operator, password string) ([]string, error) {
	sum := sha256.Sum256([]byte(password))
	for _, entry := range strings.Split(string(d), ",") {
		parts := strings.SplitN(strings.TrimSpace(entry), ":", 3)
		if len(parts) == 3 && parts[0] == operator &&
			subtle.ConstantTimeCompare([]byte(parts[1]), []byte(hex.EncodeToString(sum[:]))) == 1 {
			return strings.Split(parts[2], "|"), nil
		}
	}
	return nil, httpapi.ErrBadCredentials
}
