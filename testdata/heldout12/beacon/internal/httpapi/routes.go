package httpapi

import (
	"net/http"

	"example.com/beacon/internal/campaign"
	"example.com/beacon/internal/device"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/receipts"
	"example.com/beacon/internal/session"
	"example.com/beacon/internal/tenant"
	"example.com/beacon/internal/topics"
)

// Deps are the components the API serves.
type Deps struct {
	Devices   *device.Service
	Limiter   *device.Limiter
	Sessions  *session.Manager
	Auth      *session.Authenticator
	Refresher *session.Refresher
	Resets    *session.Resets
	Campaigns *campaign.Store
	Receipts  *receipts.Recorder
	Tenants   *tenant.Cache
	Topics    *topics.Registry
	Stats     kvstore.Store
	Secrets   map[string][]byte
}

// NewMux returns the routed handler.
func NewMux(d Deps) *http.ServeMux {
	mux := http.NewServeMux()
	admin := func(h http.Handler) http.Handler { return requireSession{sessions: d.Sessions, next: h} }

	// Mobile SDK endpoints; the edge authenticates the tenant's app key.
	mux.Handle("POST /v1/tenants/{tenant}/devices", registerHandler{devices: d.Devices, limiter: d.Limiter, stats: d.Stats})
	mux.Handle("GET /v1/tenants/{tenant}/devices/{id}/prefs", settingsHandler{devices: d.Devices})
	mux.Handle("PUT /v1/tenants/{tenant}/devices/{id}/{setting}", settingsHandler{devices: d.Devices})
	mux.Handle("POST /v1/tenants/{tenant}/topics/{topic}/devices/{id}", subscribeHandler{topics: d.Topics})
	mux.Handle("POST /v1/receipts/{provider}", webhookHandler{recorder: d.Receipts, devices: d.Devices, secrets: d.Secrets, stats: d.Stats})

	// Console.
	mux.Handle("POST /v1/admin/auth/{step}", authHandler{auth: d.Auth, refresher: d.Refresher, resets: d.Resets})
	mux.Handle("POST /v1/admin/logout", admin(logoutHandler{sessions: d.Sessions}))
	mux.Handle("GET /v1/tenants/{tenant}/devices/count", admin(countHandler{devices: d.Devices}))
	mux.Handle("POST /v1/tenants/{tenant}/campaigns", admin(createCampaignHandler{campaigns: d.Campaigns}))
	mux.Handle("POST /v1/tenants/{tenant}/campaigns/{id}/{op}", admin(campaignOpHandler{campaigns: d.Campaigns, history: d.Stats}))
	mux.Handle("GET /v1/tenants/{tenant}/campaigns/{id}/receipts", admin(receiptsHandler{receipts: d.Receipts}))
	mux.Handle("POST /v1/tenants/{tenant}/bundles/{bundle}", admin(bundleHandler{tenants: d.Tenants}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}
