//go:build js && wasm

// Command edge is the FleetGrid Worker: the dashboard and driver app API,
// the "positions" queue consumer and the scheduled jobs.
package main

import (
	"net/http"

	"github.com/go-playground/validator/v10"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/fleetgrid/greenshank/internal/driverapp"
	"github.com/fleetgrid/greenshank/internal/edgecron"
	"github.com/fleetgrid/greenshank/internal/geofence"
	"github.com/fleetgrid/greenshank/internal/telemetry"
)

func main() {
	v := validator.New(validator.WithRequiredStructEnabled())

	positions := telemetry.New(v)
	fences := geofence.New(v)
	drivers := driverapp.New(v)

	mux := http.NewServeMux()
	positions.Register(mux)
	fences.Register(mux)
	drivers.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	queues.ConsumeNonBlock(positions.Consume)
	cron.ScheduleTaskNonBlock(edgecron.New().Run)
	workers.Serve(mux)
}
