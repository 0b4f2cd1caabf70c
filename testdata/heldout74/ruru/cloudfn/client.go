// Package cloudfn holds the platform's Google Cloud Functions. Each function
// is registered with the Functions Framework in init(); cmd/functions starts
// the framework locally and the deploy pipeline points gcloud at this
// package with --entry-point set to the registered name.
package cloudfn

import (
	"encoding/json"
	"log"
	"net/http"
	"sync"

	"github.com/ruru-fm/ruru/internal/config"
	"github.com/ruru-fm/ruru/internal/kvclient"
)

var (
	storeOnce sync.Once
	store     *kvclient.Store
	storeErr  error
	settings  config.Settings
)

// kvStore builds the KV client on first use so that a cold start of a
// function that never touches KV does not pay for it.
func kvStore() (*kvclient.Store, error) {
	storeOnce.Do(func() {
		settings = config.FromEnv()
		store, storeErr = kvclient.FromSettings(settings)
	})
	return store, storeErr
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode response: %v", err)
	}
}

func fail(w http.ResponseWriter, status int, err error) {
	log.Printf("request failed: %v", err)
	http.Error(w, http.StatusText(status), status)
}
