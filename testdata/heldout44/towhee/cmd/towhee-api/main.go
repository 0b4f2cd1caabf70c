//go:build !js

// Command towhee-api is the backend staff and circulation API. It runs next
// to the ILS and writes the KV state the edge Worker reads.
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/riverside-libraries/towhee/internal/branches"
	"github.com/riverside-libraries/towhee/internal/circulation"
	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/restkv"
)

func main() {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		log.Fatal("CF_ACCOUNT_ID and CF_KV_NAMESPACE_ID are required")
	}
	lending := restkv.New(os.Getenv("CF_API_TOKEN"), cfg.AccountID, cfg.NamespaceID)
	cache := restkv.New(os.Getenv("CF_API_TOKEN"), cfg.AccountID, os.Getenv("CF_KV_CACHE_NAMESPACE_ID"))

	mux := http.NewServeMux()
	circulation.NewHandler(lending, cfg).Register(mux)
	branches.Admin{KV: cache}.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = ":8080"
	}
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	log.Printf("towhee-api listening on %s", addr)
	log.Fatal(srv.ListenAndServe())
}
