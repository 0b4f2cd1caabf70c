// Command dispatcher runs the dispatch planner's API and the admin console
// backend.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"goldcrest/internal/admin"
	"goldcrest/internal/cfkv"
	"goldcrest/internal/clock"
	"goldcrest/internal/dispatch"
)

func statusOf(err error) int {
	switch {
	case errors.Is(err, dispatch.ErrVersionConflict), errors.Is(err, dispatch.ErrStalePlan), errors.Is(err, dispatch.ErrAlreadyOpen):
		return http.StatusConflict
	case errors.Is(err, dispatch.ErrNoCapacity):
		return http.StatusUnprocessableEntity
	case errors.Is(err, dispatch.ErrUnknownDay), errors.Is(err, dispatch.ErrNoShift):
		return http.StatusNotFound
	case errors.Is(err, dispatch.ErrInvalidToken):
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// rpc exposes one service method as a JSON POST endpoint.
func rpc[Req, Resp any](call func(context.Context, *Req) (*Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		resp, err := call(r.Context(), &req)
		if err != nil {
			log.Printf("rpc %s: %v", r.URL.Path, err)
			http.Error(w, err.Error(), statusOf(err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	rateWindow := flag.Duration("admin-rate-window", time.Minute, "admin rate limit window")
	rateLimit := flag.Int("admin-rate-limit", 120, "admin requests per window and client")
	flag.Parse()

	account := os.Getenv("CF_ACCOUNT_ID")
	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	dispatchNS := os.Getenv("DISPATCH_KV_ID")
	courierNS := os.Getenv("COURIER_KV_ID")
	trackingNS := os.Getenv("TRACKING_KV_ID")

	clk := clock.System{}
	dkv := cfkv.New(api, account, dispatchNS)
	ckv := cfkv.New(api, account, courierNS)
	tkv := cfkv.New(api, account, trackingNS)

	svc := dispatch.NewService(dkv, ckv, clk)
	planner := dispatch.NewPlanner(dkv, clk)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /rpc/capacity/open", rpc(svc.OpenDay))
	mux.HandleFunc("POST /rpc/capacity/reserve", rpc(svc.Reserve))
	mux.HandleFunc("POST /rpc/capacity/release", rpc(svc.Release))
	mux.HandleFunc("POST /rpc/attempts/record", rpc(svc.RecordAttempt))
	mux.HandleFunc("POST /rpc/parcels/delivered", rpc(svc.MarkDelivered))
	mux.HandleFunc("POST /rpc/couriers/revoke", rpc(svc.RevokeCourier))
	mux.HandleFunc("POST /rpc/shifts/end", rpc(svc.EndShift))
	mux.HandleFunc("POST /rpc/partner/refresh", rpc(svc.Refresh))
	mux.HandleFunc("POST /rpc/plans/build", rpc(planner.BuildPlans))
	mux.HandleFunc("POST /rpc/plans/advance", rpc(planner.AdvancePlan))
	mux.HandleFunc("POST /rpc/plans/publish", rpc(planner.PublishPlan))
	mux.HandleFunc("POST /rpc/plans/get", rpc(planner.Plan))
	mux.Handle("/admin/", admin.New(admin.Config{
		DispatchKV: dkv,
		TrackingKV: tkv,
		API:        api,
		AccountID:  account,
		DispatchNS: dispatchNS,
		TrackingNS: trackingNS,
		Clock:      clk,
		RateWindow: *rateWindow,
		RateLimit:  *rateLimit,
	}))

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("dispatcher listening on %s", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
